// Seed 001 §5 (certificate): a unique generated code, pending_generation → pending_approval → approved (approvedBy stamped).
import { DateTime, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { RUNNERS } from './fields.js'

export const certificates = defineCollection({
  name: 'certificates',
  description: "A programme's certificate for one of its mentors. The server moves it from pending_generation to pending_approval once rendered; a manager approves it.",
  schema: Type.Object({
    User_id: Ref('users', { onDelete: 'cascade', description: 'The holder' }),
    Programme_id: Ref('programmes', { onDelete: 'cascade' }),
    Series_Id: Type.String({ maxLength: 20, readOnly: true }),
    Issue_Date: Type.Optional(DateTime({ readOnly: true, description: 'Stamped at approval' })),
    Expiration_Date: Type.Optional(DateTime()),
    created_by: Ref('users', { readOnly: true, onDelete: 'nullify' }),
    approvedBy: Type.Optional(Ref('users', { readOnly: true, onDelete: 'nullify' })),
    certificate_code: Type.String({ minLength: 12, maxLength: 12, readOnly: true }),
    status: Enum(['pending_generation', 'pending_approval', 'approved'], { default: 'pending_generation' })
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
      // Rendering is the server's (internal calls skip role checks); from outside only an Admin may mark it rendered.
      transitions: [
        { from: 'pending_generation', to: 'pending_approval', roles: ['Admin'] },
        { from: 'pending_approval', to: 'approved', roles: RUNNERS }
      ],
      stamps: { approved: { approvedBy: '{{user._id}}', Issue_Date: '{{now}}' } }
    }
  },
  indexes: [{ fields: { certificate_code: 1 }, unique: true }, { fields: { Series_Id: 1 }, unique: true }, { fields: { User_id: 1, Programme_id: 1 }, unique: true }],
  admin: { titleField: 'certificate_code', listFields: ['certificate_code', 'User_id', 'Programme_id', 'status', 'Issue_Date', 'Expiration_Date'], group: 'Programmes' }
})
