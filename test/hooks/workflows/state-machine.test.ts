// State machines: declared transitions per role, 409 for an illegal move, stamps on entry, requirements per state.
import assert from 'node:assert/strict'
import { request } from '../../helpers.js'
import { withWorkshop, type Team, type Workshop } from './fixture.js'

describe('workflow state machines', () => {
  const suite = withWorkshop()
  let workshop: Workshop, red: Team
  before(() => ({ workshop, red } = suite))

  let day = 0
  const ask = async () => {
    const clerk = await workshop.as('clerk@red.example.com')
    day++
    const response = await request(workshop.url, 'POST', '/reservations', {
      token: clerk.token,
      body: { teamId: red.teamId, roomId: red.room._id, start: `2030-01-${String(day).padStart(2, '0')}T09:00:00.000Z`, end: `2030-01-${String(day).padStart(2, '0')}T10:00:00.000Z` }
    })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    return response.body
  }
  const patch = async (email: string, id: string, body: unknown) => request(workshop.url, 'PATCH', `/reservations/${id}`, { token: (await workshop.as(email)).token, body })

  it('starts records in the initial state; an external caller cannot create one further along (422)', async () => {
    const reservation = await ask()
    assert.equal(reservation.state, 'Asked')
    const clerk = await workshop.as('clerk@red.example.com')
    const skipped = await request(workshop.url, 'POST', '/reservations', { token: clerk.token, body: { teamId: red.teamId, roomId: red.room._id, start: '2030-02-01T09:00:00.000Z', end: '2030-02-01T10:00:00.000Z', state: 'Accepted' } })
    assert.equal(skipped.status, 422)
    assert.match(skipped.body.message, /starts with state Asked, not Accepted/)
  })

  it('lets only the roles of a transition make it (403 names them)', async () => {
    const reservation = await ask()
    const byClerk = await patch('clerk@red.example.com', reservation._id, { state: 'Accepted' })
    assert.equal(byClerk.status, 403)
    assert.match(byClerk.body.message, /The Clerk role may not change state from Asked to Accepted \(allowed: Boss\)/)
    assert.deepEqual(byClerk.body.data, { field: 'state', from: 'Asked', to: 'Accepted', roles: ['Boss'] })
    assert.equal((await patch('clerk@red.example.com', reservation._id, { state: 'Withdrawn' })).status, 200, 'a transition without roles is open to anyone who may update')
  })

  it('stamps fields from the caller on entering a state, whatever the body says', async () => {
    const reservation = await ask()
    const clerk = await workshop.as('clerk@red.example.com')
    const boss = await workshop.as('boss@red.example.com')
    const accepted = await patch('boss@red.example.com', reservation._id, { state: 'Accepted', acceptedBy: clerk.user._id })
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body))
    assert.equal(accepted.body.acceptedBy, boss.user._id)
    assert.ok(Math.abs(Date.parse(accepted.body.acceptedAt) - Date.now()) < 10_000)
  })

  it('refuses a move the graph does not have with 409, listing the allowed ones', async () => {
    const reservation = await ask()
    await patch('boss@red.example.com', reservation._id, { state: 'Accepted' })
    const back = await patch('boss@red.example.com', reservation._id, { state: 'Asked' })
    assert.equal(back.status, 409)
    assert.equal(back.body.message, 'state cannot change from Accepted to Asked; from Accepted it can change to Withdrawn')
    assert.deepEqual(back.body.data.allowed, ['Withdrawn'])
    await patch('boss@red.example.com', reservation._id, { state: 'Withdrawn' })
    const final = await patch('boss@red.example.com', reservation._id, { state: 'Accepted' })
    assert.match(final.body.message, /nothing \(final state\)/)
  })

  it('requires the fields a state declares (422)', async () => {
    const reservation = await ask()
    const bare = await patch('boss@red.example.com', reservation._id, { state: 'Declined' })
    assert.equal(bare.status, 422)
    assert.deepEqual(bare.body.data, { reason: 'is required when state is Declined' })
    assert.equal((await patch('boss@red.example.com', reservation._id, { state: 'Declined', reason: 'Room needed for audit' })).status, 200)
  })

  it('keeps a carried field with the move that brought it: never changed alone (422), cleared by a move without one', async () => {
    const reservation = await ask()
    const accepted = await patch('boss@red.example.com', reservation._id, { state: 'Accepted', note: 'Enjoy the room' })
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body))
    assert.equal(accepted.body.note, 'Enjoy the room')
    const alone = await patch('clerk@red.example.com', reservation._id, { note: 'Rewritten later' })
    assert.equal(alone.status, 422)
    assert.deepEqual(alone.body.data, { note: 'is given with a change of state' })
    assert.equal((await patch('clerk@red.example.com', reservation._id, { note: 'Enjoy the room', reason: 'same note' })).status, 200, 'the same value is no change')
    const withdrawn = await patch('clerk@red.example.com', reservation._id, { state: 'Withdrawn' })
    assert.equal(withdrawn.status, 200)
    assert.equal(withdrawn.body.note, undefined, 'the acceptance note does not answer the withdrawal')
    await assert.rejects(workshop.internal('reservations').patch(reservation._id, { note: 'by a job' }), { code: 422 })
  })

  it('holds internal calls to the graph too, without role checks, and lets them bring their own stamps', async () => {
    const service = workshop.internal('reservations')
    const clerk = await workshop.as('clerk@red.example.com')
    const imported = await service.create({ teamId: red.teamId, roomId: red.room._id, start: '2031-01-01T09:00:00.000Z', end: '2031-01-01T10:00:00.000Z', state: 'Accepted', askedBy: clerk.user._id, acceptedBy: clerk.user._id, acceptedAt: '2020-01-01T00:00:00.000Z' })
    assert.equal(imported.acceptedAt, '2020-01-01T00:00:00.000Z')
    await assert.rejects(service.patch(imported._id, { state: 'Asked' }), (error: any) => error.code === 409)
  })

  it('checks every record of a multi-record patch', async () => {
    const asked = await ask()
    const accepted = await ask()
    await patch('boss@red.example.com', accepted._id, { state: 'Accepted' })
    const service = workshop.internal('reservations')
    await assert.rejects(service.patch(null, { state: 'Declined', reason: 'bulk' }, { query: { _id: { $in: [asked._id, accepted._id] } } }), (error: any) => error.code === 409)
    assert.equal((await service.get(asked._id)).state, 'Asked', 'nothing was written')
  })
})
