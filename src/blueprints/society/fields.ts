// Field shapes the society collections share: tenancy references, phones, money, links.
import type { NumericOptions } from '@sinclair/typebox'
import { Masked, Ref, Type } from '../../schemas/fields.js'

/** Every society-scoped record carries the society it belongs to; permissions compare it with the caller's. */
export const societyId = () => Ref('societies')

/** A reference that must stay inside the record's society (and flat, when both carry one). */
export const tenantRef = (collection: string, options: { sameAs?: string[]; onDelete?: 'cascade' | 'nullify' | 'restrict'; description?: string } = {}) =>
  Ref(collection, { sameAs: ['societyId'], ...options })

export const name = (maxLength = 200) => Type.String({ minLength: 1, maxLength })
export const text = (maxLength = 2000) => Type.String({ maxLength })
export const url = () => Type.String({ format: 'uri', maxLength: 2000 })
export const phone = () => Type.String({ minLength: 6, maxLength: 20, pattern: '^[+0-9][0-9 -]*$' })
/** A resident's phone: shown as `98******21` to callers without `unmask` on the record. */
export const privatePhone = () => Masked(phone())
export const money = (options: NumericOptions = {}) => Type.Number({ minimum: 0, ...options })
export const rating = () => Type.Number({ minimum: 0, maximum: 5 })
/** A percentage, 0–100. */
export const percent = () => Type.Number({ minimum: 0, maximum: 100 })

export const ADMINS = ['Admin', 'SuperAdmin']
