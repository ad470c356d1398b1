// Tenancy: a user of one society never reads, changes or hears about another society's records, over REST or Socket.io.
import assert from 'node:assert/strict'
import { eventually, wait } from '../../helpers.js'
import { societyWorld, type DemoUser, type World } from './world.js'

const SCOPED = [
  'blocks', 'flats', 'residents', 'family-members', 'visitors', 'visitor-entries', 'pre-approvals', 'maintenance-plans', 'maintenance-bills',
  'payments', 'expenses', 'complaints', 'vendors', 'staff', 'amenities', 'bookings', 'notifications', 'guard-devices', 'patrol-routes', 'patrol-logs', 'billing-runs'
]

describe('society tenancy', () => {
  let world: World
  let green: string
  let lake: string
  before(async () => {
    world = await societyWorld()
    green = await world.societyId('Green Meadows')
    lake = await world.societyId('Lake View Residency')
  })

  for (const who of ['greenAdmin', 'greenGuard', 'asha'] as DemoUser[]) {
    describe(`as ${who} of Green Meadows`, () => {
      it('finds only Green Meadows records in every society-scoped collection', async () => {
        const caller = await world.as(who)
        let seen = 0
        for (const path of SCOPED) {
          const response = await caller.get(`/${path}`, { $limit: 200 })
          if (response.status === 403) continue
          assert.equal(response.status, 200, `${path}: ${JSON.stringify(response.body)}`)
          for (const record of response.body.data) assert.equal(record.societyId, green, `${who} read a ${path} record of another society`)
          seen += response.body.data.length
        }
        assert.ok(seen > 0)
        const societies = await caller.get('/societies')
        assert.deepEqual(societies.body.data.map((s: any) => s._id), [green])
      })

      it('cannot get, change or remove a Lake View record', async () => {
        const caller = await world.as(who)
        const [flat] = await world.find('flats', { societyId: lake })
        const [entry] = await world.find('visitor-entries', { societyId: lake })
        assert.ok([403, 404].includes((await caller.get(`/flats/${flat._id}`)).status))
        assert.ok([403, 404].includes((await caller.get(`/visitor-entries/${entry._id}`)).status))
        assert.ok([403, 404].includes((await caller.patch(`/visitor-entries/${entry._id}`, { notes: 'hello' })).status))
        assert.ok([403, 404].includes((await caller.remove(`/flats/${flat._id}`)).status))
        assert.ok([403, 404].includes((await caller.get(`/societies/${lake}`)).status))
      })

      it('cannot create records in Lake View', async () => {
        const caller = await world.as(who)
        const response = await caller.post('/visitors', { societyId: lake, name: 'Intruder' })
        assert.equal(response.status, 403, JSON.stringify(response.body))
      })
    })
  }

  it('a Green Meadows guard cannot log a Lake View flat’s visitor (references stay in the society)', async () => {
    const guard = await world.as('greenGuard')
    const [visitor] = await world.find('visitors', { societyId: green })
    const lakeFlat = await world.flat('T1-1201')
    const response = await guard.post('/visitor-entries', { societyId: green, visitorId: visitor._id, flatId: lakeFlat._id, entryType: 'Delivery' })
    assert.equal(response.status, 422, JSON.stringify(response.body))
    assert.match(response.body.message, /flatId refers to a flats record with another societyId/)
  })

  it('an Admin manages users of their society only, and cannot make anyone SuperAdmin', async () => {
    const admin = await world.as('greenAdmin')
    const users = await admin.get('/users', { $limit: 100 })
    assert.ok(users.body.data.length >= 4)
    for (const user of users.body.data) assert.equal(user.societyId, green)
    assert.equal((await admin.post('/users', { email: 'x@lake.example.com', password: 'long-enough-1', role: 'Guard', societyId: lake })).status, 403)
    assert.equal((await admin.post('/users', { email: 'boss@green.example.com', password: 'long-enough-1', role: 'SuperAdmin', societyId: green })).status, 403)
    assert.equal((await admin.patch(`/users/${admin.user._id}`, { role: 'SuperAdmin' })).status, 403)
  })

  it('a SuperAdmin reads every society', async () => {
    const superadmin = await world.as('superadmin')
    const societies = new Set((await superadmin.get('/societies')).body.data.map((s: any) => s._id))
    assert.ok(societies.has(green) && societies.has(lake))
    const flats = new Set((await superadmin.get('/flats', { $limit: 100 })).body.data.map((f: any) => f.societyId))
    assert.ok(flats.has(green) && flats.has(lake))
  })

  describe('over Socket.io', () => {
    it('events of Lake View reach Lake View’s users and SuperAdmins, never Green Meadows’', async () => {
      const who: DemoUser[] = ['superadmin', 'greenAdmin', 'greenGuard', 'asha', 'lakeAdmin', 'lakeGuard', 'meera']
      const sockets = Object.fromEntries(await Promise.all(who.map(async (w) => [w, await world.socket(w)] as const)))
      try {
        const lakeAdmin = await world.as('lakeAdmin')
        const created = await lakeAdmin.post('/visitors', { societyId: lake, name: 'Lake courier', phone: '9123456780' })
        assert.equal(created.status, 201)
        const patched = await lakeAdmin.patch(`/visitors/${created.body._id}`, { isFrequent: true })
        assert.equal(patched.status, 200)
        const heard = (w: DemoUser, name: string) => sockets[w].events.some((e) => e.name === name && e.data?._id === created.body._id)
        assert.ok(await eventually(() => heard('superadmin', 'visitors patched') && heard('lakeAdmin', 'visitors patched') && heard('lakeGuard', 'visitors patched')))
        await wait(150)
        for (const w of ['greenAdmin', 'greenGuard', 'asha'] as DemoUser[]) {
          assert.equal(sockets[w].events.filter((e) => e.data?.societyId === lake).length, 0, `${w} heard a Lake View event`)
        }
        // Residents read visitors of their own society only.
        assert.ok(heard('meera', 'visitors created'))
      } finally {
        for (const socket of Object.values(sockets)) socket.close()
      }
    })

    it('socket calls are held to the same permissions', async () => {
      const socket = await world.socket('greenGuard')
      try {
        const page = await socket.call('find', 'flats', { $limit: 100 })
        for (const flat of page.data) assert.equal(flat.societyId, green)
        const [lakeFlat] = await world.find('flats', { societyId: lake })
        await assert.rejects(socket.call('get', 'flats', lakeFlat._id), (error: any) => [403, 404].includes(error.code))
        await assert.rejects(socket.call('create', 'visitors', { societyId: lake, name: 'x' }), (error: any) => error.code === 403)
      } finally {
        socket.close()
      }
    })
  })
})
