// Seed 002 §6–7: sync logs (one per sync run) and the exports administrators make.
import { DateTime, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { auditFields, auditStamps, count, owner, text, timestamps } from './fields.js'

const group = 'Operations'

export const syncLogs = defineCollection({
  name: 'sync-logs',
  label: 'Sync logs',
  schema: Type.Object({
    user_id: owner(),
    sync_type: Enum(['outlook_to_local', 'local_to_outlook', 'google_sync']),
    status: Enum(['success', 'error', 'partial']),
    events_processed: count({ default: 0 }),
    events_created: count({ default: 0 }),
    events_updated: count({ default: 0 }),
    events_deleted: count({ default: 0 }),
    errors: Type.Array(
      Type.Object({
        event_id: Type.Optional(Type.String({ maxLength: 1024, description: 'Outlook or Google event ID' })),
        error_message: text(),
        error_code: Type.Optional(Type.String({ maxLength: 100 }))
      }),
      { maxItems: 1000, default: [] }
    ),
    started_at: DateTime(),
    completed_at: Type.Optional(DateTime()),
    duration_ms: Type.Optional(count()),
    ...auditFields
  }),
  timestamps,
  generate: auditStamps,
  indexes: [{ fields: { user_id: 1 } }, { fields: { sync_type: 1 } }, { fields: { status: 1 } }, { fields: { started_at: 1 } }],
  admin: { titleField: 'started_at', listFields: ['started_at', 'user_id', 'sync_type', 'status', 'events_processed', 'duration_ms'], group }
})

export const adminExports = defineCollection({
  name: 'admin-exports',
  label: 'Admin exports',
  schema: Type.Object({
    // Stamped with the admin who creates it; kept (emptied) if that admin is removed.
    admin_user_id: Type.Optional(Ref('users', { onDelete: 'nullify', description: 'Admin who initiated the export' })),
    export_type: Enum(['events', 'users', 'full_backup']),
    filters: Type.Optional(
      Type.Object({
        start_date: Type.Optional(DateTime()),
        end_date: Type.Optional(DateTime()),
        user_ids: Type.Optional(Type.Array(Ref('users', { onDelete: 'nullify' }), { uniqueItems: true, maxItems: 1000 })),
        categories: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
        locations: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 100 }))
      })
    ),
    // Filled by the engine as the export runs.
    file_path: Type.Optional(Type.String({ maxLength: 1000, readOnly: true })),
    file_size: Type.Optional(count({ readOnly: true })),
    record_count: Type.Optional(count({ readOnly: true })),
    status: Enum(['pending', 'completed', 'error'], { default: 'pending', readOnly: true }),
    error_message: Type.Optional(Type.String({ maxLength: 2000, readOnly: true })),
    completed_at: Type.Optional(DateTime({ readOnly: true })),
    ...auditFields
  }),
  timestamps,
  generate: { ...auditStamps, admin_user_id: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  indexes: [{ fields: { admin_user_id: 1 } }, { fields: { export_type: 1 } }, { fields: { status: 1 } }, { fields: { created_at: 1 } }],
  admin: { titleField: 'created_at', listFields: ['created_at', 'export_type', 'status', 'record_count', 'admin_user_id'], group }
})
