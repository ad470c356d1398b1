// Seed 001 §5 (certificate): a unique generated code; pending_generation → the engine renders the PDF (`document`) →
// pending_approval → a manager of the programme approves it (approvedBy stamped) → approved. Anyone may verify a
// certificate by its code (`publicLookup`: GET /certificates/verify/:code): holder, programme, dates, status, expired.
import { DateTime, Enum, File, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { RUNNERS } from './fields.js'

export const certificates = defineCollection({
  name: 'certificates',
  description: "A programme's certificate for one of its mentors. The server renders it as a PDF and moves it from pending_generation to pending_approval; a manager of the programme approves it.",
  schema: Type.Object({
    User_id: Ref('users', { onDelete: 'cascade', description: 'The holder' }),
    Programme_id: Ref('programmes', { onDelete: 'cascade' }),
    Series_Id: Type.String({ maxLength: 20, readOnly: true }),
    Issue_Date: Type.Optional(DateTime({ readOnly: true, description: 'Stamped when the certificate is rendered: the date it bears' })),
    Expiration_Date: Type.Optional(DateTime()),
    created_by: Ref('users', { readOnly: true, onDelete: 'nullify' }),
    approvedBy: Type.Optional(Ref('users', { readOnly: true, onDelete: 'nullify' })),
    certificate_code: Type.String({ minLength: 12, maxLength: 12, readOnly: true }),
    status: Enum(['pending_generation', 'pending_approval', 'approved'], { default: 'pending_generation' }),
    // Added: the rendered certificate, and why its rendering failed (if it did; tried again hourly).
    certificate_file: Type.Optional(File({ readOnly: true, maxBytes: 2 * 1024 * 1024, types: ['application/pdf'], description: 'The certificate as a PDF, rendered by the server' })),
    generation_error: Type.Optional(Type.String({ readOnly: true, maxLength: 2000, description: 'Why the last rendering failed' }))
  }),
  timestamps: { createdAt: 'date_created', updatedAt: 'updatedAt' },
  generate: {
    certificate_code: { kind: 'code', length: 12, alphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789', overwrite: true },
    Series_Id: { kind: 'sequence', prefix: 'MMM-', digits: 6 },
    created_by: { kind: 'value', value: '{{user._id}}', overwrite: true }
  },
  stateMachines: {
    status: {
      initial: ['pending_generation'],
      transitions: [
        // Made by the engine once the PDF is stored (a caller's attempt is a 403).
        { from: 'pending_generation', to: 'pending_approval' },
        { from: 'pending_approval', to: 'approved', roles: RUNNERS }
      ],
      stamps: { pending_approval: { Issue_Date: '{{now}}' }, approved: { approvedBy: '{{user._id}}' } }
    }
  },
  document: {
    on: { field: 'status', state: 'pending_generation' },
    then: 'pending_approval',
    file: 'certificate_file',
    error: 'generation_error',
    with: { holder: 'User_id', programme: 'Programme_id' },
    name: 'certificate-{{record.certificate_code}}.pdf',
    title: 'MMM-Cloud certificate {{record.certificate_code}}',
    page: { size: 'A4', layout: 'landscape' },
    content: [
      { text: 'MMM-Cloud', size: 14, bold: true, gap: 24 },
      { text: 'Certificate of Mentorship', size: 34, bold: true, gap: 16 },
      { text: 'This certifies that', size: 14, gap: 36 },
      { text: '{{holder.username}}', size: 30, bold: true, gap: 12 },
      { text: 'mentored in the programme', size: 14, gap: 12 },
      { text: '{{programme.name}}', size: 22, bold: true, gap: 12 },
      { text: 'Issued {{now}}', size: 12, gap: 36 },
      { text: 'Valid until {{record.Expiration_Date}}', size: 12, gap: 4 },
      { text: 'Series {{record.Series_Id}} · Certificate code {{record.certificate_code}}', size: 11, gap: 36 },
      { text: 'Verify this certificate with its code at /certificates/verify/{{record.certificate_code}}', size: 9, gap: 6 }
    ]
  },
  triggers: [
    {
      on: ['patch', 'update'],
      when: { status: 'approved' },
      create: 'notifications',
      with: { programme: 'Programme_id' },
      data: { user_id: '{{record.User_id}}', type: 'certificate_approved', title: 'Your certificate for {{programme.name}} is approved', body: 'Certificate code {{record.certificate_code}}', about: '{{record._id}}' }
    }
  ],
  publicLookup: {
    by: 'certificate_code',
    path: 'verify',
    fields: { certificate_code: 'certificate_code', holder: 'User_id.username', programme: 'Programme_id.name', Issue_Date: 'Issue_Date', Expiration_Date: 'Expiration_Date', status: 'status' },
    expires: 'Expiration_Date'
  },
  indexes: [{ fields: { certificate_code: 1 }, unique: true }, { fields: { Series_Id: 1 }, unique: true }, { fields: { User_id: 1, Programme_id: 1 }, unique: true }, { fields: { status: 1 } }],
  admin: { titleField: 'certificate_code', listFields: ['certificate_code', 'User_id', 'Programme_id', 'status', 'Issue_Date', 'Expiration_Date'], group: 'Programmes' }
})
