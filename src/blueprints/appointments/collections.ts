// Seed 000: manager/developer appointments. Field names are the seed's; `CraeatedAt` is corrected to `CreatedAt`.
import { Conflict, Forbidden } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import { DateTime, Email, Enum, File, Password, Ref, Type, defineCollection, type Static } from '../../schemas/fields.js'

export const users = defineCollection({
  name: 'users',
  schema: Type.Object({
    Name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Email(),
    password: Password(),
    RoleId: Ref('roles'),
    BlockedUser: Type.Optional(Type.Array(Ref('users', { onDelete: 'nullify' }), { uniqueItems: true, maxItems: 1000 })),
    // The e-mailed reset token's bcrypt hash (the engine's to write, never returned) and its expiry.
    resetPasswordToken: Type.Optional(Password()),
    resetPasswordExpires: Type.Optional(DateTime())
  }),
  auth: { roleField: 'RoleId', recovery: { emailToken: { token: 'resetPasswordToken', expires: 'resetPasswordExpires' } } },
  // A row whose email exists updates that user.
  import: { key: 'email' },
  indexes: [{ fields: { email: 1 }, unique: true }, { fields: { RoleId: 1 } }],
  timestamps: { createdAt: 'CreatedAt', updatedAt: 'updatedAt' },
  admin: { titleField: 'Name', listFields: ['Name', 'email', 'RoleId', 'CreatedAt'] }
})

const Attendee = Type.Object({
  DeveloperId: Ref('users', { onDelete: 'nullify' }),
  Status: Type.Optional(Enum(['Accepted', 'Declined'], { readOnly: true, description: "The developer's answer (given by respond)" })),
  ResponseTime: Type.Optional(DateTime({ readOnly: true, description: 'When the developer answered (stamped by respond)' }))
})

const appointmentSchema = Type.Object({
  ManagerId: Ref('users'),
  AppointedDate: DateTime(),
  Attendees: Type.Array(Attendee, { maxItems: 500, default: [] }),
  Status: Enum(['Scheduled', 'Cancelled'], { default: 'Scheduled' })
})
type Appointment = Static<typeof appointmentSchema> & { _id: string }

/**
 * A developer who has blocked a manager cannot be added to that manager's appointments: each record of a multi create
 * too (an import's batch), their added developers read in one query.
 */
async function refuseBlockedAttendees(context: HookContext) {
  const { app, id } = context
  const items = (Array.isArray(context.data) ? context.data : [context.data]).filter((data) => data?.Attendees)
  if (!items.length) return
  const existing: Appointment | undefined = id !== undefined && id !== null ? await (context.service as any)._get(id) : undefined
  const before = new Set((existing?.Attendees ?? []).map((a) => a.DeveloperId))
  const additions = items.map((data) => ({
    managerId: data.ManagerId ?? existing?.ManagerId,
    added: (data.Attendees as Appointment['Attendees']).map((a) => a.DeveloperId).filter((d) => !before.has(d))
  }))
  const added = [...new Set(additions.flatMap((item) => item.added))]
  if (!added.length) return
  const developers = new Map(((await (app.service('users') as any)._find({ paginate: false, query: { _id: { $in: added } } })) as any[]).map((d) => [String(d._id), d]))
  for (const { managerId, added: ids } of additions) {
    const blocking = ids.map((d) => developers.get(String(d))).find((developer) => (developer?.BlockedUser ?? []).includes(managerId))
    if (blocking) throw new Conflict(`${blocking.Name} has blocked this manager and cannot be added as an attendee`, { DeveloperId: blocking._id })
  }
}

export const appointments = defineCollection({
  name: 'appointments',
  description: 'Appointments created by managers, with the responses of the developers they invite.',
  schema: appointmentSchema,
  timestamps: { createdAt: 'CreatedAt', updatedAt: 'UpdatedAt' },
  import: {},
  indexes: [{ fields: { ManagerId: 1, AppointedDate: -1 } }, { fields: { 'Attendees.DeveloperId': 1 } }, { fields: { AppointedDate: 1 } }],
  before: { create: [refuseBlockedAttendees], update: [refuseBlockedAttendees], patch: [refuseBlockedAttendees] },
  actions: {
    respond: {
      description: 'An invited developer accepts or declines; stamps ResponseTime.',
      data: Type.Object({ Status: Enum(['Accepted', 'Declined']) }),
      async run({ record, data, user, patch }) {
        const appointment = record as Appointment
        if (appointment.Status === 'Cancelled') throw new Conflict('This appointment is cancelled')
        if (!appointment.Attendees.some((a) => a.DeveloperId === user?._id)) throw new Forbidden('You are not an attendee of this appointment')
        const ResponseTime = new Date().toISOString()
        const Attendees = appointment.Attendees.map((a) => (a.DeveloperId === user?._id ? { ...a, Status: data.Status, ResponseTime } : a))
        return patch({ Attendees })
      }
    }
  },
  admin: { titleField: 'AppointedDate', listFields: ['AppointedDate', 'ManagerId', 'Status', 'CreatedAt'] }
})

export const bulkUploads = defineCollection({
  name: 'bulk-uploads',
  description: 'A file imported into users or appointments: each row goes through that service as the uploader; the engine reports the counts and each refused row.',
  schema: Type.Object({
    UploadedBy: Ref('users'),
    FileName: Type.String({ minLength: 1, maxLength: 255 }),
    Target: Type.Optional(Enum(['users', 'appointments'], { description: 'The collection the file is imported into' })),
    DryRun: Type.Optional(Type.Boolean({ description: 'Check every row, write nothing' })),
    Status: Type.Optional(Enum(['Queued', 'Running', 'Done', 'Failed'], { readOnly: true })),
    TotalRecords: Type.Optional(Type.Integer({ minimum: 0, readOnly: true })),
    SuccessRecords: Type.Optional(Type.Integer({ minimum: 0, readOnly: true })),
    ErrorRecords: Type.Optional(Type.Integer({ minimum: 0, readOnly: true })),
    ErrorDetails: Type.Optional(Type.Array(Type.Object({ Row: Type.Integer({ minimum: 0 }), Error: Type.String({ maxLength: 1000 }) }), { maxItems: 1000, readOnly: true })),
    file_url: Type.Optional(File({ maxBytes: 50 * 1024 * 1024, types: ['text/csv', 'application/json', 'application/x-ndjson'], description: 'The uploaded file' }))
  }),
  importer: {
    file: 'file_url',
    into: 'Target',
    dryRun: 'DryRun',
    report: { status: 'Status', total: 'TotalRecords', succeeded: 'SuccessRecords', failed: 'ErrorRecords', errors: 'ErrorDetails' },
    // An Admin's upload for a Manager runs with the Manager's permissions: the report she reads is hers.
    as: 'UploadedBy'
  },
  // Error reports of large files: up to 1000 rows' errors.
  maxRecordBytes: 512 * 1024,
  timestamps: { createdAt: 'CreatedAt', updatedAt: false },
  indexes: [{ fields: { UploadedBy: 1, CreatedAt: -1 } }],
  admin: { titleField: 'FileName', listFields: ['FileName', 'Target', 'Status', 'TotalRecords', 'ErrorRecords', 'CreatedAt'] }
})

export const reports = defineCollection({
  name: 'reports',
  description: 'A meeting report over a date range: the engine counts the appointments in it that the creator may read, and attaches them as CSV.',
  schema: Type.Object({
    CreatedBy: Ref('users'),
    DateRange: Type.Object({ StartDate: DateTime(), Enddate: DateTime() }),
    MeetingScheduled: Type.Optional(Type.Integer({ minimum: 0, readOnly: true, description: 'Appointments in the range that were not cancelled' })),
    MeetingAttended: Type.Optional(Type.Integer({ minimum: 0, readOnly: true, description: 'Appointments in the range, in the past, with at least one Accepted attendee' })),
    export_url: Type.Optional(File({ types: ['text/csv'], readOnly: true, description: 'CSV of the appointments counted as scheduled' }))
  }),
  // A report over a range that ends before it starts would count nothing and say so as if it were a report.
  ranges: [{ start: 'DateRange.StartDate', end: 'DateRange.Enddate' }],
  aggregates: {
    from: 'appointments',
    where: { AppointedDate: { $gte: '{{data.DateRange.StartDate}}', $lte: '{{data.DateRange.Enddate}}' } },
    set: {
      MeetingScheduled: { count: { Status: { $ne: 'Cancelled' } } },
      MeetingAttended: { count: { AppointedDate: { $lt: '{{now}}' }, 'Attendees.Status': 'Accepted' } }
    },
    export: { field: 'export_url', where: { Status: { $ne: 'Cancelled' } } },
    // A report is its CreatedBy's (she may read it): an Admin's report for a Manager counts her appointments.
    as: 'CreatedBy'
  },
  timestamps: { createdAt: 'CreatedAt', updatedAt: false },
  indexes: [{ fields: { CreatedBy: 1, CreatedAt: -1 } }],
  admin: { titleField: 'CreatedAt', listFields: ['CreatedBy', 'MeetingScheduled', 'MeetingAttended', 'CreatedAt'] }
})
