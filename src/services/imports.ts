// Bulk import: creating a record of an `importer` collection (seed 000's bulk uploads) with an uploaded file runs the
// file's rows through the target collection's service as the uploader, in the background, and reports on the record:
// counts, per-row errors (the service's own messages), progress every N rows. Rows stream; memory stays flat.
import { createInterface } from 'node:readline'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Readable } from 'node:stream'
import { parse as parseCsv } from 'csv-parse'
import { BadRequest, NotFound, Unprocessable } from '@feathersjs/errors'
import type { HookContext, NextFunction, Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { DeclarationError } from '../schemas/sanitize.js'
import type { Collection, JsonSchema } from '../schemas/types.js'
import { FILE_URL, fileFields } from './files.js'
import { checkRunsAs, createsOperation, refuseChangedInputs, runsAs, sameValue } from '../hooks/operations.js'
import { emailPaths, normalizeEmails } from '../hooks/emails.js'
import { isPlainObject } from '../schemas/paths.js'
import { unescapeFormula } from './csv.js'

type Rec = Record<string, any>
export type ImportFormat = 'csv' | 'json' | 'ndjson'

const FORMAT_OF: Record<string, ImportFormat> = { 'text/csv': 'csv', 'application/json': 'json', 'application/x-ndjson': 'ndjson' }
/** ErrorDetails keeps this many rows' errors; the counts cover every row. */
const MAX_ERRORS = 1000

/** Declarations checked against the schemas, once the blueprint's collections are known. */
export function checkImports(collections: Collection[]) {
  for (const collection of collections) {
    const importer = collection.importer
    if (!importer) continue
    const where = `collection "${collection.name}" importer`
    const properties = collection.dataSchema.properties ?? {}
    if (!fileFields(collection).some((field) => field.path === importer.file)) throw new DeclarationError(where, `file "${importer.file}" must be a File() field`)
    const into = properties[importer.into]
    if (!into?.enum) throw new DeclarationError(where, `into "${importer.into}" must be an Enum of collection names`)
    for (const name of into.enum) {
      if (!collections.find((c) => c.name === name)?.import) throw new DeclarationError(where, `target "${name}" does not declare import`)
    }
    for (const field of [importer.dryRun, ...Object.values(importer.report)].filter(Boolean) as string[]) {
      if (!properties[field]) throw new DeclarationError(where, `names unknown field "${field}"`)
    }
    checkRunsAs(collections, collection, importer.as, where)
  }
}

/** The schema at a dotted path of the target's data schema. */
function schemaAt(schema: JsonSchema, path: string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema
  for (const key of path) node = node?.properties?.[key] ?? (node?.anyOf ?? node?.oneOf)?.find((s: JsonSchema) => s.properties?.[key])?.properties?.[key]
  return node
}

const TRUE = new Set(['true', '1', 'yes'])
const FALSE = new Set(['false', '0', 'no'])

/**
 * A CSV cell as the schema wants it: numbers, booleans, JSON for arrays and objects; as text otherwise (validation
 * speaks), without the apostrophe an export puts before a formula-like text (`'=x` is `=x`, as exported).
 */
function coerce(schema: JsonSchema | undefined, text: string, secret = false): unknown {
  const type = schema?.type
  if (type === 'integer' || type === 'number') return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text
  if (type === 'boolean') return TRUE.has(text.toLowerCase()) ? true : FALSE.has(text.toLowerCase()) ? false : text
  if (type === 'array' || type === 'object') {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  // A secret (a password) is taken as written: no export writes one, so no apostrophe of ours is in it.
  return secret ? text : unescapeFormula(text)
}

/** `node[key] = value` as an own property, whatever the key: `__proto__` stays a key (which validation refuses). */
function setOwn(node: Rec, key: string, value: unknown) {
  // Defined only where assigning would not make a property (a plain store keeps the record's fast shape).
  if (key === '__proto__') Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true })
  else node[key] = value
}

/**
 * A CSV row (header → cell) as a record: dotted headers build nested objects, empty cells are left out. Every level is
 * an own property of a new object: a header never walks into a prototype (`__proto__.x`, `constructor.prototype.x`
 * changed every object of the server); such a row is refused for its key, as a JSON row with it is.
 */
export function rowToRecord(target: Collection, row: Record<string, string>): Rec {
  const record: Rec = {}
  for (const [header, cell] of Object.entries(row)) {
    if (cell === undefined || cell === '' || isUnnamed(header)) continue
    const name = header.trim()
    const path = name.split('.')
    let node = record
    for (const key of path.slice(0, -1)) {
      if (!Object.hasOwn(node, key) || !isPlainObject(node[key])) setOwn(node, key, {})
      node = node[key]
    }
    setOwn(node, path[path.length - 1], coerce(schemaAt(target.dataSchema, path), cell, target.secrets.some((secret) => secret.path === name)))
  }
  return record
}

/** A row of the file: its cells (CSV: header → cell; JSON/NDJSON: the value), or the parser's reason it cannot be read (the others still can). */
type RawRow = { row: number; cells: any; unreadable?: undefined } | { row: number; unreadable: string; cells?: undefined }

const BOM = /^\uFEFF/

/** The key of a column without a name (its number after a NUL, which no header name holds): one per column. */
const UNNAMED = '\u0000'
const isUnnamed = (key: string) => key.charCodeAt(0) === 0

/**
 * A CSV header as the rows' keys; a field named twice, or both as a column and as the object of dotted ones, would
 * keep one of its cells unsaid: the file is refused (400 at creation). A column without a name gets a key of its own (two of them were one, and a cell under the first was lost).
 */
function headerOf(header: string[]): string[] {
  const names = header.map((name) => name.trim()).filter(Boolean)
  const twice = names.find((name, index) => names.indexOf(name) !== index)
  if (twice !== undefined) throw new Error(`the header names ${twice} twice`)
  // `Status` and `Status.x`: one cell would overwrite the object the other is in, whichever comes last.
  const named = new Set(names)
  for (const name of names) {
    const parts = name.split('.')
    const prefix = parts.slice(1).map((_, index) => parts.slice(0, index + 1).join('.')).find((path) => named.has(path))
    if (prefix !== undefined) throw new Error(`the header names ${prefix} and ${name}: ${prefix} is either one cell or the fields of its dotted columns, not both`)
  }
  return header.map((name, index) => (name.trim() ? name : `${UNNAMED}${index + 1}`))
}

/** A row's cells as a person reads them: a column without a name as `(column 3)`. */
const shownCells = (cells: Record<string, unknown>) => {
  if (!Object.keys(cells).some(isUnnamed)) return cells
  return Object.fromEntries(Object.entries(cells).map(([key, value]) => [isUnnamed(key) ? `(column ${key.slice(1)})` : key, value]))
}

/** Why a CSV row is refused for a value under a column without a name (it belongs to no field), if it is. */
function unnamedValue(cells: Record<string, string>): string | undefined {
  for (const key in cells) {
    if (isUnnamed(key) && cells[key] !== '' && cells[key] !== undefined) {
      return `column ${key.slice(1)} has no name in the header: its cell (${JSON.stringify(cells[key].slice(0, 100))}) belongs to no field`
    }
  }
  return undefined
}

/**
 * A record csv-parse skipped, as a row: one longer than the header whose extra cells are all empty (trailing commas)
 * is read as the header's cells; one whose extra cells hold values is refused, as its values would be lost (they were
 * dropped without a word before); any other failure is the parser's reason.
 */
function longRow(columns: string[], error: any): { reason?: string; cells?: Record<string, string> } {
  const fields: unknown = error?.record
  if (error?.code === 'CSV_QUOTE_NOT_CLOSED') {
    return { reason: 'a quote opened in this row is never closed: every line after it was read into that cell, and none of them is imported' }
  }
  if (error?.code !== 'CSV_RECORD_INCONSISTENT_COLUMNS' || !Array.isArray(fields)) return { reason: error?.message ?? String(error) }
  const extra = fields.slice(columns.length)
  if (extra.some((cell) => cell !== '')) {
    return { reason: `this row has ${fields.length} cells and the header ${columns.length}: the cells past the header (${JSON.stringify(extra.find((cell) => cell !== ''))}) belong to no field` }
  }
  const cells: Record<string, string> = {}
  columns.forEach((name, index) => setOwn(cells, name, fields[index]))
  return { cells }
}

/** A CSV record of empty cells only: a blank line (or one of commas), a row of the spreadsheet but no record. */
const blank = (record: Record<string, string>) => {
  for (const key in record) if (record[key] !== '') return false
  return true
}

/**
 * The file's rows as read, with their row numbers (CSV: the spreadsheet's, header = 1; NDJSON: the line's; JSON: from 1). A CSV
 * record or an NDJSON line that cannot be parsed is a row of its own that cannot be read; the rows after it are read on.
 * What stops the reading (the bytes themselves fail, a JSON file that is not an array) is thrown.
 */
async function* rawRowsOf(format: ImportFormat, bytes: Readable): AsyncGenerator<RawRow> {
  if (format === 'csv') {
    // Blank lines are read as records (and passed over below), so that rows are counted as a spreadsheet shows them;
    // csv-parse's `info` would count them too, at ~4 µs a row (measured), most of the parse.
    // Short rows are read (their missing cells are empty); a row longer than the header is csv-parse's error (below).
    let columns: string[] = []
    const header = (names: string[]) => (columns = headerOf(names))
    const parser = bytes.pipe(parseCsv({ columns: header, bom: true, relax_column_count_less: true, trim: false, skip_records_with_error: true }))
    // `pipe` does not pass the bytes' failure on (a file gone, a folder: an unhandled error that ended the process).
    bytes.once('error', (error) => parser.destroy(error))
    // A record csv-parse cannot read is skipped with its reason and the count of records read before it.
    const skipped: { records: number; lines: number; reason?: string; cells?: Record<string, string> }[] = []
    parser.on('skip', (error: any) => {
      // A quote closing a cell with more after it (`"Scheduled"x`) left the parser inside the quotes, reading the rows
      // after it into that cell up to the next quote: it reads on from there unquoted, the rest of the record skipped.
      // (`state` is the stream's own handle on the parser's state; the skip is emitted synchronously from the parse.)
      if (error.code === 'CSV_INVALID_CLOSING_QUOTE') (parser as unknown as { state: { quoting: boolean } }).state.quoting = false
      // A second failure of the same record (an error where the parser read on) is not another row.
      const last = skipped.at(-1)
      if (last && last.records === error.records && last.lines === error.lines) return
      skipped.push({ records: error.records, lines: error.lines, ...longRow(columns, error) })
    })
    let records = 0
    let skips = 0
    /** The skipped records before the record numbered `next`, each on its own row (header + records + skips before it). */
    function* skippedBefore(next: number): Generator<RawRow> {
      while (skipped.length && skipped[0].records < next) {
        const { records: before, reason, cells } = skipped.shift()!
        const row = 2 + before + skips++
        if (!cells) yield { row, unreadable: reason! }
        else if (!blank(cells)) yield { row, cells }
      }
    }
    for await (const record of parser) {
      yield* skippedBefore(++records)
      if (!blank(record)) yield { row: 1 + records + skips, cells: record }
    }
    yield* skippedBefore(Infinity)
    return
  }
  if (format === 'ndjson') {
    let row = 0
    for await (const line of createInterface({ input: bytes, crlfDelay: Infinity })) {
      const text = row === 0 ? line.replace(BOM, '') : line
      // Numbered by line, blank ones too: the line an editor shows (as CSV rows are a spreadsheet's).
      row++
      if (!text.trim()) continue
      let cells: unknown
      try {
        cells = JSON.parse(text)
      } catch (error: any) {
        yield { row, unreadable: error.message }
        continue
      }
      yield { row, cells }
    }
    return
  }
  // A JSON array is read whole: it is bounded by the file field's maxBytes.
  // Decoded once whole: a character whose bytes two chunks share stays one character (`text += chunk` split it).
  const chunks: Buffer[] = []
  for await (const chunk of bytes) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  const items = JSON.parse(Buffer.concat(chunks).toString('utf8').replace(BOM, ''))
  if (!Array.isArray(items)) throw new BadRequest('A JSON import file holds an array of records')
  for (const [index, cells] of items.entries()) yield { row: index + 1, cells }
}

/**
 * Rows of the file as records of the target (CSV cells converted per its schema), or why a row is none: it cannot be
 * read, or (JSON/NDJSON) it is not one record (an array there would have been a batch of creates).
 */
async function* rowsOf(format: ImportFormat, bytes: Readable, target: Collection): AsyncGenerator<{ row: number; record: Rec } | { row: number; refused: string }> {
  const emails = emailPaths(target)
  for await (const raw of rawRowsOf(format, bytes)) {
    const unnamed = format === 'csv' && raw.unreadable === undefined ? unnamedValue(raw.cells) : undefined
    if (raw.unreadable !== undefined) yield { row: raw.row, refused: `The row cannot be read as ${format.toUpperCase()}: ${raw.unreadable}` }
    else if (unnamed) yield { row: raw.row, refused: unnamed }
    else if (format !== 'csv' && !isPlainObject(raw.cells)) yield { row: raw.row, refused: 'A row is one record: a JSON object' }
    // Emails as the service stores them, so that a key finds its record however the file spells it.
    else yield { row: raw.row, record: normalizeEmails(format === 'csv' ? rowToRecord(target, raw.cells) : raw.cells, emails) as Rec }
  }
}

/** The stored upload behind a file URL, if any. */
const fileMeta = (app: EngineApp, url: unknown) => {
  const id = typeof url === 'string' ? FILE_URL.exec(url)?.[1] : undefined
  return id ? (app.service('quillbase-files') as any)._get(id).catch(() => undefined) : undefined
}

export interface FailedRow {
  Row: number
  Error: string
  /** The row as the file has it (CSV: header → cell), when the file is still there and was asked for. */
  cells?: Rec
}

/**
 * The rows an import refused (its `errors` report, up to 1000), each with its cells read back from the uploaded file
 * when `withFile`: what the uploader fixes and uploads again.
 */
export async function failedRows(app: EngineApp, operation: Collection, record: Rec, withFile: boolean): Promise<FailedRow[]> {
  const importer = operation.importer!
  const failed: FailedRow[] = (record[importer.report.errors] ?? []).map((error: FailedRow) => ({ Row: error.Row, Error: error.Error }))
  const meta = withFile && failed.length ? await fileMeta(app, record[importer.file]) : undefined
  const format: ImportFormat | undefined = meta && FORMAT_OF[meta.type]
  if (!format) return failed
  const byRow = new Map(failed.map((row) => [row.Row, row]))
  const bytes = app.store.files.read(meta._id)
  try {
    let left = byRow.size
    for await (const { row, cells, unreadable } of rawRowsOf(format, bytes)) {
      const found = byRow.get(row)
      if (!found || unreadable !== undefined) continue
      found.cells = cells && typeof cells === 'object' && !Array.isArray(cells) ? shownCells(cells) : { value: cells }
      if (--left === 0) break
    }
  } catch {
    // A file that stopped being readable: the rows read so far keep their cells (its error is in the report).
  } finally {
    bytes.destroy()
  }
  return failed
}

/** Longest `Error` of a refused row, as the importer's report keeps it. */
const MAX_ERROR = 1000

/** The service's own words for a refused row: its field messages when it has them; cut at MAX_ERROR (the report's limit). */
function rowError(error: any): string {
  if (typeof error === 'string') return error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR - 1)}…` : error
  const fields = error?.data && typeof error.data === 'object' && !Array.isArray(error.data) ? Object.entries(error.data).filter(([, m]) => typeof m === 'string') : []
  const text = error?.name === 'BadRequest' && fields.length ? fields.map(([field, message]) => `${field} ${message}`).join('; ') : String(error?.message ?? error)
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text
}

/** Thrown inside a dry run's transaction so that it rolls back. */
class DryRun extends Error {}

/** What an import job carries: JSON, so that any instance can run it (BullMQ with REDIS_URL). */
interface ImportJob {
  operation: string
  id: string
  target: string
  format: ImportFormat
}

export class Imports {
  constructor(private _app: EngineApp) {
    // Not retried: rows already imported would be imported again (a key makes rows upserts, not every target has one).
    _app.jobs.define<ImportJob>('import', async ({ data, user }) => {
      const collections = this._app.blueprint.collections
      const operation = collections.find((c) => c.name === data.operation)!
      const target = collections.find((c) => c.name === data.target)!
      const record = await (this._app.service(operation.name) as any)._get(data.id)
      const status = record[operation.importer!.report.status]
      // Running already: this is a second delivery of a run a stopped worker began (BullMQ's stalled jobs).
      if (status === 'Running') return this._interrupted(operation, record)
      if (status !== 'Queued') return
      try {
        await this.run(operation, record, target, data.format, user)
      } catch (error: any) {
        await this._fail(operation, record, `The import stopped: ${error?.message ?? error}`)
        throw error
      }
    }, {
      attempts: 1,
      // A run that never reported (its uploader gone before it began, its workers killed twice): the record says so.
      failed: async ({ data, error }) => {
        const operation = this._app.blueprint.collections.find((c) => c.name === data.operation)
        const record = operation && (await (this._app.service(operation.name) as any)._get(data.id).catch(() => undefined))
        const status = record?.[operation!.importer!.report.status]
        if (status === 'Queued' || status === 'Running') await this._fail(operation!, record, `The import stopped: ${error}`)
      }
    })
  }

  private get _importers() {
    return this._app.blueprint.collections.filter((collection) => collection.importer)
  }

  /**
   * At start, where the queue was in this process (`jobs.leftBehind`; its jobs ended with it): an import still queued is
   * queued again, as its uploader; one that was running is marked Failed, with what it did so far (running it again
   * would repeat its rows). BullMQ keeps queued jobs across restarts, and a run it delivers twice is caught at its start.
   */
  async resume(): Promise<{ queued: number; interrupted: number }> {
    const counts = { queued: 0, interrupted: 0 }
    if (!this._app.jobs.leftBehind) return counts
    for (const operation of this._importers) {
      const { report, file, into } = operation.importer!
      const left = (await (this._app.service(operation.name) as any)._find({ paginate: false, query: { [report.status]: { $in: ['Queued', 'Running'] } } })) as Rec[]
      for (const record of left) {
        const meta = record[report.status] === 'Queued' ? await this._meta(record[file]) : undefined
        const format = meta && FORMAT_OF[meta.type]
        if (meta && format) {
          const job: ImportJob = { operation: operation.name, id: String(record._id), target: record[into], format }
          // As its creation queued it: the user it is for (`as`), else the uploader (before: the uploader always, so an
          // Admin's import for a Manager ran with the Admin's rights after a restart).
          const as = operation.importer!.as
          await this._app.jobs.enqueue('import', job, { userId: (as && record[as]) || meta.uploadedBy })
          counts.queued++
        } else {
          await this._interrupted(operation, record)
          counts.interrupted++
        }
      }
    }
    return counts
  }

  private _interrupted(operation: Collection, record: Rec) {
    return this._fail(operation, record, 'Interrupted: the server stopped while this import ran. The rows counted here were imported; import the rest again (with a key, rows already imported are updated, not repeated)')
  }

  /** Marks an import Failed, its reason as the last error (row 0: not a row of the file). */
  private async _fail(operation: Collection, record: Rec, reason: string) {
    const { report } = operation.importer!
    const service = this._app.service(operation.name) as any
    // As the run left it: its progress patches carry the counts and errors so far.
    const current = await service._get(record._id)
    const errors = [...((current[report.errors] as ImportCounts['errors']) ?? []).slice(0, 999), { Row: 0, Error: reason.slice(0, 1000) }]
    await service.patch(record._id, { [report.status]: 'Failed', [report.errors]: errors }, { audit: { actor: 'job' } })
  }

  private _meta(url: string) {
    return fileMeta(this._app, url)
  }

  /** The hook of an `importer` collection: checks the file and target before the record is stored, then starts the run. */
  hook(collection: Collection) {
    const importer = collection.importer!
    const inputs = [importer.file, importer.into, importer.dryRun, importer.as].filter((field): field is string => !!field)
    return async (context: HookContext, next: NextFunction) => {
      // What it ran with stays once it ran (its report says what the rows of that file did, into that collection, as
      // that user); a record that never ran an import (made without a file) is a plain record.
      await refuseChangedInputs(context, inputs, 'this import ran with', (stored) => stored[importer.report.status] !== undefined)
      if (!createsOperation(context, collection, 'runs its import') || !context.data?.[importer.file]) return next()
      const data = context.data
      const target = this._app.blueprint.collections.find((c) => c.name === data[importer.into])
      if (!target) throw new Unprocessable(`${importer.into} names the collection to import into`, { [importer.into]: 'is required with a file' })
      const meta = await this._meta(data[importer.file])
      const format = meta && FORMAT_OF[meta.type]
      const formats = target.import?.formats ?? ['csv', 'json', 'ndjson']
      if (!format || !formats.includes(format)) {
        throw new Unprocessable(`${target.name} imports ${formats.join(', ')} files`, { [importer.file]: `is ${meta?.type ?? 'not an upload'}` })
      }
      if (data[importer.dryRun ?? ''] && !this._app.store.transactions) {
        throw new BadRequest('A dry run needs transactions to undo every row: the embedded store, or MongoDB as a replica set or mongos')
      }
      await this._readable(format, meta._id)
      // As the uploader, or the user the record is for (`as`): a report its user reads shows what they may do.
      const user = context.params.provider ? await runsAs(this._app, importer.as, context) : undefined
      const { report } = importer
      context.data = { ...data, [report.status]: 'Queued', [report.total]: 0, [report.succeeded]: 0, [report.failed]: 0, [report.errors]: [] }
      await next()
      const record = context.result
      const userId = user?._id
      // A job once the record is committed, so the run sees it; the request returns at once. As that user: the job
      // loads them afresh and the rows run with their permissions (an internal creation's rows are the engine's).
      const job: ImportJob = { operation: collection.name, id: String(record._id), target: target.name, format }
      const enqueue = () => void this._app.jobs.enqueue('import', job, { userId }).catch((error) => console.error(`quillbase: import ${record._id} not queued: ${error.message}`))
      if (!this._app.store.afterCommit(enqueue)) enqueue()
    }
  }

  /** An unreadable file is refused when the record is made (400 with the reason), not found out later. */
  private async _readable(format: ImportFormat, fileId: string) {
    try {
      const rows = rawRowsOf(format, this._app.store.files.read(fileId))
      const first = await rows.next()
      await rows.return(undefined)
      // Not one row of it (a later one that cannot be read is that row's error in the report).
      if (first.value?.unreadable !== undefined) throw new Error(`${first.value.unreadable} (row ${first.value.row})`)
    } catch (error: any) {
      throw new BadRequest(`The file cannot be read as ${format.toUpperCase()}: ${error.message}`)
    }
  }

  /** Runs every row through the target service as `user` (permissions, validation, hooks, events all apply). */
  async run(operation: Collection, record: Rec, target: Collection, format: ImportFormat, user: Rec | undefined) {
    const importer = operation.importer!
    const { report } = importer
    const operations = this._app.service(operation.name) as any
    const params: Params = user ? { provider: 'import', user, counted: true, audit: { transport: 'import' } } : { audit: { actor: 'job' } }
    const progress = (status: string, counts: ImportCounts) =>
      operations.patch(
        record._id,
        { [report.status]: status, [report.total]: counts.total, [report.succeeded]: counts.succeeded, [report.failed]: counts.failed, [report.errors]: counts.errors },
        { audit: { actor: 'job' } }
      )
    const meta = await this._meta(record[importer.file])
    const counts = await importRows(this._app, target, format, this._app.store.files.read(meta._id), params, {
      dryRun: !!(importer.dryRun && record[importer.dryRun]),
      every: importer.progressEvery ?? 100,
      // The report's errors beside its other fields within the record's size limit, however long each message is.
      errorBytes: Math.floor(operation.maxRecordBytes / 2),
      progress: (counts) => progress('Running', counts)
    })
    await progress(counts.unreadable ? 'Failed' : 'Done', counts)
  }
}

export interface ImportCounts {
  total: number
  succeeded: number
  failed: number
  /** The first 1000 refused rows (fewer when their JSON would pass `errorBytes`). */
  errors: { Row: number; Error: string }[]
  /** The file stopped being readable (the reason is the last error). */
  unreadable?: boolean
}

/**
 * Runs every row of `bytes` through `target`'s service with `params` (a create, or a patch of the record whose
 * `import.key` matches); a refused row is counted and noted, never stops the others. A dry run undoes each row.
 * New rows go in batches of `every` (one multi create each); progress is told after each batch, once the event loop
 * has had a turn (other requests are answered between batches).
 */
export async function importRows(
  app: EngineApp,
  target: Collection,
  format: ImportFormat,
  bytes: Readable,
  params: Params,
  options: { dryRun?: boolean; every?: number; errorBytes?: number; progress?: (counts: ImportCounts) => Promise<unknown> | void } = {}
): Promise<ImportCounts> {
  const service = app.service(target.name) as any
  const key = target.import?.key
  const every = options.every ?? 100
  const counts: ImportCounts = { total: 0, succeeded: 0, failed: 0, errors: [] }
  let errorBytes = 0
  /** A row's error kept in the report while there is room (MAX_ERRORS, `options.errorBytes`); every one is counted. */
  const note = (error: ImportCounts['errors'][number]) => {
    const bytes = Buffer.byteLength(JSON.stringify(error)) + 1
    if (counts.errors.length >= MAX_ERRORS || errorBytes + bytes > (options.errorBytes ?? Infinity)) return
    errorBytes += bytes
    counts.errors.push(error)
  }
  const refused = (row: number, error: unknown) => {
    counts.failed++
    note({ Row: row, Error: rowError(error) })
  }
  // A dry run undoes each write (its transaction rolls back), so nothing of the file stays.
  const run = async (write: () => Promise<unknown>) => {
    if (!options.dryRun) return write()
    await app.store.transaction(async () => {
      await write()
      throw new DryRun()
    }).catch((error) => {
      if (!(error instanceof DryRun)) throw error
    })
  }
  /** Why a row's key cannot name a record: a key is a value, never a query (`{"$ne": null}` found the first user). */
  const keyRefusal = (data: Rec) => {
    const field = data._id !== undefined ? '_id' : key
    const value = field === undefined ? undefined : data[field]
    // An id is a text: `""`, `123` or `true` name no record (they were refused as ids no record has, `""` shown as nothing).
    if (field === '_id' && (typeof value !== 'string' || !value)) return `_id must be a record's id, not ${JSON.stringify(value)}`
    if (value !== null && typeof value !== 'object') return undefined
    return `${field} must be a value, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : 'an object'}`
  }
  /** The stored record a row names: by its `_id` (an export's rows carry it), else by the declared key. */
  const existing = async (data: Rec): Promise<Rec | undefined> => {
    if (data._id !== undefined) {
      return service._get(data._id).catch((error: any) => {
        if (error?.code === 404 || error?.code === 400) return undefined
        throw error
      })
    }
    return key && data[key] !== undefined ? ((await service._find({ paginate: false, query: { [key]: data[key], $limit: 1 } })) as Rec[])[0] : undefined
  }
  /**
   * One row on its own: a patch of the record its `_id` or key names (`found`, when the caller looked it up already),
   * else a create; its refusal is noted. A row with an `_id` no record has is refused (a create takes no id).
   */
  const one = async ({ row, record: data }: { row: number; record: Rec }, found?: Rec) => {
    try {
      const stored = found ?? (await existing(data))
      if (!stored && data._id !== undefined) throw new NotFound(`No record of ${target.label.toLowerCase()} has the _id ${data._id}: a new record is imported without an _id`)
      if (!stored) await run(() => service.create(data, params))
      else {
        // What the row changes only: the key and the id, and cells as stored (an export's read-only or unchanged
        // columns), left out, so a caller who may change some fields only still updates those.
        // Found by its `_id`, the key is a field like the others: an edited email is a change (the unique index
        // refuses one that another record holds).
        const byId = data._id !== undefined
        const changes = Object.fromEntries(Object.entries(data).filter(([field, value]) => (byId || field !== key) && field !== '_id' && !sameValue(value, stored[field])))
        if (Object.keys(changes).length) await run(() => service.patch(stored._id, changes, params))
        // Nothing to change: still a row about a record the caller may read (else its 403 or 404).
        else await service.get(stored._id, params)
      }
      counts.succeeded++
    } catch (error) {
      refused(row, error)
    }
  }
  // The engine's stamps are its own to write: an export's columns of them are passed over.
  const stamps = [target.timestamps.createdAt, target.timestamps.updatedAt].filter((stamp): stamp is string => !!stamp)
  const withoutStamps = (record: Rec) => {
    if (!stamps.some((stamp) => Object.hasOwn(record, stamp))) return record
    const kept = { ...record }
    for (const stamp of stamps) delete kept[stamp]
    return kept
  }
  // New records go through the service as one multi create per batch (hooks run once per batch, one transaction):
  // all or nothing, so a refused batch is replayed row by row to tell which rows fail and why.
  let batch: { row: number; record: Rec }[] = []
  const flush = async () => {
    const rows = batch
    batch = []
    if (rows.length > 1) {
      try {
        await run(() => service.create(rows.map((item) => item.record), params))
        counts.succeeded += rows.length
        return
      } catch {
        // replayed below
      }
    }
    for (const item of rows) await one(item)
  }
  await options.progress?.(counts)
  const rows = rowsOf(format, bytes, target)
  for (;;) {
    // Only the reading is the file's failure; a failing write or progress report stops the import as itself.
    let next: IteratorResult<{ row: number; record: Rec } | { row: number; refused: string }>
    try {
      next = await rows.next()
    } catch (error: any) {
      await flush()
      counts.unreadable = true
      // The reason is always the last error, however many rows were refused before it.
      if (counts.errors.length >= MAX_ERRORS) counts.errors.pop()
      counts.errors.push({ Row: counts.total + 1, Error: `The file stopped being readable: ${error.message}`.slice(0, MAX_ERROR) })
      break
    }
    if (next.done) {
      await flush()
      break
    }
    const item = next.value
    counts.total++
    if (!('refused' in item)) item.record = withoutStamps(item.record)
    if ('refused' in item) {
      // The rows waiting before it first: the report lists rows in their order.
      await flush()
      refused(item.row, item.refused)
    } else {
      // A row that names a stored record, or the same key as a row still waiting, waits for the batch before it (the
      // stored record, looked up once; a waiting row's after the batch is written).
      const refusal = keyRefusal(item.record)
      const waiting = !refusal && key !== undefined && item.record[key] !== undefined && batch.some((other) => other.record[key] === item.record[key])
      const found = refusal || waiting ? undefined : await existing(item.record)
      if (refusal) {
        await flush()
        refused(item.row, refusal)
      } else if (waiting || found || item.record._id !== undefined) {
        await flush()
        await one(item, found)
      } else batch.push(item)
      if (batch.length >= every) await flush()
    }
    if (counts.total % every === 0) {
      await flush()
      // The rows of a file in memory (or a chunk read ahead) run on promises alone: without a turn of the event loop
      // here, the server would answer no other request until the import ended (or the chunk did).
      await nextTurn()
      await options.progress?.(counts)
    }
  }
  return counts
}

