// Seed 002 §3: events as synced from Outlook/Google, with the internal fields only this backend keeps.
import { DateTime, Email, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { calendarOfOwner } from './people.js'
import { auditFields, auditStamps, name, owner, text, timestamps } from './fields.js'

const label = (maxLength = 200) => Type.String({ maxLength })
const list = (maxItems = 100) => Type.Array(label(), { maxItems })

const attendee = Type.Object({
  email: Email(),
  name: Type.Optional(label()),
  response_status: Type.Optional(Enum(['none', 'accepted', 'declined', 'tentative'])),
  is_organizer: Type.Optional(Type.Boolean())
})

const recurrencePattern = Type.Object({
  type: Enum(['daily', 'weekly', 'monthly', 'yearly']),
  interval: Type.Integer({ minimum: 1, maximum: 1000, description: 'Every X days/weeks/months' }),
  days_of_week: Type.Optional(Type.Array(Enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']), { uniqueItems: true, maxItems: 7 })),
  day_of_month: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
  end_date: Type.Optional(DateTime()),
  occurrence_count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }))
})

export const events = defineCollection({
  name: 'events',
  schema: Type.Object({
    user_id: owner(),
    calendar_id: calendarOfOwner(),
    // Original Outlook data
    outlook_event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    outlook_etag: Type.Optional(Type.String({ maxLength: 500, description: 'Outlook ETag for conflict detection' })),
    // Basic event data
    title: name(500),
    description: Type.Optional(text(20000)),
    start_time: DateTime(),
    end_time: DateTime(),
    all_day: Type.Boolean({ default: false }),
    location: Type.Optional(label(500)),
    category: Type.Optional(label()),
    // Custom internal fields: ours, never overwritten by a pull nor sent to a provider
    setup_start_time: Type.Optional(DateTime()),
    setup_end_time: Type.Optional(DateTime()),
    teardown_start_time: Type.Optional(DateTime()),
    teardown_end_time: Type.Optional(DateTime()),
    internal_notes: Type.Optional(text(20000)),
    equipment_required: Type.Optional(list()),
    staff_assigned: Type.Optional(list()),
    budget_allocated: Type.Optional(Type.Number({ minimum: 0 })),
    client_contact: Type.Optional(label(500)),
    internal_category: Type.Optional(label()),
    priority_level: Enum(['low', 'medium', 'high', 'critical'], { default: 'medium' }),
    attendees: Type.Optional(Type.Array(attendee, { maxItems: 500 })),
    // Recurrence (declared below): instances are records pointing at their master; removing the master removes them.
    is_recurring: Type.Boolean({ default: false }),
    recurrence_pattern: Type.Optional(recurrencePattern),
    recurrence_master_id: Type.Optional(Ref('events', { onDelete: 'cascade', sameAs: ['user_id'], description: 'The master event this record is an instance of' })),
    // Sync status
    google_event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    sync_status: Enum(['synced', 'pending', 'error', 'not_synced'], { default: 'not_synced' }),
    last_synced: Type.Optional(DateTime()),
    sync_errors: Type.Optional(Type.Array(text(2000), { maxItems: 100 })),
    // Added to the seed's fields: Google's ETag (Outlook's is outlook_etag), and what each provider last had of the
    // synced fields (a hash, kept by the engine): a change here since then is pushed, or a conflict if they changed too.
    google_etag: Type.Optional(Type.String({ maxLength: 500, description: 'Google Calendar ETag for conflict detection' })),
    sync_state: Type.Optional(Type.Object({ microsoft: Type.Optional(Type.String({ maxLength: 64 })), google: Type.Optional(Type.String({ maxLength: 64 })) }, { readOnly: true, description: 'Kept by the sync' })),
    ...auditFields
  }),
  timestamps,
  generate: auditStamps,
  // A row (or a sync) naming a known Outlook event updates it: `outlook_event_id` never duplicates.
  import: { key: 'outlook_event_id' },
  // A recurring master's instances are events pointing at it, made by the engine for a year ahead and kept in step with
  // it; they take its fields but not its provider ids and sync state (each instance syncs on its own).
  recurrence: {
    master: 'is_recurring',
    pattern: { field: 'recurrence_pattern', frequency: 'type', interval: 'interval', weekdays: 'days_of_week', monthDay: 'day_of_month', until: 'end_date', count: 'occurrence_count' },
    instanceOf: 'recurrence_master_id',
    start: 'start_time',
    end: 'end_time',
    allDay: 'all_day',
    except: ['outlook_etag', 'google_event_id', 'google_etag', 'sync_state', 'sync_status', 'last_synced', 'sync_errors']
  },
  indexes: [
    { fields: { user_id: 1 } },
    { fields: { calendar_id: 1 } },
    { fields: { outlook_event_id: 1 }, unique: true, sparse: true },
    { fields: { user_id: 1, start_time: 1 } },
    { fields: { category: 1 } },
    { fields: { internal_category: 1 } },
    { fields: { location: 1 } },
    { fields: { sync_status: 1 } },
    { fields: { recurrence_master_id: 1 } }
  ],
  admin: { titleField: 'title', listFields: ['title', 'start_time', 'end_time', 'user_id', 'calendar_id', 'priority_level', 'sync_status'], group: 'Calendar' }
})

