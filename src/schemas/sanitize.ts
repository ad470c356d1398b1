// Turns what a blueprint declares into the engine's Collection/Blueprint: defaults filled, schemas derived, mistakes named.
import { CronExpressionParser } from 'cron-parser'
import { Type } from '@sinclair/typebox'
import { collectFacts, walkFields, type SchemaFacts } from './walk.js'
import { querySchemaFor } from './query.js'
import type { ActionInput, Blueprint, BlueprintInput, Collection, CollectionInput, DashboardChartInput, IndexInput, JsonSchema as TSchema, MaskInfo, OAuthProvider, PermissionInput, Recovery, ScheduleInput, SignUpInput, StateMachine, TenancyInput, Unread } from './types.js'
import { DeclarationError } from './errors.js'
import { actionProblem, permissionVocabulary, subjectProblem } from '../permissions/vocabulary.js'
import { checkDocument, checkPublicLookup } from './outputs.js'
import { checkCounts, sanitizeCache, sanitizeCounts, sanitizeRecurrence } from './upkeep.js'
import { checkConversations, isAdded, sanitizeSignals, sanitizeUnread } from './conversations.js'

export { DeclarationError }

/** The field the engine adds to the auth collection. */
export const CREDENTIALS_CHANGED_AT = 'credentialsChangedAt'

const NAME = /^[a-z][a-z0-9-]*$/
/** Engine paths: no collection may take them. */
export const ACCOUNT_PATHS = { signUp: 'sign-up', recovery: 'password-recovery', reset: 'password-reset' }
/** Where OAuth sign-ins start (`/oauth/<provider>`) and return (`/oauth/<provider>/callback`). */
export const OAUTH_PREFIX = 'oauth'
const RESERVED = new Set(['authentication', 'health', 'admin', 'docs', 'openapi.json', OAUTH_PREFIX, ...Object.values(ACCOUNT_PATHS)])

/** Bounds of values a declaration leaves unbounded; a record is bounded as a whole too (`maxRecordBytes`). */
export const DEFAULT_MAX_LENGTH = 10_000
export const DEFAULT_MAX_ITEMS = 1_000
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024

/** Keys whose values are data, not sub-schemas; keys whose values map names to sub-schemas. */
const VALUE_KEYS = new Set(['default', 'examples', 'const', 'enum'])
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions'])
const closeEach = (map: Record<string, TSchema>) => Object.fromEntries(Object.entries(map).map(([name, child]) => [name, closeSchema(child)]))

/**
 * A copy of the schema where objects reject unknown keys (`__proto__` and friends can never slip through) and every
 * string and array without a declared bound gets the default one, at any depth. Annotations (`x-…`) and values are kept.
 */
export function closeSchema(schema: TSchema): TSchema {
  if (Array.isArray(schema)) return schema.map(closeSchema) as unknown as TSchema
  if (!schema || typeof schema !== 'object') return schema
  const copy: TSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key.startsWith('x-') || VALUE_KEYS.has(key) ? value : SCHEMA_MAPS.has(key) && value && typeof value === 'object' ? closeEach(value) : closeSchema(value)
  }
  const types = [copy.type].flat()
  if (types.includes('object') && copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false
  if (types.includes('string') && copy.maxLength === undefined) copy.maxLength = DEFAULT_MAX_LENGTH
  if (types.includes('array') && copy.maxItems === undefined) copy.maxItems = DEFAULT_MAX_ITEMS
  return copy
}

const labelOf = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/-/g, ' ')

/** A copy of the schema where these paths (`billNumber`, `comments.userId`) are optional; array items add no segment. */
function relaxRequired(schema: TSchema, paths: Set<string>): TSchema {
  const relax = (node: TSchema, segments: string[]): TSchema => {
    if (node?.type === 'array' && node.items) return { ...node, items: relax(node.items, segments) }
    if (node?.type !== 'object' || !node.properties) return node
    const [head, ...rest] = segments
    if (!rest.length) return node.required ? { ...node, required: node.required.filter((f: string) => f !== head) } : node
    if (!node.properties[head]) return node
    return { ...node, properties: { ...node.properties, [head]: relax(node.properties[head], rest) } }
  }
  return [...paths].reduce((result, path) => relax(result, path.split('.')), schema)
}

/** Whether a field's schema takes `null` as a value (then `null` is stored, not a removal). */
function allowsNull(schema: TSchema): boolean {
  if (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return true
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some(allowsNull)
}

/**
 * A patch field that also takes `null` ("remove it"), its description kept on top for the OpenAPI document and the
 * client, and `readOnly` too (inside the `anyOf` only, the client's patch type offered the engine's fields).
 */
const orNull = (schema: TSchema): TSchema => ({
  ...(schema.description ? { description: `${schema.description} (\`null\` removes it)` } : { description: '`null` removes it' }),
  ...(schema.readOnly && { readOnly: true }),
  anyOf: [schema, { type: 'null' }]
})

export function sanitizeCollection(input: CollectionInput): Collection {
  const where = `collection "${input.name}"`
  if (!NAME.test(input.name ?? '')) throw new DeclarationError(where, 'name must be lower-case letters, digits and dashes')
  if (RESERVED.has(input.name)) throw new DeclarationError(where, 'name is reserved by the engine')
  if (input.schema?.type !== 'object' || !input.schema.properties) throw new DeclarationError(where, 'schema must be a Type.Object')

  const schema = closeSchema(input.schema as TSchema)
  if (input.auth) {
    if (schema.properties[CREDENTIALS_CHANGED_AT]) throw new DeclarationError(where, `"${CREDENTIALS_CHANGED_AT}" is set by the engine; do not declare it`)
    // Engine-kept: tokens issued before this moment stop working (a password change logs other sessions out).
    schema.properties[CREDENTIALS_CHANGED_AT] = { type: 'string', format: 'date-time', readOnly: true, description: 'When the credentials last changed; older tokens are refused' }
    // The engine's to write: a caller who could set a reset token could reset the password without the e-mail.
    const token = input.auth.recovery?.emailToken?.token
    if (token && schema.properties[token]) schema.properties[token] = { ...schema.properties[token], readOnly: true }
  }
  const facts = collectFacts(schema)
  if (input.maxRecordBytes !== undefined && !(Number.isInteger(input.maxRecordBytes) && input.maxRecordBytes > 0)) {
    throw new DeclarationError(where, '`maxRecordBytes` must be a positive whole number of bytes')
  }
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
  // Generated and looked-up fields are filled after validation, so a caller need not send them (the filled record is validated whole).
  const generated = new Set([...Object.keys(input.generate ?? {}), ...(input.lookups ?? []).flatMap((l) => Object.keys(l.copy ?? {}))])
  const dataSchema: TSchema = relaxRequired({ ...schema, $id: `${input.name}-data` }, generated)
  const { required: _required, ...optional } = schema
  // An optional field that cannot hold null: `null` in a patch removes it (both stores; see `Codec#encodePatch`).
  const declaredRequired = new Set<string>(schema.required ?? [])
  const clearable = Object.keys(properties).filter((key) => !declaredRequired.has(key) && !allowsNull(properties[key]))
  // Defaults are for create: Ajv would otherwise write them into a patch, resetting fields the caller did not send.
  const patchProperties = Object.fromEntries(Object.entries(properties).map(([key, { default: _default, ...rest }]) => [key, rest]))
  const relaxed = relaxRequired({ ...optional, properties: patchProperties, $id: `${input.name}-patch` }, generated)
  const patchSchema = { ...relaxed, properties: Object.fromEntries(Object.entries<TSchema>(relaxed.properties).map(([key, value]) => [key, clearable.includes(key) ? orNull(value) : value])) }

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
    const { activeField } = input.auth
    if (activeField && properties[activeField]?.type !== 'boolean') throw new DeclarationError(where, `active field "${activeField}" must be a declared boolean`)
    auth = { roleField: input.auth.roleField, roleBy: input.auth.roleBy ?? 'id', activeField, ...sanitizeAccounts(input.auth, properties, where) }
    if (input.auth.oauth) auth.oauth = sanitizeOAuth(input, properties, where)
  }
  for (const name of Object.keys({ ...input.actions, ...connectorAction(input) })) {
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
    clearable,
    querySchema: querySchemaFor(input.name, facts.queryable, stamped, facts.points),
    indexes: withOperationIndex(input),
    timestamps,
    pagination: { default: input.pagination?.default ?? 20, max: input.pagination?.max ?? 200 },
    maxRecordBytes: input.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    auth,
    actions: { ...input.actions, ...connectorAction(input) },
    before: input.before ?? {},
    after: input.after ?? {},
    events: [...(input.events ?? []), ...Object.keys(input.signals ?? {})],
    signals: sanitizeSignals(input, where),
    // The counted collection's creation stamp is filled in by checkConversations, which sees every collection.
    unread: sanitizeUnread(input, where) as Unread[],
    admin: {
      titleField,
      listFields: input.admin?.listFields ?? scalar.slice(0, 6),
      group: input.admin?.group
    },
    references: facts.references,
    secrets: facts.secrets,
    dates: [...facts.dates, ...stamped],
    freeform: facts.freeform,
    fields: Object.keys(resultProperties),
    forwardOnly: sanitizeForwardOnly(input, properties, where),
    counts: sanitizeCounts(input, properties, where),
    recurrence: sanitizeRecurrence(input, properties, { references: facts.references, secrets: facts.secrets, stamped }, where),
    cache: sanitizeCache(input, where),
    ...sanitizeWorkflows(input, schema, facts, where)
  }
}

/** Sign-up and recovery declarations against the user schema; token fields become the engine's (read-only to callers). */
function sanitizeAccounts(auth: NonNullable<CollectionInput['auth']>, properties: Record<string, TSchema>, where: string): Pick<NonNullable<Collection['auth']>, 'signUp' | 'recovery'> {
  const field = (name: string, what: string, check: (schema: TSchema) => boolean, kind: string) => {
    if (!properties[name] || !check(properties[name])) throw new DeclarationError(where, `${what} field "${name}" must be a declared ${kind}`)
  }
  const hashed = (schema: TSchema) => schema['x-secret'] === 'hash'
  let signUp: Required<SignUpInput> | undefined
  if (auth.signUp) {
    if (!auth.signUp.roles?.length) throw new DeclarationError(where, 'signUp needs the `roles` a caller may sign up as')
    for (const name of auth.signUp.fields ?? []) field(name, 'signUp', (schema) => !schema.readOnly, 'field that is not readOnly')
    for (const create of auth.signUp.creates ?? []) {
      if (!create.collection || !create.data) throw new DeclarationError(where, 'each signUp `creates` needs a `collection` and its `data`')
    }
    signUp = { roles: auth.signUp.roles, fields: auth.signUp.fields ?? [], creates: auth.signUp.creates ?? [] }
  }
  let recovery: Recovery | undefined
  if (auth.recovery) {
    const { securityQuestion, emailToken } = auth.recovery
    if (!securityQuestion && !emailToken) throw new DeclarationError(where, 'recovery needs `securityQuestion` or `emailToken`')
    if (securityQuestion) {
      field(securityQuestion.question, 'recovery question', (schema) => schema.type === 'string' && !schema['x-secret'], 'string field')
      field(securityQuestion.answer, 'recovery answer', hashed, 'Password() field')
    }
    if (emailToken) {
      field(emailToken.token, 'recovery token', hashed, 'Password() field')
      field(emailToken.expires, 'recovery expiry', (schema) => schema.format === 'date-time', 'DateTime() field')
      const ttlMinutes = emailToken.ttlMinutes ?? 60
      if (!(ttlMinutes > 0)) throw new DeclarationError(where, 'recovery `ttlMinutes` must be a positive number')
      recovery = { securityQuestion, emailToken: { ...emailToken, ttlMinutes } }
    } else recovery = { securityQuestion }
  }
  return { ...(signUp && { signUp }), ...(recovery && { recovery }) }
}

/** OAuth providers against the user schema: the id field unique, tokens in encrypted secrets, the other fields of the right kind. */
function sanitizeOAuth(input: CollectionInput, properties: Record<string, TSchema>, where: string): OAuthProvider[] {
  const { roleField } = input.auth!
  return Object.entries(input.auth!.oauth!).map(([name, provider]) => {
    const at = `oauth provider "${name}"`
    if (!/^[a-z][a-z0-9]*$/.test(name) || ['local', 'jwt'].includes(name)) throw new DeclarationError(where, `${at}: a name of lower-case letters and digits (it names OAUTH_<NAME>_… settings), not local or jwt`)
    const field = (what: string, fieldName: string | undefined, check: (schema: TSchema) => boolean, kind: string) => {
      if (fieldName !== undefined && !(properties[fieldName] && check(properties[fieldName]))) throw new DeclarationError(where, `${at}: ${what} "${fieldName}" must be a declared ${kind}`)
    }
    const plainString = (schema: TSchema) => schema.type === 'string' && !schema['x-secret']
    field('idField', provider.idField ?? '', plainString, 'string field')
    const unique = (input.indexes ?? []).some((index) => index.unique && Object.keys(index.fields).join() === provider.idField)
    if (!unique) throw new DeclarationError(where, `${at}: idField "${provider.idField}" needs a unique index (sparse if some users have none)`)
    const encrypted = (schema: TSchema) => schema['x-secret'] === 'encrypt'
    if (provider.tokens && !provider.tokens.access) throw new DeclarationError(where, `${at}: tokens needs the \`access\` field`)
    field('access token field', provider.tokens?.access, encrypted, 'Secret() field')
    field('refresh token field', provider.tokens?.refresh, encrypted, 'Secret() field')
    const dateTime = (schema: TSchema) => schema.format === 'date-time'
    field('expiresAt field', provider.tokens?.expiresAt, dateTime, 'DateTime() field')
    if (provider.tokens?.refresh && !provider.tokens.expiresAt) throw new DeclarationError(where, `${at}: tokens with a \`refresh\` field need \`expiresAt\` too (when to refresh)`)
    field('connectedField', provider.connectedField, (schema) => schema.type === 'boolean', 'boolean field')
    field('lastLoginField', provider.lastLoginField, dateTime, 'DateTime() field')
    const profile = Object.fromEntries(Object.entries(provider.profile ?? {}).map(([key, claims]) => [key, [claims].flat()]))
    for (const [key, claims] of Object.entries(profile)) {
      field('profile field', key, (schema) => !schema['x-secret'] && !schema.readOnly, 'field that is not a secret')
      if (!claims.length || claims.some((claim) => typeof claim !== 'string' || !claim)) throw new DeclarationError(where, `${at}: profile field "${key}" needs the claims it is filled from`)
    }
    if (!provider.role && properties[roleField]?.default === undefined) throw new DeclarationError(where, `${at}: declare the \`role\` of the users it creates (the role field "${roleField}" has no default)`)
    const scope = [...new Set(['openid', ...(provider.scope ?? ['email', 'profile'])])]
    return {
      name,
      idField: provider.idField,
      idClaim: provider.idClaim ?? 'sub',
      scope,
      authorizeParams: provider.authorizeParams ?? {},
      emailVerifiedClaim: provider.emailVerifiedClaim ?? 'email_verified',
      profile,
      ...(provider.tokens && { tokens: provider.tokens }),
      ...(provider.connectedField && { connectedField: provider.connectedField }),
      ...(provider.lastLoginField && { lastLoginField: provider.lastLoginField }),
      ...(provider.role && { role: provider.role })
    }
  })
}

/** `forwardOnly` fields: top-level enums (with their order), numbers or date-times. */
function sanitizeForwardOnly(input: CollectionInput, properties: Record<string, TSchema>, where: string): Collection['forwardOnly'] {
  return Object.entries(input.forwardOnly ?? {}).map(([field, order]) => {
    const schema = properties[field]
    const at = `forwardOnly "${field}"`
    if (!schema) throw new DeclarationError(where, `${at} names unknown field`)
    if (schema.enum) {
      const states = order === true ? schema.enum : order
      if (!Array.isArray(states) || states.length !== schema.enum.length || schema.enum.some((s: string) => !states.includes(s))) {
        throw new DeclarationError(where, `${at} must order every value of the field: ${schema.enum.join(', ')}`)
      }
      return { field, order: states }
    }
    if (order !== true || !(['number', 'integer'].includes(schema.type) || schema.format === 'date-time')) {
      throw new DeclarationError(where, `${at} must be an Enum() with its order, or \`true\` on a number or DateTime() field`)
    }
    return { field }
  })
}

const METHODS_WITH_TRIGGERS = ['create', 'update', 'patch', 'remove']
const GENERATED_KINDS = ['code', 'sequence', 'id', 'value']
const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value])

/** The workflow declarations (docs/workflows.md) checked against the schema; names of other collections are checked per blueprint. */
function sanitizeWorkflows(input: CollectionInput, schema: TSchema, facts: SchemaFacts, where: string) {
  const properties = schema.properties as Record<string, TSchema>
  const known = (path: string) => facts.paths.has(path)
  const need = (path: string, what: string) => {
    if (!known(path)) throw new DeclarationError(where, `${what} names unknown field "${path}"`)
  }

  const stateMachines: StateMachine[] = Object.entries(input.stateMachines ?? {}).map(([field, machine]) => {
    const states: string[] | undefined = properties[field]?.enum
    if (!states) throw new DeclarationError(where, `state machine field "${field}" must be a top-level Enum() field`)
    const check = (state: string, what: string) => {
      if (state !== '*' && !states.includes(state)) throw new DeclarationError(where, `state machine "${field}": ${what} "${state}" is not one of ${states.join(', ')}`)
    }
    if (!machine.transitions?.length) throw new DeclarationError(where, `state machine "${field}" declares no transitions`)
    const transitions = machine.transitions.map((t) => ({ ...t, from: asList(t.from), to: asList(t.to) }))
    for (const t of transitions) {
      t.from.forEach((s) => check(s, 'state'))
      t.to.forEach((s) => check(s, 'state'))
      for (const guard of t.guards ?? []) {
        if (!guard.when === !guard.exists || !guard.message) throw new DeclarationError(where, `state machine "${field}": a guard needs a message and one of \`when\` or \`exists\``)
      }
    }
    const fallback = properties[field].default !== undefined ? [properties[field].default] : transitions[0].from.filter((s) => s !== '*')
    const initial = machine.initial ?? fallback
    initial.forEach((s) => check(s, 'initial state'))
    for (const [state, stamps] of Object.entries(machine.stamps ?? {})) {
      check(state, 'stamped state')
      Object.keys(stamps).forEach((path) => need(path, `state machine "${field}" stamp`))
    }
    for (const [state, fields] of Object.entries(machine.requires ?? {})) {
      check(state, 'state')
      fields.forEach((path) => need(path, `state machine "${field}" requirement`))
    }
    const required = new Set<string>(schema.required ?? [])
    for (const path of machine.carries ?? []) {
      if (!properties[path] || required.has(path) || path === field) throw new DeclarationError(where, `state machine "${field}" carries "${path}": it must be an optional top-level field`)
    }
    return { field, states, initial, transitions, stamps: machine.stamps ?? {}, requires: machine.requires ?? {}, carries: machine.carries ?? [] }
  })

  for (const trigger of input.triggers ?? []) {
    if (!trigger.on?.length || trigger.on.some((m) => !METHODS_WITH_TRIGGERS.includes(m))) {
      throw new DeclarationError(where, `trigger creating "${trigger.create}": \`on\` must list create, update, patch or remove`)
    }
  }
  for (const [path, generated] of Object.entries(input.generate ?? {})) {
    need(path, 'generate')
    if (!GENERATED_KINDS.includes(generated.kind)) throw new DeclarationError(where, `generate "${path}": kind must be one of ${GENERATED_KINDS.join(', ')}`)
    if (generated.kind === 'value' && typeof generated.value !== 'string') throw new DeclarationError(where, `generate "${path}": kind \`value\` needs a \`value\` template`)
    if (generated.kind === 'sequence' && path.includes('.')) throw new DeclarationError(where, `generate "${path}": a sequence must be a top-level field`)
    if (generated.on !== undefined && !['create', 'write'].includes(generated.on)) throw new DeclarationError(where, `generate "${path}": \`on\` must be create or write`)
    if (generated.on === 'write' && (generated.kind !== 'value' || path.includes('.'))) throw new DeclarationError(where, `generate "${path}": \`on: 'write'\` is for top-level \`value\` fields`)
  }
  for (const range of input.ranges ?? []) {
    for (const path of [range.start, range.end]) {
      if (!facts.dates.includes(path)) throw new DeclarationError(where, `ranges field "${path}" must be a DateTime() field`)
    }
  }
  for (const rule of input.noOverlap ?? []) {
    for (const path of [rule.start, rule.end]) {
      if (!facts.dates.includes(path)) throw new DeclarationError(where, `noOverlap field "${path}" must be a DateTime() field`)
    }
    rule.scope.forEach((path) => need(path, 'noOverlap scope'))
  }
  for (const rollup of input.rollups ?? []) Object.keys(rollup.set).forEach((path) => need(path, `rollup from "${rollup.from}"`))
  for (const lookup of input.lookups ?? []) {
    need(lookup.field, 'lookup')
    if (lookup.code !== undefined && ![403, 409, 422].includes(lookup.code)) throw new DeclarationError(where, `lookup "${lookup.field}": code must be 403, 409 or 422`)
    Object.keys(lookup.copy ?? {}).forEach((path) => need(path, 'lookup copy'))
    Object.keys(lookup.set ?? {}).forEach((path) => need(path, 'lookup set'))
  }
  if (input.derive !== undefined && typeof input.derive !== 'function') throw new DeclarationError(where, '`derive` must be a function')

  const masks: MaskInfo[] = []
  walkFields(schema, ({ path, schema: field }) => {
    const mask = field['x-mask']
    if (!mask) return
    if (field.type !== 'string') throw new DeclarationError(where, `masked field "${path}" must be a string`)
    masks.push({ path, keepStart: mask.keepStart ?? 2, keepEnd: mask.keepEnd ?? 2, char: mask.char ?? '*' })
  })

  return {
    stateMachines,
    triggers: input.triggers ?? [],
    import: input.import,
    importer: input.importer,
    exporter: input.exporter,
    connector: input.connector,
    aggregates: input.aggregates,
    generate: input.generate ?? {},
    noOverlap: input.noOverlap ?? [],
    ranges: input.ranges ?? [],
    rollups: input.rollups ?? [],
    lookups: input.lookups ?? [],
    derive: input.derive,
    masks,
    document: input.document,
    ...(input.publicLookup && { publicLookup: { ...input.publicLookup, route: `${input.name}/${input.publicLookup.path ?? 'verify'}` } })
  }
}

/**
 * An operation collection (an importer or exporter) gets an index on its report's status field unless one of its
 * declared indexes leads with it: at start the engine looks up the unfinished operations by status (`resume`).
 */
function withOperationIndex(input: CollectionInput): IndexInput[] {
  const declared = input.indexes ?? []
  const status = (input.importer ?? input.exporter)?.report.status
  if (!status || declared.some((index) => Object.keys(index.fields)[0] === status)) return declared
  return [...declared, { fields: { [status]: 1 } }]
}

/** Workflow declarations that name other collections, fields of them, or roles. */
function checkWorkflowNames(collections: Collection[], roleNames: Set<string>) {
  const byName = new Map(collections.map((c) => [c.name, c]))
  const exists = (where: string, name: string, what: string) => {
    if (!byName.has(name)) throw new DeclarationError(where, `${what} names unknown collection "${name}"`)
  }
  for (const c of collections) {
    const where = `collection "${c.name}"`
    for (const ref of c.references) {
      const target = byName.get(ref.collection)
      for (const field of ref.sameAs ?? []) {
        if (!c.fields.includes(field) || !target?.fields.includes(field)) throw new DeclarationError(where, `reference "${ref.path}": sameAs field "${field}" must be a top-level field of both collections`)
      }
    }
    for (const trigger of c.triggers ?? []) {
      exists(where, trigger.create, 'trigger')
      if (trigger.forEach && !isAdded(trigger.forEach)) exists(where, trigger.forEach.collection, 'trigger forEach')
    }
    for (const lookup of c.lookups ?? []) exists(where, lookup.collection, 'lookup')
    for (const rollup of c.rollups ?? []) {
      exists(where, rollup.from, 'rollup')
      const single = (owner: Collection, path: string) => owner.references.find((ref) => ref.path === path && !ref.many)
      if (rollup.key) {
        const key = single(c, rollup.key)
        const target = rollup.via === '_id' ? rollup.from : single(byName.get(rollup.from)!, rollup.via)?.collection
        if (!key || !target || key.collection !== target) {
          throw new DeclarationError(where, `rollup: "${rollup.from}.${rollup.via}" and "${c.name}.${rollup.key}" must be single references to the same collection`)
        }
      } else if (single(byName.get(rollup.from)!, rollup.via)?.collection !== c.name) {
        throw new DeclarationError(where, `rollup: "${rollup.from}.${rollup.via}" must be a single Ref('${c.name}')`)
      }
    }
    for (const machine of c.stateMachines ?? []) {
      for (const guard of machine.transitions.flatMap((t) => t.guards ?? [])) if (guard.exists) exists(where, guard.exists.collection, 'transition guard')
      for (const role of machine.transitions.flatMap((t) => t.roles ?? [])) {
        if (!roleNames.has(role)) throw new DeclarationError(where, `state machine "${machine.field}" names unknown role "${role}"`)
      }
    }
  }
}

/** The next time a cron expression is due; throws on a bad one (the parser BullMQ's schedulers use, so both modes agree). */
export function nextTick(cron: string, timezone = 'UTC', after = new Date()): Date {
  const fields = cron.trim().split(/\s+/)
  // The parser fills missing fields in: a three-field typo would silently mean "every minute".
  if (!cron.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) throw new Error(`expected 5 fields (minute hour day month weekday) or 6 (seconds first), got ${fields.length}`)
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate()
}

/** A scheduled task's declaration: a name, a cron expression the parser accepts, a time zone, a `run` function. */
export function checkSchedule(where: string, schedule: ScheduleInput) {
  const at = `${where}, schedule "${schedule?.name}"`
  if (!NAME.test(schedule?.name ?? '')) throw new DeclarationError(at, 'name must be lower-case letters, digits and dashes')
  if (typeof schedule.run !== 'function') throw new DeclarationError(at, '`run` must be a function')
  if (typeof schedule.cron !== 'string') throw new DeclarationError(at, '`cron` must be a cron expression such as "0 * * * *"')
  try {
    nextTick(schedule.cron, schedule.timezone)
  } catch (error: any) {
    throw new DeclarationError(at, `cron "${schedule.cron}"${schedule.timezone ? ` in time zone "${schedule.timezone}"` : ''} is not valid: ${error.message}`)
  }
}

/** The tenants' collection is declared and some collection names its tenant with the field, a reference to it. */
function checkTenancy(where: string, tenancy: TenancyInput, collections: Collection[]) {
  const at = `${where}, tenancy`
  if (!collections.some((c) => c.name === tenancy.collection)) throw new DeclarationError(at, `collection "${tenancy.collection}" is not declared`)
  const scoped = collections.filter((c) => c.references.some((ref) => ref.path === tenancy.field && !ref.many && ref.collection === tenancy.collection))
  if (!scoped.length) throw new DeclarationError(at, `no collection has a field "${tenancy.field}" referencing "${tenancy.collection}"`)
}

/** At most this many periods in one chart (each is a count per series). */
export const MAX_CHART_PERIODS = 60

/** Each dashboard chart names a declared collection, an enum `by`, a date-time `over` with a sane range; names unique. */
function checkDashboard(where: string, charts: DashboardChartInput[], collections: Collection[]) {
  const names = new Set<string>()
  for (const chart of charts) {
    const at = `${where}, dashboard chart "${chart?.name}"`
    if (!NAME.test(chart?.name ?? '')) throw new DeclarationError(at, 'name must be lower-case letters, digits and dashes')
    if (names.has(chart.name)) throw new DeclarationError(at, 'is declared twice')
    names.add(chart.name)
    const collection = collections.find((c) => c.name === chart.collection)
    if (!collection) throw new DeclarationError(at, `collection "${chart.collection}" is not declared`)
    const field = (name: string) => collection.schema.properties?.[name] as TSchema | undefined
    if (chart.by !== undefined && !Array.isArray(field(chart.by)?.enum)) throw new DeclarationError(at, `by: "${chart.by}" is not an Enum field of ${collection.name}`)
    if (chart.over) {
      const { field: path, per, from, to } = chart.over
      if (field(path)?.format !== 'date-time') throw new DeclarationError(at, `over: "${path}" is not a DateTime field of ${collection.name}`)
      if (!['day', 'week', 'month'].includes(per)) throw new DeclarationError(at, 'over.per must be day, week or month')
      if (!Number.isInteger(from) || !Number.isInteger(to) || from > to || to - from + 1 > MAX_CHART_PERIODS) {
        throw new DeclarationError(at, `over.from and over.to must be whole numbers, from <= to, at most ${MAX_CHART_PERIODS} periods`)
      }
    }
  }
}

/**
 * A seeded permission names an action and a subject the engine checks: any other would be a rule that grants
 * nothing (`remove` where the engine checks `delete`, a misspelt collection), found only when someone is refused.
 */
function checkPermissionNames(permissions: PermissionInput[], collections: Collection[], where: string) {
  const vocabulary = permissionVocabulary(collections)
  for (const { PermissionName, Action, Subject } of permissions) {
    const problem = actionProblem(Action, vocabulary) ?? subjectProblem(Subject, vocabulary)
    if (problem) throw new DeclarationError(where, `permission "${PermissionName}": ${problem}`)
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
  checkPermissionNames(input.permissions, collections, where)
  const roleNames = new Set(input.roles.map((r) => r.RoleName))
  checkWorkflowNames(collections, roleNames)
  checkCounts(collections)
  checkConversations(collections, authCollections[0])
  const byName = new Map(collections.map((c) => [c.name, c]))
  for (const c of collections) {
    if (c.document) checkDocument(c, byName)
    if (c.publicLookup) checkPublicLookup(c, byName)
  }
  const signUp = authCollections[0].auth?.signUp
  for (const role of signUp?.roles ?? []) if (!roleNames.has(role)) throw new DeclarationError(where, `signUp names unknown role "${role}"`)
  for (const provider of authCollections[0].auth?.oauth ?? []) if (provider.role && !roleNames.has(provider.role)) throw new DeclarationError(where, `oauth provider "${provider.name}" names unknown role "${provider.role}"`)
  for (const create of signUp?.creates ?? []) if (!names.has(create.collection)) throw new DeclarationError(where, `signUp creates records of unknown collection "${create.collection}"`)
  if (!roleNames.has(input.adminRole)) throw new DeclarationError(where, `adminRole "${input.adminRole}" is not a declared role`)
  if (input.anonymousRole && !roleNames.has(input.anonymousRole)) throw new DeclarationError(where, `anonymousRole "${input.anonymousRole}" is not a declared role`)
  const schedules = input.schedules ?? []
  const scheduleNames = new Set<string>()
  for (const schedule of schedules) {
    checkSchedule(where, schedule)
    if (scheduleNames.has(schedule.name)) throw new DeclarationError(where, `schedule "${schedule.name}" is declared twice`)
    scheduleNames.add(schedule.name)
  }
  if (input.tenancy) checkTenancy(where, input.tenancy, collections)
  checkDashboard(where, input.dashboard ?? [], collections)
  return { ...input, collections, schedules, users: authCollections[0] }
}

/** A connector's declared `action`: queues a sync of the record now, for a caller who may run it on that record. */
function connectorAction(input: CollectionInput): Record<string, ActionInput> {
  const name = input.connector?.action
  if (!name) return {}
  return {
    [name]: {
      data: Type.Object({}),
      description: 'Queues a sync of this record with its providers now; its log records follow.',
      run: ({ app, record, params }) => app.connectors.queue(input.name, record, params)
    }
  }
}
