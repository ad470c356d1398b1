// References of the appointments blueprint over HTTP: targets must exist, and removing a user restricts or nullifies as declared.
import assert from 'node:assert/strict'
import { DEMO_PASSWORD } from '../../../src/blueprints/appointments/demo.js'
import { connect, eventually, login, request, startServer, type TestServer } from '../../helpers.js'

describe('appointments references', () => {
  let server: TestServer
  let admin: string
  const ids: Record<string, string> = {}
  const service = (name: string) => server.app.service(name)

  before(async () => {
    server = await startServer('appointments')
    admin = (await login(server.url, 'admin@example.com', DEMO_PASSWORD)).accessToken
    for (const user of (await service('users').find({ paginate: false })) as any[]) ids[user.email.split('@')[0]] = user._id
  })
  after(() => server.close())

  const newDeveloper = async (name: string) => {
    const developer = (await service('users').find({ paginate: false, query: { email: 'dev@example.com' } }))[0]
    return (await service('users').create({ Name: name, email: `${name}@example.com`, password: 'long-enough-1', RoleId: developer.RoleId }))._id as string
  }

  it('refuses to remove a manager who still has appointments, with 409, and keeps them', async () => {
    const res = await request(server.url, 'DELETE', `/users/${ids.maria}`, { token: admin })
    assert.equal(res.status, 409)
    assert.equal(res.body.name, 'Conflict')
    assert.equal(res.body.data.collection, 'appointments')
    assert.equal((await service('users').get(ids.maria)).email, 'maria@example.com')
  })

  it('refuses an appointment whose manager or attendee does not exist, with 422 naming the field', async () => {
    const removed = await newDeveloper('gone')
    await service('users').remove(removed)
    for (const [body, field] of [
      [{ ManagerId: removed, AppointedDate: '2032-01-01T09:00:00.000Z', Attendees: [] }, 'ManagerId'],
      [{ ManagerId: ids.maria, AppointedDate: '2032-01-01T09:00:00.000Z', Attendees: [{ DeveloperId: removed }] }, 'Attendees.DeveloperId']
    ] as const) {
      const res = await request(server.url, 'POST', '/appointments', { token: admin, body })
      assert.equal(res.status, 422, field)
      assert.ok(res.body.data[field], field)
    }
  })

  it('drops a removed developer’s attendance and their place in block lists, and tells listeners', async () => {
    const developer = await newDeveloper('leaver')
    const appointment = await service('appointments').create({
      ManagerId: ids.maria,
      AppointedDate: '2032-02-01T09:00:00.000Z',
      Attendees: [{ DeveloperId: developer }, { DeveloperId: ids.dev }]
    })
    await service('users').patch(ids.sam, { BlockedUser: [ids.omar, developer] })
    const listener = await connect(server.url, admin)
    try {
      const res = await request(server.url, 'DELETE', `/users/${developer}`, { token: admin })
      assert.equal(res.status, 200)
      assert.deepEqual((await service('appointments').get(appointment._id)).Attendees.map((a: any) => a.DeveloperId), [ids.dev])
      assert.deepEqual((await service('users').get(ids.sam)).BlockedUser, [ids.omar])
      const patched = () => listener.events.find((e) => e.name === 'appointments patched' && e.data._id === appointment._id)
      assert.ok(await eventually(() => Boolean(patched())))
      assert.deepEqual(patched()!.data.Attendees.map((a: any) => a.DeveloperId), [ids.dev])
    } finally {
      listener.close()
    }
  })
})
