// Residents' phone numbers are masked (98******21) for callers without `unmask` on the record: over REST and in realtime events.
import assert from 'node:assert/strict'
import { eventually } from '../../helpers.js'
import { societyWorld, type DemoUser, type World } from './world.js'

describe('society phone masking', () => {
  let world: World
  before(async () => {
    world = await societyWorld()
  })

  const phonesSeenBy = async (who: DemoUser) => {
    const response = await (await world.as(who)).get('/residents', { $limit: 100 })
    assert.equal(response.status, 200)
    return Object.fromEntries(response.body.data.map((r: any) => [r.name, r.phone]))
  }

  it('a resident sees their own flat’s phones and their neighbours’ masked', async () => {
    const phones = await phonesSeenBy('asha')
    assert.equal(phones['Asha Menon'], '9812345621')
    assert.equal(phones['Vikram Menon'], '9812345622')
    assert.equal(phones['Rohan Gupta'], '98******98')
    assert.equal(phones['Farah Khan'], '99******33')
  })

  it('a guard sees every phone masked; admins and the SuperAdmin see them all', async () => {
    const guard = await phonesSeenBy('greenGuard')
    assert.equal(guard['Asha Menon'], '98******21')
    assert.ok(Object.values(guard).every((p: any) => /^\d\d\*+\d\d$/.test(p)))
    assert.equal((await phonesSeenBy('greenAdmin'))['Asha Menon'], '9812345621')
    assert.equal((await phonesSeenBy('superadmin'))['Meera Joshi'], '9766554433')
  })

  it('masks nested phones (emergency contacts) and users’ phone numbers the same way', async () => {
    const rohan = await world.as('rohan')
    const ashaRecord = await world.resident('Asha Menon')
    const admin = await world.as('greenAdmin')
    const full = await admin.get(`/residents/${ashaRecord._id}`)
    assert.equal(full.body.emergencyContacts[0].phone, '9000000001')
    const own = await rohan.get(`/users/${rohan.user._id}`)
    assert.equal(own.body.phoneNumber, '9898989898')
    const users = await admin.get('/users', { role: 'Resident' })
    assert.ok(users.body.data.some((u: any) => u.phoneNumber === '9898989898'))
    // The guard's own record is unmasked to the guard.
    const guard = await world.as('greenGuard')
    assert.equal((await guard.get(`/users/${guard.user._id}`)).body.phoneNumber, '9845022222')
  })

  it('keeps nested phones masked in the audit log as it keeps the top-level phone: an entry never holds a masked value in clear', async () => {
    const ashaRecord = await world.resident('Asha Menon')
    const admin = await world.as('greenAdmin')
    const { emergencyContacts } = (await admin.get(`/residents/${ashaRecord._id}`)).body
    const contacts = [{ name: 'Audit Contact', phone: '9000000777', relationship: 'friend' }]
    assert.equal((await admin.patch(`/residents/${ashaRecord._id}`, { emergencyContacts: contacts })).status, 200)
    try {
      const history = await admin.get('/audit-log', { collection: 'residents', recordId: ashaRecord._id, $sort: { at: -1 } })
      assert.equal(history.status, 200, JSON.stringify(history.body))
      const field = (entry: any, name: string) => entry.changes.find((c: any) => c.field === name)
      const created = history.body.data.find((entry: any) => entry.method === 'create')
      assert.equal(JSON.parse(field(created, 'phone').after), '98******21', 'the top-level phone, masked in the entry')
      assert.deepEqual(JSON.parse(field(history.body.data[0], 'emergencyContacts').after), [{ name: 'Audit Contact', phone: '90******77', relationship: 'friend' }], 'the nested one too')
      assert.equal(JSON.parse(field(history.body.data[0], 'emergencyContacts').before)[0].phone, '90******01')
      assert.doesNotMatch(JSON.stringify(history.body), /9000000777|9000000001|9812345621/)
    } finally {
      await admin.patch(`/residents/${ashaRecord._id}`, { emergencyContacts })
    }
  })

  it('masks realtime events per receiver', async () => {
    const listeners: DemoUser[] = ['asha', 'greenGuard', 'greenAdmin', 'rohan']
    const sockets = Object.fromEntries(await Promise.all(listeners.map(async (w) => [w, await world.socket(w)] as const)))
    try {
      const rohan = await world.as('rohan')
      const record = await world.resident('Rohan Gupta')
      const response = await rohan.patch(`/residents/${record._id}`, { phone: '9811122233' })
      assert.equal(response.status, 200, JSON.stringify(response.body))
      assert.equal(response.body.phone, '9811122233')
      const phoneHeardBy = (w: DemoUser) => sockets[w].events.find((e) => e.name === 'residents patched' && e.data._id === record._id)?.data.phone
      assert.ok(await eventually(() => listeners.every((w) => phoneHeardBy(w) !== undefined)))
      assert.equal(phoneHeardBy('rohan'), '9811122233')
      assert.equal(phoneHeardBy('greenAdmin'), '9811122233')
      assert.equal(phoneHeardBy('asha'), '98******33')
      assert.equal(phoneHeardBy('greenGuard'), '98******33')
    } finally {
      for (const socket of Object.values(sockets)) socket.close()
    }
  })

  it('lets a search by phone find only records whose phone the caller may see', async () => {
    const guard = await world.as('greenGuard')
    const response = await guard.get('/residents', { phone: '9812345621' })
    assert.equal(response.status, 403)
    assert.match(response.body.message, /masked field "phone"/)
    const admin = await world.as('greenAdmin')
    const found = await admin.get('/residents', { phone: '9812345621' })
    assert.equal(found.body.data[0]?.name, 'Asha Menon')
    const asha = await world.as('asha')
    assert.equal((await asha.get('/residents', { phone: '9812345622' })).body.data[0]?.name, 'Vikram Menon')
    assert.equal((await asha.get('/residents', { phone: '9900112233' })).body.data.length, 0, 'a neighbour’s number is not confirmed')
  })
})
