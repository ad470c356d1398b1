// Seed 002's sync, declared: which calendars, which event fields map to the providers' (the rest are ours alone), where
// the cursors and ETags are kept, and the sync log. The engine's connector runs it (docs/connectors.md).
import type { ConnectorInput } from '../../schemas/types.js'

export const calendarSync: ConnectorInput = {
  where: { is_active: true, sync_enabled: true },
  owner: 'user_id',
  records: { collection: 'events', parent: 'calendar_id', owner: 'user_id' },
  fields: {
    title: 'title',
    description: 'description',
    start_time: 'start',
    end_time: 'end',
    all_day: 'allDay',
    location: 'location',
    category: 'category',
    attendees: { from: 'attendees', fields: { email: 'email', name: 'name', response_status: 'response', is_organizer: 'organizer' } }
  },
  // The seed's "Custom Internal Fields": never overwritten by a pull nor sent to a provider.
  internal: ['setup_start_time', 'setup_end_time', 'teardown_start_time', 'teardown_end_time', 'internal_notes', 'equipment_required', 'staff_assigned', 'budget_allocated', 'client_contact', 'internal_category', 'priority_level'],
  // Recurrence is not mapped to the providers' series: masters and the engine's instances stay here.
  pushWhere: { is_recurring: false, recurrence_master_id: { $exists: false } },
  status: { field: 'sync_status', synced: 'synced', pending: 'pending', error: 'error', errors: 'sync_errors', at: 'last_synced', state: 'sync_state' },
  lastSynced: 'last_synced',
  log: {
    collection: 'sync-logs',
    owner: 'user_id',
    status: { field: 'status', success: 'success', partial: 'partial', error: 'error' },
    counts: { processed: 'events_processed', created: 'events_created', updated: 'events_updated', deleted: 'events_deleted' },
    errors: { field: 'errors', id: 'event_id', message: 'error_message', code: 'error_code' },
    startedAt: 'started_at',
    completedAt: 'completed_at',
    duration: 'duration_ms'
  },
  schedule: '*/15 * * * *',
  // "Sync now": POST /calendars with `X-Service-Method: sync` and `{ id }`, by whoever may manage the calendar.
  action: 'sync',
  providers: {
    microsoft: { kind: 'graph-calendar', oauth: 'microsoft', remoteId: 'outlook_calendar_id', cursor: 'outlook_delta_link', id: 'outlook_event_id', etag: 'outlook_etag', log: { sync_type: 'outlook_to_local' } },
    google: { kind: 'google-calendar', oauth: 'google', remoteId: 'google_calendar_id', cursor: 'google_sync_token', id: 'google_event_id', etag: 'google_etag', push: true, removals: 'google_removals', log: { sync_type: 'google_sync' } }
  }
}
