// Amenity bookings: two approved bookings of one amenity never overlap in time.
import assert from 'node:assert/strict'
import { days, societyWorld, type World } from './world.js'

describe('society amenity bookings', () => {
  let world: World
  let green: string
  let pool: any
  before(async () => {
    world = await societyWorld()
    green = await world.societyId('Green Meadows')
    const admin = await world.as('greenAdmin')
    pool = (await admin.post('/amenities', { societyId: green, name: 'Pool', type: 'SwimmingPool', capacity: 20, bookingFee: 300 })).body
  })

  const book = async (who: 'asha' | 'rohan', start: string, end: string) => {
    const resident = await world.as(who)
    const record = await world.resident(who === 'asha' ? 'Asha Menon' : 'Rohan Gupta')
    const response = await resident.post('/bookings', { societyId: green, amenityId: pool._id, residentId: record._id, flatId: record.flatId, startTime: start, endTime: end })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    return response.body
  }
  const approve = async (booking: any) => (await world.as('greenAdmin')).patch(`/bookings/${booking._id}`, { status: 'Approved' })

  it('refuses to approve a booking overlapping an approved one (409), and allows back-to-back slots', async () => {
    const first = await book('asha', days(10, 9), days(10, 11))
    const overlapping = await book('rohan', days(10, 10), days(10, 12))
    const adjacent = await book('rohan', days(10, 11), days(10, 12))
    assert.equal((await approve(first)).status, 200)
    const clash = await approve(overlapping)
    assert.equal(clash.status, 409)
    assert.match(clash.body.message, /already booked/)
    assert.equal(clash.body.data.conflictsWith, first._id)
    assert.equal((await approve(adjacent)).status, 200)
  })

  it('requested bookings may overlap; a cancelled approval frees the slot', async () => {
    const first = await book('asha', days(11, 9), days(11, 11))
    const second = await book('rohan', days(11, 9), days(11, 11))
    assert.equal((await approve(first)).status, 200)
    assert.equal((await approve(second)).status, 409)
    assert.equal((await (await world.as('asha')).patch(`/bookings/${first._id}`, { status: 'Cancelled' })).status, 200)
    assert.equal((await approve(second)).status, 200)
  })

  it('only one of two concurrent approvals of the same slot wins', async () => {
    const a = await book('asha', days(12, 9), days(12, 11))
    const b = await book('rohan', days(12, 10), days(12, 11))
    const results = await Promise.all([approve(a), approve(b)])
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409])
  })

  it('an approved booking cannot be moved onto another one', async () => {
    const a = await book('asha', days(13, 9), days(13, 10))
    const b = await book('rohan', days(13, 10), days(13, 11))
    assert.equal((await approve(a)).status, 200)
    assert.equal((await approve(b)).status, 200)
    const moved = await (await world.as('greenAdmin')).patch(`/bookings/${b._id}`, { startTime: days(13, 9) })
    assert.equal(moved.status, 409)
  })

  it('refuses an end before the start (422) and an amenity under maintenance (422)', async () => {
    const resident = await world.as('asha')
    const record = await world.resident('Asha Menon')
    const backwards = await resident.post('/bookings', { societyId: green, amenityId: pool._id, residentId: record._id, flatId: record.flatId, startTime: days(14, 12), endTime: days(14, 10), status: 'Requested' })
    assert.equal(backwards.status, 201, 'requested bookings are not checked')
    const approved = await approve(backwards.body)
    assert.equal(approved.status, 422)
    assert.match(approved.body.message, /endTime must be after startTime/)
    const [gym] = await world.find('amenities', { societyId: green, name: 'Gym' })
    const closed = await resident.post('/bookings', { societyId: green, amenityId: gym._id, residentId: record._id, flatId: record.flatId, startTime: days(14, 6), endTime: days(14, 7) })
    assert.equal(closed.status, 422)
    assert.match(closed.body.message, /not available for booking/)
  })
})
