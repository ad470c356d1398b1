// One calendar server shared by every test file of this folder, started with its demo data; the demo users sign in.
import { ProviderServers } from '../../calendar-providers.js'
import { startIdentityProvider, type IdentityProvider } from '../../identity-provider.js'
import type { Caller } from '../../helpers.js'
import { sharedWorld, type BaseWorld } from '../world.js'

export const DEMO_USERS = { admin: 'admin@example.com', alice: 'alice@example.com', bob: 'bob@example.com' } as const
export type DemoUser = keyof typeof DEMO_USERS

/** The local OpenID Connect provider standing for both Microsoft and Google (one client each); its accounts. */
export const CLIENT_SECRET = 'calendar-client-secret'
export const MICROSOFT_CAROL = { sub: 'ms-pairwise-carol', oid: '00000000-0000-0000-0000-00000000ca01', tid: 'contoso-tenant', email: 'carol@contoso.example.com', xms_edov: true, name: 'Carol Diaz' }
export const GOOGLE_CAROL = { sub: '104857600000000000001', email: 'carol.diaz@gmail.example.com', email_verified: true, name: 'Carol D.' }
export const MICROSOFT_BOB = { sub: 'ms-pairwise-bob', oid: 'outlook-bob-0002', tid: 'contoso-tenant', email: 'bob@example.com', name: 'Bob' }

export interface World extends BaseWorld<DemoUser> {
  /** The identity provider the server's `microsoft` and `google` sign-ins are configured on. */
  idp: IdentityProvider
  /** The local Microsoft Graph and Google Calendar the server's sync talks to (GRAPH_URL, GOOGLE_CALENDAR_URL). */
  providers: ProviderServers
  /** Internal writes, made as `user` when given (stamps). */
  create(path: string, data: Record<string, unknown>, user?: DemoUser): Promise<any>
  /** A demo user signed in, and the id of their Work calendar. */
  atWork(who: DemoUser): Promise<{ caller: Caller; calendarId: string }>
}

let idp: IdentityProvider
let providers: ProviderServers
const callback = (url: string, name: string) => `${url.replace('127.0.0.1', 'localhost')}/oauth/${name}/callback`

export const calendarWorld: () => Promise<World> = sharedWorld(
  'calendar',
  (who: DemoUser) => DEMO_USERS[who],
  ({ server, find, as }) => ({
    idp,
    providers,
    async atWork(who: DemoUser) {
      const caller = await as(who)
      const [work] = await find('calendars', { user_id: caller.user._id, name: 'Work' })
      return { caller, calendarId: work._id }
    },
    async create(path: string, data: Record<string, unknown>, who?: DemoUser) {
      const user = who ? (await find('users', { email: DEMO_USERS[who] }))[0] : undefined
      return server.app.service(path).create(data, user ? { user } : {})
    }
  }),
  async () => {
    idp = await startIdentityProvider()
    providers = await new ProviderServers().start()
    const client = (clientId: string) => ({ clientId, clientSecret: CLIENT_SECRET, issuer: idp.issuer })
    return {
      settings: {
        oauth: { microsoft: client('calendar-microsoft'), google: client('calendar-google') },
        graphUrl: providers.graphUrl,
        googleCalendarUrl: providers.googleUrl,
        // Syncs run when a test asks (no tick may land in the middle of one); back-off without Retry-After kept short.
        syncSchedule: 'off',
        syncBackoffMs: 50
      },
      started: (server) =>
        idp.configure(
          ['microsoft', 'google'].map((name) => ({ client_id: `calendar-${name}`, client_secret: CLIENT_SECRET, redirect_uris: [callback(server.url, name)] })),
          [MICROSOFT_CAROL, GOOGLE_CAROL, MICROSOFT_BOB]
        ),
      close: async () => {
        await idp.close()
        await providers.close()
      }
    }
  }
)
