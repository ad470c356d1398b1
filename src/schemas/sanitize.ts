// Turns what a blueprint declares into the engine's Collection/Blueprint: defaults filled, schemas derived, mistakes named.
import { collectFacts } from './walk.js'
import { querySchemaFor } from './query.js'
import type { Blueprint, BlueprintInput, Collection, CollectionInput, JsonSchema as TSchema } from './types.js'

export class DeclarationError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`)
    this.name = 'DeclarationError'
  }
}

const NAME = /^[a-z][a-z0-9-]*$/
const RESERVED = new Set(['authentication', 'health', 'admin', 'docs', 'openapi.json'])

/** Objects reject unknown keys unless the declaration says otherwise; `__proto__` and friends can never slip through. */
function closeObjects(schema: TSchema): TSchema {
  if (Array.isArray(schema)) return schema.map(closeObjects) as unknown as TSchema
  if (!schema || typeof schema !== 'object') return schema
  const copy: TSchema = {}
  for (const [key, value] of Object.entries(schema)) copy[key] = key.startsWith('x-') ? value : closeObjects(value)
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false
  return copy
}

const labelOf = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/-/g, ' ')

export function sanitizeCollection(input: CollectionInput): Collection {
  const where = `collection "${input.name}"`
  if (!NAME.test(input.name ?? '')) throw new DeclarationError(where, 'name must be lower-case letters, digits and dashes')
  if (RESERVED.has(input.name)) throw new DeclarationError(where, 'name is reserved by the engine')
  if (input.schema?.type !== 'object' || !input.schema.properties) throw new DeclarationError(where, 'schema must be a Type.Object')

  const schema = closeObjects(input.schema as TSchema)
  const facts = collectFacts(schema)
  const properties = schema.properties as Record<string, TSchema>
  const timestamps =
    input.timestamps === false
      ? { createdAt: false as const, updatedAt: false as const }
      : { createdAt: input.timestamps?.createdAt ?? 'createdAt', updatedAt: input.timestamps?.updatedAt ?? 'updatedAt' }
  const stamped = [timestamps.createdAt, timestamps.updatedAt].filter((f): f is string => !!f)
  for (const field of ['_id', ...stamped]) {
    if (properties[field]) throw new DeclarationError(where, `"${field}" is set by the engine; do not declare it`)
  }

  const secretFields = new Set(facts.secrets.map((s) => s.path))
  for (const secret of facts.secrets) {
    if (secret.path.includes('.')) throw new DeclarationError(where, `secret "${secret.path}" must be a top-level field`)
  }
  const stampSchema = { type: 'string', format: 'date-time', readOnly: true }
  const resultProperties: Record<string, TSchema> = { _id: { type: 'string', readOnly: true } }
  for (const [key, value] of Object.entries(properties)) if (!secretFields.has(key)) resultProperties[key] = value
  for (const field of stamped) resultProperties[field] = stampSchema
  const resultSchema = {
    $id: `${input.name}-result`,
    type: 'object',
    properties: resultProperties,
    required: ['_id', ...(schema.required ?? []).filter((f: string) => !secretFields.has(f))],
    additionalProperties: false
  }
  const dataSchema = { ...schema, $id: `${input.name}-data` }
  const { required: _required, ...optional } = schema
  // Defaults are for create: Ajv would otherwise write them into a patch, resetting fields the caller did not send.
  const patchProperties = Object.fromEntries(Object.entries(properties).map(([key, { default: _default, ...rest }]) => [key, rest]))
  const patchSchema = { ...optional, properties: patchProperties, $id: `${input.name}-patch` }

  for (const index of input.indexes ?? []) {
    for (const field of Object.keys(index.fields)) {
      if (!facts.paths.has(field) && !stamped.includes(field)) throw new DeclarationError(where, `index names unknown field "${field}"`)
    }
  }

  let auth: Collection['auth']
  if (input.auth) {
    if (!properties.email || properties.email.format !== 'email') throw new DeclarationError(where, 'an auth collection needs an `email: Email()` field')
    if (properties.password?.['x-secret'] !== 'hash') throw new DeclarationError(where, 'an auth collection needs a `password: Password()` field')
    if (!properties[input.auth.roleField]) throw new DeclarationError(where, `role field "${input.auth.roleField}" is not declared`)
    auth = { roleField: input.auth.roleField, roleBy: input.auth.roleBy ?? 'id' }
  }
  for (const name of Object.keys(input.actions ?? {})) {
    if (['find', 'get', 'create', 'update', 'patch', 'remove', 'setup', 'teardown', 'publish'].includes(name) || !/^[a-z][A-Za-z0-9]*$/.test(name)) {
      throw new DeclarationError(where, `action "${name}" must be a camelCase name that is not a service method`)
    }
  }

  const scalar = Object.keys(properties).filter((k) => !secretFields.has(k) && ['string', 'number', 'integer', 'boolean'].includes(properties[k].type))
  const titleField = input.admin?.titleField ?? ['Name', 'name', 'title', 'Title', 'RoleName', 'PermissionName', 'email'].find((f) => properties[f]) ?? '_id'
  return {
    name: input.name,
    label: input.label ?? labelOf(input.name),
    description: input.description ?? '',
    schema,
    resultSchema,
    dataSchema,
    patchSchema,
    querySchema: querySchemaFor(input.name, facts.queryable, stamped),
    indexes: input.indexes ?? [],
    timestamps,
    pagination: { default: input.pagination?.default ?? 20, max: input.pagination?.max ?? 200 },
    auth,
    actions: input.actions ?? {},
    before: input.before ?? {},
    after: input.after ?? {},
    events: input.events ?? [],
    admin: {
      titleField,
      listFields: input.admin?.listFields ?? scalar.slice(0, 6),
      group: input.admin?.group
    },
    references: facts.references,
    secrets: facts.secrets,
    dates: [...facts.dates, ...stamped],
    freeform: facts.freeform,
    fields: Object.keys(resultProperties)
  }
}

export function sanitizeBlueprint(input: BlueprintInput): Blueprint {
  const where = `blueprint "${input.name}"`
  const collections = input.collections.map(sanitizeCollection)
  const names = new Set<string>()
  for (const c of collections) {
    if (names.has(c.name)) throw new DeclarationError(where, `collection "${c.name}" is declared twice`)
    names.add(c.name)
  }
  for (const c of collections) {
    for (const ref of c.references) {
      if (!names.has(ref.collection)) throw new DeclarationError(`collection "${c.name}"`, `field "${ref.path}" references unknown collection "${ref.collection}"`)
    }
  }
  const authCollections = collections.filter((c) => c.auth)
  if (authCollections.length !== 1) throw new DeclarationError(where, 'exactly one collection must be declared with `auth`')
  for (const required of ['roles', 'permissions', 'role-permission-mappings']) {
    if (!names.has(required)) throw new DeclarationError(where, `collection "${required}" is missing (include rbacCollections)`)
  }
  const permissionNames = new Set(input.permissions.map((p) => p.PermissionName))
  for (const role of input.roles) {
    for (const p of role.permissions) if (!permissionNames.has(p)) throw new DeclarationError(where, `role "${role.RoleName}" names unknown permission "${p}"`)
  }
  const roleNames = new Set(input.roles.map((r) => r.RoleName))
  if (!roleNames.has(input.adminRole)) throw new DeclarationError(where, `adminRole "${input.adminRole}" is not a declared role`)
  if (input.anonymousRole && !roleNames.has(input.anonymousRole)) throw new DeclarationError(where, `anonymousRole "${input.anonymousRole}" is not a declared role`)
  return { ...input, collections, users: authCollections[0] }
}
