// First-start work: seed the blueprint's roles and permissions, demo data on an empty store, the administrator from env.
import type { Application } from '@feathersjs/feathers'
import type { Blueprint } from '../schemas/types.js'

const all = { paginate: false as const }

/** Roles, permissions and mappings as the blueprint declares them, once: afterwards they are data that admins edit. */
export async function seedAccessControl(app: Application, blueprint: Blueprint) {
  const existing = (await app.service('roles').find({ ...all, query: { $limit: 1 } })) as any[]
  if (existing.length) return false
  const permissions = (await app.service('permissions').create(blueprint.permissions.map((p) => ({ ...p })))) as any[]
  const permissionId = new Map(permissions.map((p) => [p.PermissionName, p._id]))
  for (const role of blueprint.roles) {
    const created = await app.service('roles').create({ RoleName: role.RoleName, Description: role.Description ?? '' })
    await app.service('role-permission-mappings').create({ RoleId: created._id, Permission_ids: role.permissions.map((name) => permissionId.get(name)) })
  }
  return true
}

/** The value the blueprint's role field holds for a role name (its id, or the name itself). */
export async function roleValue(app: Application, blueprint: Blueprint, roleName: string) {
  if (blueprint.users.auth?.roleBy === 'name') return roleName
  const [role] = (await app.service('roles').find({ ...all, query: { RoleName: roleName } })) as any[]
  if (!role) throw new Error(`Role "${roleName}" does not exist; it was removed from the roles collection`)
  return role._id
}

/** `ADMIN_EMAIL`/`ADMIN_PASSWORD`: creates that administrator, or resets its password and role. */
export async function ensureAdministrator(app: Application, blueprint: Blueprint, email: string, password: string) {
  const users = app.service(blueprint.users.name)
  const roleField = blueprint.users.auth!.roleField
  const role = await roleValue(app, blueprint, blueprint.adminRole)
  const [user] = (await users.find({ ...all, query: { email } })) as any[]
  if (user) return users.patch(user._id, { password, [roleField]: role })
  return users.create({ ...(blueprint.adminDefaults ?? {}), email, password, [roleField]: role })
}

export async function isEmpty(app: Application, blueprint: Blueprint) {
  const users = (await app.service(blueprint.users.name).find({ ...all, query: { $limit: 1 } })) as any[]
  return users.length === 0
}
