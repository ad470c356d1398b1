// First-start work: seed the blueprint's roles and permissions, demo data on an empty store, the administrator from env;
// and at every start, emails stored before they were normalised.
import { isDeepStrictEqual } from 'node:util'
import type { Application } from '@feathersjs/feathers'
import { emailPaths, normalizeEmail, normalizeEmails } from '../hooks/emails.js'
import { valuesAt } from '../schemas/paths.js'
import type { Blueprint, Collection } from '../schemas/types.js'

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

/** Records whose emails become one once normalised, where that email must be unique (a unique index, or the login). */
export interface EmailClash {
  collection: string
  field: string
  email: string
  ids: string[]
}

/** The email fields of a collection that must not repeat: single-field unique indexes, and the login email. */
const uniqueEmailPaths = (collection: Collection, paths: string[]) =>
  paths.filter((path) => (collection.auth && path === 'email') || collection.indexes.some((index) => index.unique && Object.keys(index.fields).length === 1 && path in index.fields))

/** Which records share each unique email once normalised (more than one record: a clash). */
function clashesOf(collection: Collection, records: any[], paths: string[]): EmailClash[] {
  const clashes: EmailClash[] = []
  for (const field of uniqueEmailPaths(collection, paths)) {
    const owners = new Map<string, Set<string>>()
    for (const record of records) {
      for (const value of valuesAt(record, field)) {
        if (typeof value !== 'string') continue
        const email = normalizeEmail(value)
        owners.set(email, (owners.get(email) ?? new Set()).add(String(record._id)))
      }
    }
    for (const [email, ids] of owners) if (ids.size > 1) clashes.push({ collection: collection.name, field, email, ids: [...ids] })
  }
  return clashes
}

/**
 * Stores written before emails were normalised: every email is rewritten trimmed and lower-cased (in the store, no
 * events), except in records that would then share a unique email with another: those are reported and left as they are.
 */
export async function normalizeStoredEmails(app: Application, blueprint: Blueprint): Promise<EmailClash[]> {
  const clashes: EmailClash[] = []
  for (const collection of blueprint.collections) {
    const paths = emailPaths(collection)
    if (!paths.length) continue
    const fields = [...new Set(paths.map((path) => path.split('.')[0]))]
    const service = app.service(collection.name) as any
    const records = (await service.find({ ...all, query: { $select: fields } })) as any[]
    const stale = records.filter((record) => !isDeepStrictEqual(normalizeEmails(record, paths), record))
    if (!stale.length) continue
    const found = clashesOf(collection, records, paths)
    const blocked = new Set(found.flatMap((clash) => clash.ids))
    for (const record of stale) {
      if (blocked.has(String(record._id))) continue
      const normalized: any = normalizeEmails(record, paths)
      await service._patch(record._id, Object.fromEntries(fields.filter((field) => !isDeepStrictEqual(normalized[field], record[field])).map((field) => [field, normalized[field]])))
    }
    clashes.push(...found)
  }
  for (const { collection, field, email, ids } of clashes) {
    console.warn(
      `[quillbase] ${collection}: records ${ids.join(', ')} have the same ${field} "${email}" once lower-cased, and it must be unique; ` +
        'they were left as they are. Merge them or change all but one: logins and unique checks now compare emails lower-cased.'
    )
  }
  return clashes
}
