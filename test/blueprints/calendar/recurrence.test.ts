// Recurring events (seed 002 "Recurrence"): a master (`is_recurring`, `recurrence_pattern`) has its instances as events
// with `recurrence_master_id`, made by the engine from the pattern for a year ahead, in UTC; all-day events stay on
// their dates; the instances follow the master's changes and go with it; a date-range query finds them.
import assert from 'node:assert/strict'
import type { Caller } from '../../helpers.js'
import { calendarWorld, type World } from './world.js'

describe('calendar recurring events', () => {
  let world: World, alice: Caller, calendarId: string
  before(async () => {
    world = await calendarWorld()
    ;({ caller: alice, calendarId } = await world.atWork('alice'))
  })

  const made: string[] = []
  after(async () => {
    await world.server.app.service('events').remove(null, { query: { _id: { $in: made } } })
  })

  const series = async (fields: Record<string, unknown>) => {
    const created = await alice.post('/events', { user_id: alice.user._id, calendar_id: calendarId, title: 'Series', is_recurring: true, ...fields })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    made.push(created.body._id)
    return created.body
  }
  const instancesOf = async (master: { _id: string }) => world.find('events', { recurrence_master_id: master._id, $sort: { start_time: 1 } })
  const startsOf = async (master: { _id: string }) => (await instancesOf(master)).map((event) => event.start_time)
  const at = (days: string[], time: string) => days.map((day) => `${day}T${time}.000Z`)

  it('the demo’s weekly team sync has its five instances, made by the engine', async () => {
    const [master] = await world.find('events', { title: 'Weekly team sync', is_recurring: true })
    const instances = await instancesOf(master)
    assert.equal(instances.length, 5)
    const week = 7 * 86_400_000
    instances.forEach((instance, i) => assert.equal(Date.parse(instance.start_time) - Date.parse(master.start_time), (i + 1) * week))
    assert.ok(instances.every((instance) => instance.category === 'Meeting' && instance.location === 'Main conference room' && !instance.outlook_event_id))
  })

  it('daily every third day, four occurrences (occurrence_count counts the master)', async () => {
    const master = await series({ start_time: '2031-05-01T08:30:00.000Z', end_time: '2031-05-01T08:45:00.000Z', recurrence_pattern: { type: 'daily', interval: 3, occurrence_count: 4 } })
    assert.deepEqual(await startsOf(master), at(['2031-05-04', '2031-05-07', '2031-05-10'], '08:30:00'))
  })

  it('weekly on Tuesdays and Thursdays every second week, until an end_date (that day included)', async () => {
    const master = await series({ start_time: '2031-05-06T15:00:00.000Z', end_time: '2031-05-06T16:00:00.000Z', recurrence_pattern: { type: 'weekly', interval: 2, days_of_week: ['tuesday', 'thursday'], end_date: '2031-06-03T00:00:00.000Z' } })
    assert.deepEqual(await startsOf(master), at(['2031-05-08', '2031-05-20', '2031-05-22', '2031-06-03'], '15:00:00'))
  })

  it('monthly on the 15th, with an end_date', async () => {
    const master = await series({ start_time: '2031-01-15T10:00:00.000Z', end_time: '2031-01-15T11:00:00.000Z', recurrence_pattern: { type: 'monthly', interval: 1, day_of_month: 15, end_date: '2031-04-30T00:00:00.000Z' } })
    assert.deepEqual(await startsOf(master), at(['2031-02-15', '2031-03-15', '2031-04-15'], '10:00:00'))
  })

  it('an all-day event stays on its date, whatever offset it was written in; its instances on theirs', async () => {
    const master = await series({ all_day: true, start_time: '2031-07-07T00:00:00+10:00', end_time: '2031-07-08T00:00:00+10:00', recurrence_pattern: { type: 'weekly', interval: 1, occurrence_count: 3 } })
    assert.deepEqual([master.start_time, master.end_time], ['2031-07-07T00:00:00.000Z', '2031-07-08T00:00:00.000Z'], 'Monday 7 July, not Sunday 6 July in UTC')
    assert.deepEqual((await instancesOf(master)).map((event) => [event.start_time, event.end_time, event.all_day]), [
      ['2031-07-14T00:00:00.000Z', '2031-07-15T00:00:00.000Z', true],
      ['2031-07-21T00:00:00.000Z', '2031-07-22T00:00:00.000Z', true]
    ])
  })

  it('a change of the master changes its instances; a new pattern makes them anew; removing it removes them', async () => {
    const master = await series({ title: 'Standup', start_time: '2031-08-04T09:00:00.000Z', end_time: '2031-08-04T09:15:00.000Z', category: 'Meeting', recurrence_pattern: { type: 'daily', interval: 1, occurrence_count: 5 } })
    const made = await instancesOf(master)
    assert.equal(made.length, 4)
    const renamed = await alice.patch(`/events/${master._id}`, { title: 'Daily standup', internal_notes: 'keep it short' })
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body))
    const following = await instancesOf(master)
    assert.deepEqual(following.map((event) => event._id), made.map((event) => event._id))
    assert.ok(following.every((event) => event.title === 'Daily standup' && event.internal_notes === 'keep it short'))
    await alice.patch(`/events/${master._id}`, { recurrence_pattern: { type: 'weekly', interval: 1, days_of_week: ['monday', 'friday'], occurrence_count: 4 } })
    assert.deepEqual(await startsOf(master), at(['2031-08-08', '2031-08-11', '2031-08-15'], '09:00:00'))
    assert.equal((await alice.remove(`/events/${master._id}`)).status, 200)
    assert.deepEqual(await instancesOf(master), [])
  })

  it('a date-range query returns the instances within it', async () => {
    const master = await series({ title: 'Quarterly review', start_time: '2031-10-01T13:00:00.000Z', end_time: '2031-10-01T14:00:00.000Z', recurrence_pattern: { type: 'monthly', interval: 1, day_of_month: 1, occurrence_count: 6 } })
    const range = { start_time: { $gte: '2031-11-15T00:00:00.000Z' }, end_time: { $lte: '2032-01-31T00:00:00.000Z' }, title: 'Quarterly review', $sort: { start_time: 1 } }
    const found = await alice.get('/events', range)
    assert.equal(found.status, 200, JSON.stringify(found.body))
    assert.deepEqual(found.body.data.map((event: any) => [event.start_time, event.recurrence_master_id]), [
      ['2031-12-01T13:00:00.000Z', master._id],
      ['2032-01-01T13:00:00.000Z', master._id]
    ])
  })
})
