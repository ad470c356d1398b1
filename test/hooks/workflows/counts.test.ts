// Counts (`counts`): a field kept equal to the number of records using this one, by id (a trainer's classes, where not
// cancelled) or by a key within a scope (a room's classes: a member's own room of that name, else the shared one);
// right under concurrent writes, and undone with a write that fails.
import assert from 'node:assert/strict'
import { eventually, request, serverStore } from '../../helpers.js'
import { startGym, type Gym, type Member } from './gym.js'

describe('counts of the records using a record', function () {
  this.timeout(60_000)
  let gym: Gym
  before(async () => {
    gym = await startGym()
  })
  after(() => gym?.close())

  const one = async (path: string, query: Record<string, unknown>) => (await gym.find(path, query))[0]
  const call = async (who: Member, method: string, path: string, body?: unknown) => request(gym.url, method, path, { token: (await gym.as(who)).token, body })
  let hour = 0
  /** A class of the member's over REST, at a time of its own. */
  const book = async (who: Member, fields: Record<string, unknown>) => {
    hour++
    const at = (h: number) => new Date(Date.UTC(2032, 0, 1, h)).toISOString()
    const created = await call(who, 'POST', '/classes', { ownerId: (await gym.as(who))._id, title: 'Spin', startsAt: at(hour), endsAt: at(hour + 1), ...fields })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    return created.body
  }

  it('by id: follows creates, a move to another trainer, a cancellation (where) and removals', async () => {
    const tess = await one('trainers', { name: 'Tess' })
    const umar = await one('trainers', { name: 'Umar' })
    const count = async (id: string) => (await one('trainers', { _id: id })).classCount
    const first = await book('ana', { trainerId: tess._id })
    const second = await book('ana', { trainerId: tess._id })
    assert.equal(await count(tess._id), 2)
    assert.equal((await call('ana', 'PATCH', `/classes/${second._id}`, { trainerId: umar._id })).status, 200)
    assert.deepEqual([await count(tess._id), await count(umar._id)], [1, 1])
    await call('ana', 'PATCH', `/classes/${first._id}`, { cancelled: true })
    assert.equal(await count(tess._id), 0, 'a cancelled class does not count')
    await call('ana', 'PATCH', `/classes/${first._id}`, { cancelled: false })
    assert.equal(await count(tess._id), 1)
    await call('ana', 'DELETE', `/classes/${first._id}`)
    await call('ana', 'DELETE', `/classes/${second._id}`)
    assert.deepEqual([await count(tess._id), await count(umar._id)], [0, 0])
  })

  it('is the engine’s to write: a caller’s value is refused, an internal one ignored', async () => {
    const tess = await one('trainers', { name: 'Tess' })
    assert.equal((await call('manager', 'PATCH', `/trainers/${tess._id}`, { classCount: 99 })).status, 400)
    const made = await gym.app.service('trainers').create({ name: 'Vera', classCount: 7 })
    assert.equal(made.classCount, 0)
    await gym.app.service('trainers').patch(made._id, { classCount: 5, name: 'Vera V.' })
    assert.equal((await one('trainers', { _id: made._id })).classCount, 0)
  })

  it('by key within a scope: a member’s own room of that name takes their classes from the shared one, and gives them back', async () => {
    const ana = await gym.as('ana')
    const studio = await one('rooms', { name: 'Studio', ownerId: { $exists: false } })
    const uses = async (id: string) => (await one('rooms', { _id: id })).uses
    const start = await uses(studio._id)
    const anas = [await book('ana', { room: 'Studio' }), await book('ana', { room: 'Studio' })]
    await book('ben', { room: 'Studio' })
    assert.equal(await uses(studio._id), start + 3)
    const own = await call('ana', 'POST', '/rooms', { name: 'Studio', ownerId: ana._id })
    assert.equal(own.status, 201, JSON.stringify(own.body))
    assert.equal(own.body.uses, 2, 'her classes in "Studio" now count in her own Studio')
    assert.equal(await uses(studio._id), start + 1, 'Ben’s stays with the shared one')
    await book('ana', { room: 'Studio' })
    assert.deepEqual([await uses(own.body._id), await uses(studio._id)], [3, start + 1])
    assert.equal((await call('ana', 'PATCH', `/classes/${anas[0]._id}`, { room: 'Pool' })).status, 200)
    const pool = await one('rooms', { name: 'Pool', ownerId: { $exists: false } })
    assert.deepEqual([await uses(own.body._id), await uses(pool._id)], [2, 1], 'moved to the shared Pool: she has none of her own')
    assert.equal((await call('ana', 'PATCH', `/rooms/${own.body._id}`, { name: 'Loft' })).status, 200)
    assert.deepEqual([await uses(own.body._id), await uses(studio._id)], [0, start + 3], 'renamed: it names none of her classes, which go back to the shared Studio')
    await call('ana', 'PATCH', `/rooms/${own.body._id}`, { name: 'Studio' })
    assert.equal((await call('ana', 'DELETE', `/rooms/${own.body._id}`)).status, 200)
    assert.equal(await uses(studio._id), start + 3, 'removed: back to the shared one')
  })

  it('tells listeners and caches of a changed count (a patched event of the counted record)', async () => {
    const tess = await one('trainers', { name: 'Tess' })
    const heard: any[] = []
    const listener = (record: any) => heard.push(record)
    gym.app.service('trainers').on('patched', listener)
    try {
      await book('ben', { trainerId: tess._id })
      assert.ok(await eventually(() => heard.some((record) => record._id === tess._id && record.classCount === 1)))
    } finally {
      gym.app.service('trainers').removeListener('patched', listener)
    }
  })

  it('stays right under concurrent writes', async () => {
    const umar = await one('trainers', { name: 'Umar' })
    const before = (await one('trainers', { _id: umar._id })).classCount
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => book(i % 2 ? 'ana' : 'ben', { trainerId: umar._id })))
    assert.equal((await one('trainers', { _id: umar._id })).classCount, before + 12)
    await Promise.all(made.slice(0, 7).map((c) => gym.app.service('classes').remove(c._id)))
    assert.equal((await one('trainers', { _id: umar._id })).classCount, before + 5)
    assert.equal((await gym.find('classes', { trainerId: umar._id, cancelled: false })).length, before + 5)
  })

  it('is undone with a write that fails after it (one transaction: the embedded store, or MongoDB as a replica set)', async function () {
    // A standalone MongoDB runs no transactions; the emulator's (MONGODB_TRANSACTIONS=on) keep an aborted one's writes.
    if (!gym.app.store.transactions || serverStore === 'emulator') return this.skip()
    const tess = await one('trainers', { name: 'Tess' })
    const before = (await one('trainers', { _id: tess._id })).classCount
    const failed = await call('ana', 'POST', '/classes', { ownerId: (await gym.as('ana'))._id, trainerId: tess._id, title: 'Fire drill', startsAt: '2032-02-01T09:00:00.000Z', endsAt: '2032-02-01T10:00:00.000Z' })
    assert.equal(failed.status, 400, JSON.stringify(failed.body))
    assert.match(failed.body.message, /^Nothing was changed: the trigger/)
    assert.equal((await one('trainers', { _id: tess._id })).classCount, before)
    assert.equal((await gym.find('classes', { title: 'Fire drill' })).length, 0)
  })
})
