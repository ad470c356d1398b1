// Triggers: records created elsewhere on a change, one per match of a query, delivered to their readers through normal events.
import assert from 'node:assert/strict'
import { connect, eventually, request, wait } from '../../helpers.js'
import { withWorkshop, type Team, type Workshop } from './fixture.js'

describe('workflow triggers', () => {
  const suite = withWorkshop()
  let workshop: Workshop, red: Team
  before(() => ({ workshop, red } = suite))

  it('creates a message for each boss of the team, delivered in realtime to that boss only', async () => {
    const redBoss = await workshop.as('boss@red.example.com')
    const sockets = {
      redBoss: await connect(workshop.url, redBoss.token),
      redClerk: await connect(workshop.url, (await workshop.as('clerk@red.example.com')).token),
      blueBoss: await connect(workshop.url, (await workshop.as('boss@blue.example.com')).token)
    }
    try {
      const clerk = await workshop.as('clerk@red.example.com')
      const response = await request(workshop.url, 'POST', '/reservations', { token: clerk.token, body: { teamId: red.teamId, roomId: red.room._id, start: '2030-03-01T09:00:00.000Z', end: '2030-03-01T10:00:00.000Z' } })
      assert.equal(response.status, 201)
      const text = `Reservation ${response.body.number} asks for a room`
      const heard = (socket: typeof sockets.redBoss) => socket.events.filter((e) => e.name === 'messages created' && e.data.text === text)
      assert.ok(await eventually(() => heard(sockets.redBoss).length === 1))
      assert.equal(heard(sockets.redBoss)[0].data.userId, redBoss.user._id)
      await wait(100)
      assert.equal(heard(sockets.redClerk).length, 0)
      assert.equal(heard(sockets.blueBoss).length, 0)
    } finally {
      for (const socket of Object.values(sockets)) socket.close()
    }
  })

  it('fires on a change only when the record newly matches, with the caller in the template', async () => {
    const clerk = await workshop.as('clerk@red.example.com')
    const created = await request(workshop.url, 'POST', '/reservations', { token: clerk.token, body: { teamId: red.teamId, roomId: red.room._id, start: '2030-03-02T09:00:00.000Z', end: '2030-03-02T10:00:00.000Z' } })
    const boss = await workshop.as('boss@red.example.com')
    const patch = (body: unknown) => request(workshop.url, 'PATCH', `/reservations/${created.body._id}`, { token: boss.token, body })
    assert.equal((await patch({ state: 'Accepted' })).status, 200)
    assert.equal((await patch({ reason: 'noted' })).status, 200)
    const messages = await workshop.internal('messages').find({ paginate: false, query: { userId: clerk.user._id } })
    const accepted = messages.filter((m: any) => m.text === `Reservation ${created.body.number} accepted by red boss`)
    assert.equal(accepted.length, 1)
  })
})
