// Recurrence (`recurrence`): a repeating class (the master) has its later classes as records pointing at it, made from
// its pattern (interval, weekdays, day of the month, until, times) for a window of 400 days, kept in step when it
// changes, removed with it; whole-day classes stay on their dates; a daily task moves the window on.
import assert from 'node:assert/strict'
import { finished, request, toQueryString } from '../../helpers.js'
import { startGym, type Gym } from './gym.js'

describe('recurring records', function () {
  this.timeout(60_000)
  let gym: Gym
  let ana: { _id: string; token: string }
  before(async () => {
    gym = await startGym()
    ana = await gym.as('ana')
  })
  after(() => gym?.close())

  const call = (method: string, path: string, body?: unknown) => request(gym.url, method, path, { token: ana.token, body })
  const series = async (fields: Record<string, unknown>) => {
    const created = await call('POST', '/classes', { ownerId: ana._id, title: 'Yoga', repeats: true, ...fields })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    return created.body
  }
  const instancesOf = async (master: { _id: string }) => (await gym.find('classes', { seriesId: master._id, $sort: { startsAt: 1 } })) as any[]
  const startsOf = async (master: { _id: string }) => (await instancesOf(master)).map((instance) => instance.startsAt)

  it('daily every second day, four times: the master and three instances, each with its fields and length', async () => {
    const master = await series({ startsAt: '2031-03-03T09:00:00.000Z', endsAt: '2031-03-03T10:30:00.000Z', room: 'Studio', note: 'bring mats', booking: 'B-1', repeat: { every: 'daily', interval: 2, times: 4 } })
    const instances = await instancesOf(master)
    assert.deepEqual(instances.map((i) => [i.startsAt, i.endsAt]), [
      ['2031-03-05T09:00:00.000Z', '2031-03-05T10:30:00.000Z'],
      ['2031-03-07T09:00:00.000Z', '2031-03-07T10:30:00.000Z'],
      ['2031-03-09T09:00:00.000Z', '2031-03-09T10:30:00.000Z']
    ])
    for (const instance of instances) {
      assert.equal(instance.title, 'Yoga')
      assert.equal(instance.room, 'Studio')
      assert.equal(instance.ownerId, ana._id)
      assert.equal(instance.repeats, false)
      assert.equal(instance.repeat, undefined)
      assert.equal(instance.note, undefined, 'declared not to pass on')
      assert.equal(instance.booking, undefined, 'a unique field never passes on')
    }
  })

  it('weekly on Mondays and Wednesdays until a date, that day included', async () => {
    const master = await series({ startsAt: '2031-03-03T18:00:00.000Z', endsAt: '2031-03-03T19:00:00.000Z', repeat: { every: 'weekly', on: ['monday', 'wednesday'], until: '2031-03-19T00:00:00.000Z' } })
    assert.deepEqual(await startsOf(master), ['2031-03-05', '2031-03-10', '2031-03-12', '2031-03-17', '2031-03-19'].map((day) => `${day}T18:00:00.000Z`))
  })

  it('monthly on the 31st, four times: months without a 31st have none', async () => {
    const master = await series({ startsAt: '2031-01-31T07:00:00.000Z', endsAt: '2031-01-31T08:00:00.000Z', repeat: { every: 'monthly', dayOfMonth: 31, times: 4 } })
    assert.deepEqual(await startsOf(master), ['2031-03-31', '2031-05-31', '2031-07-31'].map((day) => `${day}T07:00:00.000Z`))
  })

  it('yearly: only what falls within the window is made', async () => {
    const master = await series({ startsAt: '2031-04-01T07:00:00.000Z', endsAt: '2031-04-01T08:00:00.000Z', repeat: { every: 'yearly', times: 3 } })
    assert.deepEqual(await startsOf(master), ['2032-04-01T07:00:00.000Z'], '2033 is past the 400 days')
  })

  it('a whole-day class stays on its date, as written in its own offset, and so do its instances', async () => {
    // 23:30 on 2 June in UTC-5 is already 3 June in UTC: the class is on 2 June all the same.
    const master = await series({ wholeDay: true, startsAt: '2031-06-02T23:30:00-05:00', endsAt: '2031-06-02T23:45:00-05:00', repeat: { every: 'weekly', times: 3 } })
    assert.deepEqual([master.startsAt, master.endsAt], ['2031-06-02T00:00:00.000Z', '2031-06-03T00:00:00.000Z'])
    assert.deepEqual((await instancesOf(master)).map((i) => [i.startsAt, i.endsAt]), [
      ['2031-06-09T00:00:00.000Z', '2031-06-10T00:00:00.000Z'],
      ['2031-06-16T00:00:00.000Z', '2031-06-17T00:00:00.000Z']
    ])
  })

  it('follows its master: changed fields, a shorter pattern, a later time, a new length; stops with it', async () => {
    const master = await series({ startsAt: '2031-09-01T09:00:00.000Z', endsAt: '2031-09-01T10:00:00.000Z', repeat: { every: 'weekly', times: 4 } })
    const [first] = await instancesOf(master)
    await call('PATCH', `/classes/${first._id}`, { note: 'front row reserved' })
    assert.equal((await call('PATCH', `/classes/${master._id}`, { title: 'Power yoga', room: 'Pool' })).status, 200)
    const renamed = await instancesOf(master)
    assert.equal(renamed.length, 3)
    assert.ok(renamed.every((i) => i.title === 'Power yoga' && i.room === 'Pool'))
    assert.equal(renamed[0]._id, first._id, 'the same records')
    assert.equal(renamed[0].note, 'front row reserved', 'an instance keeps what is its own')

    await call('PATCH', `/classes/${master._id}`, { repeat: { every: 'weekly', times: 2 } })
    assert.deepEqual((await instancesOf(master)).map((i) => i._id), [first._id])

    await call('PATCH', `/classes/${master._id}`, { endsAt: '2031-09-01T10:45:00.000Z' })
    assert.deepEqual((await instancesOf(master)).map((i) => [i._id, i.endsAt]), [[first._id, '2031-09-08T10:45:00.000Z']])

    await call('PATCH', `/classes/${master._id}`, { startsAt: '2031-09-01T11:00:00.000Z', endsAt: '2031-09-01T12:00:00.000Z' })
    const moved = await instancesOf(master)
    assert.deepEqual(moved.map((i) => [i.startsAt, i.endsAt]), [['2031-09-08T11:00:00.000Z', '2031-09-08T12:00:00.000Z']])
    assert.notEqual(moved[0]._id, first._id, 'another occurrence, another record')

    await call('PATCH', `/classes/${master._id}`, { repeats: false })
    assert.deepEqual(await instancesOf(master), [])
  })

  it('removing the master removes its instances', async () => {
    const master = await series({ startsAt: '2031-10-06T09:00:00.000Z', endsAt: '2031-10-06T10:00:00.000Z', repeat: { every: 'daily', times: 3 } })
    assert.equal((await instancesOf(master)).length, 2)
    assert.equal((await call('DELETE', `/classes/${master._id}`)).status, 200)
    assert.deepEqual(await instancesOf(master), [])
  })

  it('refuses an instance that recurs, and a recurring record without its pattern (422)', async () => {
    const master = await series({ startsAt: '2031-11-03T09:00:00.000Z', endsAt: '2031-11-03T10:00:00.000Z', repeat: { every: 'daily', times: 2 } })
    const [instance] = await instancesOf(master)
    assert.equal((await call('PATCH', `/classes/${instance._id}`, { repeats: true, repeat: { every: 'daily' } })).status, 422)
    const bare = await call('POST', '/classes', { ownerId: ana._id, title: 'Yoga', repeats: true, startsAt: '2031-11-03T09:00:00.000Z', endsAt: '2031-11-03T10:00:00.000Z' })
    assert.equal(bare.status, 422, JSON.stringify(bare.body))
  })

  it('a date-range query returns the instances in the range', async () => {
    const master = await series({ title: 'Pilates', startsAt: '2031-12-01T08:00:00.000Z', endsAt: '2031-12-01T09:00:00.000Z', repeat: { every: 'weekly', times: 5 } })
    const range = { title: 'Pilates', startsAt: { $gte: '2031-12-10T00:00:00.000Z', $lt: '2031-12-25T00:00:00.000Z' }, $sort: { startsAt: 1 } }
    const found = await request(gym.url, 'GET', `/classes${toQueryString(range)}`, { token: ana.token })
    assert.equal(found.status, 200, JSON.stringify(found.body))
    assert.deepEqual(found.body.data.map((c: any) => [c.startsAt, c.seriesId]), [['2031-12-15T08:00:00.000Z', master._id], ['2031-12-22T08:00:00.000Z', master._id]])
  })

  it('the daily task makes the occurrences past the latest instance, not one removed on its own', async () => {
    const master = await series({ title: 'Open gym', startsAt: '2032-01-05T06:00:00.000Z', endsAt: '2032-01-05T07:00:00.000Z', repeat: { every: 'weekly' } })
    const made = await instancesOf(master)
    assert.equal(made.length, 57, 'weekly over 400 days')
    // As if the window had been 21 days shorter: the last three are not made yet; one class of the series was cancelled.
    for (const instance of made.slice(-3)) await (gym.app.service('classes') as any)._remove(instance._id)
    await call('DELETE', `/classes/${made[10]._id}`)
    const status = await finished(gym.app, await gym.app.jobs.runNow('recurring-instances'))
    assert.equal(status.state, 'completed', JSON.stringify(status))
    assert.deepEqual(status.result, { made: 3 })
    const now = await startsOf(master)
    assert.equal(now.length, 56)
    assert.ok(!now.includes(made[10].startsAt), 'the removed one stays removed')
    assert.equal(now.at(-1), made.at(-1).startsAt)
  })
})
