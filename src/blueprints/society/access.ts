// Roles from the seed's user `role` field and their starting permissions; tenancy is a condition on societyId, flat scoping on flatId.
// After the first start these are records that a SuperAdmin edits (API or admin panel).
import { namedPermissions as named, permissionNames as names } from '../../schemas/rbac.js'
import type { PermissionInput, RoleInput } from '../../schemas/types.js'
import { societyCollections } from './collections.js'

const SOCIETY = '{{user.societyId}}'
const FLAT = '{{user.flatId}}'
const ME = '{{user._id}}'
const inSociety = { societyId: SOCIETY }
const inFlat = { societyId: SOCIETY, flatId: FLAT }
const STAFF_ROLES = ['Admin', 'Guard', 'Resident']

/** Collections whose records carry `societyId` (users aside): an Admin manages them inside their society. */
const societyScoped = societyCollections.filter((c) => 'societyId' in c.schema.properties && c.name !== 'users').map((c) => c.name)

const common = named('own', {
  'read-own-user': { Action: 'read', Subject: 'users', Conditions: { _id: ME } },
  'unmask-own-user': { Action: 'unmask', Subject: 'users', Conditions: { _id: ME }, Description: 'See their own phone number unmasked' },
  'update-own-user': { Action: 'update', Subject: 'users', Conditions: { _id: ME }, Fields: ['phoneNumber', 'password', 'fcmToken'] },
  'read-own-society': { Action: 'read', Subject: 'societies', Conditions: { _id: SOCIETY } },
  'read-own-notifications': { Action: 'read', Subject: 'notifications', Conditions: { userId: ME } },
  'mark-own-notifications': { Action: 'update', Subject: 'notifications', Conditions: { userId: ME }, Fields: ['isRead', 'readAt'] }
})

const superAdmin = named('superadmin', {
  'manage-everything': { Action: 'manage', Subject: 'all', Description: 'Every society, every collection, roles and permissions' },
  'enter-admin': { Action: 'access', Subject: 'admin' }
})

const admin = [
  ...named('admin', {
    'enter-admin': { Action: 'access', Subject: 'admin' },
    'read-roles': { Action: 'read', Subject: 'roles' },
    'manage-own-society': { Action: 'update', Subject: 'societies', Conditions: { _id: SOCIETY } },
    'manage-society-users': {
      Action: 'manage',
      Subject: 'users',
      Conditions: { societyId: SOCIETY, role: { $in: STAFF_ROLES } },
      Description: 'Users of their society; never a SuperAdmin, never another society'
    }
  }),
  ...societyScoped.map((name) => ({ PermissionName: `admin-manage-${name}`, Action: 'manage', Subject: name, Conditions: inSociety, Description: `Everything on ${name} of their society` }))
]

const guard = named('guard', {
  'read-blocks': { Action: 'read', Subject: 'blocks', Conditions: inSociety },
  'read-flats': { Action: 'read', Subject: 'flats', Conditions: inSociety },
  'read-residents': {
    Action: 'read',
    Subject: 'residents',
    Conditions: inSociety,
    Fields: ['_id', 'societyId', 'flatId', 'name', 'phone', 'residentType', 'vehicles', 'status'],
    Description: 'Who lives where (phones masked) and their vehicles'
  },
  'manage-visitors': { Action: 'manage', Subject: 'visitors', Conditions: inSociety },
  'create-visitor-entries': { Action: 'create', Subject: 'visitor-entries', Conditions: inSociety },
  'read-visitor-entries': { Action: 'read', Subject: 'visitor-entries', Conditions: inSociety },
  'update-visitor-entries': {
    Action: 'update',
    Subject: 'visitor-entries',
    Conditions: inSociety,
    Fields: ['exitDateTime', 'exitPhoto', 'exitGuard', 'entryPhoto', 'vehicleDetails', 'purpose', 'temperature', 'maskWorn', 'notes'],
    Description: 'Gate details; never the approval'
  },
  'check-out-visitors': { Action: 'checkOut', Subject: 'visitor-entries', Conditions: inSociety },
  'read-pre-approvals': { Action: 'read', Subject: 'pre-approvals', Conditions: inSociety },
  'read-guard-devices': { Action: 'read', Subject: 'guard-devices', Conditions: inSociety },
  'update-guard-devices': { Action: 'update', Subject: 'guard-devices', Conditions: inSociety, Fields: ['status', 'lastActive'] },
  'read-patrol-routes': { Action: 'read', Subject: 'patrol-routes', Conditions: inSociety },
  'read-patrol-logs': { Action: 'read', Subject: 'patrol-logs', Conditions: inSociety },
  'create-patrol-logs': { Action: 'create', Subject: 'patrol-logs', Conditions: inSociety, Description: 'Signed with their own id by the engine' },
  'read-staff': { Action: 'read', Subject: 'staff', Conditions: inSociety, Fields: ['_id', 'societyId', 'name', 'role', 'phone', 'status'] },
  'read-amenities': { Action: 'read', Subject: 'amenities', Conditions: inSociety }
})

const resident = named('resident', {
  'read-blocks': { Action: 'read', Subject: 'blocks', Conditions: inSociety },
  'read-own-flat': { Action: 'read', Subject: 'flats', Conditions: { societyId: SOCIETY, _id: FLAT } },
  'read-resident-directory': {
    Action: 'read',
    Subject: 'residents',
    Conditions: inSociety,
    Fields: ['_id', 'societyId', 'flatId', 'name', 'phone', 'residentType', 'status'],
    Description: 'Neighbours: names and flats, phones masked'
  },
  'read-flat-residents': { Action: 'read', Subject: 'residents', Conditions: inFlat },
  'update-flat-residents': { Action: 'update', Subject: 'residents', Conditions: inFlat, Fields: ['name', 'phone', 'email', 'emergencyContacts', 'vehicles'] },
  'unmask-flat-residents': { Action: 'unmask', Subject: 'residents', Conditions: inFlat, Description: "Their own flat's phone numbers unmasked" },
  'manage-family-members': { Action: 'manage', Subject: 'family-members', Conditions: inFlat },
  'read-visitors': { Action: 'read', Subject: 'visitors', Conditions: inSociety },
  'create-visitors': { Action: 'create', Subject: 'visitors', Conditions: inSociety },
  'read-visitor-entries': { Action: 'read', Subject: 'visitor-entries', Conditions: inFlat },
  'answer-visitor-entries': { Action: 'update', Subject: 'visitor-entries', Conditions: inFlat, Fields: ['approvalStatus', 'notes'], Description: 'Approve or reject visitors of their flat' },
  'manage-pre-approvals': { Action: 'manage', Subject: 'pre-approvals', Conditions: inFlat },
  'read-bills': { Action: 'read', Subject: 'maintenance-bills', Conditions: inFlat },
  'read-payments': { Action: 'read', Subject: 'payments', Conditions: inFlat },
  'create-pending-payments': { Action: 'create', Subject: 'payments', Conditions: { ...inFlat, status: 'Pending' }, Description: 'An admin confirms them' },
  'read-expenses': { Action: 'read', Subject: 'expenses', Conditions: inSociety },
  'read-complaints': { Action: 'read', Subject: 'complaints', Conditions: inFlat },
  'create-complaints': { Action: 'create', Subject: 'complaints', Conditions: inFlat },
  'update-complaints': { Action: 'update', Subject: 'complaints', Conditions: inFlat, Fields: ['status', 'comments', 'description', 'images', 'title'] },
  'read-vendors': { Action: 'read', Subject: 'vendors', Conditions: inSociety },
  'read-staff': { Action: 'read', Subject: 'staff', Conditions: inSociety, Fields: ['_id', 'societyId', 'name', 'role', 'phone', 'status'] },
  'read-amenities': { Action: 'read', Subject: 'amenities', Conditions: inSociety },
  'read-bookings': { Action: 'read', Subject: 'bookings', Conditions: inFlat },
  'create-bookings': { Action: 'create', Subject: 'bookings', Conditions: inFlat },
  'update-bookings': { Action: 'update', Subject: 'bookings', Conditions: inFlat, Fields: ['status', 'purpose', 'numberOfPeople'], Description: 'Cancelling included' }
})

export const permissions: PermissionInput[] = [...common, ...superAdmin, ...admin, ...guard, ...resident]

export const roles: RoleInput[] = [
  { RoleName: 'SuperAdmin', Description: 'Every society', permissions: names(superAdmin) },
  { RoleName: 'Admin', Description: 'Everything in their own society', permissions: [...names(common), ...names(admin)] },
  { RoleName: 'Guard', Description: 'Gate operations in their society', permissions: [...names(common), ...names(guard)] },
  { RoleName: 'Resident', Description: 'Their own flat, and society-wide amenities and directory', permissions: [...names(common), ...names(resident)] }
]
