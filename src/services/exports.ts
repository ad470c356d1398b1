// Exports: `GET /<collection>` with `Accept: text/csv` or `application/x-ndjson` streams every record the same JSON
// query would find, page by page through the service (every hook: permissions, masks, hidden secrets), in constant memory.
import { Readable } from 'node:stream'
import { permittedFieldsOf } from '@casl/ability/extra'
import type { Params } from '@feathersjs/feathers'
import type { Context, Next } from 'koa'
import { stringify } from 'csv-stringify'
import type { EngineApp } from '../engine.js'
import { callerParams } from './caller.js'
import type { SqliteCursor } from './adapters/sqlite.js'
import type { Collection, JsonSchema } from '../schemas/types.js'

export const EXPORT_TYPES = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const
export type ExportFormat = keyof typeof EXPORT_TYPES

type Doc = Record<string, any>

/** The format an `Accept` header asks for over JSON, if any (`*\/*` and JSON stay JSON). */
export function exportFormat(ctx: Context): ExportFormat | undefined {
  const best = ctx.accepts('application/json', EXPORT_TYPES.csv, EXPORT_TYPES.ndjson)
  if (best === EXPORT_TYPES.csv) return 'csv'
  if (best === EXPORT_TYPES.ndjson) return 'ndjson'
  return undefined
}

/**
 * The records of `find(query)`, every page: from the last one seen (each page is an index seek, however deep) unless the
 * query sorts, then by `$skip`. The embedded store pages in storage order (`sqliteCursor`: a filter's own index serves
 * every page), MongoDB by `_id`. `$limit` and `$skip` of the caller are not applied: an export is every match.
 * Pages are read unpaginated (`paginate: false` with `$limit`): no `total` is counted for each of them.
 */
export async function* everyRecord(app: EngineApp, collection: Collection, params: Params): AsyncGenerator<Doc[]> {
  const { $limit, $skip, $sort, ...conditions } = params.query ?? {}
  const page = collection.pagination.max
  const service = app.service(collection.name)
  if ($sort) {
    for (let skip = 0; ; skip += page) {
      const data = (await service.find({ ...params, paginate: false, query: { ...conditions, $sort, $limit: page, $skip: skip } })) as Doc[]
      if (data.length) yield data
      if (data.length < page) return
    }
  }
  if (app.store.kind === 'embedded') {
    const sqliteCursor: SqliteCursor = { collection: collection.name }
    for (;;) {
      const data = (await service.find({ ...params, sqliteCursor, paginate: false, query: { ...conditions, $limit: page } } as Params)) as Doc[]
      if (data.length) yield data
      if (data.length < page) return
      if (sqliteCursor.last === undefined) throw new Error(`The export of ${collection.name} lost its place: a hook replaced the page's params`)
    }
  }
  for (let last: string | undefined; ; ) {
    const query = last === undefined ? conditions : { $and: [conditions, { _id: { $gt: last } }] }
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

/** A CSV cell: the value at the dotted path, objects and arrays as JSON, nothing as empty. */
export const cell = (record: Doc, path: string) => {
  const value = path.split('.').reduce<any>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), record)
  if (value === undefined || value === null) return ''
  return typeof value === 'object' ? JSON.stringify(value) : value
}

/**
 * The CSV columns of `collection` for the caller of `params`: the fields they may read on some record (CASL field
 * rules; every field when none limits; every field for an internal call), never a secret.
 */
export async function callerColumns(app: EngineApp, collection: Collection, params: Params, select?: string[]): Promise<string[]> {
  if (!params.provider) return csvColumns(collection, new Set(collection.fields), select)
  const ability = await app.permissions.abilityFor(params.user)
  return csvColumns(collection, new Set(permittedFieldsOf(ability, 'read', collection.name, { fieldsFrom: (rule) => rule.fields || collection.fields })), select)
}

/**
 * Koa middleware, before the REST transport: answers a collection's list in CSV or NDJSON when `Accept` asks for it.
 * The first page is read before anything is sent, so a refusal (401, 403, a bad query's 400) is the usual JSON error.
 */
export function exportMiddleware(app: EngineApp) {
  const collections = new Map(app.blueprint.collections.map((collection) => [`/${collection.name}`, collection]))
  return async (ctx: Context, next: Next) => {
    const collection = ctx.method === 'GET' ? collections.get(ctx.path) : undefined
    const format = collection && exportFormat(ctx)
    if (!collection || !format) return next()
    await sendExport(app, ctx, collection, format, await callerParams(app, ctx))
  }
}

/** Streams every record of `find(params)` as the response (the admin panel's "Export CSV" calls it with its caller's params). */
export async function sendExport(app: EngineApp, ctx: Context, collection: Collection, format: ExportFormat, params: Params) {
  const pages = everyRecord(app, collection, params)
  const first = await pages.next()
  // The request limits count the export once: its first page.
  params.counted = true
  // One chunk per page, not per record: a write per record costs more than the record.
  async function* everyPage() {
    if (!first.done) yield first.value
    for await (const page of pages) yield page
  }
  ctx.set('Content-Disposition', `attachment; filename="${collection.name}.${format}"`)
  ctx.set('Cache-Control', 'no-store')
  if (format === 'ndjson') {
    ctx.type = EXPORT_TYPES.ndjson
    ctx.body = Readable.from((async function* () {
      for await (const page of everyPage()) yield page.map((record) => `${JSON.stringify(record)}\n`).join('')
    })())
    return
  }
  const select = Array.isArray(params.query?.$select) ? (params.query!.$select as string[]) : undefined
  const columns = await callerColumns(app, collection, params, select)
  ctx.type = `${EXPORT_TYPES.csv}; charset=utf-8`
  const csv = stringify({ header: true, columns, cast: { boolean: (value) => String(value) } })
  ctx.body = csv
  ;(async () => {
    for await (const page of everyPage()) {
      for (const record of page) csv.write(columns.map((column) => cell(record, column)))
      // Back-pressure: the next page is read once the client has taken this one.
      if (csv.writableNeedDrain) await new Promise((resolve) => csv.once('drain', resolve))
    }
    csv.end()
  })().catch((error) => csv.destroy(error))
}
