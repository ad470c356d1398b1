// Transition guards (conditions on the record, a matching record elsewhere), rollups keyed by another field with `collect`, lookup error codes.
import assert from 'node:assert/strict'
import { request, serverStore } from '../../helpers.js'
import { withWorkshop, type Team, type Workshop } from './fixture.js'

describe('transition guards, keyed rollups and lookup codes', () => {
  const suite = withWorkshop()
  let workshop: Workshop, red: Team, blue: Team
  let boss: any, clerk: any, blueClerk: any
  before(async () => {
    ;({ workshop, red, blue } = suite)
    const users = await workshop.internal('users').find({ paginate: false, query: {} })
    const byEmail = (email: string) => users.find((u: any) => u.email === email)
    ;[boss, clerk, blueClerk] = [byEmail('boss@red.example.com'), byEmail('clerk@red.example.com'), byEmail('clerk@blue.example.com')]
  })

  const as = async (email: string) => {
    const { token } = await workshop.as(email)
    return (method: string, path: string, body?: unknown) => request(workshop.url, method, path, { token, body })
  }
  const desk = (seats: number, open = true) => workshop.internal('desks').create({ teamId: red.teamId, ownerId: boss._id, seats, open })
  const visit = async (day = '2030-01-01T10:00:00.000Z') => {
    const clerkCall = await as('clerk@red.example.com')
    const created = await clerkCall('POST', '/visits', { teamId: red.teamId, hostId: boss._id, guestId: clerk._id, day })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    return created.body
  }
  afterEach(async () => {
    await workshop.internal('visits').remove(null, { query: {} })
    await workshop.internal('desks').remove(null, { query: {} })
  })

  it('accepts while the host’s desk has a free seat, then refuses with the guard’s message (409)', async () => {
    const { _id } = await desk(1)
    const [first, second] = [await visit(), await visit()]
    const bossCall = await as('boss@red.example.com')
    assert.equal((await bossCall('PATCH', `/visits/${first._id}`, { state: 'Accepted' })).status, 200)
    const stored = await workshop.internal('desks').get(_id)
    assert.deepEqual([stored.taken, stored.free, stored.guestIds], [1, 0, [clerk._id]], 'the desk found by ownerId, not _id')
    const full = await bossCall('PATCH', `/visits/${second._id}`, { state: 'Accepted' })
    assert.equal(full.status, 409)
    assert.equal(full.body.message, 'The host’s desk has no free seat')
    assert.deepEqual(full.body.data, { field: 'state', from: 'Asked', to: 'Accepted' })
  })

  it('checks guards in order and for internal calls too', async () => {
    await desk(3, false)
    const asked = await visit()
    await assert.rejects(workshop.internal('visits').patch(asked._id, { state: 'Accepted' }), (error: any) => error.code === 409 && error.message === 'The host’s desk is closed')
  })

  it('lets exactly one of two concurrent acceptances take the last seat', async function () {
    // Race-free where writes are transactions (the embedded store, MongoDB as a replica set), not the emulator's, which never conflict.
    if (!workshop.app.store.transactions || serverStore === 'emulator') this.skip()
    const { _id } = await desk(1)
    const [first, second] = [await visit(), await visit()]
    const bossCall = await as('boss@red.example.com')
    const results = await Promise.all([first, second].map((v) => bossCall('PATCH', `/visits/${v._id}`, { state: 'Accepted' })))
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409])
    assert.equal((await workshop.internal('desks').get(_id)).taken, 1)
  })

  it('keeps the collected ids up to date when a counted child leaves', async () => {
    const { _id } = await desk(2)
    const accepted = await visit()
    await workshop.internal('visits').patch(accepted._id, { state: 'Accepted' })
    assert.deepEqual((await workshop.internal('desks').get(_id)).guestIds, [clerk._id])
    await workshop.internal('visits').remove(accepted._id)
    const stored = await workshop.internal('desks').get(_id)
    assert.deepEqual([stored.taken, stored.free, stored.guestIds], [0, 2, []])
  })

  it('a `when` guard compares the record with the caller and with now', async () => {
    await desk(2)
    const clerkCall = await as('clerk@red.example.com')
    const bossCall = await as('boss@red.example.com')
    const asked = await visit()
    const byGuest = await clerkCall('PATCH', `/visits/${asked._id}`, { state: 'Refused' })
    assert.equal(byGuest.status, 409)
    assert.equal(byGuest.body.message, 'Only the host refuses a visit')
    assert.equal((await bossCall('PATCH', `/visits/${asked._id}`, { state: 'Refused' })).status, 200)
    const future = await visit('2999-01-01T10:00:00.000Z')
    const past = await visit('2001-01-01T10:00:00.000Z')
    for (const v of [future, past]) assert.equal((await bossCall('PATCH', `/visits/${v._id}`, { state: 'Accepted' })).status, 200)
    const early = await bossCall('PATCH', `/visits/${future._id}`, { state: 'Ended' })
    assert.equal(early.status, 409)
    assert.equal(early.body.message, 'A visit ends after its day')
    assert.equal((await bossCall('PATCH', `/visits/${past._id}`, { state: 'Ended' })).status, 200)
  })

  it('a lookup declared with code 403 refuses with 403', async () => {
    const clerkCall = await as('clerk@red.example.com')
    const response = await clerkCall('POST', '/visits', { teamId: red.teamId, hostId: boss._id, guestId: blueClerk._id, day: '2030-01-01T10:00:00.000Z' })
    assert.equal(response.status, 403)
    assert.deepEqual(response.body.data, { guestId: 'Guests come from your own team' })
    assert.ok(blue.teamId)
  })
})
