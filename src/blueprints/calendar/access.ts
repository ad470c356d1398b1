// Roles of the seed's user `role` field and their starting permissions; after the first start they are records an admin edits.
import type { PermissionInput, RoleInput } from '../../schemas/types.js'

const ME = '{{user._id}}'
const own = { user_id: ME }
/** Global records carry no user_id (the seed's `null`). */
const global = { user_id: { $exists: false } }

type Rule = Omit<PermissionInput, 'PermissionName'>
const named = (prefix: string, rules: Record<string, Rule>): PermissionInput[] =>
  Object.entries(rules).map(([name, rule]) => ({ PermissionName: `${prefix}-${name}`, ...rule }))

const admin = named('admin', {
  'manage-everything': { Action: 'manage', Subject: 'all', Description: 'Every user, calendar, event, sync log and export; roles and permissions' },
  'enter-admin': { Action: 'access', Subject: 'admin' }
})

const user = named('user', {
  'read-own-user': { Action: 'read', Subject: 'users', Conditions: { _id: ME } },
  'update-own-user': { Action: 'update', Subject: 'users', Conditions: { _id: ME }, Fields: ['display_name', 'password'], Description: 'Their name and password; never the role' },
  'manage-own-calendars': { Action: 'manage', Subject: 'calendars', Conditions: own },
  'manage-own-events': { Action: 'manage', Subject: 'events', Conditions: own },
  'manage-own-categories': { Action: 'manage', Subject: 'categories', Conditions: own, Description: 'Personal categories' },
  'read-global-categories': { Action: 'read', Subject: 'categories', Conditions: global },
  'manage-own-locations': { Action: 'manage', Subject: 'locations', Conditions: own, Description: 'Personal locations' },
  'read-global-locations': { Action: 'read', Subject: 'locations', Conditions: global },
  'read-own-sync-logs': { Action: 'read', Subject: 'sync-logs', Conditions: own },
  'read-own-archived-events': { Action: 'read', Subject: 'events-archive', Conditions: own }
})

export const permissions: PermissionInput[] = [...admin, ...user]

const names = (list: PermissionInput[]) => list.map((p) => p.PermissionName)

export const roles: RoleInput[] = [
  { RoleName: 'admin', Description: 'Everything, exports and the sync logs of everyone', permissions: names(admin) },
  { RoleName: 'user', Description: 'Their own calendars, events, personal categories and locations; global ones read-only', permissions: names(user) }
]
