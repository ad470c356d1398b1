// Who receives which realtime event, and with which fields: several Socket.io connections of different roles.
import assert from 'node:assert/strict'
import { DEMO_PASSWORD } from '../../../src/blueprints/appointments/demo.js'
import { connect, eventually, login, request, startServer, wait, type TestServer } from '../../helpers.js'

type Client = Awaited<ReturnType<typeof connect>>

describe('appointments in realtime', () => {
  let server: TestServer
  const clients: Record<string, Client> = {}
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}
  const received = (who: string, event: string, id: string) => clients[who].events.filter((e) => e.name === event && e.data?._id === id)

  before(async () => {
    server = await startServer('appointments')
    for (const name of ['admin', 'maria', 'omar', 'dev', 'lin', 'sam']) {
      const { accessToken, user } = await login(server.url, `${name}@example.com`, DEMO_PASSWORD)
      tokens[name] = accessToken
      ids[name] = user._id
      clients[name] = await connect(server.url, accessToken)
    }
    clients.anonymous = await connect(server.url)
  })
  after(async () => {
    for (const client of Object.values(clients)) client.close()
    await server.close()
  })

  it('sends a new appointment to its manager, its attendees and admins only', async () => {
    const res = await request(server.url, 'POST', '/appointments', {
      token: tokens.maria,
      body: { ManagerId: ids.maria, AppointedDate: '2031-01-01T09:00:00.000Z', Attendees: [{ DeveloperId: ids.dev }] }
    })
    assert.equal(res.status, 201)
    const id = res.body._id
    assert.ok(await eventually(() => received('maria', 'appointments created', id).length === 1 && received('dev', 'appointments created', id).length === 1 && received('admin', 'appointments created', id).length === 1))
    await wait(100)
    for (const outsider of ['omar', 'lin', 'sam', 'anonymous']) assert.equal(received(outsider, 'appointments created', id).length, 0, outsider)
  })

  it('tells the manager when a developer responds, and not the other developers', async () => {
    const appointment = await server.app.service('appointments').create({
      ManagerId: ids.maria,
      AppointedDate: '2031-02-01T09:00:00.000Z',
      Attendees: [{ DeveloperId: ids.dev }]
    })
    const result = await clients.dev.call('respond', 'appointments', { id: appointment._id, Status: 'Declined' })
    assert.equal(result.Attendees[0].Status, 'Declined')
    assert.ok(await eventually(() => received('maria', 'appointments patched', appointment._id).length === 1))
    const event = received('maria', 'appointments patched', appointment._id)[0].data
    assert.equal(event.Attendees[0].Status, 'Declined')
    assert.ok(event.Attendees[0].ResponseTime)
    await wait(100)
    for (const outsider of ['omar', 'lin', 'sam', 'anonymous']) assert.equal(received(outsider, 'appointments patched', appointment._id).length, 0, outsider)
  })

  it('refuses a socket call outside the caller’s permissions, with a Feathers error and no stack', async () => {
    const appointment = await server.app.service('appointments').create({ ManagerId: ids.omar, AppointedDate: '2031-03-01T09:00:00.000Z', Attendees: [] })
    await assert.rejects(clients.maria.call('patch', 'appointments', appointment._id, { Status: 'Cancelled' }), (error: any) => {
      assert.equal(error.code, 403)
      assert.equal(error.name, 'Forbidden')
      assert.equal(error.stack, undefined)
      return true
    })
    await assert.rejects(clients.anonymous.call('find', 'appointments', {}), (error: any) => error.code === 401)
  })

  it('sends user changes with each receiver’s own field mask and never a password', async () => {
    await clients.sam.call('patch', 'users', ids.sam, { Name: 'Sam O.', password: 'a-new-password-1' })
    assert.ok(await eventually(() => received('dev', 'users patched', ids.sam).length === 1 && received('sam', 'users patched', ids.sam).length === 1 && received('admin', 'users patched', ids.sam).length === 1))
    const seenByDev = received('dev', 'users patched', ids.sam)[0].data
    assert.deepEqual(Object.keys(seenByDev).sort(), ['Name', 'RoleId', '_id', 'email'])
    const seenBySam = received('sam', 'users patched', ids.sam)[0].data
    assert.ok('BlockedUser' in seenBySam, 'their own record in full')
    for (const who of ['dev', 'sam', 'admin', 'maria']) {
      for (const event of clients[who].events) assert.ok(!('password' in (event.data ?? {})), `${who} got a password in ${event.name}`)
    }
    assert.equal(received('anonymous', 'users patched', ids.sam).length, 0)
    // the new password works
    await login(server.url, 'sam@example.com', 'a-new-password-1')
  })

  it('stops sending to a connection after logout, and not to the user’s other sessions', async () => {
    // A second session (its own token): logging out revokes that token only, so Lin's first connection keeps listening.
    const second = await login(server.url, 'lin@example.com', DEMO_PASSWORD)
    const extra = await connect(server.url, second.accessToken)
    try {
      await new Promise((resolve) => extra.socket.emit('remove', 'authentication', second.accessToken, {}, resolve))
      const appointment = await server.app.service('appointments').create({ ManagerId: ids.maria, AppointedDate: '2031-04-01T09:00:00.000Z', Attendees: [{ DeveloperId: ids.lin }] })
      assert.ok(await eventually(() => received('lin', 'appointments created', appointment._id).length === 1))
      await wait(100)
      assert.equal(extra.events.filter((e) => e.name === 'appointments created').length, 0)
    } finally {
      extra.close()
    }
  })
})
