// The panel's routes for bytes and for what a record's page adds, under `<root>/api/quillbase/`, as the session's user
// (the panel has a session cookie, not the API's token): uploads and downloads through the engine's file service, a
// list's CSV export with its filters and sort, an import's failed rows as CSV, and a record's history and files.
import type AdminJS from 'adminjs'
import { Filter, flat, type ActionContext, type CurrentAdmin } from 'adminjs'
import { BadRequest, NotAuthenticated, NotFound } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import type { Context, Middleware, Next } from 'koa'
import type { EngineApp } from '../engine.js'
import { AUDIT_PATH } from '../services/audit.js'
import { csvLine } from '../services/csv.js'
import { sendExport } from '../services/exports.js'
import { fileFields } from '../services/files.js'
import { failedRows } from '../services/imports.js'
import { callerOf } from './caller.js'
import { ADMIN_PROVIDER, type FeathersResource } from './resource.js'

/** Entries of a record's history shown on its page, newest first. */
const HISTORY_LIMIT = 50
/** An import's report states while it is still running: its page keeps reading the record. */
const RUNNING = new Set(['Queued', 'Running'])

export const operationsBase = (rootPath: string) => `${rootPath}/api/quillbase`

/** Params of a service call made for the session's user: external (`provider: 'admin'`), so every hook and rule applies. */
function adminParams(ctx: Context): Params {
  const caller = callerOf(ctx.session?.adminUser)
  if (!caller) throw new NotAuthenticated('Log in to the admin panel first')
  return { provider: ADMIN_PROVIDER, user: caller.user }
}

function resourceOf(admin: AdminJS, id: string): FeathersResource {
  try {
    return admin.findResource(id) as FeathersResource
  } catch {
    throw new NotFound(`No resource ${id}`)
  }
}

/** `filters.*`, `sortBy` and `direction` of a list's address, as the list itself reads them (AdminJS's list action). */
function listQuery(resource: FeathersResource, search: Record<string, unknown>, currentAdmin: CurrentAdmin) {
  const { filters = {}, sortBy, direction } = flat.unflatten<Record<string, any>, Record<string, any>>(search)
  const query = resource.listQuery(new Filter(filters, resource), { currentAdmin } as ActionContext)
  const sort = resource.decorate().options.sort
  const $sort = resource.sortOf({ sortBy: sortBy ?? sort?.sortBy, direction: direction ?? sort?.direction }, { currentAdmin } as ActionContext)
  return { ...query, $sort }
}

/** The failed rows of an import as CSV: row number, error, then the row's own columns (the target's secrets left out). */
async function importErrors(app: EngineApp, ctx: Context, resource: FeathersResource, id: string, params: Params) {
  const { collection } = resource
  const importer = collection.importer
  if (!importer) throw new NotFound(`${collection.label} records are not imports`)
  // Read as the caller: a record (or report field) they may not read is not found for them.
  const record = await app.service(collection.name).get(id, params)
  if (record[importer.report.errors] === undefined) throw new NotFound('No error report on this record that you may read')
  const rows = await failedRows(app, collection, record, record[importer.file] !== undefined)
  const target = app.blueprint.collections.find((candidate) => candidate.name === record[importer.into])
  const secrets = new Set((target?.secrets ?? []).map((secret) => secret.path.split('.')[0]))
  // A header names its field as the import reads it: trimmed (` password ` is the password).
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row.cells ?? {})))].filter((column) => !secrets.has(column.trim().split('.')[0]) && column !== 'Row' && column !== 'Error')
  ctx.type = 'text/csv; charset=utf-8'
  ctx.set('Content-Disposition', `attachment; filename="${collection.name}-${id}-errors.csv"`)
  ctx.set('Cache-Control', 'no-store')
  // The rows are in memory already (the record's report, or its file's rows): one string.
  const lines = rows.map((row) => csvLine([row.Row, row.Error, ...columns.map((column) => row.cells?.[column])]))
  ctx.body = csvLine(['Row', 'Error', ...columns]) + lines.join('')
}

/** What a record's page adds: its history (entries the caller may read, changes limited to fields they may read), files, import state. */
async function recordOperations(app: EngineApp, resource: FeathersResource, id: string, params: Params, base: string) {
  const { collection } = resource
  const record = await app.service(collection.name).get(id, params)
  const page = (await app.service(AUDIT_PATH).find({ ...params, query: { collection: collection.name, recordId: id, $sort: { at: -1 }, $limit: HISTORY_LIMIT } })) as any
  const users = app.blueprint.users
  const actorIds = [...new Set<string>(page.data.map((entry: any) => entry.actorId).filter(Boolean))]
  // Names of the users the caller may read; the others are shown by id.
  const actors = actorIds.length
    ? ((await app.service(users.name).find({ ...params, paginate: false, query: { _id: { $in: actorIds } } } as any)) as any[])
    : []
  const names = new Map(actors.map((user) => [String(user._id), String(user[users.admin.titleField] ?? user.email ?? user._id)]))
  const history = page.data.map((entry: any) => ({ ...entry, actorName: entry.actorId ? names.get(entry.actorId) : undefined }))
  const files = fileFields(collection)
    .filter((field) => typeof record[field.path] === 'string')
    .map((field) => ({ field: field.path, href: `${base}${record[field.path]}` }))
  const importer = collection.importer
  const status = importer ? record[importer.report.status] : undefined
  const operation = importer
    ? {
        status,
        running: RUNNING.has(status),
        failed: record[importer.report.failed] ?? 0,
        ...(record[importer.report.errors]?.length ? { errorsHref: `${base}/resources/${collection.name}/records/${id}/import-errors` } : {})
      }
    : undefined
  return { history, total: page.total, files, operation }
}

/** The routes; mounted after the session's caller is attached and before AdminJS's router. */
export function operationRoutes(app: EngineApp, admin: AdminJS, rootPath: string): Middleware {
  const base = operationsBase(rootPath)
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith(`${base}/`)) return next()
    const path = ctx.path.slice(base.length)
    const params = adminParams(ctx)
    const file = /^\/files\/([^/]+)$/.exec(path)
    if (path === '/files' && ctx.method === 'POST') {
      ctx.status = 201
      ctx.body = await app.files.upload(ctx, params)
      return
    }
    if (file && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      if (!/^[0-9a-f]{24}$/.test(file[1])) throw new NotFound('No such file')
      return app.files.download(ctx, file[1], params)
    }
    const resourcePath = /^\/resources\/([^/]+)(?:\/records\/([^/]+))?\/([a-z-]+)$/.exec(path)
    if (!resourcePath || ctx.method !== 'GET') throw new NotFound(`No such route: ${ctx.method} ${ctx.path}`)
    const [, resourceId, recordId, route] = resourcePath
    const resource = resourceOf(admin, resourceId)
    if (route === 'export' && !recordId) {
      const { format = 'csv', ...search } = ctx.query as Record<string, string>
      if (format !== 'csv' && format !== 'ndjson') throw new BadRequest('format is csv or ndjson')
      return sendExport(app, ctx, resource.collection, format, { ...params, query: listQuery(resource, search, ctx.session!.adminUser) })
    }
    if (route === 'import-errors' && recordId) return importErrors(app, ctx, resource, recordId, params)
    if (route === 'operations' && recordId) {
      ctx.set('Cache-Control', 'no-store')
      ctx.body = await recordOperations(app, resource, recordId, params, base)
      return
    }
    throw new NotFound(`No such route: ${ctx.method} ${ctx.path}`)
  }
}
