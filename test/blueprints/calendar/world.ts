// One calendar server shared by every test file of this folder, started with its demo data; the demo users sign in.
import type { Caller } from '../../helpers.js'
import { sharedWorld, type BaseWorld } from '../world.js'

export const DEMO_USERS = { admin: 'admin@example.com', alice: 'alice@example.com', bob: 'bob@example.com' } as const
export type DemoUser = keyof typeof DEMO_USERS

export interface World extends BaseWorld<DemoUser> {
  /** Internal writes, made as `user` when given (stamps). */
  create(path: string, data: Record<string, unknown>, user?: DemoUser): Promise<any>
  /** A demo user signed in, and the id of their Work calendar. */
  atWork(who: DemoUser): Promise<{ caller: Caller; calendarId: string }>
}

export const calendarWorld: () => Promise<World> = sharedWorld('calendar', (who: DemoUser) => DEMO_USERS[who], ({ server, find, as }) => ({
  async atWork(who: DemoUser) {
    const caller = await as(who)
    const [work] = await find('calendars', { user_id: caller.user._id, name: 'Work' })
    return { caller, calendarId: work._id }
  },
  async create(path: string, data: Record<string, unknown>, who?: DemoUser) {
    const user = who ? (await find('users', { email: DEMO_USERS[who] }))[0] : undefined
    return server.app.service(path).create(data, user ? { user } : {})
  }
}))
