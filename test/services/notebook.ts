// A small blueprint for exports: notes nothing can change for most callers (read from their stored text), and beside
// them what must change records: a secret field, a mask, a free-form object, field rules, an inverted rule, a rule on an array.
import { DateTime, Email, Enum, Masked, Password, Ref, Secret, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import type { BlueprintInput } from '../../src/schemas/types.js'

export const PASSWORD = 'notebook-pass'
export const ROLES = ['clerk', 'owner', 'reader', 'tagger', 'skeptic'] as const
export const emailOf = (role: string) => `${role}@notebook.example.com`

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ name: Type.String({ minLength: 1 }), email: Email(), password: Password(), role: Enum([...ROLES]) }),
  auth: { roleField: 'role', roleBy: 'name' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const notes = defineCollection({
  name: 'notes',
  schema: Type.Object({
    owner: Ref('users'),
    title: Type.String({ maxLength: 1000 }),
    at: DateTime(),
    days: Type.Optional(Type.Array(DateTime())),
    tags: Type.Optional(Type.Array(Type.String())),
    rank: Type.Optional(Type.Number()),
    done: Type.Optional(Type.Boolean())
  }),
  indexes: [{ fields: { owner: 1 } }, { fields: { tags: 1 } }],
  timestamps: { createdAt: 'CreatedAt', updatedAt: 'UpdatedAt' },
  cache: true
})

const cards = defineCollection({
  name: 'cards',
  schema: Type.Object({ owner: Ref('users'), number: Masked(Type.String({ maxLength: 40 })), issued: DateTime() })
})

const vaults = defineCollection({
  name: 'vaults',
  schema: Type.Object({ owner: Ref('users'), label: Type.String(), token: Secret(), opened: DateTime() })
})

const settings = defineCollection({
  name: 'settings',
  schema: Type.Object({ owner: Ref('users'), attrs: Type.Record(Type.String(), Type.String()), at: DateTime() })
})

const ME = '{{user._id}}'
export const notebook: BlueprintInput = {
  name: 'notebook',
  version: '0.0.1',
  description: 'Notes, cards, vaults and settings, exported.',
  collections: [...rbacCollections, users, notes, cards, vaults, settings],
  roles: [
    { RoleName: 'clerk', permissions: ['manage-everything'] },
    { RoleName: 'owner', permissions: ['read-own-notes', 'read-cards', 'read-vaults', 'read-settings'] },
    { RoleName: 'reader', permissions: ['read-note-titles'] },
    { RoleName: 'tagger', permissions: ['read-shared-notes'] },
    { RoleName: 'skeptic', permissions: ['read-notes', 'not-the-hidden-note'] }
  ],
  permissions: [
    { PermissionName: 'manage-everything', Action: 'manage', Subject: 'all' },
    { PermissionName: 'read-own-notes', Action: 'read', Subject: 'notes', Conditions: { owner: ME } },
    { PermissionName: 'read-cards', Action: 'read', Subject: 'cards' },
    { PermissionName: 'read-vaults', Action: 'read', Subject: 'vaults' },
    { PermissionName: 'read-settings', Action: 'read', Subject: 'settings' },
    { PermissionName: 'read-note-titles', Action: 'read', Subject: 'notes', Fields: ['_id', 'title', 'at'] },
    { PermissionName: 'read-shared-notes', Action: 'read', Subject: 'notes', Conditions: { tags: 'shared' } },
    { PermissionName: 'read-notes', Action: 'read', Subject: 'notes' },
    { PermissionName: 'not-the-hidden-note', Action: 'read', Subject: 'notes', Conditions: { title: 'hidden' }, Inverted: true }
  ],
  adminRole: 'clerk',
  async demo(app: any) {
    for (const role of ROLES) await app.service('users').create({ name: role, email: emailOf(role), password: PASSWORD, role })
  }
}
