// One society server shared by every test file of this folder (its schemas take seconds to compile), with the demo users logged in.
import type { Caller } from '../../helpers.js'
import { PASSWORD, days, sharedWorld, type BaseWorld } from '../world.js'

export type { Caller }
export { PASSWORD, days }

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

export interface World extends BaseWorld<DemoUser> {
  societyId(name: 'Green Meadows' | 'Lake View Residency'): Promise<string>
  flat(flatNumber: string): Promise<any>
  resident(name: string): Promise<any>
}

export const societyWorld: () => Promise<World> = sharedWorld('society', (who: DemoUser) => DEMO_USERS[who], ({ find }) => ({
  societyId: async (name: string) => (await find('societies', { name }))[0]._id,
  flat: async (flatNumber: string) => (await find('flats', { flatNumber }))[0],
  resident: async (name: string) => (await find('residents', { name }))[0]
}))
