// Generated values: unique codes, gap-free sequences that survive a restart, ids for array items, caller stamps.
import assert from 'node:assert/strict'
import { request } from '../../helpers.js'
import { withWorkshop, type Team, type Workshop } from './fixture.js'

describe('workflow generated values', () => {
  const suite = withWorkshop()
  let workshop: Workshop, red: Team
  before(() => ({ workshop, red } = suite))

  const ask = async (day: number, extra: Record<string, unknown> = {}) => {
    const clerk = await workshop.as('clerk@red.example.com')
    const dd = String(day).padStart(2, '0')
    return request(workshop.url, 'POST', '/reservations', { token: clerk.token, body: { teamId: red.teamId, roomId: red.room._id, start: `2030-04-${dd}T09:00:00.000Z`, end: `2030-04-${dd}T10:00:00.000Z`, ...extra } })
  }

  it('numbers records in sequence, even when created at once', async () => {
    const responses = await Promise.all([1, 2, 3, 4].map((day) => ask(day)))
    const numbers = responses.map((r) => r.body.number).sort()
    assert.deepEqual(numbers, ['R-0001', 'R-0002', 'R-0003', 'R-0004'])
  })

  it('keeps codes unique among concurrent calls, and says so when none is left (409)', async () => {
    const boss = await workshop.as('boss@red.example.com')
    const badge = () => request(workshop.url, 'POST', '/badges', { token: boss.token, body: { teamId: red.teamId } })
    const [a, b, c] = await Promise.all([badge(), badge(), badge()])
    assert.deepEqual([a, b].map((r) => r.status).concat(c.status).sort(), [201, 201, 409])
    const codes = (await workshop.internal('badges').find({ paginate: false })).map((r: any) => r.code).sort()
    assert.deepEqual(codes, ['A', 'B'])
    const exhausted = [a, b, c].find((r) => r.status === 409)!
    assert.match(exhausted.body.message, /No unused code could be generated/)
    const reservationCodes = (await workshop.internal('reservations').find({ paginate: false })).map((r: any) => r.code)
    assert.equal(new Set(reservationCodes).size, reservationCodes.length)
    assert.ok(reservationCodes.every((code: string) => /^[0-9]{6}$/.test(code)))
  })

  it('stamps the caller over what the body says, fills ids of array items, keeps values on a full replace', async () => {
    await workshop.internal('reservations').remove(null, { query: {} })
    const clerk = await workshop.as('clerk@red.example.com')
    const boss = await workshop.as('boss@red.example.com')
    const response = await ask(6, { askedBy: boss.user._id, guests: [{ name: 'Ann' }, { name: 'Bo', badge: 'B-7' }] })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.askedBy, clerk.user._id)
    assert.match(response.body.guests[0].badge, /^[0-9a-f]{24}$/)
    assert.equal(response.body.guests[1].badge, 'B-7')
    const { _id, createdAt, updatedAt, number, code, ...rest } = response.body
    const replaced = await request(workshop.url, 'PUT', `/reservations/${_id}`, { token: boss.token, body: { ...rest, reason: 'replaced' } })
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body))
    assert.deepEqual([replaced.body.number, replaced.body.code], [number, code])
  })

  it('stamps who changed a record last on every write (`on: write`), over what the body says', async () => {
    const clerk = await workshop.as('clerk@red.example.com')
    const boss = await workshop.as('boss@red.example.com')
    const created = await ask(8)
    assert.equal(created.body.changedBy, clerk.user._id)
    const patched = await request(workshop.url, 'PATCH', `/reservations/${created.body._id}`, { token: boss.token, body: { reason: 'moved', changedBy: clerk.user._id } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.changedBy, boss.user._id)
    const { _id } = patched.body
    const again = await request(workshop.url, 'PATCH', `/reservations/${_id}`, { token: clerk.token, body: { reason: 'moved back' } })
    assert.equal(again.status, 200, JSON.stringify(again.body))
    assert.equal(again.body.changedBy, clerk.user._id)
    // An internal call without a caller keeps the last stamp.
    const internal = await workshop.internal('reservations').patch(_id, { reason: 'by a job' })
    assert.equal(internal.changedBy, clerk.user._id)
  })

  it('continues a sequence after a restart from the highest stored number', async () => {
    await suite.restart()
    ;({ workshop, red } = suite)
    const highest = (await workshop.internal('reservations').find({ paginate: false, query: { $sort: { number: -1 }, $limit: 1 } }))[0].number
    const next = await ask(7)
    assert.equal(Number(next.body.number.slice(2)), Number(highest.slice(2)) + 1)
  })
})
