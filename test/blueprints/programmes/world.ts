// One programmes server shared by every test file of this folder (its schemas take seconds to compile), with the demo users signed in.
import { connect, startServer, type TestServer } from '../../helpers.js'
import { signIn, type Caller } from '../../helpers.js'

export const PASSWORD = 'quillbase-demo'

export const DEMO_USERS = {
  admin: 'admin@example.com',
  grace: 'grace@example.com',
  alan: 'alan@example.com',
  maya: 'maya@example.com',
  leo: 'leo@example.com',
  priya: 'priya@example.com',
  tom: 'tom@example.com'
} as const
export type DemoUser = keyof typeof DEMO_USERS

export interface World {
  server: TestServer
  url: string
  as(user: DemoUser): Promise<Caller>
  /** A new mentor (an applicant: no programme yet), signed in. */
  newcomer(username: string): Promise<Caller>
  /** Internal (permission-free) reads for setting up and checking. */
  find(path: string, query?: Record<string, unknown>): Promise<any[]>
  programme(name: 'Cloud Foundations 2025' | 'Data Engineering 2024'): Promise<any>
  socket(user: DemoUser | Caller): ReturnType<typeof connect>
}

async function createWorld(): Promise<World> {
  const server = await startServer('programmes')
  const { url, app } = server
  const callers = new Map<DemoUser, Promise<Caller>>()
  const find = async (path: string, query: Record<string, unknown> = {}) => (await app.service(path).find({ paginate: false, query })) as any[]
  const world: World = {
    server,
    url,
    as(who) {
      if (!callers.has(who)) callers.set(who, signIn(url, DEMO_USERS[who], PASSWORD))
      return callers.get(who)!
    },
    async newcomer(username) {
      const email = `${username}@example.com`
      await app.service('users').create({ username, email, password: PASSWORD, role: 'mentor' })
      return signIn(url, email, PASSWORD)
    },
    find,
    async programme(name) {
      return (await find('programmes', { name }))[0]
    },
    async socket(who) {
      return connect(url, typeof who === 'string' ? (await world.as(who)).token : who.token)
    }
  }
  return world
}

let shared: Promise<World> | undefined

export function programmesWorld(): Promise<World> {
  shared ??= createWorld()
  return shared
}

// Root-level hook: the shared server stops once every file of the run is done.
after(async () => {
  if (shared) await (await shared).server.close()
})
