// Abuse cases found in review: each was reproduced against the running server before it was fixed.
import assert from 'node:assert/strict'
import { login, request, startServer, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

describe('abuse cases: appointments', () => {
  let server: TestServer
  before(async () => {
    server = await startServer('appointments')
  })
  after(() => server?.close())

  // F1: filtering on a field the caller may not read reveals its value (query oracle).
  it('F1a: a developer cannot learn whom another user has blocked by filtering on BlockedUser (a field they may not read)', async () => {
    const dev = await login(server.url, 'dev@example.com', PASSWORD)
    const omar = await login(server.url, 'omar@example.com', PASSWORD)
    // Sam's record shows Dev only _id, Name, email, RoleId: BlockedUser is hidden from Dev…
    const directory = await request(server.url, 'GET', '/users', { token: dev.accessToken })
    const samSeen = directory.body.data.find((u: any) => u.email === 'sam@example.com')
    assert.equal(samSeen.BlockedUser, undefined, 'precondition: BlockedUser is masked for Dev')
    // …yet a query on it tells Dev exactly who blocked Omar.
    const probe = await request(server.url, 'GET', `/users?BlockedUser=${omar.user._id}`, { token: dev.accessToken })
    const leaked = probe.status === 200 && probe.body.data.some((u: any) => u.email === 'sam@example.com')
    assert.equal(leaked, false, `query on a non-readable field leaked it: ${probe.status} ${JSON.stringify(probe.body)}`)
  })

  it('F1c: a developer cannot sort users by a field hidden on others’ records (CreatedAt), but may sort by a public one', async () => {
    const dev = await login(server.url, 'dev@example.com', PASSWORD)
    const hidden = await request(server.url, 'GET', '/users?$sort[CreatedAt]=1', { token: dev.accessToken })
    assert.equal(hidden.status, 403)
    assert.match(hidden.body.message, /sort by "CreatedAt"/)
    assert.equal((await request(server.url, 'GET', '/users?$sort[Name]=1', { token: dev.accessToken })).status, 200)
  })
})

describe('abuse cases: society', () => {
  let server: TestServer
  before(async () => {
    server = await startServer('society')
  })
  after(() => server?.close())

  const as = (email: string) => login(server.url, email, PASSWORD)
  const get = async (path: string, token: string) => (await request(server.url, 'GET', path, { token })).body

  it('F1b: a resident cannot test a neighbour’s hidden email by filtering on it', async () => {
    const asha = await as('asha@example.com')
    // Rohan (another flat) is visible to Asha through the directory rule, which does not list `email`.
    const directory = await get('/residents?name=Rohan%20Gupta', asha.accessToken)
    assert.equal(directory.data[0].email, undefined, 'precondition: email is not readable')
    const hit = await request(server.url, 'GET', '/residents?email=rohan@example.com', { token: asha.accessToken })
    const miss = await request(server.url, 'GET', '/residents?email=nobody@example.com', { token: asha.accessToken })
    // A yes/no answer on a hidden value is a leak (the same works for vehicles.registrationNumber, moveInDate ranges…).
    assert.ok(!(hit.status === 200 && hit.body.total === 1 && miss.body.total === 0), `email confirmed by query: ${JSON.stringify(hit.body)}`)
  })

  // F2: lookups copy fields only when the caller left them empty, so a caller-given value defeats the lookup.
  it('F2: a guard cannot get a visitor auto-approved for flat B with the pass code of a pre-approval of flat A', async () => {
    const asha = await as('asha@example.com') // flat A-101, has the demo daily-help pre-approval
    const rohan = await as('rohan@example.com') // flat A-102, approved nothing
    const guard = await as('guard.green@example.com') // guards may not set approvalStatus (field list, state machine roles)
    const preApproval = (await get('/pre-approvals', asha.accessToken)).data[0]
    assert.equal(preApproval.flatId, asha.user.flatId)
    // Guards can read every pre-approval of the society, pass codes included.
    const seenByGuard = await get(`/pre-approvals/${preApproval._id}`, guard.accessToken)
    assert.equal(seenByGuard.passCode, preApproval.passCode)
    const rohanResident = (await get(`/residents?flatId=${rohan.user.flatId}`, guard.accessToken)).data[0]
    const entry = await request(server.url, 'POST', '/visitor-entries', {
      token: guard.accessToken,
      body: {
        societyId: guard.user.societyId,
        visitorId: preApproval.visitorId,
        flatId: rohan.user.flatId,
        residentId: rohanResident._id,
        entryType: 'Unexpected',
        passCode: preApproval.passCode
      }
    })
    assert.ok(
      !(entry.status === 201 && entry.body.approvalStatus === 'Approved'),
      `entry for Rohan's flat approved with Asha's pass code: ${entry.status} ${JSON.stringify(entry.body)}`
    )
  })

  it('F3: a resident cannot book a paid amenity for free by sending bookingFee: 0', async () => {
    const asha = await as('asha@example.com')
    const clubhouse = (await get('/amenities?name=Clubhouse', asha.accessToken)).data[0]
    assert.equal(clubhouse.bookingFee, 1500)
    const me = (await get(`/residents?flatId=${asha.user.flatId}&name=Asha%20Menon`, asha.accessToken)).data[0]
    const start = new Date(Date.now() + 40 * 86400e3)
    const booking = await request(server.url, 'POST', '/bookings', {
      token: asha.accessToken,
      body: {
        societyId: asha.user.societyId,
        amenityId: clubhouse._id,
        residentId: me._id,
        flatId: asha.user.flatId,
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 3600e3).toISOString(),
        bookingFee: 0
      }
    })
    assert.ok(!(booking.status === 201 && booking.body.bookingFee === 0), `booking stored with the caller's fee: ${booking.status} ${JSON.stringify(booking.body)}`)
  })

  // F4: "signed by the engine" values (kind 'value' without overwrite) accept any user id from the caller.
  it('F4a: a resident cannot post a complaint comment signed as the society admin', async () => {
    const asha = await as('asha@example.com')
    const admin = await as('admin.green@example.com')
    const complaint = (await get('/complaints?status=Open', asha.accessToken)).data[0]
    const patched = await request(server.url, 'PATCH', `/complaints/${complaint._id}`, {
      token: asha.accessToken,
      body: { comments: [{ userId: admin.user._id, text: 'Approved: full refund', timestamp: '2020-01-01T00:00:00Z' }] }
    })
    const forged = patched.status === 200 && patched.body.comments?.some((c: any) => c.userId === admin.user._id)
    assert.equal(forged, false, `comment stored as written by the admin: ${JSON.stringify(patched.body.comments)}`)
  })

  it('F4b: a guard cannot record a visitor entry as made by another user, nor pre-fill approvedBy', async () => {
    const guard = await as('guard.green@example.com')
    const admin = await as('admin.green@example.com')
    const rohan = await as('rohan@example.com')
    const visitor = (await get('/visitors', guard.accessToken)).data[0]
    const base = { societyId: guard.user.societyId, visitorId: visitor._id, flatId: rohan.user.flatId, entryType: 'Delivery' }
    const entry = await request(server.url, 'POST', '/visitor-entries', { token: guard.accessToken, body: { ...base, entryGuard: admin.user._id } })
    assert.equal(entry.status, 201, JSON.stringify(entry.body))
    assert.equal(entry.body.entryGuard, guard.user._id, 'entryGuard should be the calling guard')
    const forged = await request(server.url, 'POST', '/visitor-entries', { token: guard.accessToken, body: { ...base, approvedBy: rohan.user._id } })
    assert.equal(forged.status, 400, 'a Pending entry cannot carry an approver chosen by the guard')
    assert.equal(forged.body.data.approvedBy, 'is set by the server')
  })

  // F5: `readOnly` fields (generated pass codes, bill numbers, run counters) are accepted in PATCH.
  it('F5b: a full replace may send read-only fields back unchanged, never different', async () => {
    const asha = await as('asha@example.com')
    const preApproval = (await get('/pre-approvals', asha.accessToken)).data[0]
    const { _id, createdAt, updatedAt, ...body } = preApproval
    const same = await request(server.url, 'PUT', `/pre-approvals/${_id}`, { token: asha.accessToken, body })
    assert.equal(same.status, 200, JSON.stringify(same.body))
    assert.equal(same.body.passCode, preApproval.passCode)
    const changed = await request(server.url, 'PUT', `/pre-approvals/${_id}`, { token: asha.accessToken, body: { ...body, passCode: '0000' } })
    assert.equal(changed.status, 400)
    assert.equal(changed.body.data.passCode, 'is read-only')
  })

  it('F5: a resident cannot replace the generated pass code of a pre-approval with a guessable one', async () => {
    const asha = await as('asha@example.com')
    const preApproval = (await get('/pre-approvals', asha.accessToken)).data[0]
    const patched = await request(server.url, 'PATCH', `/pre-approvals/${preApproval._id}`, { token: asha.accessToken, body: { passCode: '0000' } })
    assert.ok(!(patched.status === 200 && patched.body.passCode === '0000'), `readOnly passCode overwritten: ${JSON.stringify(patched.body)}`)
  })
})
