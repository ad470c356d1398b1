// The gate: a guard logs a visitor, the flat's residents are notified in realtime and one approves; pass codes of pre-approvals let visitors in at once.
import assert from 'node:assert/strict'
import { eventually, wait } from '../../helpers.js'
import { days, societyWorld, type DemoUser, type World } from './world.js'

describe('society visitor approval', () => {
  let world: World
  let green: string
  let a101: any
  let visitorId: string
  before(async () => {
    world = await societyWorld()
    green = await world.societyId('Green Meadows')
    a101 = await world.flat('A-101')
    const guard = await world.as('greenGuard')
    visitorId = (await guard.post('/visitors', { societyId: green, name: 'Karan (courier)', phone: '9876500000' })).body._id
  })

  it('notifies the flat’s residents, and only them, in realtime; a resident approves; the guard sees it and checks the visitor out', async () => {
    const listeners: DemoUser[] = ['asha', 'vikram', 'rohan', 'meera', 'greenGuard', 'lakeAdmin']
    const sockets = Object.fromEntries(await Promise.all(listeners.map(async (w) => [w, await world.socket(w)] as const)))
    try {
      const guard = await world.as('greenGuard')
      const created = await guard.post('/visitor-entries', { societyId: green, visitorId, flatId: a101._id, entryType: 'Delivery', purpose: 'Parcel' })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      const entry = created.body
      assert.equal(entry.approvalStatus, 'Pending')
      assert.equal(entry.entryGuard, guard.user._id, 'the guard is stamped from the caller')
      assert.ok(entry.entryDateTime)

      const notified = (w: DemoUser) => sockets[w].events.filter((e) => e.name === 'notifications created' && e.data.relatedEntityId === entry._id)
      const asha = await world.as('asha')
      const vikram = await world.as('vikram')
      assert.ok(await eventually(() => notified('asha').length === 1 && notified('vikram').length === 1))
      assert.equal(notified('asha')[0].data.userId, asha.user._id)
      assert.equal(notified('vikram')[0].data.userId, vikram.user._id)
      assert.equal(notified('asha')[0].data.category, 'Visitor')
      await wait(150)
      for (const w of ['rohan', 'meera', 'greenGuard', 'lakeAdmin'] as DemoUser[]) assert.equal(notified(w).length, 0, `${w} was notified`)
      // The entry itself reaches the flat's residents and the guard, not the neighbours.
      assert.ok(sockets.asha.events.some((e) => e.name === 'visitor-entries created' && e.data._id === entry._id))
      assert.ok(!sockets.rohan.events.some((e) => e.data?._id === entry._id))
      assert.ok(!sockets.lakeAdmin.events.some((e) => e.data?._id === entry._id))
      // Notifications are readable by their owner only.
      const ashaNotes = await asha.get('/notifications', { relatedEntityId: entry._id })
      assert.equal(ashaNotes.body.data.length, 1)
      assert.equal((await (await world.as('rohan')).get('/notifications', { relatedEntityId: entry._id })).body.data.length, 0)

      // A neighbour cannot answer; the guard cannot approve; a resident of the flat can (over Socket.io here).
      assert.equal((await (await world.as('rohan')).patch(`/visitor-entries/${entry._id}`, { approvalStatus: 'Approved' })).status, 403)
      assert.equal((await guard.patch(`/visitor-entries/${entry._id}`, { approvalStatus: 'Approved' })).status, 403)
      const approved = await sockets.asha.call('patch', 'visitor-entries', entry._id, { approvalStatus: 'Approved' })
      assert.equal(approved.approvalStatus, 'Approved')
      assert.equal(approved.approvedBy, asha.user._id)
      assert.ok(Date.now() - Date.parse(approved.approvalDateTime) < 10_000)
      assert.ok(await eventually(() => sockets.greenGuard.events.some((e) => e.name === 'visitor-entries patched' && e.data._id === entry._id && e.data.approvalStatus === 'Approved')))
      // Answering twice is not a transition.
      const again = await vikram.patch(`/visitor-entries/${entry._id}`, { approvalStatus: 'Rejected' })
      assert.equal(again.status, 409)
      assert.match(again.body.message, /approvalStatus cannot change from Approved to Rejected/)

      const out = await guard.action('/visitor-entries', 'checkOut', { id: entry._id })
      assert.equal(out.status, 200, JSON.stringify(out.body))
      assert.ok(out.body.exitDateTime)
      assert.equal(out.body.exitGuard, guard.user._id)
      assert.equal((await guard.action('/visitor-entries', 'checkOut', { id: entry._id })).status, 409)
      assert.equal((await asha.action('/visitor-entries', 'checkOut', { id: entry._id })).status, 403)
    } finally {
      for (const socket of Object.values(sockets)) socket.close()
    }
  })

  it('a resident’s pre-approval gets a unique pass code that lets the guard check the visitor in at once', async () => {
    const asha = await world.as('asha')
    const ashaResident = await world.resident('Asha Menon')
    const response = await asha.post('/pre-approvals', {
      societyId: green,
      flatId: a101._id,
      residentId: ashaResident._id,
      visitorId,
      visitorName: 'Karan (courier)',
      validFrom: days(-1),
      validTo: days(7),
      recurrence: { type: 'Daily' }
    })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    const { passCode } = response.body
    assert.match(passCode, /^[0-9]{6}$/)
    const chosen = await asha.post('/pre-approvals', { societyId: green, flatId: a101._id, residentId: ashaResident._id, visitorId, visitorName: 'x', validFrom: days(-1), validTo: days(7), recurrence: { type: 'Daily' }, passCode: '111111' })
    assert.equal(chosen.status, 400, 'the code is the engine’s, not the caller’s')
    assert.equal(chosen.body.data.passCode, 'is read-only')
    const codes = (await world.find('pre-approvals')).map((p) => p.passCode)
    assert.equal(new Set(codes).size, codes.length)

    const socket = await world.socket('vikram')
    try {
      const guard = await world.as('greenGuard')
      const entry = await guard.post('/visitor-entries', { societyId: green, passCode, entryType: 'DailyHelp' })
      assert.equal(entry.status, 201, JSON.stringify(entry.body))
      assert.equal(entry.body.approvalStatus, 'Approved')
      assert.equal(entry.body.flatId, a101._id)
      assert.equal(entry.body.residentId, ashaResident._id)
      assert.equal(entry.body.visitorId, visitorId)
      assert.ok(await eventually(() => socket.events.some((e) => e.name === 'notifications created' && e.data.relatedEntityId === entry.body._id && e.data.title === 'Pre-approved visitor arrived')))
    } finally {
      socket.close()
    }
  })

  it('refuses an unknown pass code, and another society’s', async () => {
    const guard = await world.as('greenGuard')
    const wrong = await guard.post('/visitor-entries', { societyId: green, passCode: '000000x', entryType: 'DailyHelp' })
    assert.equal(wrong.status, 422)
    assert.match(wrong.body.message, /No active pre-approval/)
    const [greenPreApproval] = await world.find('pre-approvals', { societyId: green })
    const lakeGuard = await world.as('lakeGuard')
    const lake = await world.societyId('Lake View Residency')
    const foreign = await lakeGuard.post('/visitor-entries', { societyId: lake, passCode: greenPreApproval.passCode, entryType: 'DailyHelp' })
    assert.equal(foreign.status, 422)
  })

  it('an entry without a pass code still needs its flat', async () => {
    const guard = await world.as('greenGuard')
    const response = await guard.post('/visitor-entries', { societyId: green, visitorId, entryType: 'Unexpected' })
    assert.equal(response.status, 422)
    assert.ok('flatId' in response.body.data)
  })
})
