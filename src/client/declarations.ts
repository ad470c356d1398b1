// The `index.d.ts` of a blueprint's client: every service typed from the collection's derived JSON Schemas.
import { propertyQuerySchema } from '../schemas/query.js'
import type { Blueprint, Collection, JsonSchema } from '../schemas/types.js'
import { accountServices, actionInputSchema, lookupServices, signalServices } from '../openapi/schemas.js'
import { typeNames, type CollectionTypeNames } from './names.js'
import { auditCollection } from '../services/audit.js'
import { declareType, docComment, propertyKey, typeOf, type EmitOptions } from './typescript.js'

/** Standard Feathers service events; each carries the record. */
export const RECORD_EVENTS = ['created', 'updated', 'patched', 'removed']

/** Key-order independent equality of two schemas. */
function sameSchema(a: unknown, b: unknown): boolean {
  const canonical = (value: any): any =>
    Array.isArray(value) ? value.map(canonical) : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])])) : value
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

/** A field's query schema is exactly what `propertyQuerySchema` makes of its value: name it `FieldQuery<T>` (`TextQuery<T>` for free text). */
type Alias = NonNullable<EmitOptions['alias']>

const fieldQueryAlias: Alias = (schema, emit) => {
  const value = schema.anyOf?.[0]
  if (!value) return undefined
  if (sameSchema(schema, propertyQuerySchema(value))) return `FieldQuery<${emit(value)}>`
  return sameSchema(schema, propertyQuerySchema(value, { text: true })) ? `TextQuery<${emit(value)}>` : undefined
}

/** `FieldQuery<T>` and `TextQuery<T>`, emitted from the engine's own operator schema so a new operator is a new type member. */
function fieldQueryDeclaration(): string {
  const parameter = { 'x-type-parameter': 'T' }
  const emit = (text: boolean) => typeOf(propertyQuerySchema(parameter, { text }), { direction: 'input', alias: (s) => s['x-type-parameter'] })
  return [
    `/** A field in a query: a value to match, or operators (\`$gt\`, \`$in\`, …) the field allows. */\nexport type FieldQuery<T> = ${emit(false)}\n`,
    `/** A free-text field in a query: as \`FieldQuery<T>\`, and \`$icontains\` (contains this text, ignoring case). */\nexport type TextQuery<T> = ${emit(true)}\n`
  ].join('\n')
}

function queryDeclarations(collection: Collection, names: CollectionTypeNames): string {
  const properties = collection.querySchema.properties as Record<string, JsonSchema>
  const pick = (operator: boolean) => Object.fromEntries(Object.entries(properties).filter(([key]) => key.startsWith('$') === operator))
  const fields = { type: 'object', properties: pick(false), additionalProperties: false }
  const controls = { type: 'object', properties: pick(true), additionalProperties: false }
  const clauseAlias: Alias = (schema, emit) => fieldQueryAlias(schema, emit) ?? (sameSchema(schema, fields) ? names.queryFields : undefined)
  return [
    declareType(names.queryFields, { ...fields, description: `Conditions on ${collection.name} fields (dotted paths reach into sub-objects and arrays).` }, { direction: 'input', alias: fieldQueryAlias }),
    declareType(names.query, { ...controls, description: `Query of ${collection.name}: conditions, paging, sorting, field selection.` }, { direction: 'input', alias: clauseAlias }, names.queryFields)
  ].join('\n')
}

function serviceDeclaration(collection: Collection, names: CollectionTypeNames): string {
  const params = `Params<${names.query}>`
  const lines = [
    `${docComment({ description: `The \`${collection.name}\` service.${collection.description ? ` ${collection.description}` : ''}` }, '')}export interface ${names.service}`,
    `  extends QuillbaseService<${names.result}, ${names.data}, ${names.patch}, ${names.query}> {`
  ]
  for (const [action, definition] of Object.entries(collection.actions)) {
    lines.push(`${docComment({ description: definition.description }, '  ')}  ${propertyKey(action)}(data: ${names.actions[action]}, params?: ${params}): Promise<${names.result}>`)
  }
  const listener = (verb: string) => `  ${verb}<E extends keyof ${names.events}>(event: E, listener: (data: ${names.events}[E]) => void): this`
  lines.push('  /** Realtime events (over Socket.io), each with what the receiver may read. */', listener('on'), listener('once'), listener('off'), '}')
  return lines.join('\n') + '\n'
}

function eventsDeclaration(collection: Collection, names: CollectionTypeNames): string {
  const lines = RECORD_EVENTS.map((event) => `  ${event}: ${names.result}`)
  // A signal's event carries its declared data; other custom events are declared by name only.
  for (const event of collection.events) lines.push(`  ${propertyKey(event)}: ${names.signals[event]?.event ?? 'unknown'}`)
  return `/** Events of \`${collection.name}\` and what each carries. */\nexport interface ${names.events} {\n${lines.join('\n')}\n}\n`
}

function collectionDeclarations(collection: Collection, names: CollectionTypeNames): string {
  const label = `${collection.label}${collection.description ? `: ${collection.description}` : ''}`
  const parts = [
    `// ── ${collection.name} ${'─'.repeat(Math.max(3, 70 - collection.name.length))}\n`,
    declareType(names.result, { ...collection.resultSchema, description: `${label} (as returned; secret fields are never sent).` }, { direction: 'output' }),
    declareType(names.data, { ...collection.dataSchema, description: `Body of \`create\` and \`update\` on ${collection.name}.` }, { direction: 'input' }),
    declareType(names.patch, { ...collection.patchSchema, description: `Body of \`patch\` on ${collection.name}: any subset of the fields.` }, { direction: 'input', sentBack: true }),
    queryDeclarations(collection, names),
    ...Object.entries(collection.actions).map(([action, definition]) =>
      declareType(names.actions[action], { ...actionInputSchema(definition), description: `Input of \`${action}\` on ${collection.name}.` }, { direction: 'input' })
    ),
    eventsDeclaration(collection, names),
    serviceDeclaration(collection, names)
  ]
  return parts.join('\n')
}

/**
 * The methods every collection service has. Declared here rather than as Feathers' `ClientService` because its
 * `patch`/`remove` overloads list `NullableId` first, which types `patch(id, …)` as `Result | Result[]`.
 * No `update(null, …)`: the engine refuses to replace many records.
 */
const SERVICE_DECLARATION = `/** The methods of every collection service: single-record calls by id, multi-record calls with id null and a query. */
export interface QuillbaseService<Result, Data, PatchData, Query> {
  find(params?: Params<Query>): Promise<Paginated<Result>>
  get(id: Id, params?: Params<Query>): Promise<Result>
  create(data: Data, params?: Params<Query>): Promise<Result>
  create(data: Data[], params?: Params<Query>): Promise<Result[]>
  update(id: Id, data: Data, params?: Params<Query>): Promise<Result>
  patch(id: Id, data: PatchData, params?: Params<Query>): Promise<Result>
  patch(id: null, data: PatchData, params?: Params<Query>): Promise<Result[]>
  remove(id: Id, params?: Params<Query>): Promise<Result>
  remove(id: null, params?: Params<Query>): Promise<Result[]>
}
`

/** The account services the user collection declares (`sign-up`, …): their body, answer and one `create`. */
function accountDeclarations(blueprint: Blueprint, userResult: string) {
  const alias: Alias = (schema) => schema['x-type-name']
  const declared = accountServices(blueprint, { 'x-type-name': userResult })
  const text = declared
    .map(({ path, type, data, result }) =>
      [
        declareType(`${type}Data`, data, { direction: 'input' }),
        declareType(`${type}Result`, result, { direction: 'output', alias }),
        `/** \`POST /${path}\` (no token needed). */\nexport interface ${type}Service {\n  create(data: ${type}Data, params?: Params): Promise<${type}Result>\n}\n`
      ].join('\n')
    )
    .join('\n')
  return { text, entries: declared.map(({ path, type }) => `  ${JSON.stringify(path)}: ${type}Service`) }
}

/** Each declared public lookup (`certificates/verify`): its answer and one `get` by the code. */
function lookupDeclarations(blueprint: Blueprint, names: Map<string, CollectionTypeNames>) {
  const declared = lookupServices(blueprint).map((lookup) => ({ ...lookup, type: names.get(lookup.collection.name)!.lookup! }))
  const text = declared
    .map(({ route, by, result, type }) =>
      [
        declareType(type.result, result, { direction: 'output' }),
        `/** \`GET /${route}/:${by}\` (no token needed). */\nexport interface ${type.service} {\n  get(${by}: string, params?: Params): Promise<${type.result}>\n}\n`
      ].join('\n')
    )
    .join('\n')
  return { text, entries: declared.map(({ route, type }) => `  ${JSON.stringify(route)}: ${type.service}`) }
}

/** Each declared signal (`chats/typing`): what is sent, what the others receive, and one `create`. */
function signalDeclarations(blueprint: Blueprint, names: Map<string, CollectionTypeNames>) {
  const declared = signalServices(blueprint).map((signal) => ({ ...signal, type: names.get(signal.collection.name)!.signals[signal.name] }))
  const text = declared
    .map(({ path, data, event, type }) =>
      [
        declareType(type.data, data, { direction: 'input' }),
        declareType(type.event, event, { direction: 'output' }),
        `/** \`POST /${path}\`: relayed to the record's other readers as an event, never stored. */\nexport interface ${type.service} {\n  create(data: ${type.data}, params?: Params): Promise<${type.event}>\n}\n`
      ].join('\n')
    )
    .join('\n')
  return { text, entries: declared.map(({ path, type }) => `  ${JSON.stringify(path)}: ${type.service}`) }
}

/** The audit log (`GET /audit-log`): its entries, their query, and a service of `find` and `get` only (append-only). */
function auditDeclarations(blueprint: Blueprint) {
  const audit = auditCollection(365)
  const names = typeNames([...blueprint.collections, audit]).get(audit.name)!
  const text = [
    `// ── ${audit.name} ${'─'.repeat(70 - audit.name.length)}\n`,
    declareType(names.result, { ...audit.resultSchema, description: `An entry of the audit log: ${audit.description}` }, { direction: 'output' }),
    queryDeclarations(audit, names),
    `${docComment({ description: 'The audit log, read only: an Admin finds every entry; anyone else the history of a record they may read (`collection` and `recordId` in the query), only the changes of fields they may read.' }, '')}export interface ${names.service} {
  find(params?: Params<${names.query}>): Promise<Paginated<${names.result}>>
  get(id: Id, params?: Params<${names.query}>): Promise<${names.result}>
}
`
  ].join('\n')
  return { text, entries: [`  ${JSON.stringify(audit.name)}: ${names.service}`] }
}

export function clientDeclarations(blueprint: Blueprint): string {
  const names = typeNames(blueprint.collections)
  const user = names.get(blueprint.users.name)!
  const accounts = accountDeclarations(blueprint, user.result)
  const lookups = lookupDeclarations(blueprint, names)
  const signals = signalDeclarations(blueprint, names)
  const audit = auditDeclarations(blueprint)
  const services = [...blueprint.collections.map((c) => `  ${JSON.stringify(c.name)}: ${names.get(c.name)!.service}`), ...accounts.entries, ...lookups.entries, ...signals.entries, ...audit.entries].join('\n')
  return `// Generated by quillbase from blueprint "${blueprint.name}" ${blueprint.version}. Do not edit: run \`npm run build:client\`.
import type { Application, Id, Paginated, Params, TransportConnection } from '@feathersjs/feathers'
import type { AuthenticationClientOptions } from '@feathersjs/authentication-client'
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client'

export type { Id, Paginated, Params }

${fieldQueryDeclaration()}
${SERVICE_DECLARATION}
${blueprint.collections.map((c) => collectionDeclarations(c, names.get(c.name)!)).join('\n')}
${accounts.text}
${lookups.text}
${signals.text}
${audit.text}
// ── client ${'─'.repeat(68)}

/** Every service of the "${blueprint.name}" blueprint by path. */
export interface ServiceTypes {
${services}
}

/** \`POST /authentication\` with the local strategy. */
export interface LoginCredentials {
  email: string
  password: string
}

export interface AuthenticationResult {
  accessToken: string
  authentication: { strategy: string; accessToken?: string; payload?: Record<string, unknown> }
  user: ${user.result}
}

/** A Feathers client application typed for this blueprint. */
export interface QuillbaseClient extends Application<ServiceTypes> {
  /** Logs in with email and password; the token is stored for \`reAuthenticate\` and sent with every call. */
  login(credentials: LoginCredentials, params?: Params): Promise<AuthenticationResult>
  /** Authenticates with any strategy (\`local\`, \`jwt\`). */
  authenticate(authentication?: { strategy: string; [key: string]: unknown }, params?: Params): Promise<AuthenticationResult>
  /** Authenticates again with the stored token (e.g. after a page reload). */
  reAuthenticate(force?: boolean, strategy?: string, authParams?: Params): Promise<AuthenticationResult>
  /** Forgets the token on both sides. */
  logout(): Promise<AuthenticationResult | null>
}

/** How each service is exposed: methods (declared actions included) and custom events. */
export interface ServiceDescription {
  methods: readonly string[]
  events: readonly string[]
}

export declare const blueprint: { readonly name: ${JSON.stringify(blueprint.name)}; readonly version: ${JSON.stringify(blueprint.version)} }
export declare const services: { readonly [Path in keyof ServiceTypes]: ServiceDescription }

/** A client over a connection (\`restConnection\` or \`socketConnection\`), with authentication. */
export declare function createClient(connection: TransportConnection<ServiceTypes>, authenticationOptions?: Partial<AuthenticationClientOptions>): QuillbaseClient
/** A REST connection using \`fetch\` (the browser's, or Node's own). */
export declare function restConnection(url: string, fetch?: typeof globalThis.fetch): TransportConnection<ServiceTypes>
/** A Socket.io connection (realtime events); give a URL or a socket made with \`io()\`. */
export declare function socketConnection(socket: string | Socket, options?: Partial<ManagerOptions & SocketOptions>): TransportConnection<ServiceTypes>
`
}
