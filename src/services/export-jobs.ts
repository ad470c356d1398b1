// Export jobs: creating a record of an `exporter` collection (seed 002's admin exports) queues a job that reads what the
// record asks for (one collection, or several for a backup) through the services as its creator, writes it to a file in
// the engine's file storage (CSV or JSON), and reports on the record: status, count as it goes, size, file, errors.
import { Readable } from 'node:stream'
import { Unprocessable } from '@feathersjs/errors'
import type { HookContext, NextFunction, Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { fillQuery, type TemplateScope } from '../hooks/workflows/templates.js'
import { DeclarationError } from '../schemas/sanitize.js'
import type { Collection, JobContext, ScheduleInput } from '../schemas/types.js'
import { csvLine, csvRows } from './csv.js'
import { callerColumns, everyRecord } from './exports.js'
import { fileFields, type Files } from './files.js'
import { createsOperation, placeholderFields, refuseChangedInputs } from '../hooks/operations.js'

type Rec = Record<string, any>
export type ExportFileFormat = 'csv' | 'json'

/** Declarations checked against the schemas, once the blueprint's collections are known. */
export function checkExporters(collections: Collection[]) {
  for (const collection of collections) {
    const exporter = collection.exporter
    if (!exporter) continue
    const where = `collection "${collection.name}" exporter`
    const properties = collection.dataSchema.properties ?? {}
    if (!fileFields(collection).some((field) => field.path === exporter.file)) throw new DeclarationError(where, `file "${exporter.file}" must be a File() field`)
    const kinds = properties[exporter.kind]?.enum as string[] | undefined
    if (!kinds) throw new DeclarationError(where, `kind "${exporter.kind}" must be an Enum`)
    for (const kind of kinds) {
      const targets = exporter.targets[kind]
      if (!targets) throw new DeclarationError(where, `kind "${kind}" has no targets`)
      for (const name of targets === '*' ? [] : targets) {
        if (!collections.some((c) => c.name === name)) throw new DeclarationError(where, `target "${name}" is not a collection`)
      }
    }
    for (const name of Object.keys(exporter.filters ?? {})) {
      if (!collections.some((c) => c.name === name)) throw new DeclarationError(where, `filters of "${name}": not a collection`)
    }
    const fields = [exporter.format, ...Object.values(exporter.report)].filter(Boolean) as string[]
    for (const field of fields) if (!properties[field]) throw new DeclarationError(where, `names unknown field "${field}"`)
    for (const field of Object.values(exporter.report)) {
      if (!properties[field].readOnly) throw new DeclarationError(where, `field "${field}" is the engine's: declare it readOnly`)
    }
    for (const schedule of exporter.schedules ?? []) {
      const at = `${where}, schedule "${schedule?.name}"`
      const record = schedule?.record
      if (!record || typeof record !== 'object' || Array.isArray(record)) throw new DeclarationError(at, '`record` must be an object of field values')
      if (!kinds.includes(record[exporter.kind] as string)) throw new DeclarationError(at, `record.${exporter.kind} must be one of ${kinds.join(', ')}`)
      for (const field of Object.keys(record)) {
        if (!properties[field]) throw new DeclarationError(at, `record names unknown field "${field}"`)
        if (properties[field].readOnly) throw new DeclarationError(at, `record.${field} is the engine's to fill`)
      }
    }
  }
}

/** What an export job carries: JSON, so that any instance can run it (BullMQ with REDIS_URL). */
interface ExportJob {
  operation: string
  id: string
}

export class ExportJobs {
  constructor(private _app: EngineApp, private _files: Files) {
    // Not retried: a failure is reported on the record, where the admin sees it and may ask again.
    _app.jobs.define<ExportJob>('export', async ({ data, params }) => {
      const operation = this._app.blueprint.collections.find((c) => c.name === data.operation)!
      const record = await (this._app.service(operation.name) as any)._get(data.id)
      await this.run(operation, record, params)
    }, {
      attempts: 1,
      // A run that never reported (its creator gone before it began, its workers killed twice): the record says so.
      failed: async ({ data, error }) => {
        const operation = this._app.blueprint.collections.find((c) => c.name === data.operation)
        if (operation) await this._markFailed(operation, data.id, `The export stopped: ${error}`)
      }
    })
  }

  /** Marks an export failed with `reason`, unless it has ended already (done, or failed with its own reason). */
  private async _markFailed(collection: Collection, id: string, reason: string): Promise<boolean> {
    const { exporter, statuses } = this._declared(collection)
    const { report } = exporter
    const service = this._app.service(collection.name) as any
    const record = await service._get(id).catch(() => undefined)
    if (!record || record[report.status] === statuses.done || record[report.status] === statuses.failed) return false
    await service.patch(id, {
      [report.status]: statuses.failed,
      ...(report.error ? { [report.error]: reason.slice(0, 2000) } : {}),
      ...(report.completedAt ? { [report.completedAt]: new Date().toISOString() } : {})
    }, { audit: { actor: 'job' } })
    return true
  }

  /** The declared scheduled exports as scheduled tasks: each tick creates the export's record, as an internal caller. */
  schedules(): ScheduleInput[] {
    return this._app.blueprint.collections.flatMap((collection) =>
      (collection.exporter?.schedules ?? []).map(({ name, cron, timezone, description, record }) => ({
        name,
        cron,
        timezone,
        description: description ?? `a ${record[collection.exporter!.kind]} export into ${collection.name}`,
        run: async ({ params }: JobContext<undefined>) => ({ created: String((await this._app.service(collection.name).create(structuredClone(record), params))._id) })
      }))
    )
  }

  /**
   * At start, where the queue was in this process (`jobs.leftBehind`; its jobs ended with it): an export neither done nor
   * failed will never finish, and whom it read as is not on the record, so it is marked failed, saying so. BullMQ
   * keeps queued jobs across restarts.
   */
  async resume(): Promise<number> {
    if (!this._app.jobs.leftBehind) return 0
    let interrupted = 0
    for (const collection of this._app.blueprint.collections.filter((c) => c.exporter)) {
      const { exporter, statuses } = this._declared(collection)
      const { report } = exporter
      const service = this._app.service(collection.name) as any
      // The unfinished statuses named (`$in`), so that the status index answers; `$nin` where the field has no enum.
      const values: string[] | undefined = (collection.schema.properties?.[report.status] as any)?.enum
      const unfinished = values ? { $in: values.filter((v) => v !== statuses.done && v !== statuses.failed) } : { $nin: [statuses.done, statuses.failed] }
      const left = (await service._find({ paginate: false, query: { [report.status]: unfinished, $select: ['_id'] } })) as Rec[]
      for (const record of left) {
        if (await this._markFailed(collection, record._id, 'Interrupted: the server stopped before this export finished; ask for it again')) interrupted++
      }
    }
    return interrupted
  }

  private _declared(collection: Collection) {
    const exporter = collection.exporter!
    const statuses = { running: exporter.statuses?.running, done: exporter.statuses?.done ?? 'completed', failed: exporter.statuses?.failed ?? 'error' }
    return { exporter, statuses }
  }

  /** The hook of an `exporter` collection: refuses what cannot be exported when the record is made, then queues the run. */
  hook(collection: Collection) {
    const { exporter } = this._declared(collection)
    // What the file was written from stays: another export is another record (its file would no longer match it).
    const inputs = [exporter.kind, ...(exporter.format ? [exporter.format] : []), ...placeholderFields(exporter.filters)]
    return async (context: HookContext, next: NextFunction) => {
      await refuseChangedInputs(context, inputs, 'this export was made of')
      if (!createsOperation(context, collection, 'runs its export')) return next()
      const targets = this._targets(collection, context.data)
      const format = this._format(collection, context.data)
      if (format === 'csv' && (exporter.targets[context.data[exporter.kind]] === '*' || targets.length !== 1)) {
        throw new Unprocessable('A CSV file holds one collection: export several as JSON', { [exporter.format ?? exporter.kind]: 'csv needs one collection' })
      }
      await next()
      const record = context.result
      const userId = context.params.provider ? context.params.user?._id : undefined
      const job: ExportJob = { operation: collection.name, id: String(record._id) }
      // Queued once the record is committed, so the run finds it; the request returns at once.
      const enqueue = () => void this._app.jobs.enqueue('export', job, { userId }).catch((error) => console.error(`quillbase: export ${record._id} not queued: ${error.message}`))
      if (!this._app.store.afterCommit(enqueue)) enqueue()
    }
  }

  /** The collections an export of this record reads (`*`: every collection of the blueprint). */
  private _targets(collection: Collection, data: Rec): Collection[] {
    const exporter = collection.exporter!
    const named = exporter.targets[data[exporter.kind]]
    const all = this._app.blueprint.collections
    return named === '*' ? all : all.filter((c) => named?.includes(c.name))
  }

  private _format(collection: Collection, data: Rec): ExportFileFormat {
    const field = collection.exporter!.format
    return field && data[field] === 'csv' ? 'csv' : 'json'
  }

  /** The declared filters of a target that the record fills: each clause whose placeholders all have values (not empty). */
  private _query(collection: Collection, target: Collection, scope: TemplateScope): Rec {
    // A filter left empty (`[]`, `''`) filters nothing, as one left out (`$in: []` exported no record, and said completed).
    const clauses = (collection.exporter!.filters?.[target.name] ?? []).map((clause) => fillQuery(clause, scope, { emptyIsUnset: true })).filter((clause): clause is Rec => !!clause)
    return clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0] : { $and: clauses }
  }

  /** Reads every target as the creator (`params`), writes the file, and reports on the record. */
  async run(collection: Collection, record: Rec, params: Params) {
    const { exporter, statuses } = this._declared(collection)
    const { report } = exporter
    const operations = this._app.service(collection.name) as any
    const engine = { audit: { actor: 'job' as const } }
    const patch = (data: Rec) => operations.patch(record._id, data, engine)
    const counted = { records: 0, bytes: 0 }
    try {
      const targets = this._targets(collection, record)
      const format = this._format(collection, record)
      const scope: TemplateScope = { data: record, user: params.user, now: new Date().toISOString() }
      if (statuses.running) await patch({ [report.status]: statuses.running, [report.count]: 0 })
      const chunks = format === 'csv' ? this._csv(targets[0], this._query(collection, targets[0], scope), params) : this._json(collection, targets, scope, params)
      const pages = async function* () {
        for await (const { text, records } of chunks) {
          counted.bytes += Buffer.byteLength(text)
          if (records) {
            counted.records += records
            // Progress reaches whoever may read the record, as its `patched` events.
            await patch({ [report.count]: counted.records })
          }
          yield text
        }
      }
      const name = `${collection.name}-${record[exporter.kind]}-${record._id}.${format}`
      const url = await this._files.create(Readable.from(pages()), {
        name,
        type: format === 'csv' ? 'text/csv' : 'application/json',
        collection: collection.name,
        field: exporter.file,
        uploadedBy: params.user?._id
      })
      await patch({
        [report.status]: statuses.done,
        [exporter.file]: url,
        [report.size]: counted.bytes,
        [report.count]: counted.records,
        ...(report.completedAt ? { [report.completedAt]: new Date().toISOString() } : {})
      })
    } catch (error: any) {
      await patch({
        [report.status]: statuses.failed,
        [report.count]: counted.records,
        ...(report.error ? { [report.error]: String(error?.message ?? error).slice(0, 2000) } : {}),
        ...(report.completedAt ? { [report.completedAt]: new Date().toISOString() } : {})
      })
    }
  }

  /** One collection as CSV: a column per field the creator may read (never a secret), one chunk per page. */
  private async *_csv(target: Collection, query: Rec, params: Params) {
    const columns = await callerColumns(this._app, target, params)
    const rows = csvRows(columns)
    yield { text: csvLine(columns), records: 0 }
    for await (const page of everyRecord(this._app, target, { ...params, query })) {
      yield { text: rows(page), records: page.length }
    }
  }

  /**
   * JSON: `{ "exportedAt", "collections": { name: [records] } }`, each record as the service returns it to the
   * creator (secrets never, masks applied); a collection the creator may not read is left out and named in `refused`.
   */
  private async *_json(collection: Collection, targets: Collection[], scope: TemplateScope, params: Params) {
    yield { text: `{"exportedAt":${JSON.stringify(scope.now)},"collections":{`, records: 0 }
    const refused: string[] = []
    let first = true
    for (const target of targets) {
      const query = this._query(collection, target, scope)
      let opened = false
      try {
        for await (const page of everyRecord(this._app, target, { ...params, query })) {
          const head = opened ? ',' : `${first ? '' : ','}${JSON.stringify(target.name)}:[`
          opened = true
          first = false
          yield { text: head + page.map((item) => JSON.stringify(item)).join(','), records: page.length }
        }
      } catch (error: any) {
        if (error?.code !== 403 || opened) throw error
        refused.push(target.name)
        continue
      }
      if (!opened) {
        yield { text: `${first ? '' : ','}${JSON.stringify(target.name)}:[`, records: 0 }
        first = false
      }
      yield { text: ']', records: 0 }
    }
    yield { text: `},"refused":${JSON.stringify(refused)}}`, records: 0 }
  }
}
