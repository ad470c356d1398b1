// Connectors: records of a `connector` collection (calendars) kept in step with providers' calendars. One engine job per
// record and run: each provider's changes since its cursor are mapped onto the records that reference it (created,
// updated, removed; unchanged ETags skipped, so a second run changes nothing), local changes pushed where declared,
// conflicts recorded on the record and in the log, and one log record written per provider with its counts.
import { Unprocessable } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import type { EngineApp } from '../../engine.js'
import { matcher } from '../../hooks/workflows/shared.js'
import type { Collection, ConnectorProviderInput, ScheduleInput } from '../../schemas/types.js'
import { PROVIDERS, type ConnectorSettings } from './check.js'
import { isFinal } from '../jobs.js'
import { ProviderError } from './http.js'
import { canonical, fromItem, hash, toItem, withoutNulls } from './mapping.js'
import type { CalendarItem, CalendarProvider } from './provider.js'

export { checkConnectors, connectorSettings, type ConnectorSettings } from './check.js'

type Rec = Record<string, any>

const ERRORS_KEPT = 1000

/** A sync job's data: JSON, so any instance may run it. */
interface SyncJob {
  collection: string
  id: string
}

export class Connectors {
  private _running = new Map<string, Promise<unknown>>()

  constructor(private _app: EngineApp, private _settings: ConnectorSettings) {
    _app.jobs.define<SyncJob>('sync', async ({ data }) => {
      const collection = this._collection(data.collection)
      return this.run(collection, data.id)
    }, { attempts: 1 })
  }

  /**
   * A caller's change to a synced record's mapped fields makes it pending (for the providers it is pushed to), unless the
   * change sets the status itself; the sync's own writes are internal calls and keep the status they set.
   */
  setup() {
    for (const collection of this._app.blueprint.collections) {
      const connector = collection.connector
      if (!connector) continue
      const { records, status } = connector
      const mapped = Object.keys(connector.fields)
      const pushed = Object.values(connector.providers).filter((p) => p.push)
      if (!pushed.length) continue
      const parents = this._app.service(collection.name) as any
      const targets = this._app.service(records.collection) as any
      // Validation has filled defaults by now: on a create, the status's default is no choice of the caller's.
      const defaultStatus = this._app.blueprint.collections.find((c) => c.name === records.collection)!.schema.properties?.[status.field]?.default
      const markPending = async (context: any) => {
        const { data, params, id, method } = context
        if (!params.provider || !data || Array.isArray(data) || !mapped.some((field) => field in data)) return
        const given = data[status.field]
        if (given !== undefined && !(method === 'create' && given === defaultStatus)) return
        const parentId = data[records.parent] ?? (method === 'create' || id == null ? undefined : (await targets._get(id))[records.parent])
        const parent = parentId && (await parents._get(parentId).catch(() => undefined))
        if (parent && matcher(connector.where)(parent) && pushed.some((p) => parent[p.remoteId])) data[status.field] = status.pending
      }
      // A caller's removal is a deletion to send; the engine's own (archival, cascades, the sync) are not.
      const keepRemovals = async (context: any) => {
        if (!context.params.provider) return
        for (const record of [context.result].flat()) {
          const parent = record?.[records.parent] && (await parents._get(record[records.parent]).catch(() => undefined))
          if (!parent) continue
          const changes: Rec = {}
          for (const provider of pushed) {
            if (provider.removals && record[provider.id]) changes[provider.removals] = [...(parent[provider.removals] ?? []), String(record[provider.id])]
          }
          if (Object.keys(changes).length) await parents.patch(parent._id, changes, this._params())
        }
      }
      targets.hooks({ before: { create: [markPending], update: [markPending], patch: [markPending] }, after: { remove: [keepRemovals] } })
    }
  }

  /** The scheduled runs: each matching record's sync queued at every tick. */
  schedules(): ScheduleInput[] {
    if (this._settings.schedule === 'off') return []
    return this._app.blueprint.collections.filter((c) => c.connector?.schedule || (c.connector && this._settings.schedule)).map((collection) => ({
      name: `sync-${collection.name}`,
      cron: this._settings.schedule ?? collection.connector!.schedule!,
      description: `Queues a sync of every ${collection.name} record matching its connector's where`,
      run: async () => {
        const due = (await this._app.service(collection.name).find({ paginate: false, query: { ...collection.connector!.where, $select: ['_id'] } })) as Rec[]
        for (const record of due) await this._app.jobs.enqueue('sync', { collection: collection.name, id: String(record._id) } satisfies SyncJob)
        return { queued: due.length }
      }
    }))
  }

  /** The connector's action: the caller may run it on this record (checked); its sync is queued and the record answered. */
  async queue(name: string, record: Rec, _params: Params) {
    const collection = this._collection(name)
    const { where } = collection.connector!
    if (!matcher(where)(record)) throw new Unprocessable(`This ${name} record is not synced: it must match ${JSON.stringify(where)}`)
    await this._app.jobs.enqueue('sync', { collection: name, id: String(record._id) } satisfies SyncJob)
    return record
  }

  /** One run of one record, after any run of it already going in this process. */
  async run(collection: Collection, id: string) {
    const key = `${collection.name}:${id}`
    const before = this._running.get(key) ?? Promise.resolve()
    const run = before.catch(() => undefined).then(() => this._sync(collection, id))
    this._running.set(key, run)
    try {
      return await run
    } finally {
      if (this._running.get(key) === run) this._running.delete(key)
    }
  }

  private _collection(name: string) {
    const collection = this._app.blueprint.collections.find((c) => c.name === name && c.connector)
    if (!collection) throw new Error(`No connector on "${name}"`)
    return collection
  }

  private async _sync(collection: Collection, id: string) {
    const connector = collection.connector!
    const parent = (await (this._app.service(collection.name) as any)._get(id)) as Rec
    if (!matcher(connector.where)(parent)) return { skipped: true }
    const results: Rec = {}
    // Records a pull removed that a later provider of the run still has: deleted there too (per provider, their ids).
    const removed = new Map<string, string[]>()
    for (const [name, provider] of Object.entries(connector.providers)) {
      if (!parent[provider.remoteId]) continue
      results[name] = await this._runProvider(collection, parent, name, provider, removed)
    }
    if (connector.lastSynced && Object.values(results).every((r) => r.status !== 'error')) {
      await this._app.service(collection.name).patch(id, { [connector.lastSynced]: new Date().toISOString() }, this._params())
    }
    return results
  }

  /** Internal calls of the sync, marked as a job's in the audit log. */
  private _params(): Params {
    return { audit: { actor: 'job' } }
  }

  private async _runProvider(collection: Collection, parent: Rec, name: string, provider: ConnectorProviderInput, removed: Map<string, string[]>) {
    const connector = collection.connector!
    const { records, status, log } = connector
    const started = Date.now()
    const counts = { processed: 0, created: 0, updated: 0, deleted: 0 }
    const errors: { id?: string; message: string; code: string }[] = []
    const service = this._app.service(records.collection)
    const params = this._params()
    const now = () => new Date().toISOString()
    const pushes = Object.entries(connector.providers).filter(([, p]) => p.push && parent[p.remoteId])
    /** A record is synced once every provider it is pushed to has its current fields (pull-only providers keep nothing pending). */
    const statusOf = (values: Rec, state: Rec) => (pushes.every(([n]) => state[n] === hash(values)) ? status.synced : status.pending)
    /** Both sides changed: ours is kept, theirs named on the record and in the log; ours is then what this provider is compared with. */
    const conflict = async (record: Rec, item: CalendarItem | undefined, why: string) => {
      const message = `Conflict with ${name}: ${why}; this version is kept and the ${name} version was not applied`
      errors.push({ id: item?.id ?? record[provider.id], message, code: 'conflict' })
      await service.patch(record._id, {
        ...(item?.etag && { [provider.etag]: item.etag }),
        [status.state]: { ...(record[status.state] ?? {}), [name]: hash(canonical(connector, record)) },
        [status.field]: status.error,
        [status.errors]: [...(record[status.errors] ?? []), message].slice(-100),
        [status.at]: now()
      }, params)
    }
    /** A record gone at this provider: removed here, and queued for removal at the providers pushed to later in the run. */
    const removeLocal = async (record: Rec) => {
      await service.remove(record._id, params)
      for (const [other, p] of pushes) if (other !== name && record[p.id]) removed.set(other, [...(removed.get(other) ?? []), String(record[p.id])])
      counts.deleted++
    }
    let failed = false
    try {
      const { accessToken } = await this._app.oauth.accessToken(String(parent[connector.owner]), provider.oauth)
      const remote: CalendarProvider = PROVIDERS[provider.kind].factory(this._settings.urls[provider.kind]!, accessToken, this._settings.http)
      const calendarId = String(parent[provider.remoteId])
      const local = (await service.find({ ...params, paginate: false, query: { [records.parent]: parent._id } })) as Rec[]
      const byRemote = new Map(local.filter((r) => r[provider.id]).map((r) => [String(r[provider.id]), r]))
      const { items, cursor, full } = await remote.changes(calendarId, parent[provider.cursor])
      const seen = new Set<string>()
      const conflicted = new Set<string>()
      /** One item received: its record created, updated, removed, skipped or found in conflict. */
      const apply = async (item: CalendarItem) => {
        const existing = byRemote.get(item.id)
        if (item.removed) {
          if (existing) {
            await removeLocal(existing)
            byRemote.delete(item.id)
          }
          return
        }
        const values = fromItem(connector, item)
        const state = { ...(existing?.[status.state] ?? {}), [name]: hash(canonical(connector, values)) }
        if (!existing) {
          const made = await service.create({
            ...withoutNulls(values),
            [records.parent]: parent._id,
            [records.owner]: parent[connector.owner],
            [provider.id]: item.id,
            ...(item.etag && { [provider.etag]: item.etag }),
            [status.state]: state,
            [status.field]: statusOf(canonical(connector, values), state),
            [status.at]: now()
          }, params)
          byRemote.set(item.id, made)
          counts.created++
          return
        }
        if (item.etag && existing[provider.etag] === item.etag) return
        const current = canonical(connector, existing)
        // Changed here since this provider's last sync, and there (a new ETag): neither side silently wins.
        if (existing[status.state]?.[name] !== undefined && existing[status.state][name] !== hash(current)) {
          conflicted.add(String(existing._id))
          await conflict(existing, item, `changed here and at ${name} (ETag ${existing[provider.etag] ?? 'none'} → ${item.etag ?? 'none'})`)
          return
        }
        const updated = await service.patch(existing._id, {
          ...values,
          ...(item.etag && { [provider.etag]: item.etag }),
          [status.state]: state,
          [status.field]: statusOf(canonical(connector, values), state),
          [status.errors]: [],
          [status.at]: now()
        }, params)
        byRemote.set(item.id, updated)
        counts.updated++
      }
      for (const item of items) {
        counts.processed++
        seen.add(item.id)
        try {
          await apply(item)
        } catch (error: any) {
          // An item we cannot store (refused by validation, say) is named in the log; the others go on.
          if (!isFinal(error)) throw error
          errors.push({ id: item.id, message: String(error.message).slice(0, 2000), code: String(error.name ?? error.code) })
        }
      }
      if (full) {
        // Everything was listed: what the provider no longer has is gone there.
        for (const [remoteId, record] of byRemote) {
          if (seen.has(remoteId)) continue
          await removeLocal(record)
          byRemote.delete(remoteId)
        }
      }
      if (provider.push) {
        // Removed here by a pull of another provider in this run, or by a caller since the last run.
        const waiting: string[] = provider.removals ? ((await (this._app.service(collection.name) as any)._get(parent._id))[provider.removals] ?? []) : []
        for (const id of [...(removed.get(name) ?? []), ...waiting]) {
          counts.processed++
          await remote.remove!(calendarId, id)
          counts.deleted++
        }
        if (waiting.length) {
          // Only the ids sent: a removal made meanwhile waits for the next run.
          const now = (await (this._app.service(collection.name) as any)._get(parent._id))[provider.removals!] ?? []
          await this._app.service(collection.name).patch(parent._id, { [provider.removals!]: now.filter((id: string) => !waiting.includes(id)) }, params)
        }
        await this._push(collection, parent, name, provider, remote, calendarId, conflicted, counts, errors, conflict, statusOf)
      }
      await this._app.service(collection.name).patch(parent._id, { [provider.cursor]: cursor }, params)
    } catch (error: any) {
      failed = true
      errors.push({ message: String(error?.message ?? error).slice(0, 2000), code: error instanceof ProviderError ? error.reason : String(error?.code ?? error?.name ?? 'error') })
    }
    const runStatus = failed ? log.status.error : errors.length ? log.status.partial : log.status.success
    const completed = Date.now()
    await this._app.service(log.collection).create({
      ...provider.log,
      [log.owner]: parent[connector.owner],
      [log.status.field]: runStatus,
      [log.counts.processed]: counts.processed,
      [log.counts.created]: counts.created,
      [log.counts.updated]: counts.updated,
      [log.counts.deleted]: counts.deleted,
      [log.errors.field]: errors.slice(0, ERRORS_KEPT).map((e) => ({ ...(e.id && { [log.errors.id]: e.id }), [log.errors.message]: e.message, [log.errors.code]: e.code })),
      [log.startedAt]: new Date(started).toISOString(),
      [log.completedAt]: new Date(completed).toISOString(),
      [log.duration]: completed - started
    }, params)
    return { status: runStatus, ...counts, errors: errors.length }
  }

  /** Sends each record whose mapped fields differ from what this provider last had: inserted, or replaced if its ETag still holds. */
  private async _push(collection: Collection, parent: Rec, name: string, provider: ConnectorProviderInput, remote: CalendarProvider, calendarId: string, conflicted: Set<string>, counts: Rec, errors: Rec[], conflict: (record: Rec, item: undefined, why: string) => Promise<void>, statusOf: (values: Rec, state: Rec) => string) {
    const connector = collection.connector!
    const { records, status } = connector
    const service = this._app.service(records.collection)
    const params = this._params()
    const pushable = matcher(connector.pushWhere ?? {})
    const local = (await service.find({ ...params, paginate: false, query: { [records.parent]: parent._id } })) as Rec[]
    for (const record of local) {
      if (conflicted.has(String(record._id)) || !pushable(record)) continue
      const values = canonical(connector, record)
      const current = hash(values)
      if (record[status.state]?.[name] === current) continue
      counts.processed++
      try {
        const item = toItem(connector, record)
        const sent = record[provider.id]
          ? { id: record[provider.id], ...(await remote.update!(calendarId, record[provider.id], item, record[provider.etag])) }
          : await remote.insert!(calendarId, item)
        const state = { ...(record[status.state] ?? {}), [name]: current }
        // A conflict recorded on the record stays until a pull of that provider's next change applies.
        const kept = record[status.field] === status.error
        await service.patch(record._id, { [provider.id]: sent.id, [provider.etag]: sent.etag, [status.state]: state, [status.field]: kept ? status.error : statusOf(values, state), [status.at]: new Date().toISOString() }, params)
        record[provider.id] ? counts.updated++ : counts.created++
      } catch (error) {
        if (error instanceof ProviderError && error.status === 412) {
          await conflict(record, undefined, `changed here and at ${name} since ETag ${record[provider.etag]} (412 Precondition Failed)`)
          continue
        }
        if (error instanceof ProviderError && error.status < 500 && error.status !== 429) {
          errors.push({ id: record[provider.id], message: error.message, code: error.reason })
          await service.patch(record._id, { [status.field]: status.error, [status.errors]: [error.message], [status.at]: new Date().toISOString() }, params)
          continue
        }
        throw error
      }
    }
  }
}
