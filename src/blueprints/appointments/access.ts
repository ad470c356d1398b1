// Seed 000's roles and the permissions they start with; after the first start these are records admins edit.
import type { PermissionInput, RoleInput } from '../../schemas/types.js'

const me = '{{user._id}}'
const publicUserFields = ['_id', 'Name', 'email', 'RoleId']

export const permissions: PermissionInput[] = [
  { PermissionName: 'manage-everything', Action: 'manage', Subject: 'all', Description: 'Every action on every collection' },
  { PermissionName: 'enter-admin', Action: 'access', Subject: 'admin', Description: 'Log in to the admin panel' },
  { PermissionName: 'read-roles', Action: 'read', Subject: 'roles' },
  { PermissionName: 'read-user-directory', Action: 'read', Subject: 'users', Fields: publicUserFields, Description: 'Names and roles of all users' },
  { PermissionName: 'read-own-user', Action: 'read', Subject: 'users', Conditions: { _id: me } },
  {
    PermissionName: 'update-own-profile',
    Action: 'update',
    Subject: 'users',
    Conditions: { _id: me },
    Fields: ['Name', 'password', 'BlockedUser'],
    Description: 'Own name, password and block list; never the role'
  },
  { PermissionName: 'create-own-appointments', Action: 'create', Subject: 'appointments', Conditions: { ManagerId: me } },
  { PermissionName: 'read-own-appointments', Action: 'read', Subject: 'appointments', Conditions: { ManagerId: me } },
  { PermissionName: 'update-own-appointments', Action: 'update', Subject: 'appointments', Conditions: { ManagerId: me }, Description: 'Includes cancelling (Status: Cancelled)' },
  { PermissionName: 'read-attended-appointments', Action: 'read', Subject: 'appointments', Conditions: { 'Attendees.DeveloperId': me } },
  { PermissionName: 'respond-to-appointments', Action: 'respond', Subject: 'appointments', Conditions: { 'Attendees.DeveloperId': me } },
  { PermissionName: 'create-own-bulk-uploads', Action: 'create', Subject: 'bulk-uploads', Conditions: { UploadedBy: me } },
  { PermissionName: 'read-own-bulk-uploads', Action: 'read', Subject: 'bulk-uploads', Conditions: { UploadedBy: me } },
  { PermissionName: 'create-own-reports', Action: 'create', Subject: 'reports', Conditions: { CreatedBy: me } },
  { PermissionName: 'read-own-reports', Action: 'read', Subject: 'reports', Conditions: { CreatedBy: me } }
]

const everyone = ['read-roles', 'read-user-directory', 'read-own-user', 'update-own-profile']

export const roles: RoleInput[] = [
  { RoleName: 'Admin', Description: 'Everything', permissions: ['manage-everything', 'enter-admin'] },
  {
    RoleName: 'Manager',
    Description: 'Creates appointments; reads, changes and cancels their own',
    permissions: [
      ...everyone,
      'enter-admin',
      'create-own-appointments',
      'read-own-appointments',
      'update-own-appointments',
      'create-own-bulk-uploads',
      'read-own-bulk-uploads',
      'create-own-reports',
      'read-own-reports'
    ]
  },
  {
    RoleName: 'Developer',
    Description: 'Reads the appointments they attend and answers them',
    permissions: [...everyone, 'read-attended-appointments', 'respond-to-appointments']
  }
]
