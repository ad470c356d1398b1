// A small blueprint unrelated to any seed: readers sign themselves up (with their library card), cards move forward
// only, and readers recover their password by security question or by e-mailed token.
import { DateTime, Email, Enum, Password, Ref, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import type { BlueprintInput } from '../../src/schemas/types.js'

export const PASSWORD = 'library-pass'
export const LIBRARIAN = 'librarian@library.example.com'
export const READER = 'reader@library.example.com'

const users = defineCollection({
  name: 'users',
  schema: Type.Object({
    name: Type.String({ minLength: 1 }),
    email: Email(),
    password: Password(),
    role: Enum(['reader', 'librarian']),
    question: Type.Optional(Type.String({ maxLength: 200 })),
    answer: Type.Optional(Password({ minLength: 2 })),
    resetToken: Type.Optional(Password()),
    resetExpires: Type.Optional(DateTime())
  }),
  auth: {
    roleField: 'role',
    roleBy: 'name',
    signUp: { roles: ['reader'], fields: ['name', 'question', 'answer'], creates: [{ collection: 'cards', data: { userId: '{{user._id}}' }, from: 'card', fields: ['nickname'] }] },
    recovery: { securityQuestion: { question: 'question', answer: 'answer' }, emailToken: { token: 'resetToken', expires: 'resetExpires', ttlMinutes: 30 } }
  },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const cards = defineCollection({
  name: 'cards',
  schema: Type.Object({
    userId: Ref('users', { onDelete: 'cascade' }),
    nickname: Type.String({ minLength: 1, maxLength: 40 }),
    stage: Enum(['issued', 'activated', 'suspended', 'retired'], { default: 'issued' }),
    loans: Type.Integer({ minimum: 0, default: 0 }),
    activatedAt: Type.Optional(DateTime())
  }),
  indexes: [{ fields: { userId: 1 }, unique: true }],
  // Suspension comes before retirement, not after activation's undoing: the order is declared, not the enum's.
  forwardOnly: { stage: ['issued', 'activated', 'suspended', 'retired'], loans: true, activatedAt: true }
})

const ME = '{{user._id}}'
export const library: BlueprintInput = {
  name: 'library',
  version: '0.0.1',
  description: 'Readers with library cards.',
  collections: [...rbacCollections, users, cards],
  roles: [
    { RoleName: 'reader', permissions: ['read-self', 'update-self', 'read-own-card', 'update-own-card'] },
    { RoleName: 'librarian', permissions: ['manage-users', 'manage-cards'] }
  ],
  permissions: [
    { PermissionName: 'read-self', Action: 'read', Subject: 'users', Conditions: { _id: ME } },
    { PermissionName: 'update-self', Action: 'update', Subject: 'users', Conditions: { _id: ME }, Fields: ['name', 'password', 'question', 'answer'] },
    { PermissionName: 'read-own-card', Action: 'read', Subject: 'cards', Conditions: { userId: ME } },
    { PermissionName: 'update-own-card', Action: 'update', Subject: 'cards', Conditions: { userId: ME }, Fields: ['stage', 'loans', 'nickname'] },
    { PermissionName: 'manage-users', Action: 'manage', Subject: 'users' },
    { PermissionName: 'manage-cards', Action: 'manage', Subject: 'cards' }
  ],
  adminRole: 'librarian',
  async demo(app: any) {
    await app.service('users').create({ name: 'Librarian', email: LIBRARIAN, password: PASSWORD, role: 'librarian' })
    const reader = await app.service('users').create({ name: 'Reader', email: READER, password: PASSWORD, role: 'reader', question: 'Favourite book?', answer: 'Dune' })
    await app.service('cards').create({ userId: reader._id, nickname: 'reader' })
  }
}
