// One programmes server shared by every test file of this folder (its schemas take seconds to compile), with the demo users signed in.
import { signIn, type Caller } from '../../helpers.js'
import { PASSWORD, sharedWorld, type BaseWorld } from '../world.js'

export { PASSWORD }

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

export interface World extends BaseWorld<DemoUser> {
  /** A new mentor (an applicant: no programme yet), signed in. */
  newcomer(username: string): Promise<Caller>
  programme(name: 'Cloud Foundations 2025' | 'Data Engineering 2024'): Promise<any>
}

export const programmesWorld: () => Promise<World> = sharedWorld('programmes', (who: DemoUser) => DEMO_USERS[who], ({ server, url, find }) => ({
  async newcomer(username: string) {
    const email = `${username}@example.com`
    await server.app.service('users').create({ username, email, password: PASSWORD, role: 'mentor' })
    return signIn(url, email, PASSWORD)
  },
  programme: async (name: string) => (await find('programmes', { name }))[0]
}))
