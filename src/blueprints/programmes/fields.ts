// Field shapes the programmes collections share.
import { Type } from '../../schemas/fields.js'

export const name = (maxLength = 200) => Type.String({ minLength: 1, maxLength })
export const text = (maxLength = 5000) => Type.String({ maxLength })
export const url = () => Type.String({ format: 'uri', maxLength: 2000 })

/** The roles of the seed's user `role`; `manager` and `Admin` run programmes. */
export const ROLES = ['mentor', 'manager', 'Admin'] as const
export const RUNNERS = ['manager', 'Admin']
