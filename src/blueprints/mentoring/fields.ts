// Field shapes the mentoring collections share; the seed's `text` columns get lengths, its `json` arrays item types.
import { Enum, Type } from '../../schemas/fields.js'

export const title = (maxLength = 200) => Type.String({ minLength: 1, maxLength })
export const text = (maxLength = 5000) => Type.String({ maxLength })
export const tags = () => Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, uniqueItems: true })

/** The seed's "Enumerations" section. */
export const ROLES = ['admin', 'mentor', 'mentee', 'new_mother']
export const SESSION_STATUS = ['pending', 'proposed', 'requested', 'confirmed', 'rescheduled', 'rejected', 'completed', 'cancelled']
export const ONBOARDING_STATUS = ['not_started', 'in_progress', 'completed']
export const CONNECTION_STATUS = ['pending', 'accepted', 'rejected']
export const PROXY_REQUEST_STATUS = ['pending', 'accepted', 'rejected', 'completed']
export const RESOURCE_TYPES = ['meditation', 'guidebook', 'story', 'course', 'virtual_session']
/** Stated in the seed's column descriptions rather than the Enumerations section. */
export const MATCH_STATUS = ['pending', 'approved', 'rejected']
export const ACTION_ITEM_STATUS = ['pending', 'in_progress', 'completed']
export const ISSUE_STATUS = ['open', 'in_progress', 'resolved']

export const enumOf = (values: string[], options: { default?: string; description?: string } = {}) => Enum(values as [string, ...string[]], options)

/** Roles on the mentee side of a session or match (a new mother is mentored too). */
export const MENTEES = ['mentee', 'new_mother']
