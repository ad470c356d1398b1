// Seed 002 "Archival": the daily `archive-old-events` schedule moves events that ended more than two years ago to
// events-archive; they leave the main queries and stay readable by their owner only.
import assert from 'node:assert/strict'
import { finished } from '../../helpers.js'
import { calendarWorld, type World } from './world.js'

const yearsAgo = (years: number, hour: number) => {
  const date = new Date()
  date.setUTCFullYear(date.getUTCFullYear() - years)
  date.setUTCHours(hour, 0, 0, 0)
  return date.toISOString()
}

describe('calendar archival', () => {
  let world: World
  before(async () => {
    world = await calendarWorld()
  })

  it('moves events that ended over two years ago, keeps a master while its instances are live, and runs idempotently', async () => {
    const alice = await world.as('alice')
    const [calendar] = await world.find('calendars', { user_id: alice.user._id })
    const base = { user_id: alice.user._id, calendar_id: calendar._id }
    const old = await world.create('events', { ...base, title: 'Kick-off, long ago', start_time: yearsAgo(3, 9), end_time: yearsAgo(3, 10), internal_notes: 'kept in the archive' }, 'alice')
    const recent = await world.create('events', { ...base, title: 'Last year', start_time: yearsAgo(1, 9), end_time: yearsAgo(1, 10) }, 'alice')
    const master = await world.create('events', { ...base, title: 'Old series', start_time: yearsAgo(4, 9), end_time: yearsAgo(4, 10), is_recurring: true, recurrence_pattern: { type: 'yearly', interval: 1, occurrence_count: 4 } }, 'alice')
    const liveInstance = await world.create('events', { ...base, title: 'Old series', start_time: yearsAgo(1, 9), end_time: yearsAgo(1, 10), recurrence_master_id: master._id }, 'alice')
    const oldInstance = await world.create('events', { ...base, title: 'Old series', start_time: yearsAgo(3, 9), end_time: yearsAgo(3, 10), recurrence_master_id: master._id }, 'alice')

    const status = await finished(world.server.app, await world.server.app.jobs.runNow('archive-old-events'))
    assert.equal(status.state, 'completed', JSON.stringify(status))
    assert.deepEqual(status.result, { moved: 2, kept: 1 })
    const live = (await alice.get('/events', { $limit: 200 })).body.data.map((e: any) => e._id)
    for (const moved of [old, oldInstance]) assert.ok(!live.includes(moved._id), `${moved.title} left the main queries`)
    for (const stays of [recent, master, liveInstance]) assert.ok(live.includes(stays._id), `${stays.title} stays`)

    const found = await alice.get('/events-archive', { event_id: old._id })
    assert.equal(found.status, 200, JSON.stringify(found.body))
    const archived = await alice.get(`/events-archive/${found.body.data[0]._id}`)
    assert.equal(archived.status, 200, JSON.stringify(archived.body))
    assert.equal(archived.body.internal_notes, 'kept in the archive')
    assert.equal(archived.body.created_at, old.created_at, 'as it was')
    assert.ok(archived.body.archived_at)
    const bob = await world.as('bob')
    assert.ok([403, 404].includes((await bob.get(`/events-archive/${archived.body._id}`)).status), 'only its owner reads it')
    assert.ok((await bob.get('/events-archive')).body.data.every((e: any) => e.user_id === bob.user._id))
    assert.ok([403, 405].includes((await alice.patch(`/events-archive/${archived.body._id}`, { title: 'rewritten' })).status), 'read-only')

    const again = await finished(world.server.app, await world.server.app.jobs.runNow('archive-old-events'))
    assert.deepEqual(again.result, { moved: 0, kept: 1 })
    for (const id of [recent._id, master._id]) await world.server.app.service('events').remove(id)
    await world.server.app.service('events-archive').remove(null, { query: { event_id: { $in: [old._id, oldInstance._id] } } })
  })
})
