// The JSON Schemas of the HTTP API beyond a collection's own: action inputs, pages, errors, authentication; and 2020-12 clean-up.
import { ACCOUNT_PATHS } from '../schemas/sanitize.js'
import { lookupSource } from '../schemas/outputs.js'
import type { Blueprint, Collection, JsonSchema } from '../schemas/types.js'
import { actionInputSchema } from '../schemas/actions.js'

/** A declared action takes the record's `id` beside its own input; the engine validates with the same schema. */
export { actionInputSchema }

/** What `find` answers: one page and the count of every match. */
export const listSchema = (items: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: {
    total: { type: 'integer', minimum: 0, description: 'Records matching the query, all pages together' },
    limit: { type: 'integer', minimum: 0 },
    skip: { type: 'integer', minimum: 0 },
    data: { type: 'array', items }
  },
  required: ['total', 'limit', 'skip', 'data'],
  additionalProperties: false
})

/** A Feathers error as every endpoint answers it (`FeathersError#toJSON`). */
export const errorSchema: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', examples: ['BadRequest'] },
    message: { type: 'string' },
    code: { type: 'integer', minimum: 400, maximum: 599 },
    className: { type: 'string', examples: ['bad-request'] },
    data: { description: 'Details; for invalid input `{ field: message }`' },
    errors: { description: 'More details, when the error has them' }
  },
  required: ['name', 'message', 'code', 'className'],
  additionalProperties: false
}

/** `POST /authentication`: local (email + password) or a JWT to re-authenticate. */
export function authenticationRequestSchema(users: Collection): JsonSchema {
  const properties = users.dataSchema.properties as Record<string, JsonSchema>
  return {
    oneOf: [
      {
        title: 'local',
        type: 'object',
        properties: { strategy: { const: 'local' }, email: { ...properties.email }, password: { type: 'string', writeOnly: true } },
        required: ['strategy', 'email', 'password'],
        additionalProperties: false
      },
      {
        title: 'jwt',
        type: 'object',
        properties: { strategy: { const: 'jwt' }, accessToken: { type: 'string' } },
        required: ['strategy', 'accessToken'],
        additionalProperties: false
      }
    ]
  }
}

export const authenticationResultSchema = (user: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: {
    accessToken: { type: 'string', description: 'JWT for `Authorization: Bearer` and Socket.io authentication' },
    authentication: {
      type: 'object',
      properties: { strategy: { type: 'string' }, accessToken: { type: 'string' }, payload: { type: 'object' } },
      required: ['strategy']
    },
    user
  },
  required: ['accessToken', 'authentication', 'user']
})

const pick = (schema: JsonSchema, fields: string[]) => ({
  properties: Object.fromEntries(fields.filter((f) => schema.properties?.[f]).map((f) => [f, schema.properties[f]])),
  required: (schema.required ?? []).filter((f: string) => fields.includes(f))
})

/** `POST /sign-up`: the user's open fields, the role (one of the open roles), and each created record's open fields under its key. */
export function signUpRequestSchema(users: Collection, collections: Collection[]): JsonSchema {
  const { roleField, roleBy, signUp } = users.auth!
  const own = pick(users.dataSchema, ['email', 'password', ...signUp!.fields])
  const properties: Record<string, JsonSchema> = { ...own.properties, [roleField]: roleBy === 'name' ? { enum: signUp!.roles } : { type: 'string', description: `Id of a role: ${signUp!.roles.join(', ')}` } }
  for (const create of signUp!.creates) {
    if (!create.from) continue
    const target = collections.find((c) => c.name === create.collection)!
    properties[create.from] = { type: 'object', ...pick(target.dataSchema, create.fields ?? []), additionalProperties: false, description: `Fields of the new ${target.label.toLowerCase()} record` }
  }
  return { type: 'object', properties, required: [...new Set(['email', 'password', ...own.required, ...(signUp!.roles.length > 1 ? [roleField] : [])])], additionalProperties: false }
}

/** `POST /password-recovery`: the account's e-mail address. */
export const passwordRecoveryRequestSchema: JsonSchema = { type: 'object', properties: { email: { type: 'string', format: 'email', maxLength: 320 } }, required: ['email'], additionalProperties: false }

/** `POST /password-reset`: the mailed token, or the e-mail address and the security answer; with the new password. */
export function passwordResetRequestSchema(users: Collection): JsonSchema {
  const { securityQuestion, emailToken } = users.auth!.recovery!
  const password = { type: 'string', writeOnly: true, description: 'The new password' }
  const ways = [
    emailToken && { title: 'token', type: 'object', properties: { token: { type: 'string', description: 'From the reset mail' }, password }, required: ['token', 'password'], additionalProperties: false },
    securityQuestion && {
      title: 'security question',
      type: 'object',
      properties: { email: { type: 'string', format: 'email' }, answer: { type: 'string', writeOnly: true }, password },
      required: ['email', 'answer', 'password'],
      additionalProperties: false
    }
  ].filter(Boolean) as JsonSchema[]
  return ways.length > 1 ? { oneOf: ways } : ways[0]
}

/** One account service the user collection declares: one `create`, its body and answer. */
export interface AccountService {
  path: string
  /** Base of its type names: `SignUp` → `SignUpRequest`/`SignUpResult` (OpenAPI), `SignUpData`/`SignUpResult` (client). */
  type: string
  data: JsonSchema
  result: JsonSchema
}

const messageResult = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({ type: 'object', properties: { message: { type: 'string' }, ...extra }, required: ['message'] })

/** `POST /sign-up`, `/password-recovery`, `/password-reset` where declared: one list for the OpenAPI document and the typed client. */
export function accountServices(blueprint: Blueprint, user: JsonSchema): AccountService[] {
  const { signUp, recovery } = blueprint.users.auth ?? {}
  const services: AccountService[] = []
  if (signUp) {
    const result = authenticationResultSchema(user)
    services.push({
      path: ACCOUNT_PATHS.signUp,
      type: 'SignUp',
      data: signUpRequestSchema(blueprint.users, blueprint.collections),
      result: { ...result, properties: { ...result.properties, records: { type: 'object', description: 'The records created with the user, by collection' } } }
    })
  }
  if (recovery) {
    const question = recovery.securityQuestion && { securityQuestion: { type: 'string', description: 'To answer in POST /password-reset (a made-up one for an unknown address)' } }
    services.push(
      {
        path: ACCOUNT_PATHS.recovery,
        type: 'PasswordRecovery',
        data: passwordRecoveryRequestSchema,
        result: messageResult(question)
      },
      { path: ACCOUNT_PATHS.reset, type: 'PasswordReset', data: passwordResetRequestSchema(blueprint.users), result: messageResult() }
    )
  }
  return services
}

/** One collection's public lookup (`GET /<route>/:code`): its route, code field and answer, for the OpenAPI document and the typed client. */
export interface LookupService {
  collection: Collection
  route: string
  by: string
  result: JsonSchema
}

/** The answer of each declared `publicLookup`: the declared fields with their schemas (as the holding collection returns them) and `expired`. */
export function lookupServices(blueprint: Blueprint): LookupService[] {
  const byName = new Map(blueprint.collections.map((c) => [c.name, c]))
  return blueprint.collections
    .filter((collection) => collection.publicLookup)
    .map((collection) => {
      const { route, by, fields, expires } = collection.publicLookup!
      const properties: Record<string, JsonSchema> = {}
      const required: string[] = []
      for (const [name, path] of Object.entries(fields)) {
        const source = lookupSource(collection, byName, path)!
        const { readOnly: _readOnly, default: _default, ...schema } = source.collection.resultSchema.properties[source.field]
        properties[name] = schema
        const always = (owner: Collection, field: string) => owner.resultSchema.required.includes(field)
        if (always(source.collection, source.field) && (!source.via || always(collection, source.via))) required.push(name)
      }
      properties.expired = { type: 'boolean', description: expires ? `True once ${expires} has passed` : 'Always false: nothing expires' }
      const result = { type: 'object', description: `What anyone may read of a record of ${collection.name}, found by its ${by}`, properties, required: [...required, 'expired'], additionalProperties: false }
      return { collection, route, by, result }
    })
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'])
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems', 'items'])
const SCHEMAS = new Set(['items', 'additionalItems', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'])

/** Rebuilds a schema bottom-up, calling `change` on every sub-schema (keywords known, so a field named `enum` is still a field). */
function mapSchema(schema: JsonSchema, change: (schema: JsonSchema) => JsonSchema): JsonSchema {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema
  const copy: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(key) && value && typeof value === 'object') copy[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSchema(v as JsonSchema, change)]))
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) copy[key] = value.map((v) => mapSchema(v, change))
    else if (SCHEMAS.has(key)) copy[key] = mapSchema(value, change)
    else copy[key] = value
  }
  return change(copy)
}

/** In what a caller reads, a masked field (`x-mask`) may be `98******21`: its pattern and format describe only the stored value. */
export const maskedForReaders = (schema: JsonSchema): JsonSchema =>
  mapSchema(schema, (s) => {
    if (!s['x-mask']) return s
    const { pattern: _pattern, format: _format, ...rest } = s
    return { ...rest, description: [s.description, 'Shown masked (e.g. `98******21`) to callers who may not unmask it.'].filter(Boolean).join(' ') }
  })

/**
 * A derived schema as a JSON Schema 2020-12 fragment: no `$id` (it would re-base `$ref`s),
 * draft-07 tuples (`items: [...]` + `additionalItems`, as TypeBox 0.25 writes them) as `prefixItems` + `items`.
 */
export const toOpenApiSchema = (schema: JsonSchema): JsonSchema =>
  mapSchema(schema, ({ $id: _id, additionalItems, ...s }) => {
    if (!Array.isArray(s.items)) return s
    const { items, ...rest } = s
    return additionalItems === undefined ? { ...rest, prefixItems: items } : { ...rest, prefixItems: items, items: additionalItems }
  })

/** What a caller sends: a field with a default may be left out (the server fills it), so it is not required. */
export const requestSchema = (schema: JsonSchema): JsonSchema =>
  mapSchema(schema, (s) => {
    if (!Array.isArray(s.required) || !s.properties) return s
    const required = s.required.filter((name: string) => s.properties[name]?.default === undefined)
    const { required: _required, ...rest } = s
    return required.length ? { ...rest, required } : rest
  })

/** One declared signal (`POST /<collection>/<name>`): what the sender sends and what the record's other readers receive. */
export interface SignalService {
  collection: Collection
  name: string
  path: string
  data: JsonSchema
  event: JsonSchema
}

/** The signals of every collection, for the OpenAPI document and the typed client. */
export function signalServices(blueprint: Blueprint): SignalService[] {
  return blueprint.collections.flatMap((collection) =>
    Object.entries(collection.signals).map(([name, signal]) => {
      const data = actionInputSchema({ data: signal.data, description: signal.description })
      data.properties.id = { ...data.properties.id, description: `Id of the record of ${collection.name} the signal is about` }
      const event: JsonSchema = {
        type: 'object',
        description: `The \`${collection.name} ${name}\` event, sent to every other connection that may read the record`,
        properties: { ...data.properties, from: { type: 'string', description: 'Id of the sender' } },
        required: [...data.required, 'from'],
        additionalProperties: false
      }
      return { collection, name, path: `${collection.name}/${name}`, data, event }
    })
  )
}
