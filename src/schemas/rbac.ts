// The access-control collections every blueprint includes (seed 000's shape, plus what a CASL rule needs).
import { BadRequest } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { createMongoAbility, subject } from '@casl/ability'
import { interpolate } from '../permissions/rules.js'
import { actionProblem, permissionVocabulary, subjectProblem } from '../permissions/vocabulary.js'
import { Ref, Type } from './fields.js'
import type { CollectionInput, PermissionInput } from './types.js'

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

/** Operators CASL evaluates in memory and both stores run as queries; `$where` and `$regex` are deliberately absent. */
export const CONDITION_OPERATORS = new Set(['$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$nin', '$all', '$elemMatch', '$exists', '$and', '$or', '$nor'])

function unknownOperator(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(unknownOperator).find(Boolean)
  if (!value || typeof value !== 'object') return undefined
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith('$') && !CONDITION_OPERATORS.has(key)) return key
    const found = unknownOperator(inner)
    if (found) return found
  }
  return undefined
}

/**
 * A rule that could never apply is refused here, not found out when someone is refused: an action or subject nothing
 * checks (`remove` for `delete`), conditions CASL or the stores cannot use.
 */
function checkRule(context: HookContext) {
  const vocabulary = permissionVocabulary((context.app as EngineApp).blueprint.collections)
  for (const item of Array.isArray(context.data) ? context.data : [context.data]) {
    for (const [field, problem] of [['Action', actionProblem], ['Subject', subjectProblem]] as const) {
      const found = typeof item?.[field] === 'string' ? problem(item[field], vocabulary) : undefined
      if (found) throw new BadRequest(`Invalid permission ${field}: ${found}`, { [field]: found })
    }
    if (!item?.Conditions) continue
    const operator = unknownOperator(item.Conditions)
    const problem = operator
      ? `operator ${operator} is not supported (use ${[...CONDITION_OPERATORS].join(' ')})`
      : (() => {
          try {
            // As a caller without values sees them: `{ $in: '{{user.list}}' }` is checked as a list.
            const conditions = interpolate(item.Conditions, undefined) as Record<string, unknown>
            createMongoAbility([{ action: 'read', subject: 'probe', conditions }]).can('read', subject('probe', {}))
          } catch (error: any) {
            return error.message as string
          }
        })()
    if (problem) throw new BadRequest(`Invalid permission Conditions: ${problem}`, { Conditions: problem })
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

type Rule = Omit<PermissionInput, 'PermissionName'>

/** Permissions written as `{ 'read-own-user': rule }`, named `<prefix>-read-own-user`. */
export const namedPermissions = (prefix: string, rules: Record<string, Rule>): PermissionInput[] =>
  Object.entries(rules).map(([name, rule]) => ({ PermissionName: `${prefix}-${name}`, ...rule }))

/** The names of a list of permissions, for a role's `permissions`. */
export const permissionNames = (list: PermissionInput[]) => list.map((p) => p.PermissionName)
