// One calendar server shared by every test file of this folder, started with its demo data; the demo users sign in.
import { connect, signIn, startServer, type Caller, type TestServer } from '../../helpers.js'
import { DEMO_PASSWORD } from '../../../src/blueprints/calendar/demo.js'

export const DEMO_USERS = { admin: 'admin@example.com', alice: 'alice@example.com', bob: 'bob@example.com' } as const
export type DemoUser = keyof typeof DEMO_USERS

export interface World {
  server: TestServer
  url: string
  as(user: DemoUser): Promise<Caller>
  /** Internal (permission-free) reads for setting up and checking. */
  find(path: string, query?: Record<string, unknown>): Promise<any[]>
  /** Internal writes, made as `user` when given (stamps). */
  create(path: string, data: Record<string, unknown>, user?: DemoUser): Promise<any>
  socket(user: DemoUser): ReturnType<typeof connect>
}

async function createWorld(): Promise<World> {
  const server = await startServer('calendar')
  const { url, app } = server
  const callers = new Map<DemoUser, Promise<Caller>>()
  const find = async (path: string, query: Record<string, unknown> = {}) => (await app.service(path).find({ paginate: false, query })) as any[]
  const world: World = {
    server,
    url,
    as(who) {
      if (!callers.has(who)) callers.set(who, signIn(url, DEMO_USERS[who], DEMO_PASSWORD))
      return callers.get(who)!
    },
    find,
    async create(path, data, who) {
      const user = who ? (await find('users', { email: DEMO_USERS[who] }))[0] : undefined
      return app.service(path).create(data, user ? { user } : {})
    },
    async socket(who) {
      return connect(url, (await world.as(who)).token)
    }
  }
  return world
}

let shared: Promise<World> | undefined

export function calendarWorld(): Promise<World> {
  shared ??= createWorld()
  return shared
}

// Root-level hook: the shared server stops once every file of the run is done.
after(async () => {
  if (shared) await (await shared).server.close()
})
