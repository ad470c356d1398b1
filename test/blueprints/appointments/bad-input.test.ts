// Bad input gets a clear Feathers error (never a 500, never a stack trace) and leaves stored data intact.
import assert from 'node:assert/strict'
import { DEMO_PASSWORD } from '../../../src/blueprints/appointments/demo.js'
import { login, request, serverStore, startServer, type TestServer } from '../../helpers.js'
import { EMULATOR_GAPS, itUnlessEmulator } from '../../services/adapters/mongo-target.js'

describe('bad input on the appointments blueprint', () => {
  let server: TestServer
  let admin: string
  let maria: string
  let appointmentId: string
  const call = (method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) =>
    request(server.url, method, path, { token: admin, ...options })
  const isFeathersError = (body: any, code: number) => {
    assert.equal(body.code, code, JSON.stringify(body))
    assert.equal(typeof body.name, 'string')
    assert.equal(typeof body.message, 'string')
    assert.equal(typeof body.className, 'string')
    assert.ok(!('stack' in body), 'no stack trace')
  }

  before(async () => {
    server = await startServer('appointments')
    admin = (await login(server.url, 'admin@example.com', DEMO_PASSWORD)).accessToken
    maria = (await login(server.url, 'maria@example.com', DEMO_PASSWORD)).user._id
    const [appointment] = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: maria } })) as any[]
    appointmentId = appointment._id
  })
  after(() => server.close())

  describe('bodies', () => {
    it('refuses unknown fields with the field named', async () => {
      const res = await call('POST', '/appointments', { body: { ManagerId: maria, AppointedDate: '2030-01-01T00:00:00.000Z', Attendees: [], Colour: 'red' } })
      assert.equal(res.status, 400)
      isFeathersError(res.body, 400)
      assert.equal(res.body.data.Colour, 'is not a known field')
    })
    it('refuses wrong types and bad enums with per-field details', async () => {
      const res = await call('POST', '/appointments', { body: { ManagerId: maria, AppointedDate: 'tomorrow', Attendees: 'none', Status: 'Maybe' } })
      assert.equal(res.status, 400)
      assert.ok(res.body.data.AppointedDate)
      assert.ok(res.body.data.Attendees)
      assert.ok(res.body.data.Status)
    })
    it('refuses unknown fields inside nested sub-documents', async () => {
      const res = await call('PATCH', `/appointments/${appointmentId}`, { body: { Attendees: [{ DeveloperId: maria, Mood: 'happy' }] } })
      assert.equal(res.status, 400)
      assert.equal(res.body.data['Attendees.0.Mood'], 'is not a known field')
    })
    it('refuses a reference to a record that does not exist', async () => {
      const res = await call('POST', '/appointments', { body: { ManagerId: 'nobody-at-all', AppointedDate: '2030-01-01T00:00:00.000Z', Attendees: [] } })
      assert.equal(res.status, 422)
      assert.ok(res.body.data.ManagerId)
    })
    itUnlessEmulator('refuses a duplicate email with 409', EMULATOR_GAPS.unique, async () => {
      const res = await call('POST', '/users', { body: { Name: 'Twin', email: 'maria@example.com', password: 'long-enough-1', RoleId: (await server.app.service('roles').find({ paginate: false }))[0]._id } })
      assert.equal(res.status, 409)
      isFeathersError(res.body, 409)
    }, serverStore === 'emulator')
    it('refuses an invalid email and a short password', async () => {
      const res = await call('POST', '/users', { body: { Name: 'X', email: 'not-an-email', password: 'short', RoleId: 'x' } })
      assert.equal(res.status, 400)
      assert.ok(res.body.data.email)
      assert.ok(res.body.data.password)
    })
    it('refuses __proto__ and constructor keys anywhere', async () => {
      for (const raw of [
        '{"__proto__":{"polluted":true},"Status":"Cancelled"}',
        '{"Attendees":[{"DeveloperId":"x","constructor":{"prototype":{"polluted":true}}}]}'
      ]) {
        const res = await call('PATCH', `/appointments/${appointmentId}`, { raw })
        assert.equal(res.status, 400, raw)
        isFeathersError(res.body, 400)
      }
      const permission = await call('POST', '/permissions', { raw: '{"PermissionName":"p","Action":"read","Subject":"roles","Conditions":{"__proto__":{"admin":true}}}' })
      assert.equal(permission.status, 400)
      assert.equal(({} as any).polluted, undefined)
      assert.equal(({} as any).admin, undefined)
    })
    it('refuses malformed JSON with 400', async () => {
      const res = await call('POST', '/appointments', { raw: '{"ManagerId": ' })
      assert.equal(res.status, 400)
      isFeathersError(res.body, 400)
    })
    it('refuses an oversized body with 413', async () => {
      const res = await call('POST', '/appointments', { raw: JSON.stringify({ ManagerId: 'x'.repeat(2 * 1024 * 1024) }) })
      assert.equal(res.status, 413)
      isFeathersError(res.body, 413)
    })
    it('refuses permission conditions CASL cannot use', async () => {
      const res = await call('POST', '/permissions', { body: { PermissionName: 'broken', Action: 'read', Subject: 'roles', Conditions: { RoleName: { $regexp: 'x' } } } })
      assert.equal(res.status, 400)
      assert.ok(res.body.data.Conditions)
    })
  })

  describe('ids', () => {
    it('answers 404 for an id that does not exist', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const res = await call(method, '/appointments/does-not-exist', { body: method === 'PATCH' ? { Status: 'Cancelled' } : undefined })
        assert.equal(res.status, 404, method)
        isFeathersError(res.body, 404)
      }
    })
    it('answers 404 for an unknown path', async () => {
      const res = await call('GET', '/no-such-service')
      assert.equal(res.status, 404)
      isFeathersError(res.body, 404)
    })
  })

  describe('queries', () => {
    it('refuses $where and unknown operators', async () => {
      for (const query of ['$where=1', 'Status[$regex]=x', 'Status[$where]=1', 'Nope=1', '$sort[password]=1', '$select[]=password']) {
        const res = await call('GET', `/appointments?${query}`)
        assert.equal(res.status, 400, query)
        isFeathersError(res.body, 400)
      }
    })
    it('refuses a query value of the wrong type', async () => {
      const res = await call('GET', '/appointments?AppointedDate[$gt]=yesterday')
      assert.equal(res.status, 400)
    })
    it('refuses querying users by their password', async () => {
      const res = await call('GET', '/users?password[$gt]=')
      assert.equal(res.status, 400)
    })
    it('caps $limit at the declared maximum', async () => {
      const res = await call('GET', '/appointments?$limit=100000')
      assert.equal(res.status, 200)
      assert.equal(res.body.limit, 200)
    })
    it('accepts operators, dotted sub-fields and sorting that the schema allows', async () => {
      const res = await call('GET', `/appointments?AppointedDate[$gte]=2000-01-01T00:00:00.000Z&Status[$in][]=Scheduled&$sort[AppointedDate]=-1&$limit=2`)
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.ok(res.body.data.length <= 2)
      const dotted = await call('GET', `/appointments?Attendees.DeveloperId=${res.body.data[0]?.Attendees[0]?.DeveloperId ?? 'x'}`)
      assert.equal(dotted.status, 200)
    })
  })

  it('left the stored data intact', async () => {
    const stored = await server.app.service('appointments').get(appointmentId)
    assert.equal(stored.ManagerId, maria)
    assert.ok(!('polluted' in stored))
    const total = ((await server.app.service('appointments').find({ paginate: false })) as any[]).length
    assert.equal(total, 4)
  })
})
