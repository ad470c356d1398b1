// Exports: `GET /<collection>` with `Accept: text/csv` or `application/x-ndjson` streams every record the same JSON
// query would find, page by page through the service (every hook: permissions, masks, hidden secrets), in constant memory.
import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { permittedFieldsOf } from '@casl/ability/extra'
import type { Params } from '@feathersjs/feathers'
import type { Context, Next } from 'koa'
import zlib from 'node:zlib'
import type { EngineApp } from '../engine.js'
import { callerParams } from './caller.js'
import { ByteChunk } from './byte-chunk.js'
import { csvLine, csvRecord } from './csv.js'
import type { SqliteCursor } from './adapters/sqlite.js'
import { untagText } from './adapters/sqlite-json.js'
import { storedTextOf } from './adapters/sqlite-lazy.js'
import { findsWhole, ownFindHooks } from '../hooks/authorize.js'
import { withoutSecrets } from '../hooks/secrets.js'
import type { Collection, JsonSchema } from '../schemas/types.js'
import { compile, queryAjv, type CompiledValidator } from '../schemas/validators.js'
import { validInput } from '../hooks/validate.js'
import { AUDIT_PATH } from '../permissions/vocabulary.js'

export const EXPORT_TYPES = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const
export type ExportFormat = keyof typeof EXPORT_TYPES

type Doc = Record<string, any>

/** Each format's media types as an `Accept` may name them: bare, or with the charset the export is sent in. */
const OFFERED: [string, ExportFormat | undefined][] = [
  ['application/json', undefined],
  [EXPORT_TYPES.csv, 'csv'],
  [`${EXPORT_TYPES.csv}; charset=utf-8`, 'csv'],
  [EXPORT_TYPES.ndjson, 'ndjson'],
  [`${EXPORT_TYPES.ndjson}; charset=utf-8`, 'ndjson']
]

/** The format an `Accept` header asks for over JSON, if any (`*\/*` and JSON stay JSON). */
export function exportFormat(ctx: Context): ExportFormat | undefined {
  const best = ctx.accepts(OFFERED.map(([type]) => type))
  return OFFERED.find(([type]) => type === best)?.[1]
}

const queryValidators = new WeakMap<Collection, CompiledValidator>()

/**
 * A caller's query as the JSON list validates it (the same 400 for the same mistake) and coerces it (`$select=a` is
 * `['a']`): an export applies neither `$limit` nor `$skip`, but a malformed one is refused, not ignored. Internal
 * callers' queries pass as they are (the engine's use operators callers may not), unless `always` (the CLI's `--query`).
 */
export async function validQuery(collection: Collection, params: Params, { always = false } = {}): Promise<Params> {
  if (!params.provider && !always) return params
  let validate = queryValidators.get(collection)
  if (!validate) queryValidators.set(collection, (validate = compile(queryAjv, collection.querySchema, { lazy: true })))
  return { ...params, query: await validInput(validate, { ...params.query }, 'query') }
}

/** How many records the next page of an export reads: it grows to about `PAGE_BYTES` of output, from the first page's size. */
export interface ExportPaging {
  size: number
}
/** An export's page, as output: big enough that the hooks' and the query's cost per page vanish, small enough to hold. */
const PAGE_BYTES = 256 * 1024
const MAX_PAGE = 10_000

/** The next page's size after one of `records` records gave `bytes` of output: about `PAGE_BYTES`, never below the first. */
function resize(paging: ExportPaging, records: number, bytes: number, first: number) {
  if (!records || !bytes) return
  paging.size = Math.max(first, Math.min(MAX_PAGE, Math.floor((PAGE_BYTES * records) / bytes)))
}

/**
 * The records of `find(query)`, every page: from the last one seen (each page is an index seek, however deep) unless the
 * query sorts, then by `$skip`. The embedded store pages along the filter's index (`sqliteCursor`), MongoDB by `_id`.
 * `$limit` and `$skip` of the caller are not applied: an export is every match. Pages are read unpaginated
 * (`paginate: false` with `$limit`): no `total` is counted for each of them; `paging.size` may change between pages.
 * The event loop has a turn before each page after the first: the embedded store reads synchronously, so a report's sum
 * or an export job over a large collection would otherwise answer no other request until it ended.
 * Whoever reads (an internal caller too: the CLI, a scheduled export), the records come without their secret fields: what
 * this gives goes into files and answers, and an internal find returns secrets (the hook that hides them is for callers).
 */
export async function* everyRecord(app: EngineApp, collection: Collection, params: Params, paging: ExportPaging = { size: collection.pagination.max }): AsyncGenerator<Doc[]> {
  const pages = everyPage(app, collection, params, paging)
  if (params.provider || !collection.secrets.length) return yield* pages
  for await (const page of pages) yield page.map((record) => withoutSecrets(collection, record))
}

async function* everyPage(app: EngineApp, collection: Collection, params: Params, paging: ExportPaging): AsyncGenerator<Doc[]> {
  const { $limit, $skip, $sort, ...conditions } = params.query ?? {}
  const service = app.service(collection.name)
  if ($sort) {
    for (let skip = 0; ; ) {
      if (skip) await nextTurn()
      const page = paging.size
      const data = (await service.find({ ...params, paginate: false, query: { ...conditions, $sort, $limit: page, $skip: skip } })) as Doc[]
      skip += data.length
      if (data.length) yield data
      if (data.length < page) return
    }
  }
  if (app.store.kind === 'embedded') {
    const sqliteCursor: SqliteCursor = { collection: collection.name }
    for (;;) {
      if (sqliteCursor.last !== undefined) await nextTurn()
      const page = paging.size
      const data = (await service.find({ ...params, sqliteCursor, paginate: false, query: { ...conditions, $limit: page } } as Params)) as Doc[]
      if (data.length) yield data
      if (data.length < page) return
      if (sqliteCursor.last === undefined) throw new Error(`The export of ${collection.name} lost its place: a hook replaced the page's params`)
    }
  }
  for (let last: string | undefined; ; ) {
    if (last !== undefined) await nextTurn()
    const page = paging.size
    // `$select` stays beside the clauses: inside `$and` it would be a condition on a field of that name (a 400).
    const { $select, ...filter } = conditions
    const query = last === undefined ? conditions : { $and: [filter, { _id: { $gt: last } }], ...($select !== undefined && { $select }) }
    const data = (await service.find({ ...params, paginate: false, query: { ...query, $sort: { _id: 1 }, $limit: page } })) as Doc[]
    if (data.length) yield data
    if (data.length < page) return
    last = data[data.length - 1]._id
  }
}

/** A column per leaf of the result schema the caller may read (nested objects as dotted paths, arrays as one JSON cell). */
export function csvColumns(collection: Collection, readable: Set<string>, select?: string[]): string[] {
  const secrets = new Set(collection.secrets.map((secret) => secret.path))
  const columns: string[] = []
  const walk = (schema: JsonSchema, prefix: string) => {
    for (const [key, child] of Object.entries<JsonSchema>(schema.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key
      if (secrets.has(path)) continue
      if (child.type === 'object' && child.properties && !collection.freeform.includes(path)) walk(child, path)
      else columns.push(path)
    }
  }
  walk(collection.resultSchema, '')
  return columns.filter((path) => {
    const top = path.split('.')[0]
    return readable.has(top) && (!select || select.includes(top) || top === '_id')
  })
}

/**
 * The CSV columns of `collection` for the caller of `params`: the fields they may read on some record (CASL field
 * rules; every field when none limits; every field for an internal call), never a secret.
 */
export async function callerColumns(app: EngineApp, collection: Collection, params: Params, select?: string[]): Promise<string[]> {
  // The audit log's reading is its own hooks' (the entries of a record the caller may read, its changes limited to the
  // fields they may read): every column, for whoever they let read.
  if (!params.provider || collection.name === AUDIT_PATH) return csvColumns(collection, new Set(collection.fields), select)
  const ability = await app.permissions.abilityFor(params.user)
  return csvColumns(collection, new Set(permittedFieldsOf(ability, 'read', collection.name, { fieldsFrom: (rule) => rule.fields || collection.fields })), select)
}

/** What exports have written since the start (`app.exportCounts`): records, and those read from their stored text. */
export interface ExportCounts {
  records: number
  /** NDJSON lines written from a record's stored text (its dates' tags dropped), neither parsed nor written again. */
  fromStoredText: number
}

/**
 * Whether an NDJSON export's records may come as lazy records (`sqliteLazy`, `adapters/sqlite-lazy.ts`), decided once
 * per export: on the embedded store, when no hook should touch a found record for this caller and query, since none could
 * change one: no secret field, no mask, no free-form object (whose keys are unescaped), no `$select`, no hook of the
 * collection's own on finds, and the caller's read rules give every record found back whole (`findsWhole`: no field
 * rule; conditions the store proves). Whatever touches a lazy record anyway gets it parsed, so the bytes are the same
 * either way: this decides whether the export may expect to write records from their stored text.
 */
export async function readsStoredText(app: EngineApp, collection: Collection, params: Params): Promise<boolean> {
  if (app.store.kind !== 'embedded' || params.query?.$select !== undefined) return false
  if (collection.secrets.length || collection.masks?.length || collection.freeform.length) return false
  if (!params.provider) return !ownFindHooks(collection)
  return findsWhole(collection, await app.permissions.abilityFor(params.user), app.service(collection.name))
}

/** An NDJSON line per record, from the stored text of a lazy record no hook opened: the same bytes as JSON.stringify's. */
function ndjsonLine(counts: ExportCounts): (record: Doc) => string {
  return (record) => {
    const text = storedTextOf(record)
    const json = text === undefined ? undefined : untagText(text)
    if (json === undefined) return JSON.stringify(record)
    counts.fromStoredText++
    return json
  }
}

/** NDJSON: a line per record. */
export function ndjsonLines(records: readonly Doc[]): string {
  let text = ''
  for (const record of records) text += `${JSON.stringify(record)}\n`
  return text
}

/**
 * Koa middleware, before the REST transport: answers a collection's list in CSV or NDJSON when `Accept` asks for it
 * (the blueprint's collections, and the engine's that are read as lists: the audit log).
 * The first page is read before anything is sent, so a refusal (401, 403, a bad query's 400) is the usual JSON error.
 */
export function exportMiddleware(app: EngineApp, engineCollections: Collection[] = []) {
  app.exportCounts = { records: 0, fromStoredText: 0 }
  const collections = new Map([...app.blueprint.collections, ...engineCollections].map((collection) => [`/${collection.name}`, collection]))
  return async (ctx: Context, next: Next) => {
    // HEAD as GET: the same status and headers (Koa sends no body, and ends the stream).
    const collection = ctx.method === 'GET' || ctx.method === 'HEAD' ? collections.get(ctx.path) : undefined
    const format = collection && exportFormat(ctx)
    if (!collection || !format) return next()
    await sendExport(app, ctx, collection, format, await callerParams(app, ctx))
  }
}

/**
 * Exports are long streams of text: compressed at the fastest levels (gzip 1: half the CPU of the default 6 for ~15%
 * more bytes on CSV), where it is compressed at all (`koa-compress`, as the client accepts). zlib's output buffer holds
 * a whole page compressed: with its default 16 kB it went back to the main thread after every 16 kB it wrote, and so
 * waited while the next page was read; now a page is compressed on zlib's thread in one go, beside the reading
 * (bench:export, Admin CSV gzipped: 0.41× → 0.43–0.45× of a raw scan; uncompressed, 0.47–0.49×).
 */
const FAST_COMPRESSION = { gzip: { level: 1, chunkSize: PAGE_BYTES }, br: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 }, chunkSize: PAGE_BYTES } }

/** Streams every record of `find(params)` as the response (the admin panel's "Export CSV" calls it with its caller's params). */
export async function sendExport(app: EngineApp, ctx: Context, collection: Collection, format: ExportFormat, asked: Params) {
  const params = await validQuery(collection, asked)
  const first = collection.pagination.max
  const paging: ExportPaging = { size: first }
  // Each page's params are these (spread), as they are when it is read. A CSV row needs the record's values anyway:
  // lazy records would only add their own cost (measured ~0.7 µs a row more than parsing at once).
  const lazy = format === 'ndjson' && (await readsStoredText(app, collection, params))
  const reading: Params = lazy ? ({ ...params, sqliteLazy: true } as Params) : params
  const pages = everyRecord(app, collection, reading, paging)
  const firstPage = await pages.next()
  // The request limits count the export once: its first page.
  reading.counted = true
  const select = Array.isArray(params.query?.$select) ? (params.query!.$select as string[]) : undefined
  const columns = format === 'csv' ? await callerColumns(app, collection, params, select) : []
  // One chunk per page, not per record (a write per record costs more than the record), its lines written as bytes.
  const counts = app.exportCounts
  const line = format === 'ndjson' ? ndjsonLine(counts) : csvRecord(columns)
  let expected = 0
  async function* chunks() {
    if (format === 'csv') yield csvLine(columns)
    for (let page = firstPage; !page.done; page = await pages.next()) {
      const chunk = new ByteChunk(expected)
      for (const record of page.value) chunk.line(line(record))
      counts.records += page.value.length
      resize(paging, page.value.length, chunk.length, first)
      // The next page's bytes, about: room for them at once (a few percent over), so the chunk seldom grows.
      if (page.value.length) expected = Math.ceil((chunk.length / page.value.length) * paging.size * 1.05)
      yield chunk.take()
    }
  }
  ctx.set('Content-Disposition', `attachment; filename="${collection.name}.${format}"`)
  ctx.set('Cache-Control', 'no-store')
  ctx.type = format === 'csv' ? `${EXPORT_TYPES.csv}; charset=utf-8` : EXPORT_TYPES.ndjson
  ctx.compress = FAST_COMPRESSION
  // Back-pressure: the next page is read once the client has taken this one.
  ctx.body = Readable.from(chunks(), { objectMode: false })
}
