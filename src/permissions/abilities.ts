// Abilities from the RBAC collections: rules loaded once per change of roles/permissions/mappings, abilities cached per role and caller values.
import { createMongoAbility, type MongoAbility } from '@casl/ability'
import type { Application } from '@feathersjs/feathers'
import { valueAt } from '../schemas/paths.js'
import { PLACEHOLDERS, interpolate, orderedRules, toRawRule, type PermissionRecord, type RawRule } from './rules.js'

export interface PermissionsOptions {
  /** The user field holding the role. */
  roleField: string
  /** Whether that field holds a role id or a role name. */
  roleBy: 'id' | 'name'
  /** Role applied to callers that are not logged in. */
  anonymousRole?: string
}

interface RoleRules {
  rules: RawRule[]
  /** User fields the rules' placeholders read; part of the cache key. */
  placeholders: string[]
}

const MAX_CACHED = 10_000
const EMPTY: RoleRules = { rules: [], placeholders: [] }

export class Permissions {
  private _roles = new Map<string, RoleRules>()
  private _roleIdByName = new Map<string, string>()
  private _roleNameById = new Map<string, string>()
  private _abilities = new Map<string, MongoAbility>()
  private _loading?: Promise<void>
  private _version = 0
  private _loadedVersion = -1

  constructor(
    private _app: Application,
    private _options: PermissionsOptions
  ) {}

  /** Called whenever a role, permission or mapping changes: the next check reloads the rules. */
  invalidate() {
    this._version++
    this._abilities.clear()
  }

  /** Rules loaded for the current version of the RBAC collections (reloaded after any change). */
  private async _ready() {
    while (this._loadedVersion !== this._version) {
      const version = this._version
      this._loading ??= this._load().finally(() => (this._loading = undefined))
      await this._loading
      if (version === this._version) this._loadedVersion = version
    }
  }

  /** The ability of a caller (`undefined` for an anonymous one). */
  async abilityFor(user?: Record<string, any>): Promise<MongoAbility> {
    await this._ready()
    const roleId = this.roleIdOf(user)
    const role = (roleId && this._roles.get(roleId)) || EMPTY
    const key = `${roleId}\u0000${role.placeholders.map((path) => JSON.stringify(valueAt(user, path) ?? null)).join('\u0000')}`
    let ability = this._abilities.get(key)
    if (!ability) {
      const rules = role.placeholders.length ? (interpolate(role.rules, user) as RawRule[]) : role.rules
      ability = createMongoAbility(rules) as MongoAbility
      if (this._abilities.size >= MAX_CACHED) this._abilities.clear()
      this._abilities.set(key, ability)
    }
    return ability
  }

  /** The `RoleName` of a caller, from the loaded roles (no store read). */
  async roleNameOf(user?: Record<string, any>): Promise<string | undefined> {
    await this._ready()
    const roleId = this.roleIdOf(user)
    return roleId === undefined ? undefined : this._roleNameById.get(roleId)
  }

  /** The `roles` record id of a caller, or of the anonymous role. */
  roleIdOf(user?: Record<string, any>): string | undefined {
    if (!user) return this._options.anonymousRole ? this._roleIdByName.get(this._options.anonymousRole) : undefined
    const value = user[this._options.roleField]
    if (value === undefined || value === null) return undefined
    return this._options.roleBy === 'name' ? this._roleIdByName.get(String(value)) : String(value)
  }

  private async _load() {
    const all = { paginate: false as const }
    const [roles, permissions, mappings] = (await Promise.all([
      this._app.service('roles').find(all),
      this._app.service('permissions').find(all),
      this._app.service('role-permission-mappings').find(all)
    ])) as [any[], PermissionRecord[], any[]]
    const byId = new Map(permissions.map((p) => [p._id, toRawRule(p)]))
    this._roles.clear()
    this._roleIdByName = new Map(roles.map((role) => [role.RoleName, role._id]))
    this._roleNameById = new Map(roles.map((role) => [role._id, role.RoleName]))
    for (const mapping of mappings) {
      const rules = (mapping.Permission_ids ?? []).map((id: string) => byId.get(id)).filter(Boolean) as RawRule[]
      const existing = this._roles.get(mapping.RoleId)?.rules ?? []
      const all = orderedRules([...existing, ...rules])
      const placeholders = new Set<string>()
      for (const match of JSON.stringify(all.map((r) => r.conditions ?? null)).matchAll(PLACEHOLDERS)) placeholders.add(match[1])
      this._roles.set(mapping.RoleId, { rules: all, placeholders: [...placeholders] })
    }
    this._abilities.clear()
  }
}
