// One society server shared by every test file of this folder (its schemas take seconds to compile), with the demo users logged in.
import { connect, startServer, type TestServer } from '../../helpers.js'
import { signIn, type Caller } from '../callers.js'

export type { Caller }

export const PASSWORD = 'quillbase-demo'

export const DEMO_USERS = {
  superadmin: 'superadmin@example.com',
  greenAdmin: 'admin.green@example.com',
  greenGuard: 'guard.green@example.com',
  asha: 'asha@example.com',
  vikram: 'vikram@example.com',
  rohan: 'rohan@example.com',
  lakeAdmin: 'admin.lake@example.com',
  lakeGuard: 'guard.lake@example.com',
  meera: 'meera@example.com'
} as const
export type DemoUser = keyof typeof DEMO_USERS

export interface World {
  server: TestServer
  url: string
  as(user: DemoUser): Promise<Caller>
  /** Internal (permission-free) reads for setting up and checking. */
  find(path: string, query?: Record<string, unknown>): Promise<any[]>
  societyId(name: 'Green Meadows' | 'Lake View Residency'): Promise<string>
  flat(flatNumber: string): Promise<any>
  resident(name: string): Promise<any>
  socket(user: DemoUser): ReturnType<typeof connect>
}

async function createWorld(): Promise<World> {
  const server = await startServer('society')
  const { url, app } = server
  const callers = new Map<DemoUser, Promise<Caller>>()
  const find = async (path: string, query: Record<string, unknown> = {}) => (await app.service(path).find({ paginate: false, query })) as any[]
  const caller = (who: DemoUser) => signIn(url, DEMO_USERS[who], PASSWORD)
  const world: World = {
    server,
    url,
    as(who) {
      if (!callers.has(who)) callers.set(who, caller(who))
      return callers.get(who)!
    },
    find,
    async societyId(name) {
      return (await find('societies', { name }))[0]._id
    },
    async flat(flatNumber) {
      return (await find('flats', { flatNumber }))[0]
    },
    async resident(name) {
      return (await find('residents', { name }))[0]
    },
    async socket(who) {
      return connect(url, (await world.as(who)).token)
    }
  }
  return world
}

let shared: Promise<World> | undefined

export function societyWorld(): Promise<World> {
  shared ??= createWorld()
  return shared
}

// Root-level hook: the shared server stops once every file of the run is done.
after(async () => {
  if (shared) await (await shared).server.close()
})

export const days = (offset: number, hour = 10) => {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + offset)
  date.setUTCHours(hour, 0, 0, 0)
  return date.toISOString()
}
