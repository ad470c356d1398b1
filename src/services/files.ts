// Files: `POST /files?collection=<name>&field=<field>` takes one multipart file for a declared `File()` field (size and
// content type checked on the bytes while they stream to the store), and `GET /files/<id>` serves it, with ranges, to
// callers who may read a record that references it. Records link and unlink their files as they are written.
import { extname } from 'node:path'
import { Readable, Transform } from 'node:stream'
import busboy from 'busboy'
import { fileTypeFromBuffer } from 'file-type'
import mime from 'mime-types'
import rangeParser from 'range-parser'
import { BadRequest, Forbidden, NotAuthenticated, NotFound, Unprocessable } from '@feathersjs/errors'
import type { HookContext, NextFunction, Params } from '@feathersjs/feathers'
import type { Context, Next } from 'koa'
import type { EngineApp } from '../engine.js'
import { PayloadTooLarge } from '../hooks/errors.js'
import { recordsBefore } from '../hooks/stored.js'
import { DateTime, Type } from '../schemas/fields.js'
import { sanitizeCollection } from '../schemas/sanitize.js'
import type { Collection } from '../schemas/types.js'
import { callerParams } from './caller.js'
import type { Store } from './store.js'

export const FILES_PATH = 'files'
const META = 'quillbase-files'
export const FILE_URL = /^\/files\/([0-9a-f]{24})$/
/** Bytes read to recognise a binary format (file-type's own sample size). */
const SNIFF = 4100
/** Types with no signature to find in the bytes: accepted when the bytes are text (UTF-8, no NUL). */
const TEXT_TYPES = new Set(['text/csv', 'text/plain', 'application/json', 'application/x-ndjson', 'text/markdown'])
/** Extensions the MIME database does not know (browsers send `application/octet-stream` for them). */
const TYPES_BY_EXTENSION: Record<string, string> = { '.ndjson': 'application/x-ndjson', '.jsonl': 'application/x-ndjson' }

export interface FileOptions {
  /** Largest accepted file (default 10 MB). */
  maxBytes?: number
  /** Accepted content types (default: any); checked on the bytes, not on the name. */
  types?: string[]
}

/** A declared file field's options, from its `File()` schema. */
export interface FileField {
  path: string
  maxBytes: number
  types?: string[]
  /** The engine fills it (a report's export): it takes no upload. */
  readOnly: boolean
}

export const fileFields = (collection: Collection): FileField[] =>
  Object.entries<any>(collection.dataSchema.properties ?? {})
    .filter(([, schema]) => schema['x-file'])
    .map(([path, schema]) => ({ path, ...schema['x-file'], readOnly: !!schema.readOnly }))

export const metaCollection = sanitizeCollection({
  name: META,
  schema: Type.Object({
    name: Type.String({ maxLength: 255 }),
    type: Type.String({ maxLength: 200 }),
    size: Type.Integer({ minimum: 0 }),
    collection: Type.String({ maxLength: 100 }),
    field: Type.String({ maxLength: 200 }),
    uploadedBy: Type.Optional(Type.String({ maxLength: 100 })),
    uploadedAt: DateTime(),
    /** The record whose field holds the file's URL; absent until one does (and again once none does). */
    recordId: Type.Optional(Type.String({ maxLength: 100 })),
    complete: Type.Boolean()
  }),
  timestamps: false,
  indexes: [{ fields: { recordId: 1 } }, { fields: { uploadedAt: 1 } }]
})

const fileId = (url: unknown) => (typeof url === 'string' ? FILE_URL.exec(url)?.[1] : undefined)

/** Whether bytes given chunk by chunk are text: UTF-8 throughout (a sequence cut between chunks waits for the next) with no NUL. */
export class TextCheck {
  text = true
  private _decoder = new TextDecoder('utf-8', { fatal: true })

  /** The next chunk; none at the end, where a sequence still open is cut short. Returns whether it is text so far. */
  add(chunk?: Buffer): boolean {
    if (this.text) this.text = (chunk === undefined || !chunk.includes(0)) && this._decodes(chunk)
    return this.text
  }

  private _decodes(chunk?: Buffer) {
    try {
      this._decoder.decode(chunk, { stream: chunk !== undefined })
      return true
    } catch {
      return false
    }
  }
}

/** Passes the bytes on, keeping the first ones to look at, counting all of them and checking all of them as text. */
class Sniffer extends Transform {
  head = Buffer.alloc(0)
  size = 0
  private _check = new TextCheck()

  /** Every byte so far is text (`TextCheck`). */
  get text() {
    return this._check.text
  }

  _transform(chunk: Buffer, _encoding: string, done: (error?: Error | null, data?: Buffer) => void) {
    this.size += chunk.length
    if (this.head.length < SNIFF) this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF - this.head.length)])
    this._check.add(chunk)
    done(null, chunk)
  }

  _flush(done: () => void) {
    this._check.add()
    done()
  }
}

/** The type a text file's name says, where it is one of ours. */
const textTypeByName = (name: string) => TYPES_BY_EXTENSION[extname(name).toLowerCase()] ?? (mime.lookup(name) || undefined)

/**
 * The file's real type: its signature when it has one, else, when every byte is text, the text type claimed (a specific
 * one: a form part without a type is `text/plain`, a browser's unknown extension `application/octet-stream`) or named.
 */
async function detectType(sniffer: Sniffer, claimed: string, name: string): Promise<string | undefined> {
  const found = await fileTypeFromBuffer(sniffer.head)
  if (found) return found.mime
  if (!sniffer.text) return undefined
  const candidates = [claimed.split(';')[0].trim().toLowerCase(), textTypeByName(name)]
  return candidates.find((type) => type && type !== 'text/plain' && TEXT_TYPES.has(type)) ?? 'text/plain'
}

/** range-parser drops a suffix range longer than the file; RFC 9110 (14.1.2) has it select the whole file. */
const clampSuffixRanges = (header: string, size: number) =>
  header.replace(/([=,]\s*)-(\d+)(?=\s*(,|$))/g, (spec, before: string, length: string) => (Number(length) > size ? `${before}0-` : spec))

/** `Content-Disposition` of a download: RFC 6266's `filename*` (RFC 5987 attr-chars) with an ASCII `filename` for old clients. */
const contentDisposition = (name: string) => {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/gu, '_')
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

export class Files {
  private _meta?: any

  constructor(private _app: EngineApp, private _store: Store, private _options: { graceHours: number }) {}

  async setup() {
    this._meta = await this._store.createService(metaCollection)
    await this._store.ensureIndexes(metaCollection)
    // Counted as a write by the request limits (app hooks), reachable by no transport.
    this._app.use(META, this._meta, { methods: [], events: [] })
    await this.purge()
    // Hourly, as a scheduled task: once across instances with REDIS_URL.
    await this._app.jobs.schedule({ name: 'unheld-uploads', cron: '17 * * * *', run: async () => ({ removed: await this.purge() }) })
  }

  /** Removes uploads no record took within the grace period, and incomplete ones. */
  async purge(graceHours = this._options.graceHours) {
    const before = new Date(Date.now() - graceHours * 3600_000).toISOString()
    const stale = (await this._meta._find({ paginate: false, query: { recordId: null, uploadedAt: { $lt: before } } })) as any[]
    for (const meta of stale) await this._remove(meta._id)
    return stale.length
  }

  private async _remove(id: string) {
    await this._meta._remove(id).catch(() => undefined)
    await this._store.files.remove(id)
  }

  /** `POST /files?collection=&field=`: one multipart file part, streamed to the store. */
  async upload(ctx: Context, params: Params) {
    const collection = this._app.blueprint.collections.find((c) => c.name === ctx.query.collection)
    const field = collection && fileFields(collection).find((f) => f.path === ctx.query.field)
    if (!collection || !field) throw new BadRequest('Name a declared file field: POST /files?collection=<name>&field=<field>')
    if (field.readOnly) throw new BadRequest(`${collection.name}.${field.path} is filled by the engine: it takes no upload`)
    const ability = await this._app.permissions.abilityFor(params.user)
    if (!ability.can('create', collection.name, field.path) && !ability.can('update', collection.name, field.path)) {
      if (!params.user) throw new NotAuthenticated('Not authenticated')
      throw new Forbidden(`You may not set ${field.path} of ${collection.label.toLowerCase()}`)
    }
    if (!ctx.is('multipart/form-data')) throw new BadRequest('Send the file as multipart/form-data')
    const part = await new Promise<{ stream: Readable; sniffer: Sniffer; name: string; claimed: string }>((resolve, reject) => {
      let parser: busboy.Busboy
      try {
        // Names as browsers send them, UTF-8 (busboy reads a parameter as latin1 unless told).
        parser = busboy({ headers: ctx.req.headers, defParamCharset: 'utf8', limits: { files: 1, fileSize: field.maxBytes, fields: 0, parts: 2 } })
      } catch (error: any) {
        return reject(new BadRequest(`Unreadable upload: ${error.message}`))
      }
      parser.on('file', (_name, stream, info) => {
        const sniffer = new Sniffer()
        // A form cut short fails the file's stream, which `pipe` does not pass on. Heard from the start: the upload's
        // record is written before its bytes are read, and an error in between, unheard, would end the process.
        stream.once('error', (error) => sniffer.destroy(new BadRequest(`Unreadable upload: ${error.message}`)))
        // …and the sniffer keeps that error for the store's write to meet (`errored`), with a listener until then.
        sniffer.on('error', () => {})
        resolve({ stream, sniffer: stream.pipe(sniffer), name: info.filename || 'file', claimed: info.mimeType })
      })
      parser.on('error', (error: Error) => reject(new BadRequest(`Unreadable upload: ${error.message}`)))
      parser.on('close', () => reject(new BadRequest('No file in the upload')))
      ctx.req.pipe(parser)
    })
    // The record of the upload first: it takes a write from the caller's request limits before any byte is stored.
    const meta = await this._app.service(META).create(
      { name: [...part.name].slice(0, 255).join(''), type: 'application/octet-stream', size: 0, collection: collection.name, field: field.path, uploadedBy: params.user?._id, uploadedAt: new Date().toISOString(), complete: false },
      { provider: params.provider, user: params.user, ip: params.ip } as Params
    )
    const { sniffer } = part
    try {
      await this._store.files.write(meta._id, sniffer)
      if ((part.stream as any).truncated) throw new PayloadTooLarge(`The file is larger than ${field.maxBytes} bytes, the limit of ${collection.name}.${field.path}`)
      const type = await detectType(sniffer, part.claimed, part.name)
      if (field.types && (!type || !field.types.includes(type))) {
        throw new Unprocessable(`The file is ${type ?? 'of an unknown type'}; ${collection.name}.${field.path} takes ${field.types.join(', ')}`, { [field.path]: 'unsupported content type' })
      }
      const stored = await this._meta._patch(meta._id, { type: type ?? 'application/octet-stream', size: sniffer.size, complete: true })
      return { _id: stored._id, url: `/files/${stored._id}`, name: stored.name, type: stored.type, size: stored.size, uploadedAt: stored.uploadedAt }
    } catch (error) {
      part.stream.resume()
      await this._remove(meta._id)
      throw error
    }
  }

  /** A file the engine makes (a report's export): stored and recorded as an upload of `uploadedBy`, for a record to take. */
  async create(source: Readable, file: { name: string; type: string; collection: string; field: string; uploadedBy?: string }): Promise<string> {
    const meta = await this._meta._create({ ...file, size: 0, uploadedAt: new Date().toISOString(), complete: false })
    const sniffer = new Sniffer()
    try {
      // `pipe` does not pass on the source's failure: without this the write would wait forever and the error go uncaught.
      source.once('error', (error) => sniffer.destroy(error))
      await this._store.files.write(meta._id, source.pipe(sniffer))
    } catch (error) {
      await this._remove(meta._id)
      throw error
    }
    await this._meta._patch(meta._id, { size: sniffer.size, complete: true })
    return `/files/${meta._id}`
  }

  /** Removes a file the engine made that no record took (a rendering whose record moved on meanwhile). */
  async discard(url: string) {
    const id = fileId(url)
    const meta = id && (await this._meta._get(id).catch(() => undefined))
    if (meta && !meta.recordId) await this._remove(id)
  }

  /** `GET /files/<id>`: for a caller who may read the record holding it (or the uploader, before any record does). */
  async download(ctx: Context, id: string, params: Params) {
    const meta = await this._meta._get(id).catch(() => undefined)
    if (!meta?.complete || !(await this._mayRead(meta, params))) throw new NotFound('No such file')
    const range = ctx.get('range') ? rangeParser(meta.size, clampSuffixRanges(ctx.get('range'), meta.size), { combine: true }) : undefined
    ctx.set('Accept-Ranges', 'bytes')
    ctx.set('Cache-Control', 'private, no-cache')
    // As stored, never compressed on the way: its length is known (a browser shows the download's progress) and a
    // range means the same bytes whether or not the client accepts gzip.
    ctx.compress = false
    ctx.set('Content-Disposition', contentDisposition(meta.name))
    ctx.type = meta.type
    if (range === -1) {
      ctx.set('Content-Range', `bytes */${meta.size}`)
      ctx.status = 416
      ctx.body = { name: 'RangeNotSatisfiable', message: `The file has ${meta.size} bytes`, code: 416, className: 'range-not-satisfiable' }
      return
    }
    if (Array.isArray(range) && range.length === 1 && range.type === 'bytes') {
      const [{ start, end }] = range
      ctx.status = 206
      ctx.set('Content-Range', `bytes ${start}-${end}/${meta.size}`)
      ctx.length = end - start + 1
      // HEAD: the headers alone, no file opened (Koa would never read it).
      if (ctx.method !== 'HEAD') ctx.body = this._store.files.read(id, { start, end })
      return
    }
    ctx.status = 200
    ctx.length = meta.size
    if (ctx.method !== 'HEAD') ctx.body = meta.size ? this._store.files.read(id) : ''
  }

  private async _mayRead(meta: any, params: Params) {
    if (!meta.recordId) return params.user?._id !== undefined && String(params.user._id) === String(meta.uploadedBy)
    // The record through its own service as this caller, asking for the field by value: permissions and the
    // hidden-field rule decide, as for any read.
    const found = await this._app
      .service(meta.collection)
      .get(meta.recordId, { ...params, query: { [meta.field]: `/files/${meta._id}`, $select: ['_id'] } })
      .catch(() => undefined)
    return !!found
  }

  /**
   * The collection hook for records with `File()` fields: a value must be a complete upload for that field, not yet
   * taken by another record and uploaded by the caller (or already this record's); after the write the files are
   * linked to the record, and files a record no longer holds (replaced, cleared, removed) go once the change commits.
   */
  hook(collection: Collection) {
    const fields = fileFields(collection)
    return async (context: HookContext, next: NextFunction) => {
      if (!fields.length || !['create', 'update', 'patch', 'remove'].includes(context.method)) return next()
      const before = context.method === 'create' ? [] : await recordsBefore(context)
      if (context.method !== 'remove') {
        for (const item of [context.data].flat()) {
          for (const field of fields) {
            if (item?.[field.path] === undefined || item[field.path] === null) continue
            await this._checkValue(collection, field, item[field.path], before, context.params)
          }
        }
      }
      // Where the record's id is known, its new files are linked before the write: on MongoDB (no transaction) a reader
      // who sees the changed record must find its file readable, not the upload of nobody yet.
      const early = context.id !== null && context.id !== undefined && context.method !== 'remove' ? this._newFiles(fields, context.data, before) : []
      for (const id of early) await this._meta._patch(id, { recordId: String(context.id) })
      try {
        await next()
      } catch (error) {
        for (const id of early) await this._meta._patch(id, { recordId: null }).catch(() => undefined)
        throw error
      }
      const after: any[] = context.method === 'remove' ? [] : [context.result].flat()
      const kept = new Set<string>()
      for (const record of after) {
        for (const field of fields) {
          const id = fileId(record[field.path])
          if (!id) continue
          kept.add(id)
          await this._meta._patch(id, { recordId: String(record._id) })
        }
      }
      const dropped = before.flatMap((record) => fields.map((field) => fileId(record[field.path]))).filter((id): id is string => !!id && !kept.has(id))
      if (!dropped.length) return
      const removeAll = () => Promise.all(dropped.map((id) => this._remove(id))).catch((error) => console.error(`quillbase: removing files failed: ${error.message}`))
      if (!this._store.afterCommit(() => void removeAll())) await removeAll()
    }
  }

  /** Ids of the files a single write gives the record that it did not hold before. */
  private _newFiles(fields: FileField[], data: any, before: any[]): string[] {
    if (!data || Array.isArray(data)) return []
    return fields.map((field) => data[field.path]).filter((value) => !before.some((record) => fields.some((field) => record[field.path] === value))).map(fileId).filter((id): id is string => !!id)
  }

  private async _checkValue(collection: Collection, field: FileField, value: unknown, before: any[], params: Params) {
    const refuse = () => {
      throw new Unprocessable(`${field.path} must be the URL of a file uploaded for it (POST /files?collection=${collection.name}&field=${field.path})`, { [field.path]: 'is not an available upload' })
    }
    const id = fileId(value)
    if (!id) return refuse()
    if (before.some((record) => record[field.path] === value)) return
    const meta = await this._meta._get(id).catch(() => undefined)
    if (!meta?.complete || meta.collection !== collection.name || meta.field !== field.path || meta.recordId) return refuse()
    if (params.provider && String(meta.uploadedBy) !== String(params.user?._id)) return refuse()
  }
}

/** Koa middleware before the REST transport: uploads and downloads. */
export function filesMiddleware(app: EngineApp, files: Files) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path === `/${FILES_PATH}` && ctx.method === 'POST') {
      const body = await files.upload(ctx, await callerParams(app, ctx))
      ctx.status = 201
      ctx.body = body
      return
    }
    const match = ctx.method === 'GET' || ctx.method === 'HEAD' ? /^\/files\/([^/]+)$/.exec(ctx.path) : null
    if (!match) return next()
    if (!/^[0-9a-f]{24}$/.test(match[1])) throw new NotFound('No such file')
    await files.download(ctx, match[1], await callerParams(app, ctx))
  }
}
