// One server per blueprint shared by every test file of its folder (schemas take seconds to compile), its demo users
// signed in on demand; each blueprint's world.ts adds its own lookups. The server stops once the whole run is done.
import type { Settings } from '../../src/engine.js'
import { connect, signIn, startServer, type Caller, type TestServer } from '../helpers.js'

export const PASSWORD = 'quillbase-demo'

export interface BaseWorld<Who extends string> {
  server: TestServer
  url: string
  /** A demo user signed in over REST (once per run). */
  as(who: Who): Promise<Caller>
  /** Internal (permission-free) reads for setting up and checking. */
  find(path: string, query?: Record<string, unknown>): Promise<any[]>
  /** A Socket.io connection authenticated as a demo user, or as a caller signed in otherwise. */
  socket(who: Who | Caller): ReturnType<typeof connect>
}

/** A companion server the world's server talks to (an identity provider): its settings first, told the server once it listens, closed after it. */
export interface Companion {
  settings: Partial<Settings>
  started(server: TestServer): void | Promise<void>
  close(): Promise<void>
}

/** The blueprint's shared world: `emailOf` names each demo user's login, `extend` adds the blueprint's own helpers. */
export function sharedWorld<Who extends string, Extra>(blueprint: string, emailOf: (who: Who) => string, extend: (base: BaseWorld<Who>) => Extra, companion?: () => Promise<Companion>) {
  let shared: Promise<BaseWorld<Who> & Extra> | undefined
  let started: Companion | undefined
  const create = async () => {
    started = await companion?.()
    const server = await startServer(blueprint, started?.settings)
    await started?.started(server)
    const { url, app } = server
    const callers = new Map<Who, Promise<Caller>>()
    const base: BaseWorld<Who> = {
      server,
      url,
      as(who) {
        if (!callers.has(who)) callers.set(who, signIn(url, emailOf(who), PASSWORD))
        return callers.get(who)!
      },
      find: async (path, query = {}) => (await app.service(path).find({ paginate: false, query })) as any[],
      async socket(who) {
        return connect(url, typeof who === 'string' ? (await base.as(who)).token : who.token)
      }
    }
    return Object.assign(base, extend(base))
  }
  // Root-level hook: registered when the blueprint's world.ts is loaded.
  after(async () => {
    if (shared) await (await shared).server.close()
    await started?.close()
  })
  return () => (shared ??= create())
}

export const days = (offset: number, hour = 10) => {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + offset)
  date.setUTCHours(hour, 0, 0, 0)
  return date.toISOString()
}
