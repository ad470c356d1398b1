// Scale-out: with REDIS_URL, every service event is shared through Redis (feathers-sync), so each app instance
// publishes it to its own Socket.io connections (filtered per receiver there) and drops its caches.
import type { Application } from '@feathersjs/feathers'
import featherSync from 'feathers-sync'

// CommonJS module typed as ESM: its callable export is the module itself under NodeNext.
const sync = featherSync as unknown as typeof featherSync.default

export interface SyncOptions {
  /** `redis://host:port` */
  url: string
  /** Redis channel; instances serving the same data share it. */
  key: string
}

/** Only what publishers and listeners use travels: never the caller's params (user, ability, connection). */
const serialize = ({ event, path, data, context }: any) =>
  JSON.stringify({ event, path, data, context: context && { method: context.method, path: context.path, id: context.id, event: context.event } })

export function setupSync(app: Application, options: SyncOptions) {
  app.configure(sync({ uri: options.url, key: options.key, serialize, deserialize: JSON.parse }))
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
