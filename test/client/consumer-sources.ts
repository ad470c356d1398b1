// Sources of the consumer project: what a frontend developer writes against the generated appointments client.
// They are strings because this project cannot resolve the generated package; the consumer project compiles them.

/** A frontend flow: REST as a manager, Socket.io as a developer and as an admin, realtime events across transports. */
export const app = `
import { createClient, restConnection, socketConnection, type Appointment, type AppointmentData, type AuthenticationResult, type PasswordRecoveryResult, type QuillbaseClient } from '@quillbase/client-appointments'

const url = process.env.QUILLBASE_URL!
const password = 'quillbase-demo'
const report: Record<string, unknown> = {}

/** The next event of a kind that matches, or a rejection after a while. */
function nextEvent(client: QuillbaseClient, event: 'created' | 'patched' | 'removed', matches: (appointment: Appointment) => boolean) {
  return new Promise<Appointment>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ' + event + ' event')), 5000)
    const listener = (appointment: Appointment) => {
      if (!matches(appointment)) return
      clearTimeout(timer)
      client.service('appointments').off(event, listener)
      resolve(appointment)
    }
    client.service('appointments').on(event, listener)
  })
}

// REST, as a manager, with a token storage we keep to re-authenticate later (a browser would use localStorage).
const tokens = new Map<string, string>()
const storage = {
  getItem: (key: string) => tokens.get(key),
  setItem: (key: string, value: string) => tokens.set(key, value),
  removeItem: (key: string) => tokens.delete(key)
}
const manager = createClient(restConnection(url), { storage })
const login: AuthenticationResult = await manager.login({ email: 'maria@example.com', password })
report.restUser = login.user.Name

// Socket.io, as a developer who will be invited, listening before the invitation exists.
const developer = createClient(socketConnection(url, { transports: ['websocket'] }))
const { user: dev } = await developer.login({ email: 'dev@example.com', password })
const lin = createClient(restConnection(url))
const { user: linUser } = await lin.login({ email: 'lin@example.com', password })
// A year ahead: past every demo appointment (they lie within days of now), so the find below matches only this one at any hour.
const AppointedDate = new Date(Date.now() + 365 * 86_400_000).toISOString()
// Matched by content: the event may arrive before the HTTP response that tells us the id.
const invited = nextEvent(developer, 'created', (a) => a.AppointedDate === AppointedDate)

// REST CRUD.
const data: AppointmentData = {
  ManagerId: login.user._id,
  AppointedDate,
  Attendees: [{ DeveloperId: dev._id }, { DeveloperId: linUser._id }]
}
const created = await manager.service('appointments').create(data)
report.restCreated = { status: created.Status, attendees: created.Attendees.length }
// A declared action over REST (POST with X-Service-Method).
const declined = await lin.service('appointments').respond({ id: created._id, Status: 'Declined' })
report.restAction = declined.Attendees.find((a) => a.DeveloperId === linUser._id)?.Status
report.restGet = (await manager.service('appointments').get(created._id)).AppointedDate === data.AppointedDate
const page = await manager.service('appointments').find({
  query: { AppointedDate: { $gte: data.AppointedDate }, 'Attendees.DeveloperId': dev._id, $sort: { AppointedDate: 1 }, $limit: 5 }
})
report.restFind = { total: page.total, limit: page.limit, found: page.data.some((a) => a._id === created._id) }

// Realtime: the developer hears of the invitation made over REST, and answers with the declared action over Socket.io.
report.realtimeCreated = (await invited).Attendees.map((a) => a.DeveloperId)
const answered = nextEvent(developer, 'patched', (a) => a._id === created._id && a.Attendees[0]?.Status === 'Accepted')
const responded = await developer.service('appointments').respond({ id: created._id, Status: 'Accepted' })
report.socketAction = responded.Attendees.find((a) => a.DeveloperId === dev._id)?.Status
report.realtimePatched = (await answered).Attendees[0].Status

// A patch changes what it sends and nothing else (on a second appointment, so the flow above does not depend on it).
const second = await manager.service('appointments').create({ ...data, Attendees: [{ DeveloperId: dev._id }] })
await developer.service('appointments').respond({ id: second._id, Status: 'Accepted' })
const moved = await manager.service('appointments').patch(second._id, { AppointedDate: new Date(Date.now() + 2 * 86_400_000).toISOString() })
report.restPatch = { moved: moved.AppointedDate !== second.AppointedDate, attendees: moved.Attendees.map((a) => a.Status ?? 'none') }

// Errors arrive as Feathers errors.
const failure = (error: any) => ({ name: error.name, code: error.code })
report.restRemove = await manager.service('appointments').remove(created._id).then(() => 'allowed', failure)
report.restActionRefused = await manager.service('appointments').respond({ id: created._id, Status: 'Accepted' }).then(() => 'allowed', failure)

// The audit log through its typed read-only service: the history of a record she may read.
const history = await manager.service('audit-log').find({ query: { collection: 'appointments', recordId: second._id, $sort: { at: 1 } } })
const fields: string[] = history.data.flatMap((entry) => entry.changes.map((change) => change.field))
report.auditHistory = { methods: history.data.map((entry) => entry.method), moved: fields.includes('AppointedDate') }

// Socket.io CRUD, as an admin.
const admin = createClient(socketConnection(url, { transports: ['websocket'] }))
await admin.login({ email: 'admin@example.com', password })
const removed = nextEvent(developer, 'removed', (a) => a._id === created._id)
const socketCreated = await admin.service('appointments').create({ ManagerId: login.user._id, AppointedDate: new Date().toISOString() })
const socketPatched = await admin.service('appointments').patch(socketCreated._id, { Status: 'Cancelled' })
const socketUpdated = await admin.service('appointments').update(socketCreated._id, { ManagerId: login.user._id, AppointedDate: socketCreated.AppointedDate, Status: 'Scheduled' })
const socketFound = await admin.service('appointments').find({ query: { _id: { $in: [socketCreated._id, created._id] }, $select: ['_id', 'Status'] } })
await admin.service('appointments').remove(socketCreated._id)
let gone = false
try {
  await admin.service('appointments').get(socketCreated._id)
} catch (error: any) {
  gone = error.name === 'NotFound'
}
await admin.service('appointments').remove(created._id)
await admin.service('appointments').remove(second._id)
report.socketCrud = { created: socketCreated.Status, patched: socketPatched.Status, updated: socketUpdated.Status, found: socketFound.total, gone }
report.realtimeRemoved = (await removed)._id === created._id

// Re-authentication with the stored token (a page reload), then logout.
const reloaded = createClient(restConnection(url), { storage })
report.reAuthenticated = (await reloaded.reAuthenticate()).user.email
await reloaded.logout()
try {
  await createClient(restConnection(url), { storage }).reAuthenticate()
  report.afterLogout = 'still authenticated'
} catch (error: any) {
  report.afterLogout = error.name
}

// Password recovery, anonymous and typed: the same answer for any address.
const recovery: PasswordRecoveryResult = await createClient(restConnection(url)).service('password-recovery').create({ email: 'nobody@example.com' })
report.recovery = recovery.message

for (const client of [developer, admin]) (client.io as any)?.close()
console.log(JSON.stringify(report))
`

/** The same client bundled for a browser page served by the server (localStorage keeps the token). */
export const browser = `
import { createClient, restConnection, socketConnection } from '@quillbase/client-appointments'

const result: Record<string, unknown> = {}
const password = 'quillbase-demo'
const rest = createClient(restConnection(location.origin))
result.user = (await rest.login({ email: 'maria@example.com', password })).user.Name
result.tokenStored = typeof localStorage.getItem('feathers-jwt') === 'string'
result.restFind = (await rest.service('appointments').find({ query: { $limit: 1 } })).limit
const realtime = createClient(socketConnection(location.origin))
result.reAuthenticated = (await realtime.reAuthenticate()).user.email
result.socketFind = (await realtime.service('appointments').find({ query: { $limit: 2 } })).limit
;(window as any).quillbaseResult = result
`

/** Each should fail to compile with the error named beside it. */
export const mistakes: Record<string, { source: string; code: string; text: RegExp }> = {
  'wrong-field-type.ts': {
    code: 'TS2769',
    text: /Type 'number' is not assignable to type 'string'/,
    source: `
import { createClient, restConnection } from '@quillbase/client-appointments'
const client = createClient(restConnection('http://localhost:3030'))
await client.service('appointments').create({ ManagerId: 42, AppointedDate: new Date().toISOString() })
`
  },
  'reads-secret-field.ts': {
    code: 'TS2339',
    text: /Property 'password' does not exist on type 'User'/,
    source: `
import { createClient, restConnection } from '@quillbase/client-appointments'
const client = createClient(restConnection('http://localhost:3030'))
const user = await client.service('users').get('some-id')
console.log(user.password)
`
  },
  'secret-field-after-login.ts': {
    code: 'TS2339',
    text: /Property 'resetPasswordToken' does not exist on type 'User'/,
    source: `
import { createClient, restConnection } from '@quillbase/client-appointments'
const client = createClient(restConnection('http://localhost:3030'))
const { user } = await client.login({ email: 'maria@example.com', password: 'quillbase-demo' })
console.log(user.resetPasswordToken)
`
  },
  'unknown-operator.ts': {
    code: 'TS2353',
    text: /'\$regex' does not exist in type/,
    source: `
import { createClient, restConnection } from '@quillbase/client-appointments'
const client = createClient(restConnection('http://localhost:3030'))
await client.service('appointments').find({ query: { AppointedDate: { $regex: '2025' } } })
`
  },
  'unknown-query-field.ts': {
    code: 'TS2353',
    text: /'password' does not exist in type 'UserQuery'/,
    source: `
import { createClient, restConnection } from '@quillbase/client-appointments'
const client = createClient(restConnection('http://localhost:3030'))
await client.service('users').find({ query: { password: 'guess' } })
`
  },
  'wrong-action-input.ts': {
    code: 'TS2322',
    text: /Type '"Maybe"' is not assignable to type '"Accepted" \| "Declined"'/,
    source: `
import { createClient, socketConnection } from '@quillbase/client-appointments'
const client = createClient(socketConnection('http://localhost:3030'))
await client.service('appointments').respond({ id: 'some-id', Status: 'Maybe' })
`
  },
  'wrong-password-reset.ts': {
    code: 'TS2353',
    text: /'answer' does not exist in type 'PasswordResetData'/,
    source: `
import { createClient, restConnection } from '@quillbase/client-appointments'
const client = createClient(restConnection('http://localhost:3030'))
await client.service('password-reset').create({ token: 'from-the-mail', password: 'new-password', answer: 'appointments has no question' })
`
  },
  'wrong-event-payload.ts': {
    code: 'TS2339',
    text: /Property 'Title' does not exist on type 'Appointment'/,
    source: `
import { createClient, socketConnection } from '@quillbase/client-appointments'
const client = createClient(socketConnection('http://localhost:3030'))
client.service('appointments').on('created', (appointment) => console.log(appointment.Title))
`
  }
}
