// One mentoring server shared by every test file of this folder, with its demo users signed in on demand.
import { connect, login, request, startServer, toQueryString, type TestServer } from '../../helpers.js'

export const PASSWORD = 'quillbase-demo'
export const PEOPLE = ['admin', 'grace', 'alan', 'margaret', 'maya', 'noah', 'olivia', 'priya', 'sam', 'nina', 'rosa'] as const
export type Person = (typeof PEOPLE)[number]
/** One of each role. */
export const ONE_OF_EACH_ROLE: Person[] = ['admin', 'grace', 'maya', 'nina']

export interface Caller {
  token: string
  user: Record<string, any>
  get(path: string, query?: Record<string, unknown>): Promise<{ status: number; body: any }>
  post(path: string, body: unknown): Promise<{ status: number; body: any }>
  patch(path: string, body: unknown): Promise<{ status: number; body: any }>
  remove(path: string): Promise<{ status: number; body: any }>
}

export interface World {
  server: TestServer
  as(who: Person): Promise<Caller>
  /** The demo user's id. */
  id(who: Person): Promise<string>
  /** Internal (permission-free) calls for setting up and checking. */
  internal(path: string): any
  find(path: string, query?: Record<string, unknown>): Promise<any[]>
  socket(who: Person): ReturnType<typeof connect>
}

async function createWorld(): Promise<World> {
  const server = await startServer('mentoring')
  const { url, app } = server
  const callers = new Map<Person, Promise<Caller>>()
  const find = async (path: string, query: Record<string, unknown> = {}) => (await app.service(path).find({ paginate: false, query })) as any[]
  const caller = async (who: Person): Promise<Caller> => {
    const { accessToken: token, user } = await login(url, `${who}@example.com`, PASSWORD)
    return {
      token,
      user,
      get: (path, query) => request(url, 'GET', `${path}${toQueryString(query)}`, { token }),
      post: (path, body) => request(url, 'POST', path, { token, body }),
      patch: (path, body) => request(url, 'PATCH', path, { token, body }),
      remove: (path) => request(url, 'DELETE', path, { token })
    }
  }
  const world: World = {
    server,
    as(who) {
      if (!callers.has(who)) callers.set(who, caller(who))
      return callers.get(who)!
    },
    async id(who) {
      return (await find('users', { username: who }))[0]._id
    },
    internal: (path) => app.service(path),
    find,
    async socket(who) {
      return connect(url, (await world.as(who)).token)
    }
  }
  return world
}

let shared: Promise<World> | undefined

export function mentoringWorld(): Promise<World> {
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
