// Seed 002 §6–7: sync logs (one per sync run) and the exports administrators make.
import { DateTime, Enum, File, Ref, Type, defineCollection } from '../../schemas/fields.js'
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
    // Not in the seed: the file's format (CSV holds one collection, so a full backup is JSON).
    format: Type.Optional(Enum(['json', 'csv'], { default: 'json', description: 'JSON (default), or CSV for events or users' })),
    // Filled by the engine as the export runs: the file (in the engine's file storage, downloadable by who may read the record).
    file_path: Type.Optional(File({ types: ['text/csv', 'application/json'], maxBytes: 2 * 1024 ** 3, readOnly: true, description: 'Path to generated export file' })),
    file_size: Type.Optional(count({ readOnly: true })),
    record_count: Type.Optional(count({ readOnly: true })),
    status: Enum(['pending', 'completed', 'error'], { default: 'pending', readOnly: true }),
    error_message: Type.Optional(Type.String({ maxLength: 2000, readOnly: true })),
    completed_at: Type.Optional(DateTime({ readOnly: true })),
    ...auditFields
  }),
  timestamps,
  generate: { ...auditStamps, admin_user_id: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  // Runs as a job of the engine, as the admin who asked: events or users with the record's filters, or every collection.
  exporter: {
    file: 'file_path',
    kind: 'export_type',
    format: 'format',
    targets: { events: ['events'], users: ['users'], full_backup: '*' },
    filters: {
      events: [
        { start_time: { $gte: '{{data.filters.start_date}}' } },
        { end_time: { $lte: '{{data.filters.end_date}}' } },
        { user_id: { $in: '{{data.filters.user_ids}}' } },
        { category: { $in: '{{data.filters.categories}}' } },
        { location: { $in: '{{data.filters.locations}}' } }
      ],
      users: [{ _id: { $in: '{{data.filters.user_ids}}' } }]
    },
    report: { status: 'status', count: 'record_count', size: 'file_size', completedAt: 'completed_at', error: 'error_message' }
  },
  indexes: [{ fields: { admin_user_id: 1 } }, { fields: { export_type: 1 } }, { fields: { status: 1 } }, { fields: { created_at: 1 } }],
  admin: { titleField: 'created_at', listFields: ['created_at', 'export_type', 'status', 'record_count', 'admin_user_id'], group }
})
