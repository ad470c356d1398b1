// Read cache of a collection that declares `cache`: what the store answered to a `find` or `get`, kept in memory and
// dropped on every change of the collection. It sits beneath the permission filter (the innermost hook): its key is the
// query as authorized, permission conditions included, so a caller is only ever served what the store would have given
// that query, then masked for them on the way out. Changes arrive as the service's events, which with REDIS_URL every
// instance hears through Redis (feathers-sync), and only once committed; the instance that wrote drops its own at commit.
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { LRUCache } from 'lru-cache'
import type { CacheInput } from '../schemas/types.js'
import type { Store } from './store.js'

const READS = ['find', 'get']
const CHANGE_EVENTS = ['created', 'updated', 'patched', 'removed']

export class ReadCache {
  hits = 0
  misses = 0
  private _entries: LRUCache<string, object>
  /** Moves on with every change: a read that began before it is not kept (it may have seen the old records). */
  private _generation = 0

  constructor(options: Required<CacheInput>) {
    this._entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 })
  }

  clear() {
    this._generation++
    this._entries.clear()
  }

  /**
   * Drops everything whenever the service tells of a change: another instance's as it arrives (through Redis), this
   * instance's as soon as it is committed (with Redis, feathers-sync emits even its own events only once they come back).
   */
  listen(service: { on(event: string, listener: () => void): unknown; emit(event: string, ...rest: unknown[]): boolean }, store: Store) {
    for (const event of CHANGE_EVENTS) service.on(event, () => this.clear())
    const emit = service.emit
    const clear = () => this.clear()
    service.emit = function (this: unknown, event: string, ...rest: unknown[]) {
      if (CHANGE_EVENTS.includes(event) && !store.afterCommit(clear)) clear()
      return emit.call(this, event, ...rest)
    }
  }

  /** The innermost around hook: reads outside a transaction (inside one they may see its uncommitted writes) are served or kept. */
  hook(store: Store) {
    return async (context: HookContext, next: NextFunction) => {
      // A keyset page (an export's `sqliteCursor`) is not named by its query: its place is in the cursor, which the
      // adapter moves; served from the cache, every page would be the first and the export would never end. Lazy
      // records (an export's `sqliteLazy`) are not kept either: a copy would parse each, and structuredClone refuses them.
      const { sqliteCursor, sqliteLazy } = context.params
      if (!READS.includes(context.method) || store.inTransaction() || sqliteCursor || sqliteLazy) return next()
      const { query, paginate } = context.params
      const key = JSON.stringify([context.method, context.id ?? null, query ?? {}, paginate ?? null])
      const kept = this._entries.get(key)
      if (kept) {
        this.hits++
        // A copy: the hooks above mask and strip results in place.
        context.result = structuredClone(kept)
        return
      }
      this.misses++
      const generation = this._generation
      await next()
      if (generation === this._generation && context.result) this._entries.set(key, structuredClone(context.result))
    }
  }
}
