// Field shapes the calendar collections share: owners, colours, and the audit trail every collection carries.
import type { NumericOptions } from '@sinclair/typebox'
import { Ref, Type } from '../../schemas/fields.js'
import type { GeneratedValueInput } from '../../schemas/types.js'

export const name = (maxLength = 200) => Type.String({ minLength: 1, maxLength })
export const text = (maxLength = 2000) => Type.String({ maxLength })
export const hexColor = () => Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'Hex colour, e.g. #1E88E5' })
export const count = (options: NumericOptions = {}) => Type.Integer({ minimum: 0, ...options })

/** The owning user: removing them removes the record (seed "Data Integrity Rules" 2). */
export const owner = () => Ref('users', { onDelete: 'cascade' })

/** Seed "Audit Trail": the seed's timestamps, snake_case. */
export const timestamps = { createdAt: 'created_at', updatedAt: 'updated_at' } as const

/** Who created and who last changed a record (the seed's events carry them; "on all collections", so every collection does). */
export const auditFields = {
  created_by: Type.Optional(Ref('users', { onDelete: 'nullify', description: 'User who created the record (stamped)' })),
  last_modified_by: Type.Optional(Ref('users', { onDelete: 'nullify', description: 'User who last modified the record (stamped)' }))
}

export const auditStamps: Record<string, GeneratedValueInput> = {
  created_by: { kind: 'value', value: '{{user._id}}' },
  last_modified_by: { kind: 'value', value: '{{user._id}}', on: 'write' }
}
