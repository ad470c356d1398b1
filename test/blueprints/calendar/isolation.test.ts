// Roles: a user reads and changes only their own calendars, events, personal categories and locations, and their own
// sync logs; global categories and locations are read-only to them. Over REST, Socket.io and the admin panel alike.
import assert from 'node:assert/strict'
import { Filter, type CurrentAdmin } from 'adminjs'
import { adminFor } from '../../../src/admin/caller.js'
import { FeathersResource } from '../../../src/admin/resource.js'
import { eventually, wait } from '../../helpers.js'
import { calendarWorld, type DemoUser, type World } from './world.js'

const OWNED = ['calendars', 'events', 'categories', 'locations', 'sync-logs']

describe('calendar roles and isolation', () => {
  let world: World
  let alice: any
  let bob: any
  before(async () => {
    world = await calendarWorld()
    ;[alice] = await world.find('users', { email: 'alice@example.com' })
    ;[bob] = await world.find('users', { email: 'bob@example.com' })
  })

  describe('as a user over REST', () => {
    it('finds only their own records, and the global categories and locations', async () => {
      const caller = await world.as('alice')
      for (const path of OWNED) {
        const response = await caller.get(`/${path}`, { $limit: 200 })
        assert.equal(response.status, 200, `${path}: ${JSON.stringify(response.body)}`)
        assert.ok(response.body.data.length > 0, path)
        for (const record of response.body.data) assert.ok(record.user_id === alice._id || record.user_id === undefined, `${path}: alice read ${record.user_id}'s record`)
        const others = await world.find(path, { user_id: bob._id })
        if (others.length) assert.ok(!response.body.data.some((r: any) => r.user_id === bob._id))
      }
      const globals = await caller.get('/categories', { user_id: { $exists: false } })
      assert.equal(globals.status, 400, 'the query dialect has no $exists')
      const categories = (await caller.get('/categories')).body.data.map((c: any) => c.name).sort()
      assert.deepEqual(categories, ['Client event', 'Focus time', 'Internal', 'Meeting'])
      const users = await caller.get('/users')
      assert.deepEqual(users.body.data.map((u: any) => u._id), [alice._id])
    })

    it('cannot get, change or remove another user’s event or calendar', async () => {
      const caller = await world.as('alice')
      const [event] = await world.find('events', { user_id: bob._id })
      const [calendar] = await world.find('calendars', { user_id: bob._id })
      assert.ok([403, 404].includes((await caller.get(`/events/${event._id}`)).status))
      assert.ok([403, 404].includes((await caller.patch(`/events/${event._id}`, { title: 'mine now' })).status))
      assert.ok([403, 404].includes((await caller.remove(`/calendars/${calendar._id}`)).status))
      assert.equal((await world.find('events', { _id: event._id }))[0].title, event.title)
    })

    it('cannot create an event for someone else, nor put one in another user’s calendar', async () => {
      const caller = await world.as('alice')
      const [bobCalendar] = await world.find('calendars', { user_id: bob._id })
      const [aliceCalendar] = await world.find('calendars', { user_id: alice._id })
      const times = { start_time: '2031-01-06T10:00:00.000Z', end_time: '2031-01-06T11:00:00.000Z' }
      const forBob = await caller.post('/events', { user_id: bob._id, calendar_id: bobCalendar._id, title: 'Planted', ...times })
      assert.equal(forBob.status, 403, JSON.stringify(forBob.body))
      const intoBobs = await caller.post('/events', { user_id: alice._id, calendar_id: bobCalendar._id, title: 'Planted', ...times })
      assert.equal(intoBobs.status, 422, JSON.stringify(intoBobs.body))
      const own = await caller.post('/events', { user_id: alice._id, calendar_id: aliceCalendar._id, title: 'Own', ...times })
      assert.equal(own.status, 201, JSON.stringify(own.body))
      assert.equal(own.body.created_by, alice._id)
      assert.equal(own.body.last_modified_by, alice._id)
      await world.server.app.service('events').remove(own.body._id)
    })

    it('reads global categories and locations but cannot change them; manages personal ones', async () => {
      const caller = await world.as('bob')
      const [meeting] = await world.find('categories', { name: 'Meeting' })
      const [hall] = await world.find('locations', { name: 'Main conference room' })
      assert.equal((await caller.get(`/categories/${meeting._id}`)).status, 200)
      assert.ok([403, 404].includes((await caller.patch(`/categories/${meeting._id}`, { color: '#000000' })).status))
      assert.ok([403, 404].includes((await caller.remove(`/locations/${hall._id}`)).status))
      const global = await caller.post('/categories', { name: 'Everyone’s', type: 'internal' })
      assert.equal(global.status, 403, 'a user cannot create a global category')
      const own = await caller.post('/categories', { user_id: bob._id, name: 'Meeting', type: 'internal' })
      assert.equal(own.status, 201, 'a personal category may share a global one’s name')
      const renamed = await caller.patch(`/categories/${own.body._id}`, { color: '#123456' })
      assert.equal(renamed.status, 200)
      assert.equal((await caller.remove(`/categories/${own.body._id}`)).status, 200)
    })

    it('cannot read tokens, change their role, or see exports', async () => {
      const caller = await world.as('bob')
      assert.ok([400, 403].includes((await caller.patch(`/users/${bob._id}`, { role: 'admin' })).status))
      assert.equal((await world.find('users', { _id: bob._id }))[0].role, 'user')
      assert.equal((await caller.get('/admin-exports')).status, 403)
      assert.equal((await caller.post('/sync-logs', { user_id: bob._id, sync_type: 'google_sync', status: 'success', started_at: new Date().toISOString() })).status, 403)
    })
  })

  describe('as the admin', () => {
    it('reads everyone’s events and sync logs', async () => {
      const caller = await world.as('admin')
      const events = await caller.get('/events', { $limit: 200 })
      assert.deepEqual(new Set(events.body.data.map((e: any) => e.user_id)), new Set([alice._id, bob._id]))
      const logs = await caller.get('/sync-logs')
      assert.equal(logs.body.total, 2)
    })
  })

  describe('over Socket.io', () => {
    it('a user hears of their own events only; the admin hears both', async () => {
      const [aliceSocket, bobSocket, adminSocket] = await Promise.all((['alice', 'bob', 'admin'] as DemoUser[]).map((who) => world.socket(who)))
      try {
        const [calendar] = await world.find('calendars', { user_id: bob._id })
        const created = await world.create('events', { user_id: bob._id, calendar_id: calendar._id, title: 'Bob’s secret', start_time: '2031-02-03T10:00:00.000Z', end_time: '2031-02-03T11:00:00.000Z', internal_notes: 'not for Alice' }, 'bob')
        const heard = (socket: typeof aliceSocket) => socket.events.some((e) => e.name === 'events created' && e.data._id === created._id)
        await eventually(() => heard(bobSocket) && heard(adminSocket))
        await wait(100)
        assert.equal(heard(aliceSocket), false, 'alice heard of bob’s event')
        await assert.rejects(aliceSocket.call('get', 'events', created._id))
        const found = await aliceSocket.call('find', 'events', { $limit: 200 })
        assert.ok(!found.data.some((e: any) => e.user_id === bob._id))
        await world.server.app.service('events').remove(created._id)
      } finally {
        for (const socket of [aliceSocket, bobSocket, adminSocket]) socket.close()
      }
    })
  })

  describe('in the admin panel', () => {
    const resourceOf = (name: string) => new FeathersResource({ app: world.server.app, collection: world.server.app.blueprint.collections.find((c) => c.name === name)! })
    const contextOf = async (who: DemoUser) => {
      const { user } = await world.as(who)
      const fresh = (await world.find('users', { _id: user._id }))[0]
      return { currentAdmin: adminFor(fresh, await world.server.app.permissions.abilityFor(fresh)) as CurrentAdmin } as any
    }

    it('a user’s view lists only their events and cannot open another’s', async () => {
      const resource = resourceOf('events')
      const context = await contextOf('alice')
      const records = await resource.find(new Filter({}, resource), { limit: 100 }, context)
      assert.ok(records.length > 0)
      for (const record of records) assert.equal(record.params.user_id, alice._id)
      const [bobs] = await world.find('events', { user_id: bob._id })
      const opened = await resource.findOne(bobs._id, context).catch((error: any) => error)
      assert.ok(opened === null || opened instanceof Error)
    })

    it('shows no token to the admin', async () => {
      const resource = resourceOf('users')
      const record = await resource.findOne(alice._id, await contextOf('admin'))
      for (const secret of ['access_token', 'refresh_token', 'google_access_token', 'google_refresh_token', 'password']) assert.equal(record?.params[secret], undefined, secret)
    })
  })
})
