// Scale-out: with REDIS_URL, the blueprint's collection events are shared through Redis (feathers-sync), so each app
// instance publishes them to its own Socket.io connections (filtered per receiver there) and drops its caches.
import type { Application } from '@feathersjs/feathers'
import type featherSync from 'feathers-sync'
import { withoutSecrets } from '../hooks/secrets.js'
import type { Collection } from '../schemas/types.js'

export interface SyncOptions {
  /** `redis://host:port` */
  url: string
  /** Redis channel; instances serving the same data share it. */
  key: string
  /** The collections whose events travel. Any other service's (authentication: tokens) stay in the process. */
  collections: Collection[]
}

/** Loaded here, with REDIS_URL only: feathers-sync and its Redis client are a tenth of a start's module loading. */
export async function setupSync(app: Application, options: SyncOptions) {
  // CommonJS module typed as ESM: its callable export is the module itself under NodeNext.
  const sync = (await import('feathers-sync')).default as unknown as typeof featherSync.default
  const shared = new Map(options.collections.map((collection) => [collection.name, collection]))
  // Only what publishers and listeners use travels: the event, path, record without its secret fields (local events of
  // internal calls carry hashes and ciphertexts), id and method; never the caller's params (user, ability, connection).
  const serialize = ({ event, path, data, context }: any) =>
    JSON.stringify({
      event,
      path,
      data: withoutSecrets(shared.get(path)!, data),
      context: context && { method: context.method, path: context.path, id: context.id, event: context.event }
    })
  app.configure(sync({ uri: options.url, key: options.key, serialize, deserialize: JSON.parse }))
  // feathers-sync wraps every service's `emit` (keeping the original as `_emit`); services outside the list get theirs back.
  app.mixins.push((service: any, path: string) => {
    if (!shared.has(path) && typeof service._emit === 'function') service.emit = service._emit
  })
  // Nor is a message for any other path (forged, or from another version) emitted here.
  const [dispatch] = app.listeners('sync-in') as ((raw: string) => void)[]
  app.removeListener('sync-in', dispatch)
  app.on('sync-in', (raw: string) => {
    let path: unknown
    try {
      path = JSON.parse(raw).path
    } catch {
      return
    }
    if (typeof path === 'string' && shared.has(path)) dispatch(raw)
  })
}

/** Resolves once the Redis subscription is live (a no-op without sync). */
export async function syncReady(app: Application) {
  await (app as any).sync?.ready
}

export async function closeSync(app: Application) {
  const link = (app as any).sync
  if (!link) return
  await Promise.allSettled([link.sub.quit(), link.pub.quit()])
}
