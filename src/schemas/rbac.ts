// The access-control collections every blueprint includes (seed 000's shape, plus what a CASL rule needs).
import { BadRequest } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import { createMongoAbility } from '@casl/ability'
import { Ref, Type } from './fields.js'
import type { CollectionInput } from './types.js'

const group = 'Access control'

export const roles: CollectionInput = {
  name: 'roles',
  schema: Type.Object({
    RoleName: Type.String({ minLength: 1, maxLength: 100 }),
    Description: Type.Optional(Type.String({ maxLength: 1000 }))
  }),
  indexes: [{ fields: { RoleName: 1 }, unique: true }],
  timestamps: { createdAt: 'CreatedAt', updatedAt: 'UpdatedAt' },
  admin: { titleField: 'RoleName', group }
}

/** A rule whose conditions CASL cannot compile is refused here, not at the next request. */
function checkRule(context: HookContext) {
  const items = Array.isArray(context.data) ? context.data : [context.data]
  for (const item of items) {
    if (item.Conditions === undefined && item.Action === undefined) continue
    try {
      const ability = createMongoAbility([{ action: item.Action ?? 'read', subject: 'probe', conditions: item.Conditions }])
      ability.can(item.Action ?? 'read', Object.assign(Object.create(null), { __caslSubjectType__: 'probe' }))
    } catch (error: any) {
      throw new BadRequest(`Invalid permission Conditions: ${error.message}`, { Conditions: error.message })
    }
  }
}

export const permissions: CollectionInput = {
  name: 'permissions',
  schema: Type.Object({
    PermissionName: Type.String({ minLength: 1, maxLength: 100 }),
    Description: Type.Optional(Type.String({ maxLength: 1000 })),
    Action: Type.String({ minLength: 1, maxLength: 50, description: 'create, read, update, delete, manage, access or a declared action' }),
    Subject: Type.String({ minLength: 1, maxLength: 100, description: 'a collection name, admin, or all' }),
    Conditions: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'CASL conditions; {{user.<field>}} is the caller' })),
    Fields: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 200 })),
    Inverted: Type.Optional(Type.Boolean())
  }),
  indexes: [{ fields: { PermissionName: 1 }, unique: true }],
  timestamps: { createdAt: 'CreatedAt', updatedAt: 'UpdatedAt' },
  before: { create: [checkRule], update: [checkRule], patch: [checkRule] },
  admin: { titleField: 'PermissionName', listFields: ['PermissionName', 'Action', 'Subject', 'Inverted'], group }
}

export const rolePermissionMappings: CollectionInput = {
  name: 'role-permission-mappings',
  label: 'Role permission mappings',
  schema: Type.Object({
    RoleId: Ref('roles', { onDelete: 'cascade' }),
    Permission_ids: Type.Array(Ref('permissions', { onDelete: 'nullify' }), { uniqueItems: true, maxItems: 1000 })
  }),
  indexes: [{ fields: { RoleId: 1 }, unique: true }],
  timestamps: { createdAt: 'CreatedAt', updatedAt: 'UpdatedAt' },
  admin: { titleField: 'RoleId', group }
}

export const rbacCollections = [roles, permissions, rolePermissionMappings]
export const RBAC_COLLECTIONS = rbacCollections.map((c) => c.name)
