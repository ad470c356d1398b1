// Categories and locations (seed 002 §4–5, "Caching"): `usage_count` is the number of events using each (an event
// names its owner's own category or location of that name, else the global one), kept through creates, moves and
// removals; both are cached, and a cached read is dropped by a write, here or on another instance sharing Redis.
import assert from 'node:assert/strict'
import { redisAvailable, startInstancesOnRedis, wait, type Caller, type TestServer } from '../../helpers.js'
import { calendarWorld, type World } from './world.js'

describe('calendar categories and locations: usage counts and caching', () => {
  let world: World, alice: Caller, calendarId: string
  before(async () => {
    world = await calendarWorld()
    ;({ caller: alice, calendarId } = await world.atWork('alice'))
  })

  const usage = async (path: 'categories' | 'locations', name: string, owner?: string) =>
    (await world.find(path, { name, user_id: owner ?? { $exists: false } }))[0].usage_count as number
  const event = async (fields: Record<string, unknown>) => {
    const created = await alice.post('/events', { user_id: alice.user._id, calendar_id: calendarId, title: 'Counted', start_time: '2032-03-01T09:00:00.000Z', end_time: '2032-03-01T10:00:00.000Z', ...fields })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    return created.body
  }

  it('every category and location counts the events using it (the owner’s own by name, else the global one)', async () => {
    const events = await world.find('events')
    for (const path of ['categories', 'locations'] as const) {
      const records = await world.find(path)
      const field = path === 'categories' ? 'category' : 'location'
      for (const record of records) {
        const using = events.filter((e) => e[field] === record.name && (record.user_id ? e.user_id === record.user_id : !records.some((own) => own.name === record.name && own.user_id === e.user_id)))
        assert.equal(record.usage_count, using.length, `${path} ${record.name}`)
      }
    }
    assert.ok((await usage('categories', 'Meeting')) >= 8, 'the weekly sync and its instances, the budget review, the planning')
  })

  it('follows an event’s create, its move to another category and location, and its removal', async () => {
    const [meeting, focus, hall] = [await usage('categories', 'Meeting'), await usage('categories', 'Focus time', alice.user._id), await usage('locations', 'Main conference room')]
    const created = await event({ category: 'Meeting', location: 'Main conference room' })
    assert.deepEqual([await usage('categories', 'Meeting'), await usage('locations', 'Main conference room')], [meeting + 1, hall + 1])
    const moved = await alice.patch(`/events/${created._id}`, { category: 'Focus time', location: 'Auditorium' })
    assert.equal(moved.status, 200, JSON.stringify(moved.body))
    assert.deepEqual([await usage('categories', 'Meeting'), await usage('categories', 'Focus time', alice.user._id), await usage('locations', 'Main conference room')], [meeting, focus + 1, hall])
    assert.equal((await alice.remove(`/events/${created._id}`)).status, 200)
    assert.equal(await usage('categories', 'Focus time', alice.user._id), focus)
  })

  it('counts a recurring event’s instances, and lets them all go with their master', async () => {
    const before = await usage('categories', 'Client event')
    const master = await event({ category: 'Client event', is_recurring: true, recurrence_pattern: { type: 'weekly', interval: 1, occurrence_count: 4 } })
    assert.equal(await usage('categories', 'Client event'), before + 4)
    await alice.remove(`/events/${master._id}`)
    assert.equal(await usage('categories', 'Client event'), before)
  })

  it('is refused in a caller’s body: the engine keeps it', async () => {
    const admin = await world.as('admin')
    const [meeting] = await world.find('categories', { name: 'Meeting', user_id: { $exists: false } })
    assert.equal((await admin.patch(`/categories/${meeting._id}`, { usage_count: 0 })).status, 400)
  })

  it('serves categories from the cache, and the next read after an event’s write has the new count', async () => {
    const [meeting] = await world.find('categories', { name: 'Meeting', user_id: { $exists: false } })
    const cache = (world.server.app.service('categories') as any).readCache
    const first = (await alice.get(`/categories/${meeting._id}`)).body.usage_count
    const hits = cache.hits
    assert.equal((await alice.get(`/categories/${meeting._id}`)).body.usage_count, first)
    assert.equal(cache.hits, hits + 1, 'a hit')
    const created = await event({ category: 'Meeting' })
    assert.equal((await alice.get(`/categories/${meeting._id}`)).body.usage_count, first + 1, 'dropped by the count’s change')
    await world.server.app.service('events').remove(created._id)
  })

  describe('on two instances sharing Redis', () => {
    let instances: [TestServer, TestServer] | undefined
    before(async function () {
      if (!(await redisAvailable())) return this.skip()
      instances = await startInstancesOnRedis('calendar', { demo: false, jobsPrefix: `quillbase-test-calendar-${process.pid}` })
    })
    after(async () => {
      for (const instance of instances ?? []) await instance.close()
    })

    it('a cached location on one instance is dropped by a write made on the other', async () => {
      const [first, second] = instances!
      const locations = (server: TestServer) => server.app.service('locations') as any
      // Made beneath the services too: its own event, coming back through Redis, would drop the cache at any moment.
      const made = await locations(first)._create({ name: 'Rooftop', usage_count: 0, is_active: true })
      assert.equal((await locations(first).get(made._id)).notes, undefined)
      // Beneath the services (no event): only a dropped cache shows it.
      await locations(first)._patch(made._id, { notes: 'windy' })
      assert.equal((await locations(first).get(made._id)).notes, undefined, 'served from the cache')
      await locations(second).create({ name: 'Basement' })
      let notes: string | undefined
      // A cached read never waits on I/O: wait between reads so the message from Redis can arrive.
      for (let end = Date.now() + 5000; Date.now() < end && notes !== 'windy'; await wait(25)) notes = (await locations(first).get(made._id)).notes
      assert.equal(notes, 'windy', 'the other instance’s write reached this one through Redis')
    })
  })
})
