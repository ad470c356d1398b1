// Bad input never gets a 500. For each blueprint, requests are generated from its OpenAPI document (every collection,
// action, signal, lookup and engine route it lists) plus the routes it does not list (files, audit log, exports), broken
// in the ways a careless frontend or an attacker breaks them, sent over real HTTP and Socket.io as the blueprint's admin
// and anonymously. Each must get a Feathers error (a refusal status, name/message/code, no stack, no internal path), and
// no stored record may change. Long for a test file: the generators and their runner belong together.
import assert from 'node:assert/strict'
import { Ajv, addFormats } from '@feathersjs/schema'
import { io } from 'socket.io-client'
import { login, startServer, type TestServer } from '../helpers.js'
import { deref, sample } from '../openapi/requests.js'

type Schema = Record<string, any>
type Rec = Record<string, any>

const ADMINS: Record<string, string> = {
  appointments: 'admin@example.com',
  society: 'superadmin@example.com',
  calendar: 'admin@example.com',
  mentoring: 'admin@example.com',
  programmes: 'admin@example.com'
}
const PASSWORD = 'quillbase-demo'
const REFUSALS = new Set([400, 401, 403, 404, 405, 409, 413, 415, 422, 429])
/** What an answer must not carry: a stack, a source position, a file system path. */
const LEAKS = /"stack"|node_modules|\.[cm]?[jt]s:\d+|\bat [\w.<>]+ \(|\/work\/|\/tmp\/|\/home\//
const CONCURRENCY = 24
const REQUEST_TIMEOUT = 10_000
const MISSING_ID = '0'.repeat(24)

/** A request to send; `raw` bodies go as they are, with `type` as their content type. */
interface Probe {
  method: string
  path: string
  raw?: string
  type?: string
  headers?: Record<string, string>
  /** Sent anonymously too (every probe goes out as the blueprint's admin). */
  anonymous?: boolean
}

const json = (value: unknown) => ({ raw: JSON.stringify(value), type: 'application/json' })
const nested = (depth: number): unknown => (depth ? { a: nested(depth - 1) } : 1)

/** Values of every JSON kind, out of range and oversized; a field gets those its schema refuses. */
const CANDIDATES: unknown[] = ['NaN', '', 'x'.repeat(20_000), -1, 1.5, 1e308, true, null, { $gt: '' }, ['x'], nested(40)]
/** A number JSON can write but a double cannot hold: `JSON.parse` makes it Infinity. */
const HUGE = ['1e999']

const ajv = new Ajv({ strict: false, allErrors: false })
addFormats(ajv, ['date-time', 'date', 'time', 'email', 'uri', 'uuid', 'ipv4', 'ipv6', 'hostname'])
const refuses = (schema: Schema) => {
  const validate = ajv.compile(schema)
  return (value: unknown) => !validate(structuredClone(value))
}

/** Wrong values for one field, each as the JSON text to put in its place. */
function wrongValues(document: Schema, schema: Schema): string[] {
  schema = deref(document, schema)
  const refused = refuses(schema)
  const values = CANDIDATES.filter(refused).map((value) => JSON.stringify(value))
  if (['number', 'integer'].includes(schema.type)) values.push(...HUGE)
  // One level down: a wrong value inside an otherwise whole object, or inside the one item of an array.
  const item = schema.type === 'array' ? deref(document, schema.items ?? {}) : undefined
  const inner = schema.type === 'object' ? schema : item?.type === 'object' ? item : undefined
  for (const [key, sub] of Object.entries<Schema>(inner?.properties ?? {})) {
    const [wrong] = CANDIDATES.filter(refuses(deref(document, sub)))
    if (wrong === undefined) continue
    const whole = { ...(sample(inner!, { document, ids: {}, seed: 'bad' }) as Rec), [key]: wrong }
    values.push(JSON.stringify(item ? [whole] : whole))
  }
  return values
}

const parsed = (text: string) => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `body` with one field's JSON text replaced. */
const withField = (body: Rec, field: string, text: string) => {
  const { [field]: _, ...rest } = body
  const others = JSON.stringify(rest)
  return `${others.slice(0, -1)}${others.length > 2 ? ',' : ''}${JSON.stringify(field)}:${text}}`
}

/** For each field of `schema`: bodies with that field wrong, the rest as in `base`. */
function fieldMutations(document: Schema, schema: Schema, base: Rec): string[] {
  schema = deref(document, schema)
  const bodies: string[] = []
  for (const [field, fieldSchema] of Object.entries<Schema>(schema.properties ?? {})) {
    for (const text of wrongValues(document, fieldSchema)) bodies.push(withField(base, field, text))
  }
  if (schema.additionalProperties === false) bodies.push(withField(base, 'no_such_field', '1'))
  return bodies
}

/** Bodies broken before any field is looked at: unparsable, of the wrong JSON kind, of the wrong content type. */
const BROKEN_BODIES: Array<{ raw: string; type?: string; headers?: Record<string, string> }> = [
  { raw: '{"a":', type: 'application/json' },
  { raw: 'not json', type: 'application/json' },
  { raw: '', type: 'application/json' },
  ...['null', '"text"', '42', 'true', '[1,2]', '[[]]', '{"_id":{"$gt":""}}'].map((raw) => ({ raw, type: 'application/json' })),
  { raw: `${'['.repeat(50_000)}${']'.repeat(50_000)}`, type: 'application/json' },
  { raw: `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`, type: 'application/json' },
  { raw: '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}', type: 'application/json' },
  { raw: '\uFEFF{}', type: 'application/json' },
  { raw: '{}', type: 'application/json; charset=utf-16' },
  { raw: '{}', type: 'text/plain' },
  { raw: '<a/>', type: 'application/xml' },
  { raw: 'a=1&b[$gt]=2&__proto__[x]=1', type: 'application/x-www-form-urlencoded' },
  { raw: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', type: 'multipart/form-data; boundary=x' },
  { raw: 'not gzip', type: 'application/json', headers: { 'content-encoding': 'gzip' } },
  { raw: '{}', type: 'application/json', headers: { 'content-encoding': 'compress' } }
]

/** Broken bodies koa-body hands on as `{}`. */
const READ_AS_EMPTY = new Set(['', '\uFEFF{}', '{}'])

const BAD_IDS = ['%00', '..%2f..%2fetc%2fpasswd', 'a'.repeat(5000), 'z'.repeat(24), '%E0%A4%A', "'%20OR%201=1--", '%7B%22%24gt%22%3A%22%22%7D', '[object%20Object]', MISSING_ID]

/** Queries with operators of the wrong shape, on a field `field` of the collection. */
const badQueries = (field: string) => [
  '$limit=-1', '$limit=abc', '$limit[$gt]=1', '$limit=1&$limit=2', '$skip=1e309', '$skip=99999999999999999999', '$skip=-5', '$skip=abc',
  `$sort[${field}]=2`, `$sort[${field}]=abc`, '$sort=text', `$sort[${field}][$gt]=1`,
  '$or=text', '$or[0]=x', '$and=1', `$or[0][${field}][$where]=1`,
  `${field}[$in][a]=1`, `${field}[$gt][$gt]=1`, `${field}[$ne][$ne]=1`, `${field}[$exists]=maybe`,
  '$select[]=no_such_field', '$select[$gt]=1', '$where=1', `${field}[$where]=sleep(1000)`,
  `${field}[$regex]=(a%2B)%2B%24`, `${field}[$regex]=[`, `${field}[$options]=x`, '$populate=x',
  'no_such_field[$gt]=1', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1',
  `${field}${'[a]'.repeat(30)}=1`, `${field}[$in][99999]=x`, `${field}[$in][0][$in]=x`, 'toString=1', `$sort[${field}]=1&$sort[hasOwnProperty]=1`
]
/** Queries a multi patch or remove, or an export, must refuse rather than read as "every record". */
const badMultiQueries = (field: string) => ['$limit=abc', '$or=text', `${field}[$in][a]=1`, `${field}[$gt][$gt]=1`, '$where=1', '__proto__[polluted]=1', `${field}[$regex]=[`]

const UNDECLARED_METHODS = ['nope', 'find', 'get', 'update', 'patch', 'remove', 'create', 'setup', 'teardown', 'hooks', '__proto__', 'constructor', 'toString', '_find', '_create', 'x'.repeat(300)]

/**
 * Every `n`th item, starting at `turn`: each collection takes its share of a long list of variants and the next
 * collection the next share, so the blueprint as a whole sends every variant while no collection sends them all.
 */
const share = <T>(items: T[], n: number, turn: number) => items.filter((_, i) => i % n === turn % n)

/** What can be sent wrong to one collection of the document; `turn` (its position) picks its share of the variants. */
function collectionProbes(document: Schema, path: string, item: Rec, record: Rec | undefined, turn: number): Probe[] {
  const probes: Probe[] = []
  const add = (probe: Probe, anonymous = false) => probes.push({ ...probe, anonymous })
  const dataSchema = deref(document, item.post?.requestBody?.content['application/json'].schema.oneOf?.[0] ?? {})
  const byId = document.paths[`${path}/{id}`] ?? {}
  const patchSchema = deref(document, byId.patch?.requestBody?.content['application/json'].schema ?? {})
  const base = pick(record ?? (sample(dataSchema, { document, ids: {}, seed: 'bad' }) as Rec) ?? {}, dataSchema)
  const id = record?._id ?? MISSING_ID
  const field = Object.keys(dataSchema.properties ?? {})[0] ?? 'name'
  share(badQueries(field), 3, turn).forEach((query, i) => add({ method: 'GET', path: `${path}?${query}` }, i % 2 === turn % 2))
  for (const query of share(badQueries(field), 9, turn)) add({ method: 'GET', path: `${path}/${id}?${query}` }, true)
  const byIdMethods = ['DELETE', byId.patch && 'PATCH', byId.put && 'PUT'].filter(Boolean) as string[]
  share(BAD_IDS, 3, turn).forEach((bad, i) => {
    add({ method: 'GET', path: `${path}/${bad}` }, true)
    const method = byIdMethods[(i + turn) % byIdMethods.length]
    add({ method, path: `${path}/${bad}`, ...(method === 'DELETE' ? {} : json(method === 'PUT' ? base : {})) }, i % 2 === 0)
  })
  const writes = [item.post && ['POST', path], byId.patch && ['PATCH', `${path}/${id}`], byId.put && ['PUT', `${path}/${id}`]].filter(Boolean) as string[][]
  // A create of `{}` (with a BOM, or in another charset) is a record of defaults where the schema requires no field: by
  // the schema's own terms, so it is left out there. No body at all is refused (400), and so is a replace with `{}`.
  const replacesWithDefaults = (method: string, body: { raw: string }) => method === 'POST' && !dataSchema.required?.length && READ_AS_EMPTY.has(body.raw) && body.raw !== ''
  writes.forEach(([method, target], w) =>
    share(BROKEN_BODIES, writes.length, turn + w)
      .filter((body) => !replacesWithDefaults(method, body))
      .forEach((body) => add({ method, path: target, ...body }, method === 'POST'))
  )
  // An array where one record is expected: always wrong for a patch or replace by id, and for a create that takes no batch.
  const takesBatch = item.post?.requestBody?.content['application/json'].schema.oneOf?.some((s: Schema) => s.type === 'array')
  if (item.post && !takesBatch) add({ method: 'POST', path, ...json([base]) })
  for (const [method, target] of writes.slice(1)) add({ method, path: target, ...json([base]) })
  // Each field's wrong values split between create, patch and replace.
  const created = item.post ? fieldMutations(document, dataSchema, base) : []
  for (const raw of share(created, 3, turn)) add({ method: 'POST', path, raw, type: 'application/json' })
  if (byId.patch) for (const raw of share(fieldMutations(document, patchSchema, {}), 3, turn + 1)) add({ method: 'PATCH', path: `${path}/${id}`, raw, type: 'application/json' })
  if (byId.put) for (const raw of share(created, 3, turn + 2)) add({ method: 'PUT', path: `${path}/${id}`, raw, type: 'application/json' })
  for (const query of badMultiQueries(field)) {
    if (item.patch) add({ method: 'PATCH', path: `${path}?${query}`, ...json({}) })
    if (item.delete) add({ method: 'DELETE', path: `${path}?${query}` }, true)
  }
  // An export reads every match, whatever `$limit` and `$skip` say (see services/exports.ts): those are not its input.
  const exportQueries = badMultiQueries(field).filter((query) => !/^\$(limit|skip)=/.test(query))
  for (const query of share(exportQueries, 2, turn)) for (const accept of ['text/csv', 'application/x-ndjson']) add({ method: 'GET', path: `${path}?${query}`, headers: { accept } }, true)
  if (item.post) {
    for (const name of share(UNDECLARED_METHODS, 4, turn)) add({ method: 'POST', path, ...json(base), headers: { 'x-service-method': name } }, true)
    for (const [name, action] of Object.entries<Rec>(item.post['x-actions'] ?? {})) {
      const schema = deref(document, action.schema)
      const headers = { 'x-service-method': name }
      const actionBase = { ...(sample(schema, { document, ids: {}, seed: 'bad' }) as Rec), id }
      for (const raw of fieldMutations(document, schema, actionBase)) add({ method: 'POST', path, raw, type: 'application/json', headers })
      for (const body of BROKEN_BODIES) add({ method: 'POST', path, ...body, headers })
      add({ method: 'POST', path, ...json({ ...actionBase, id: MISSING_ID }), headers }, true)
    }
  }
  return probes
}

/** The fields of `record` that `schema` takes as input (no ids, timestamps or read-only fields). */
function pick(record: Rec, schema: Schema): Rec {
  return Object.fromEntries(Object.entries(record).filter(([key]) => schema.properties?.[key] && !schema.properties[key].readOnly))
}

/** Paths that are no collection (engine routes, signals, lookups): their bodies and path parameters broken. */
function routeProbes(document: Schema, path: string, item: Rec): Probe[] {
  const probes: Probe[] = []
  for (const [verb, operation] of Object.entries<Rec>(item)) {
    if (!operation?.responses) continue
    const method = verb.toUpperCase()
    const params = (operation.parameters ?? []).map((p: Schema) => deref(document, p)).filter((p: Schema) => p.in === 'path')
    const targets = params.length ? BAD_IDS.map((bad) => params.reduce((at: string, p: Schema) => at.replace(`{${p.name}}`, bad), path)) : [path]
    // A JSON body is broken here; a multipart one (`POST /files`) has its own tests (test/services/files.test.ts).
    const jsonBody = operation.requestBody?.content?.['application/json']
    const schema = jsonBody && deref(document, jsonBody.schema)
    // Nothing to break in an operation with neither (a logout): sending it would only sign the admin out.
    if (params.length) for (const target of targets) probes.push({ method, path: target, anonymous: true, ...(schema ? json({}) : {}) })
    if (!schema) continue
    for (const variant of schema.oneOf ?? [schema]) {
      // A field with a pattern has no sample: the others are sent without it (a missing field is wrong input too).
      const variantBase = (sample(variant, { document, ids: {}, seed: 'bad' }) as Rec) ?? {}
      for (const raw of fieldMutations(document, variant, variantBase)) probes.push({ method, path, raw, type: 'application/json', anonymous: true })
    }
    for (const body of BROKEN_BODIES) probes.push({ method, path, ...body, anonymous: true })
  }
  return probes
}

/** The engine's routes (file uploads and downloads, the audit log, broken credentials), broken beyond what the document's schemas say. */
function engineProbes(document: Schema, firstCollection: string): Probe[] {
  const probes: Probe[] = []
  const add = (probe: Probe) => probes.push({ ...probe, anonymous: true })
  const multipart = (boundary: string, parts: string) => ({ raw: parts, type: `multipart/form-data; boundary=${boundary}` })
  const fileFields: Array<[string, string, string[] | undefined]> = []
  for (const [name, schema] of Object.entries<Schema>(document.components.schemas)) {
    if (!name.endsWith('Data')) continue
    const collection = Object.entries<Rec>(document.paths).find(([, item]) => item.post?.requestBody?.content?.['application/json']?.schema.oneOf?.[0]?.$ref === `#/components/schemas/${name}`)?.[1]['x-service']?.path
    for (const [field, property] of Object.entries<Schema>(schema.properties ?? {})) if (collection && property['x-file']) fileFields.push([collection, field, property['x-file'].types])
  }
  for (const query of ['', '?collection=nope&field=nope', '?collection[$gt]=&field[]=a', `?collection=${firstCollection}&field=_id`]) add({ method: 'POST', path: `/files${query}`, ...multipart('x', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n--x--\r\n') })
  for (const [collection, field, types] of fileFields) {
    const path = `/files?collection=${collection}&field=${field}`
    add({ method: 'POST', path, ...json({ file: 'x' }) })
    add({ method: 'POST', path, raw: '--x\r\n', type: 'multipart/form-data' })
    add({ method: 'POST', path, ...multipart('x', '') })
    add({ method: 'POST', path, ...multipart('x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n') })
    add({ method: 'POST', path, ...multipart('x', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n\u0000\u0001binary') })
    // A type the field does not take (a field that names no types takes any file).
    if (types) add({ method: 'POST', path, ...multipart('x', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.exe"\r\nContent-Type: application/x-msdownload\r\n\r\nMZ\u0000\u0000\r\n--x--\r\n') })
  }
  for (const bad of BAD_IDS) for (const method of ['GET', 'DELETE', 'PATCH']) add({ method, path: `/files/${bad}` })
  add({ method: 'GET', path: `/files/${MISSING_ID}`, headers: { range: 'bytes=abc' } })
  for (const query of badQueries('action')) add({ method: 'GET', path: `/audit-log?${query}` })
  for (const bad of BAD_IDS) add({ method: 'GET', path: `/audit-log/${bad}` })
  for (const [method, path] of [['POST', '/audit-log'], ['PATCH', `/audit-log/${MISSING_ID}`], ['PUT', `/audit-log/${MISSING_ID}`], ['DELETE', '/audit-log?$limit=abc'], ['POST', '/openapi.json'], ['DELETE', '/health']]) add({ method, path, ...json({}) })
  for (const authorization of ['Bearer', 'Bearer not.a.jwt', `Bearer ${'a'.repeat(10_000)}`, 'Basic Zm9vOmJhcg==', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad']) {
    probes.push({ method: 'GET', path: `/${firstCollection}`, headers: { authorization } })
    probes.push({ method: 'POST', path: '/authentication', ...json({ strategy: 'jwt', accessToken: authorization.slice(7) }) })
  }
  for (const body of [{ strategy: 'nope' }, { strategy: 'local', email: { $gt: '' }, password: { $gt: '' } }, { strategy: 'local', email: ['a'], password: 1 }, { strategy: ['local'] }, { strategy: 'local', email: 'x'.repeat(100_000), password: 'x' }]) {
    probes.push({ method: 'POST', path: '/authentication', ...json(body) })
  }
  return probes
}

interface Answer {
  status: number
  text: string
}

async function send(url: string, probe: Probe, token?: string, retried = false): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...probe.headers }
  if (probe.type) headers['content-type'] = probe.type
  if (token) headers.authorization ??= `Bearer ${token}`
  try {
    const response = await fetch(url + probe.path, { method: probe.method, headers, body: probe.raw, signal: AbortSignal.timeout(REQUEST_TIMEOUT) })
    return { status: response.status, text: await response.text() }
  } catch (error: any) {
    // A kept-alive connection the server closed as idle just as the client reused it (timers run late on a loaded
    // machine): the request never arrived, so it is sent once more. A server that resets it again fails the test.
    if (error.cause?.code === 'ECONNRESET' && !retried) return send(url, probe, token, true)
    return { status: 0, text: `no answer: ${error.name} ${error.cause?.code ?? error.message}` }
  }
}

/** What is wrong with an answer to bad input, if anything. */
function fault({ status, text }: Answer): string | undefined {
  if (!REFUSALS.has(status)) return `status ${status}`
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    return 'a body that is not JSON'
  }
  if (typeof body?.name !== 'string' || typeof body.message !== 'string' || body.code !== status) return 'a body that is no Feathers error'
  if (LEAKS.test(text)) return 'internals in the body'
}

/** Runs `task` on every item, `CONCURRENCY` at a time. */
async function eachConcurrently<T>(items: T[], task: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await task(items[next++])
  }))
}

/** Every stored record of the blueprint's collections, read without hooks, for comparing before and after. */
async function snapshot(server: TestServer): Promise<Map<string, string>> {
  const state = new Map<string, string>()
  for (const { name } of server.app.blueprint.collections) {
    const records = (await (server.app.service(name) as any)._find({ paginate: false, query: {} })) as Rec[]
    state.set(name, JSON.stringify(records.sort((a, b) => String(a._id).localeCompare(String(b._id)))))
  }
  return state
}

const describeProbe = (probe: Probe, caller: string, answer: Answer, why: string) =>
  `${caller} ${probe.method} ${probe.path.slice(0, 160)}${probe.raw !== undefined ? ` [${probe.type}] ${probe.raw.slice(0, 160)}` : ''}${probe.headers ? ` ${JSON.stringify(probe.headers).slice(0, 120)}` : ''} → ${why}: ${answer.text.slice(0, 300)}`

/** Socket.io calls with arguments of the wrong kind; `[method, ...args]`, the acknowledgement added when sent. */
function socketCalls(collection: string, id: string, wrongBody: unknown): unknown[][] {
  return [
    ['find', collection, 'not-an-object'],
    ['find', collection, [1, 2]],
    ['find', collection, { $limit: 'abc' }],
    ['find', collection, { $or: 'text' }],
    ['find', collection, { _id: { $in: { a: 1 } } }],
    ['find', collection, {}, {}],
    ['get', collection, { $gt: '' }],
    ['get', collection, null],
    ['get', collection, 'a'.repeat(5000)],
    ['get', collection, id, 'not-an-object'],
    ['create', collection, 'text'],
    ['create', collection, null],
    ['create', collection, [1, 'x']],
    ...(wrongBody ? [['create', collection, wrongBody]] : []),
    ['patch', collection, id, 'text'],
    ['patch', collection, null, {}, 'not-an-object'],
    ['patch', collection, { $gt: '' }, {}],
    ['update', collection, null, {}],
    ['update', collection, id, [1]],
    ['remove', collection, null, 'not-an-object'],
    ['remove', collection, null, { $or: 'text' }],
    ['remove', collection, { $gt: '' }],
    ['find', `${collection}-nope`, {}],
    ['find', { path: collection }, {}],
    ['find', null],
    ['nope', collection, {}],
    ['respond', collection, {}]
  ]
}

interface SocketAnswer {
  error?: any
  result?: unknown
  timedOut?: boolean
}

async function emitAll(url: string, token: string | undefined, calls: unknown[][]): Promise<SocketAnswer[]> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false })
  await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)))
  try {
    const call = (method: string, args: unknown[], ms: number) =>
      new Promise<SocketAnswer>((resolve) => socket.timeout(ms).emit(method, ...args, (timedOut: unknown, error: any, result: unknown) => resolve(timedOut ? { timedOut: true } : { error, result })))
    if (token) {
      const signedIn = await call('create', ['authentication', { strategy: 'jwt', accessToken: token }], REQUEST_TIMEOUT)
      if (signedIn.error || signedIn.timedOut) throw new Error(`Socket.io sign-in failed: ${JSON.stringify(signedIn)}`)
    }
    // Calls with no acknowledgement at all: nothing to answer, and nothing may break.
    socket.emit('find')
    socket.emit('create', 'authentication')
    for (const call of calls.slice(0, 5)) socket.emit(...(call as [string, ...unknown[]]))
    // CONCURRENCY calls in flight at a time, as the REST probes: a loaded machine answers later, never not at all.
    const answers: SocketAnswer[] = new Array(calls.length)
    await eachConcurrently(calls.map((_, i) => i), async (i) => {
      const [method, ...args] = calls[i]
      answers[i] = await call(method as string, args, REQUEST_TIMEOUT)
    })
    return answers
  } finally {
    socket.close()
  }
}

for (const blueprint of Object.keys(ADMINS)) {
  describe(`bad input to the ${blueprint} blueprint`, function () {
    // Thousands of requests per blueprint: about 10 s alone, several times that beside the other test lane on 2 cores.
    this.timeout(300_000)
    let server: TestServer
    let adminToken: string
    let document: Schema
    let storedBefore: Map<string, string>
    const probes: Probe[] = []
    const records: Record<string, Rec | undefined> = {}
    const collections: string[] = []
    /** A create body with one field of the wrong type, for Socket.io. */
    const wrongBodies: Record<string, unknown> = {}

    before(async function () {
      server = await startServer(blueprint)
      adminToken = (await login(server.url, ADMINS[blueprint], PASSWORD)).accessToken
      document = await (await fetch(`${server.url}/openapi.json`)).json()
      for (const [path, item] of Object.entries<Rec>(document.paths)) {
        if (path === '/health') continue
        const collection = item['x-service']?.path
        if (!collection) {
          if (!path.includes('{id}')) probes.push(...routeProbes(document, path, item))
          continue
        }
        collections.push(collection)
        const [record] = (await (server.app.service(collection) as any)._find({ paginate: false, query: { $limit: 1 } })) as Rec[]
        records[collection] = record
        const collectionProbes_ = collectionProbes(document, path, item, record, collections.length)
        probes.push(...collectionProbes_)
        wrongBodies[collection] = collectionProbes_.filter((p) => p.method === 'POST' && !p.headers && p.raw?.startsWith('{"')).map((p) => parsed(p.raw!)).find((body) => Object.keys(body ?? {}).length > 1)
      }
      probes.push(...engineProbes(document, collections[0]))
      storedBefore = await snapshot(server)
    })
    after(() => server?.close())

    it('answers every malformed REST request with a Feathers error, as the admin and anonymously', async () => {
      const faults: string[] = []
      const started = Date.now()
      const sends = probes.flatMap((probe) => [[probe, adminToken], ...(probe.anonymous ? [[probe, undefined]] : [])] as Array<[Probe, string | undefined]>)
      await eachConcurrently(sends, async ([probe, token]) => {
        const answer = await send(server.url, probe, token)
        const why = fault(answer)
        if (why) faults.push(describeProbe(probe, token ? 'admin' : 'anonymous', answer, why))
      })
      console.log(`      ${blueprint}: ${sends.length} requests in ${Date.now() - started} ms`)
      assert.deepEqual(faults.slice(0, 40), [], `${faults.length} of ${sends.length} requests were not refused cleanly`)
    })

    it('answers every malformed Socket.io call with a Feathers error, as the admin and anonymously', async () => {
      const faults: string[] = []
      let total = 0
      for (const token of [adminToken, undefined]) {
        const calls = collections.flatMap((collection) => {
          return socketCalls(collection, records[collection]?._id ?? MISSING_ID, wrongBodies[collection])
        })
        total += calls.length
        const answers = await emitAll(server.url, token, calls)
        answers.forEach((answer, i) => {
          const error = answer.error
          const why = answer.timedOut
            ? 'no acknowledgement'
            : !error
              ? 'accepted'
              : !REFUSALS.has(error.code) || typeof error.name !== 'string' || typeof error.message !== 'string'
                ? `code ${error.code}`
                : LEAKS.test(JSON.stringify(error))
                  ? 'internals in the error'
                  : undefined
          if (why) faults.push(`${token ? 'admin' : 'anonymous'} emit(${JSON.stringify(calls[i]).slice(0, 160)}) → ${why}: ${JSON.stringify(answer.error ?? answer.result ?? '').slice(0, 200)}`)
        })
      }
      console.log(`      ${blueprint}: ${total} Socket.io calls`)
      assert.deepEqual(faults.slice(0, 40), [], `${faults.length} of ${total} calls were not refused cleanly`)
    })

    it('still holds every stored record as it was', async () => {
      const storedAfter = await snapshot(server)
      const changed = [...storedBefore].filter(([name, state]) => storedAfter.get(name) !== state).map(([name]) => name)
      assert.deepEqual(changed, [], 'collections whose records changed')
      assert.equal((await fetch(`${server.url}/health`)).status, 200)
    })
  })
}
