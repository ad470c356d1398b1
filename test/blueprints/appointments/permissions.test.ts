// The permission matrix of the appointments blueprint: each seeded role × each method on each service, over real HTTP.
import assert from 'node:assert/strict'
import { DEMO_PASSWORD } from '../../../src/blueprints/appointments/demo.js'
import { login, request, startServer, type TestServer } from '../../helpers.js'

type Role = 'Admin' | 'Manager' | 'Developer' | 'anonymous'
const emails: Record<Exclude<Role, 'anonymous'>, string> = { Admin: 'admin@example.com', Manager: 'maria@example.com', Developer: 'dev@example.com' }

describe('appointments permissions over HTTP', () => {
  let server: TestServer
  const tokens: Partial<Record<Role, string>> = {}
  const ids: Record<string, string> = {}
  const app = () => server.app

  /** A fresh record made internally, so each write test has its own target. */
  const fresh = async (service: string, data: Record<string, unknown>) => (await app().service(service).create(data))._id as string
  const appointmentOf = (manager: string, attendees: string[] = []) =>
    fresh('appointments', { ManagerId: manager, AppointedDate: '2030-01-01T10:00:00.000Z', Attendees: attendees.map((DeveloperId) => ({ DeveloperId })) })
  const call = (role: Role, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    request(server.url, method, path, { token: tokens[role], body, headers })

  before(async () => {
    server = await startServer('appointments')
    for (const [role, email] of Object.entries(emails)) tokens[role as Role] = (await login(server.url, email, DEMO_PASSWORD)).accessToken
    const users = (await app().service('users').find({ paginate: false })) as any[]
    for (const user of users) ids[user.email.split('@')[0]] = user._id
  })
  after(() => server.close())

  describe('appointments as an Admin', () => {
    it('finds every appointment', async () => {
      const res = await call('Admin', 'GET', '/appointments')
      assert.equal(res.status, 200)
      assert.equal(res.body.total, 4)
    })
    it('creates, patches, replaces and removes any appointment', async () => {
      const created = await call('Admin', 'POST', '/appointments', { ManagerId: ids.omar, AppointedDate: '2030-02-01T09:00:00.000Z', Attendees: [] })
      assert.equal(created.status, 201)
      assert.equal((await call('Admin', 'PATCH', `/appointments/${created.body._id}`, { Status: 'Cancelled' })).status, 200)
      const replaced = await call('Admin', 'PUT', `/appointments/${created.body._id}`, { ManagerId: ids.maria, AppointedDate: '2030-02-02T09:00:00.000Z', Attendees: [], Status: 'Scheduled' })
      assert.equal(replaced.status, 200)
      assert.equal(replaced.body.CreatedAt, created.body.CreatedAt, 'a replace keeps the creation stamp')
      assert.equal((await call('Admin', 'DELETE', `/appointments/${created.body._id}`)).status, 200)
    })
  })

  describe('appointments as a Manager', () => {
    it('finds only their own appointments, with a total that counts only those', async () => {
      const res = await call('Manager', 'GET', '/appointments')
      assert.equal(res.status, 200)
      assert.ok(res.body.data.length > 0)
      assert.ok(res.body.data.every((a: any) => a.ManagerId === ids.maria))
      assert.equal(res.body.total, res.body.data.length)
    })
    it('keeps the restriction when the query asks for another manager', async () => {
      const res = await call('Manager', 'GET', `/appointments?ManagerId=${ids.omar}`)
      assert.equal(res.status, 200)
      assert.equal(res.body.total, 0)
    })
    it('gets their own appointment and cannot get another manager’s', async () => {
      assert.equal((await call('Manager', 'GET', `/appointments/${await appointmentOf(ids.maria)}`)).status, 200)
      assert.equal((await call('Manager', 'GET', `/appointments/${await appointmentOf(ids.omar)}`)).status, 403)
    })
    it('creates appointments only as themselves', async () => {
      const own = await call('Manager', 'POST', '/appointments', { ManagerId: ids.maria, AppointedDate: '2030-03-01T09:00:00.000Z', Attendees: [{ DeveloperId: ids.dev }] })
      assert.equal(own.status, 201)
      assert.equal(own.body.Status, 'Scheduled', 'the declared default applies')
      const forOther = await call('Manager', 'POST', '/appointments', { ManagerId: ids.omar, AppointedDate: '2030-03-01T09:00:00.000Z', Attendees: [] })
      assert.equal(forOther.status, 403)
    })
    it('changes and cancels only their own appointments', async () => {
      const own = await appointmentOf(ids.maria)
      const cancelled = await call('Manager', 'PATCH', `/appointments/${own}`, { Status: 'Cancelled' })
      assert.equal(cancelled.status, 200)
      assert.equal(cancelled.body.Status, 'Cancelled')
      assert.equal((await call('Manager', 'PATCH', `/appointments/${await appointmentOf(ids.omar)}`, { Status: 'Cancelled' })).status, 403)
      assert.equal(
        (await call('Manager', 'PUT', `/appointments/${own}`, { ManagerId: ids.maria, AppointedDate: '2030-04-01T09:00:00.000Z', Attendees: [], Status: 'Scheduled' })).status,
        200
      )
    })
    it('cannot hand an appointment over to another manager', async () => {
      const res = await call('Manager', 'PATCH', `/appointments/${await appointmentOf(ids.maria)}`, { ManagerId: ids.omar })
      assert.equal(res.status, 403)
    })
    it('cannot remove appointments, nor patch many at once beyond their own', async () => {
      assert.equal((await call('Manager', 'DELETE', `/appointments/${await appointmentOf(ids.maria)}`)).status, 403)
      const other = await appointmentOf(ids.omar)
      const multi = await call('Manager', 'PATCH', `/appointments?AppointedDate=2030-01-01T10:00:00.000Z`, { Status: 'Cancelled' })
      assert.equal(multi.status, 200)
      assert.ok(multi.body.every((a: any) => a.ManagerId === ids.maria))
      assert.equal((await app().service('appointments').get(other)).Status, 'Scheduled')
    })
    it('may select fields that the permission conditions do not name', async () => {
      const res = await call('Manager', 'GET', '/appointments?$select[]=Status')
      assert.equal(res.status, 200)
      assert.ok(res.body.data.length > 0)
      for (const appointment of res.body.data) assert.deepEqual(Object.keys(appointment).sort(), ['Status', '_id'])
      const one = await call('Manager', 'GET', `/appointments/${await appointmentOf(ids.maria)}?$select[]=AppointedDate`)
      assert.equal(one.status, 200)
      assert.deepEqual(Object.keys(one.body).sort(), ['AppointedDate', '_id'])
    })
    it('cannot hand appointments over in a multi patch either, and nothing changes', async () => {
      const own = await appointmentOf(ids.maria)
      const res = await call('Manager', 'PATCH', `/appointments?_id=${own}`, { ManagerId: ids.omar })
      assert.equal(res.status, 403)
      assert.equal((await app().service('appointments').get(own)).ManagerId, ids.maria)
    })
    it('cannot add a developer who has blocked them', async () => {
      await app().service('users').patch(ids.lin, { BlockedUser: [ids.maria] })
      try {
        const res = await call('Manager', 'POST', '/appointments', { ManagerId: ids.maria, AppointedDate: '2030-05-01T09:00:00.000Z', Attendees: [{ DeveloperId: ids.lin }] })
        assert.equal(res.status, 409)
        assert.match(res.body.message, /blocked/)
        const own = await appointmentOf(ids.maria)
        assert.equal((await call('Manager', 'PATCH', `/appointments/${own}`, { Attendees: [{ DeveloperId: ids.lin }] })).status, 409)
      } finally {
        await app().service('users').patch(ids.lin, { BlockedUser: [] })
      }
    })
    it('cannot respond in place of a developer', async () => {
      const res = await call('Manager', 'POST', '/appointments', { id: await appointmentOf(ids.maria, [ids.dev]), Status: 'Accepted' }, { 'x-service-method': 'respond' })
      assert.equal(res.status, 403)
    })
    it("cannot write a developer's answer (an attendee's Status and ResponseTime are read-only), yet sends back the answers given", async () => {
      const forged = { DeveloperId: ids.dev, Status: 'Accepted', ResponseTime: '2020-01-01T00:00:00.000Z' }
      const created = await call('Manager', 'POST', '/appointments', { ManagerId: ids.maria, AppointedDate: '2030-03-01T09:00:00.000Z', Attendees: [forged] })
      assert.equal(created.status, 400, JSON.stringify(created.body))
      assert.match(created.body.message, /Attendees\.0\.Status is read-only/)
      assert.equal((await call('Manager', 'POST', '/appointments', [{ ManagerId: ids.maria, AppointedDate: '2030-03-01T09:00:00.000Z', Attendees: [{ DeveloperId: ids.dev, Status: 'Declined' }] }])).status, 400, 'nor in a batch')

      const id = await appointmentOf(ids.maria, [ids.dev, ids.lin])
      await (app().service('appointments') as any).respond({ id, Status: 'Accepted' }, { user: (await app().service('users').get(ids.dev)) as any })
      const answered = (await call('Manager', 'GET', `/appointments/${id}`)).body.Attendees
      assert.equal(answered[0].Status, 'Accepted')
      // Moving the answer to another attendee, or answering for one, is refused whatever else the patch holds.
      const moved = await call('Manager', 'PATCH', `/appointments/${id}`, { Attendees: [{ DeveloperId: ids.dev }, { ...answered[0], DeveloperId: ids.lin }] })
      assert.equal(moved.status, 400, JSON.stringify(moved.body))
      assert.match(moved.body.message, /Attendees\.1\.Status is read-only/)
      assert.equal((await call('Manager', 'PATCH', `/appointments/${id}`, { Attendees: [answered[0], { DeveloperId: ids.lin, Status: 'Accepted' }] })).status, 400)
      const retimed = await call('Manager', 'PATCH', `/appointments/${id}`, { Attendees: [{ ...answered[0], ResponseTime: '2020-01-01T00:00:00.000Z' }] })
      assert.equal(retimed.status, 400, 'a changed ResponseTime')
      assert.match(retimed.body.message, /Attendees\.0\.ResponseTime is read-only/, 'the field that differs is named')
      // An answer without its time is no answer the developer gave (respond stamps both).
      const { ResponseTime, ...untimed } = answered[0]
      const dropped = await call('Manager', 'PATCH', `/appointments/${id}`, { Attendees: [untimed, answered[1]] })
      assert.equal(dropped.status, 400, JSON.stringify(dropped.body))
      assert.match(dropped.body.message, /Attendees\.0\.ResponseTime is read-only/)
      assert.equal((await call('Manager', 'PATCH', `/appointments?_id=${id}`, { Attendees: answered })).status, 400, 'a multi patch has no one record to compare with')
      assert.deepEqual((await app().service('appointments').get(id)).Attendees, answered, 'nothing changed')

      // An edit sends the answers back as they were read: kept.
      const added = await call('Manager', 'PATCH', `/appointments/${id}`, { Attendees: [...answered, { DeveloperId: ids.omar }] })
      assert.equal(added.status, 200, JSON.stringify(added.body))
      assert.deepEqual(added.body.Attendees.slice(0, 2), answered)
      const { _id, CreatedAt, UpdatedAt, ...rest } = added.body
      const replaced = await call('Manager', 'PUT', `/appointments/${id}`, { ...rest, AppointedDate: '2030-03-02T09:00:00.000Z' })
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body))
      assert.deepEqual(replaced.body.Attendees, added.body.Attendees)
    })
  })

  describe('appointments as a Developer', () => {
    it('finds only the appointments they attend', async () => {
      const res = await call('Developer', 'GET', '/appointments')
      assert.equal(res.status, 200)
      assert.ok(res.body.data.length > 0)
      assert.ok(res.body.data.every((a: any) => a.Attendees.some((x: any) => x.DeveloperId === ids.dev)))
    })
    it('cannot read an appointment they do not attend', async () => {
      assert.equal((await call('Developer', 'GET', `/appointments/${await appointmentOf(ids.maria, [ids.lin])}`)).status, 403)
    })
    it('cannot create, patch, replace or remove appointments', async () => {
      const attended = await appointmentOf(ids.maria, [ids.dev])
      assert.equal((await call('Developer', 'POST', '/appointments', { ManagerId: ids.dev, AppointedDate: '2030-01-01T10:00:00.000Z', Attendees: [] })).status, 403)
      assert.equal((await call('Developer', 'PATCH', `/appointments/${attended}`, { Status: 'Cancelled' })).status, 403)
      assert.equal((await call('Developer', 'PUT', `/appointments/${attended}`, { ManagerId: ids.maria, AppointedDate: '2030-01-01T10:00:00.000Z', Attendees: [] })).status, 403)
      assert.equal((await call('Developer', 'DELETE', `/appointments/${attended}`)).status, 403)
    })
    it('accepts an appointment they attend, which stamps ResponseTime on their entry only', async () => {
      const id = await appointmentOf(ids.maria, [ids.dev, ids.lin])
      const res = await call('Developer', 'POST', '/appointments', { id, Status: 'Accepted' }, { 'x-service-method': 'respond' })
      assert.equal(res.status, 200)
      const mine = res.body.Attendees.find((a: any) => a.DeveloperId === ids.dev)
      const theirs = res.body.Attendees.find((a: any) => a.DeveloperId === ids.lin)
      assert.equal(mine.Status, 'Accepted')
      assert.ok(Date.now() - Date.parse(mine.ResponseTime) < 60_000)
      assert.equal(theirs.Status, undefined)
    })
    it('cannot respond to an appointment they do not attend, nor with another status', async () => {
      const other = await appointmentOf(ids.maria, [ids.lin])
      assert.equal((await call('Developer', 'POST', '/appointments', { id: other, Status: 'Declined' }, { 'x-service-method': 'respond' })).status, 403)
      const mine = await appointmentOf(ids.maria, [ids.dev])
      assert.equal((await call('Developer', 'POST', '/appointments', { id: mine, Status: 'Maybe' }, { 'x-service-method': 'respond' })).status, 400)
    })
  })

  describe('appointments as an anonymous caller', () => {
    it('is asked to log in for every method', async () => {
      const id = await appointmentOf(ids.maria)
      for (const [method, path] of [['GET', '/appointments'], ['GET', `/appointments/${id}`], ['POST', '/appointments'], ['PATCH', `/appointments/${id}`], ['DELETE', `/appointments/${id}`]]) {
        const res = await call('anonymous', method, path, method === 'POST' || method === 'PATCH' ? { Status: 'Cancelled' } : undefined)
        assert.equal(res.status, 401, `${method} ${path}`)
      }
    })
    it('is refused with a bad token', async () => {
      const res = await request(server.url, 'GET', '/appointments', { token: 'not-a-token' })
      assert.equal(res.status, 401)
    })
  })

  describe('bulk uploads and reports', () => {
    const upload = (by: string) => ({ UploadedBy: by, FileName: 'x.csv' })
    const report = (by: string) => ({ CreatedBy: by, DateRange: { StartDate: '2030-01-01T00:00:00.000Z', Enddate: '2030-02-01T00:00:00.000Z' } })
    for (const [service, make] of [['bulk-uploads', upload], ['reports', report]] as const) {
      it(`${service}: a Manager creates and reads only their own; cannot change or remove them`, async () => {
        assert.equal((await call('Manager', 'POST', `/${service}`, make(ids.maria))).status, 201)
        assert.equal((await call('Manager', 'POST', `/${service}`, make(ids.omar))).status, 403)
        const found = await call('Manager', 'GET', `/${service}`)
        assert.ok(found.body.data.length > 0)
        const ownerField = service === 'reports' ? 'CreatedBy' : 'UploadedBy'
        assert.ok(found.body.data.every((r: any) => r[ownerField] === ids.maria))
        const other = await fresh(service, make(ids.omar))
        assert.equal((await call('Manager', 'GET', `/${service}/${other}`)).status, 403)
        const own = await fresh(service, make(ids.maria))
        assert.equal((await call('Manager', 'PATCH', `/${service}/${own}`, make(ids.maria))).status, 403)
        assert.equal((await call('Manager', 'DELETE', `/${service}/${own}`)).status, 403)
      })
      it(`${service}: a Developer has no access; an Admin has all`, async () => {
        assert.equal((await call('Developer', 'GET', `/${service}`)).status, 403)
        assert.equal((await call('Developer', 'POST', `/${service}`, make(ids.dev))).status, 403)
        const id = await fresh(service, make(ids.maria))
        assert.equal((await call('Admin', 'GET', `/${service}/${id}`)).status, 200)
        assert.equal((await call('Admin', 'DELETE', `/${service}/${id}`)).status, 200)
      })
    }
  })

  describe('users and access control', () => {
    it('never returns a password, hashed or not', async () => {
      for (const role of ['Admin', 'Manager', 'Developer'] as const) {
        const res = await call(role, 'GET', '/users')
        assert.equal(res.status, 200)
        assert.ok(res.body.data.every((u: any) => !('password' in u) && !('resetPasswordToken' in u)))
      }
      const stored = await app().service('users').get(ids.dev)
      assert.match(stored.password, /^\$2[aby]\$/, 'stored as a bcrypt hash')
    })
    it('shows other users only their public fields', async () => {
      const res = await call('Developer', 'GET', `/users/${ids.sam}`)
      assert.equal(res.status, 200)
      assert.deepEqual(Object.keys(res.body).sort(), ['Name', 'RoleId', '_id', 'email'])
      const own = await call('Developer', 'GET', `/users/${ids.dev}`)
      assert.ok('CreatedAt' in own.body, 'their own record in full')
    })
    it('lets a user change their name but not raise their own role', async () => {
      assert.equal((await call('Developer', 'PATCH', `/users/${ids.dev}`, { Name: 'Dev P.' })).status, 200)
      const roles = (await app().service('roles').find({ paginate: false })) as any[]
      const admin = roles.find((r) => r.RoleName === 'Admin')
      const raise = await call('Developer', 'PATCH', `/users/${ids.dev}`, { RoleId: admin._id })
      assert.equal(raise.status, 403)
      assert.match(raise.body.message, /RoleId/)
      assert.equal((await call('Developer', 'PATCH', `/users/${ids.sam}`, { Name: 'x' })).status, 403)
    })
    it('keeps roles, permissions and mappings read-only or hidden for non-admins', async () => {
      assert.equal((await call('Manager', 'GET', '/roles')).status, 200)
      assert.equal((await call('Manager', 'POST', '/roles', { RoleName: 'Boss' })).status, 403)
      assert.equal((await call('Manager', 'GET', '/permissions')).status, 403)
      assert.equal((await call('Developer', 'GET', '/role-permission-mappings')).status, 403)
      assert.equal((await call('Admin', 'GET', '/role-permission-mappings')).status, 200)
    })
  })
})
