// One mentoring server shared by every test file of this folder, with its demo users signed in on demand.
import type { Caller } from '../../helpers.js'
import { PASSWORD, days, sharedWorld, type BaseWorld } from '../world.js'

export type { Caller }
export { PASSWORD, days }
export const PEOPLE = ['admin', 'grace', 'alan', 'margaret', 'maya', 'noah', 'olivia', 'priya', 'sam', 'nina', 'rosa'] as const
export type Person = (typeof PEOPLE)[number]
/** One of each role. */
export const ONE_OF_EACH_ROLE: Person[] = ['admin', 'grace', 'maya', 'nina']

export interface World extends BaseWorld<Person> {
  /** The demo user's id. */
  id(who: Person): Promise<string>
  /** Internal (permission-free) calls for setting up and checking. */
  internal(path: string): any
}

export const mentoringWorld: () => Promise<World> = sharedWorld('mentoring', (who: Person) => `${who}@example.com`, ({ server, find }) => ({
  id: async (who: Person) => (await find('users', { username: who }))[0]._id,
  internal: (path: string) => server.app.service(path)
}))
