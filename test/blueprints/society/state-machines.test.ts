// Status fields move only along their declared transitions, by the roles each allows, with stamps on entry.
import assert from 'node:assert/strict'
import { days, societyWorld, type World } from './world.js'

describe('society state machines', () => {
  let world: World
  let green: string
  let asha: any
  before(async () => {
    world = await societyWorld()
    green = await world.societyId('Green Meadows')
    asha = await world.resident('Asha Menon')
  })

  describe('complaints: Open → Assigned → InProgress → Resolved → Closed', () => {
    const newComplaint = async () => {
      const resident = await world.as('asha')
      const response = await resident.post('/complaints', { societyId: green, flatId: asha.flatId, residentId: asha._id, title: 'Lift stuck', category: 'Other' })
      assert.equal(response.status, 201, JSON.stringify(response.body))
      assert.equal(response.body.status, 'Open')
      return response.body
    }

    it('walks the whole way, stamping resolvedAt and resolvedBy and signing comments', async () => {
      const complaint = await newComplaint()
      const admin = await world.as('greenAdmin')
      const resident = await world.as('asha')
      const [plumber] = await world.find('staff', { societyId: green, role: 'Plumber' })
      const noAssignee = await admin.patch(`/complaints/${complaint._id}`, { status: 'Assigned' })
      assert.equal(noAssignee.status, 422)
      assert.match(noAssignee.body.message, /assignedTo is required to set status to Assigned/)
      assert.equal((await admin.patch(`/complaints/${complaint._id}`, { status: 'Assigned', assignedTo: plumber._id })).status, 200)
      assert.equal((await admin.patch(`/complaints/${complaint._id}`, { status: 'InProgress' })).status, 200)
      const commented = await resident.patch(`/complaints/${complaint._id}`, { comments: [{ text: 'Still stuck on floor 3' }] })
      assert.equal(commented.status, 200, JSON.stringify(commented.body))
      assert.equal(commented.body.comments[0].userId, resident.user._id)
      assert.ok(commented.body.comments[0].timestamp)
      const resolved = await admin.patch(`/complaints/${complaint._id}`, { status: 'Resolved', resolvedBy: resident.user._id })
      assert.equal(resolved.status, 200)
      assert.equal(resolved.body.resolvedBy, admin.user._id, 'the stamp is the caller, whatever the body says')
      assert.ok(Date.now() - Date.parse(resolved.body.resolvedAt) < 10_000)
      const notes = await resident.get('/notifications', { relatedEntityId: complaint._id })
      assert.equal(notes.body.data[0]?.title, 'Complaint resolved')
      const closed = await resident.patch(`/complaints/${complaint._id}`, { status: 'Closed' })
      assert.equal(closed.status, 200)
      const reopened = await admin.patch(`/complaints/${complaint._id}`, { status: 'Open' })
      assert.equal(reopened.status, 409)
      assert.match(reopened.body.message, /status cannot change from Closed to Open; from Closed it can change to nothing \(final state\)/)
    })

    it('refuses skipped steps (409), the wrong role (403) and a start other than Open (422)', async () => {
      const complaint = await newComplaint()
      const admin = await world.as('greenAdmin')
      const resident = await world.as('asha')
      const skip = await admin.patch(`/complaints/${complaint._id}`, { status: 'InProgress' })
      assert.equal(skip.status, 409)
      assert.deepEqual(skip.body.data.allowed.sort(), ['Assigned', 'Closed', 'Resolved'])
      const byResident = await resident.patch(`/complaints/${complaint._id}`, { status: 'Resolved' })
      assert.equal(byResident.status, 403)
      assert.match(byResident.body.message, /The Resident role may not change status from Open to Resolved \(allowed: Admin, SuperAdmin\)/)
      const started = await resident.post('/complaints', { societyId: green, flatId: asha.flatId, residentId: asha._id, title: 'x', category: 'Other', status: 'Resolved' })
      assert.equal(started.status, 422)
      assert.equal((await resident.patch(`/complaints/${complaint._id}`, { status: 'Closed' })).status, 200, 'a resident may withdraw an open complaint')
    })
  })

  describe('bookings: Requested → Approved/Rejected/Cancelled → Completed', () => {
    const request = async (startDay: number) => {
      const resident = await world.as('asha')
      const [clubhouse] = await world.find('amenities', { societyId: green, name: 'Clubhouse' })
      const response = await resident.post('/bookings', { societyId: green, amenityId: clubhouse._id, residentId: asha._id, flatId: asha.flatId, startTime: days(startDay, 6), endTime: days(startDay, 7) })
      assert.equal(response.status, 201, JSON.stringify(response.body))
      assert.equal(response.body.bookingFee, clubhouse.bookingFee, 'the fee comes from the amenity')
      return response.body
    }

    it('an admin approves (stamping approvedBy/approvedAt) and completes; the resident cannot approve', async () => {
      const booking = await request(40)
      const admin = await world.as('greenAdmin')
      const resident = await world.as('asha')
      assert.equal((await resident.patch(`/bookings/${booking._id}`, { status: 'Approved' })).status, 403)
      const approved = await admin.patch(`/bookings/${booking._id}`, { status: 'Approved' })
      assert.equal(approved.status, 200)
      assert.equal(approved.body.approvedBy, admin.user._id)
      assert.ok(approved.body.approvedAt)
      assert.equal((await admin.patch(`/bookings/${booking._id}`, { status: 'Requested' })).status, 409)
      assert.equal((await admin.patch(`/bookings/${booking._id}`, { status: 'Completed' })).status, 200)
      assert.equal((await resident.patch(`/bookings/${booking._id}`, { status: 'Cancelled' })).status, 409)
    })

    it('the resident cancels; a cancelled booking cannot be approved; rejected is final', async () => {
      const admin = await world.as('greenAdmin')
      const resident = await world.as('asha')
      const cancelled = await request(41)
      assert.equal((await resident.patch(`/bookings/${cancelled._id}`, { status: 'Cancelled' })).status, 200)
      assert.equal((await admin.patch(`/bookings/${cancelled._id}`, { status: 'Approved' })).status, 409)
      const rejected = await request(42)
      assert.equal((await admin.patch(`/bookings/${rejected._id}`, { status: 'Rejected' })).status, 200)
      assert.equal((await resident.patch(`/bookings/${rejected._id}`, { status: 'Cancelled' })).status, 409)
    })
  })

  describe('maintenance bills: Generated → Sent → PartiallyPaid/Paid/Overdue', () => {
    it('an admin sends and marks overdue; bills never go back; residents cannot move them', async () => {
      const admin = await world.as('greenAdmin')
      const [bill] = await world.find('maintenance-bills', { societyId: green, status: 'Generated' })
      assert.ok(bill, 'the demo billing run left Generated bills')
      assert.equal((await (await world.as('asha')).patch(`/maintenance-bills/${bill._id}`, { status: 'Sent' })).status, 403)
      assert.equal((await admin.patch(`/maintenance-bills/${bill._id}`, { status: 'Sent' })).status, 200)
      assert.equal((await admin.patch(`/maintenance-bills/${bill._id}`, { status: 'Generated' })).status, 409)
      assert.equal((await admin.patch(`/maintenance-bills/${bill._id}`, { status: 'Overdue' })).status, 200)
      const back = await admin.patch(`/maintenance-bills/${bill._id}`, { status: 'Sent' })
      assert.equal(back.status, 409)
      assert.deepEqual(back.body.data.allowed.sort(), ['Paid', 'PartiallyPaid'])
    })
  })

  describe('visitor entries: Pending → Approved/Rejected', () => {
    it('a resident of the flat rejects; the decision is stamped and final', async () => {
      const guard = await world.as('greenGuard')
      const [visitor] = await world.find('visitors', { societyId: green })
      const entry = (await guard.post('/visitor-entries', { societyId: green, visitorId: visitor._id, flatId: asha.flatId, entryType: 'Unexpected' })).body
      const vikram = await world.as('vikram')
      const rejected = await vikram.patch(`/visitor-entries/${entry._id}`, { approvalStatus: 'Rejected' })
      assert.equal(rejected.status, 200)
      assert.equal(rejected.body.approvedBy, vikram.user._id)
      assert.equal((await vikram.patch(`/visitor-entries/${entry._id}`, { approvalStatus: 'Pending' })).status, 409)
      const created = await guard.post('/visitor-entries', { societyId: green, visitorId: visitor._id, flatId: asha.flatId, entryType: 'Unexpected', approvalStatus: 'Approved' })
      assert.equal(created.status, 422, 'a guard cannot log an entry as already approved')
    })
  })
})
