// A small blueprint unrelated to any seed: a climbing club whose members sign in with the club's identity provider
// (`sso`) and may connect a partner gym's (`partner`); staff log in with a password too.
import { DateTime, Email, Enum, Password, Secret, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import type { BlueprintInput } from '../../src/schemas/types.js'

export const PASSWORD = 'club-pass'
export const STAFF = 'staff@club.example.com'

export const members = defineCollection({
  name: 'members',
  schema: Type.Object({
    email: Email(),
    password: Type.Optional(Password()),
    fullName: Type.String({ minLength: 1, maxLength: 100 }),
    role: Enum(['climber', 'staff'], { default: 'climber' }),
    ssoId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ssoAccess: Type.Optional(Secret()),
    ssoRefresh: Type.Optional(Secret()),
    ssoExpires: Type.Optional(DateTime()),
    partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    partnerAccess: Type.Optional(Secret()),
    partnerLinked: Type.Boolean({ default: false }),
    lastSeen: Type.Optional(DateTime())
  }),
  auth: {
    roleField: 'role',
    roleBy: 'name',
    oauth: {
      sso: {
        idField: 'ssoId',
        scope: ['openid', 'email', 'profile', 'offline_access'],
        tokens: { access: 'ssoAccess', refresh: 'ssoRefresh', expiresAt: 'ssoExpires' },
        profile: { fullName: ['name', 'email'] },
        lastLoginField: 'lastSeen'
      },
      partner: { idField: 'partnerId', tokens: { access: 'partnerAccess' }, connectedField: 'partnerLinked', profile: { fullName: 'name' } }
    }
  },
  indexes: [
    { fields: { email: 1 }, unique: true },
    { fields: { ssoId: 1 }, unique: true, sparse: true },
    { fields: { partnerId: 1 }, unique: true, sparse: true }
  ]
})

const ME = '{{user._id}}'
export const club: BlueprintInput = {
  name: 'club',
  version: '0.0.1',
  description: 'Climbers signing in with the club identity provider.',
  collections: [...rbacCollections, members],
  roles: [
    { RoleName: 'climber', permissions: ['read-self'] },
    { RoleName: 'staff', permissions: ['manage-members'] }
  ],
  permissions: [
    { PermissionName: 'read-self', Action: 'read', Subject: 'members', Conditions: { _id: ME } },
    { PermissionName: 'manage-members', Action: 'manage', Subject: 'members' }
  ],
  adminRole: 'staff',
  async demo(app: any) {
    await app.service('members').create({ email: STAFF, password: PASSWORD, fullName: 'Staff', role: 'staff' })
  }
}
