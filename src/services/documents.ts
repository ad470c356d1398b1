// Rendered documents (`document`): a record that enters the declared state queues a job that fills the declared
// template from the record and the records it references, draws it as a PDF, stores it through the file storage in the
// declared `File()` field and moves the record to the next state. A failure is written on the record; records still
// waiting (a job lost with a stopped process, or one that failed every try) are queued again at start and hourly.
import { Forbidden } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { recordsBefore } from '../hooks/stored.js'
import { withoutSecrets } from '../hooks/secrets.js'
import { fillText } from '../hooks/workflows/templates.js'
import { mapAt } from '../schemas/paths.js'
import type { Collection, DocumentInput } from '../schemas/types.js'
import type { Files } from './files.js'
import { renderPdf, type FilledBlock } from './pdf.js'

type Rec = Record<string, any>

const JOB = 'render-document'
const ATTEMPTS = 3
const ENGINE = { audit: { actor: 'job' as const } }

interface RenderJob {
  collection: string
  id: string
}

/** A date as people read it: `31 December 2026` (en-GB), in UTC. */
const readableDate = (locale: string) => {
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' })
  return (value: unknown) => (typeof value === 'string' || value instanceof Date ? format.format(new Date(value)) : value)
}

/** A copy of the record without secrets, its date-time fields as readable dates. */
function printed(collection: Collection, record: Rec, locale: string): Rec {
  const asDate = readableDate(locale)
  return collection.dates.reduce((copy, path) => mapAt(copy, path.split('.'), asDate), withoutSecrets(collection, record))
}

export class Documents {
  constructor(
    private _app: EngineApp,
    private _files: Files
  ) {
    // Retried with back-off (a refusal, 4xx, is not): a passing cause heals; each failure is written on the record.
    _app.jobs.define<RenderJob>(JOB, ({ data }) => this.render(data.collection, data.id), { attempts: ATTEMPTS })
  }

  private get _declaring() {
    return this._app.blueprint.collections.filter((collection) => collection.document)
  }

  private _collection(name: string) {
    return this._declaring.find((collection) => collection.name === name)
  }

  /** At setup: the hourly sweep of records still waiting for their document. */
  async setup() {
    if (!this._declaring.length) return
    await this._app.jobs.schedule({ name: 'waiting-documents', cron: '23 * * * *', run: async () => ({ queued: await this.resume() }) })
  }

  /** Queues a rendering for every record waiting in its document's state; returns how many. */
  async resume() {
    let queued = 0
    for (const collection of this._declaring) {
      const { on } = collection.document!
      const waiting = (await (this._app.service(collection.name) as any)._find({ paginate: false, query: { [on.field]: on.state, $select: ['_id'] } })) as Rec[]
      for (const record of waiting) await this._enqueue(collection, String(record._id))
      queued += waiting.length
    }
    return queued
  }

  private _enqueue(collection: Collection, id: string) {
    return this._app.jobs.enqueue(JOB, { collection: collection.name, id } satisfies RenderJob)
  }

  /**
   * The collection hook: only the engine moves a record from the waiting state to the next one (403 for callers); a
   * record that enters the waiting state gets its rendering queued once the change commits.
   */
  hook(collection: Collection) {
    const { on, then, file } = collection.document!
    return async (context: HookContext, next: NextFunction) => {
      if (!['create', 'update', 'patch'].includes(context.method)) return next()
      const before = await recordsBefore(context)
      if (context.params.provider && !Array.isArray(context.data) && context.data?.[on.field] === then && before.some((record) => record[on.field] === on.state)) {
        throw new Forbidden(`${on.field} moves from ${on.state} to ${then} once the server has rendered ${file}`, { [on.field]: `becomes ${then} once ${file} is rendered` })
      }
      await next()
      const waited = new Set(before.filter((record) => record[on.field] === on.state).map((record) => String(record._id)))
      const entered = [context.result].flat().filter((record: Rec) => record?.[on.field] === on.state && !waited.has(String(record._id)))
      if (!entered.length) return
      const enqueue = () => {
        for (const record of entered) void this._enqueue(collection, String(record._id)).catch((error) => console.error(`quillbase: rendering ${collection.name} ${record._id} not queued: ${error.message}`))
      }
      if (!this._app.store.afterCommit(enqueue)) enqueue()
    }
  }

  /**
   * Renders one record's document now, stores it and moves the record on; returns the record as it is after. A record
   * no longer waiting is left as it is (another run did it). Demo data calls it directly, before jobs run.
   */
  async render(collectionName: string, id: string): Promise<Rec | undefined> {
    const collection = this._collection(collectionName)
    if (!collection) throw new Error(`Collection "${collectionName}" declares no document`)
    const declared = collection.document!
    const service = this._app.service(collection.name) as any
    const record: Rec | undefined = await service._get(id).catch((error: any) => (error?.code === 404 ? undefined : Promise.reject(error)))
    if (!record || record[declared.on.field] !== declared.on.state) return record
    let url: string | undefined
    try {
      const scope = await this._scope(collection, declared, record)
      const text = (template: string | undefined) => (template === undefined ? undefined : fillText(template, scope))
      const blocks = declared.content.flatMap((block): FilledBlock[] => {
        const filled = text(block.text)
        return filled === undefined ? [] : [{ ...block, text: filled }]
      })
      const name = (text(declared.name) ?? `${collection.name}-${record._id}.pdf`).replace(/[\\/]/g, '-')
      url = await this._files.create(renderPdf(declared.page, text(declared.title), blocks), { name, type: 'application/pdf', collection: collection.name, field: declared.file })
      const cleared = declared.error && record[declared.error] !== undefined ? { [declared.error]: null } : {}
      // Only while it still waits: a record another run moved on meanwhile keeps that run's file.
      return await service.patch(id, { [declared.file]: url, [declared.on.field]: declared.then, ...cleared }, { ...ENGINE, query: { [declared.on.field]: declared.on.state } })
    } catch (error: any) {
      if (url) await this._files.discard(url).catch(() => undefined)
      if (error?.code === 404) return service._get(id).catch(() => undefined)
      if (declared.error) {
        const message = `Rendering ${declared.file} failed: ${String(error?.message ?? error)}`.slice(0, 2000)
        await service.patch(id, { [declared.error]: message }, ENGINE).catch(() => undefined)
      }
      throw error
    }
  }

  /** What the template reads: `record`, each `with` record (secrets never), `now`; dates as people read them. */
  private async _scope(collection: Collection, declared: DocumentInput, record: Rec) {
    const locale = declared.locale ?? 'en-GB'
    const scope: Rec = { record: printed(collection, record, locale), now: readableDate(locale)(new Date()) }
    for (const [name, field] of Object.entries(declared.with ?? {})) {
      const reference = collection.references.find((ref) => ref.path === field)!
      const target = this._app.blueprint.collections.find((c) => c.name === reference.collection)!
      const referenced = record[field] === undefined || record[field] === null ? undefined : await (this._app.service(target.name) as any)._get(record[field]).catch(() => undefined)
      scope[name] = referenced && printed(target, referenced, locale)
    }
    return scope
  }
}
