// Seed 002 "Data Integrity Rules": removing a user removes their calendars, events, personal categories and locations
// (never the global ones); removing a calendar removes its events, a master event its instances; Outlook event ids
// and category names (per user, globals sharing one scope) never duplicate; locations carry a GeoJSON point.
import assert from 'node:assert/strict'
import { EMULATOR_GAPS, itUnlessEmulator } from '../../services/adapters/mongo-target.js'
import { serverStore } from '../../helpers.js'
import { calendarWorld, type World } from './world.js'

const at = (day: number, hour: number) => `2031-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`

describe('calendar data integrity', () => {
  let world: World
  before(async () => {
    world = await calendarWorld()
  })

  /** A user of their own, with a calendar, events (a master with an instance), a personal category, location and sync log. */
  async function userWithRecords(email: string) {
    const app = world.server.app
    const user = await app.service('users').create({ email, display_name: email, outlook_user_id: `outlook-${email}`, access_token: 'plain-access' })
    const as = { user }
    const calendar = await app.service('calendars').create({ user_id: user._id, name: 'Work' }, as)
    const master = await app.service('events').create({ user_id: user._id, calendar_id: calendar._id, title: 'Standup', start_time: at(3, 9), end_time: at(3, 10), is_recurring: true, recurrence_pattern: { type: 'daily', interval: 1, occurrence_count: 2 } }, as)
    const instance = await app.service('events').create({ user_id: user._id, calendar_id: calendar._id, title: 'Standup', start_time: at(4, 9), end_time: at(4, 10), recurrence_master_id: master._id }, as)
    const category = await app.service('categories').create({ user_id: user._id, name: 'Mine', type: 'internal' }, as)
    const location = await app.service('locations').create({ user_id: user._id, name: 'Desk', coordinates: { latitude: 48.8566, longitude: 2.3522 } }, as)
    const log = await app.service('sync-logs').create({ user_id: user._id, sync_type: 'google_sync', status: 'success', started_at: at(3, 6) })
    return { user, calendar, master, instance, category, location, log }
  }

  const gone = async (path: string, id: string) => (await world.find(path, { _id: id })).length === 0

  it('removing a user removes their calendars, events, personal categories, locations and sync logs; globals stay', async () => {
    const globalsBefore = (await world.find('categories')).filter((c) => !c.user_id).length
    const mine = await userWithRecords('leaving@example.com')
    const admin = await world.as('admin')
    assert.equal((await admin.remove(`/users/${mine.user._id}`)).status, 200)
    for (const [path, record] of [['calendars', mine.calendar], ['events', mine.master], ['events', mine.instance], ['categories', mine.category], ['locations', mine.location], ['sync-logs', mine.log]] as const) {
      assert.ok(await gone(path, record._id), `${path} ${record._id} should be gone`)
    }
    assert.equal((await world.find('categories')).filter((c) => !c.user_id).length, globalsBefore)
    assert.ok((await world.find('locations', { name: 'Main conference room' })).length)
  })

  it('removing a calendar removes its events; removing a master event removes its instances', async () => {
    const mine = await userWithRecords('calendars@example.com')
    const other = await world.server.app.service('calendars').create({ user_id: mine.user._id, name: 'Personal' })
    const kept = await world.server.app.service('events').create({ user_id: mine.user._id, calendar_id: other._id, title: 'Dentist', start_time: at(5, 8), end_time: at(5, 9) })
    await world.server.app.service('events').remove(mine.master._id)
    assert.ok(await gone('events', mine.instance._id), 'the instance follows its master')
    await world.server.app.service('calendars').remove(other._id)
    assert.ok(await gone('events', kept._id))
    await world.server.app.service('users').remove(mine.user._id)
  })

  itUnlessEmulator('never stores an Outlook event id twice (409); events without one are any number', EMULATOR_GAPS.unique, async () => {
    const [alice] = await world.find('users', { email: 'alice@example.com' })
    const [calendar] = await world.find('calendars', { user_id: alice._id })
    const event = { user_id: alice._id, calendar_id: calendar._id, title: 'Synced', start_time: at(6, 9), end_time: at(6, 10) }
    const alicesCaller = await world.as('alice')
    const first = await alicesCaller.post('/events', { ...event, outlook_event_id: 'AAMk-duplicate-test' })
    assert.equal(first.status, 201)
    const second = await alicesCaller.post('/events', { ...event, outlook_event_id: 'AAMk-duplicate-test' })
    assert.equal(second.status, 409, JSON.stringify(second.body))
    const plain = await Promise.all([1, 2].map(() => alicesCaller.post('/events', event)))
    assert.deepEqual(plain.map((r) => r.status), [201, 201])
    for (const created of [first, ...plain]) await world.server.app.service('events').remove(created.body._id)
  }, serverStore === 'emulator')

  itUnlessEmulator('keeps category names unique per user, and among global categories', EMULATOR_GAPS.unique, async () => {
    const admin = await world.as('admin')
    const clash = await admin.post('/categories', { name: 'Meeting', type: 'external' })
    assert.equal(clash.status, 409, 'a second global "Meeting"')
    const [bob] = await world.find('users', { email: 'bob@example.com' })
    const bobs = await admin.post('/categories', { user_id: bob._id, name: 'Meeting', type: 'internal' })
    assert.equal(bobs.status, 201)
    assert.equal((await admin.post('/categories', { user_id: bob._id, name: 'Meeting', type: 'internal' })).status, 409)
    await world.server.app.service('categories').remove(bobs.body._id)
  }, serverStore === 'emulator')

  it('derives a GeoJSON point (longitude first) from a location’s coordinates, and drops it with them', async () => {
    const admin = await world.as('admin')
    const created = await admin.post('/locations', { name: 'Louvre meeting room', coordinates: { latitude: 48.8606, longitude: 2.3376 } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.deepEqual(created.body.point, { type: 'Point', coordinates: [2.3376, 48.8606] })
    const forged = await admin.patch(`/locations/${created.body._id}`, { point: { type: 'Point', coordinates: [0, 0] } })
    assert.equal(forged.status, 400, 'the point is derived, never written')
    const moved = await admin.patch(`/locations/${created.body._id}`, { coordinates: { latitude: 51.5007, longitude: -0.1246 } })
    assert.deepEqual(moved.body.point.coordinates, [-0.1246, 51.5007])
    const cleared = await admin.patch(`/locations/${created.body._id}`, { coordinates: null })
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body))
    assert.equal(cleared.body.point, undefined)
    await world.server.app.service('locations').remove(created.body._id)
  })

  it('stamps who created a record and who changed it last', async () => {
    const alice = await world.as('alice')
    const admin = await world.as('admin')
    const [calendar] = await world.find('calendars', { user_id: alice.user._id })
    const created = await alice.post('/events', { user_id: alice.user._id, calendar_id: calendar._id, title: 'Stamped', start_time: at(7, 9), end_time: at(7, 10), created_by: admin.user._id })
    assert.equal(created.body.created_by, alice.user._id, 'a caller cannot name someone else')
    const changed = await admin.patch(`/events/${created.body._id}`, { internal_notes: 'checked' })
    assert.equal(changed.body.created_by, alice.user._id)
    assert.equal(changed.body.last_modified_by, admin.user._id)
    assert.ok(changed.body.updated_at > created.body.updated_at || changed.body.updated_at === created.body.updated_at)
    assert.equal(changed.body.created_at, created.body.created_at)
    await world.server.app.service('events').remove(created.body._id)
  })
})
