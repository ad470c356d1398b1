// Read caches (`cache`): the gym's rooms are read from memory until the collection changes (through its service, here
// or on another instance sharing Redis); a cached read never reaches a caller the permissions would not give it to.
import assert from 'node:assert/strict'
import { redisAvailable, redisUrl, request, serverStore } from '../helpers.js'
import { startGym, type Gym } from '../hooks/workflows/gym.js'
import type { ReadCache } from '../../src/services/cache.js'

const cacheOf = (gym: Gym): ReadCache => (gym.app.service('rooms') as any).readCache
/** Changes a stored room beneath the services: no hook, no event, so no cache hears of it. */
const rewriteBeneath = (gym: Gym, id: string, note: string) => (gym.app.service('rooms') as any)._patch(id, { note })

describe('read caches', function () {
  this.timeout(60_000)
  let gym: Gym
  before(async () => {
    gym = await startGym()
  })
  after(() => gym?.close())

  const get = async (who: 'ana' | 'ben' | 'manager', path: string) => request(gym.url, 'GET', path, { token: (await gym.as(who)).token })

  it('serves a repeated read from memory until a change through the service drops it', async () => {
    const [studio] = await gym.find('rooms', { name: 'Studio' })
    const cache = cacheOf(gym)
    const first = await get('ben', `/rooms/${studio._id}`)
    const hits = cache.hits
    await rewriteBeneath(gym, studio._id, 'changed beneath')
    const again = await get('ben', `/rooms/${studio._id}`)
    assert.equal(cache.hits, hits + 1)
    assert.deepEqual(again.body, first.body, 'served from the cache')
    await gym.app.service('rooms').patch(studio._id, { name: 'Studio' })
    assert.equal((await get('ben', `/rooms/${studio._id}`)).body.note, 'changed beneath', 'the patched event dropped it')
    await gym.find('rooms')
    const misses = cache.misses
    await gym.find('rooms')
    assert.equal(cache.misses, misses, 'internal reads are cached too')
  })

  it('never serves a cached read across permissions: each caller gets what the store gives their own query', async () => {
    const ana = await gym.as('ana')
    const own = await request(gym.url, 'POST', '/rooms', { token: ana.token, body: { name: 'Ana’s corner', ownerId: ana._id } })
    assert.equal(own.status, 201, JSON.stringify(own.body))
    const names = async (who: 'ana' | 'ben' | 'manager') => (await get(who, '/rooms?$sort[name]=1')).body.data.map((room: any) => room.name)
    for (let round = 0; round < 2; round++) {
      assert.ok((await names('ana')).includes('Ana’s corner'))
      assert.ok(!(await names('ben')).includes('Ana’s corner'), 'Ben never sees Ana’s room')
      assert.ok((await names('manager')).includes('Ana’s corner'))
      assert.equal((await get('ana', `/rooms/${own.body._id}`)).status, 200)
      assert.ok([403, 404].includes((await get('ben', `/rooms/${own.body._id}`)).status), 'nor gets it by id once Ana’s read is cached')
    }
    assert.ok(cacheOf(gym).hits > 0)
    await gym.app.service('rooms').remove(own.body._id)
  })

  it('an export of a cached collection pages through every record once (its keyset pages are never served from the cache)', async function () {
    // The embedded store's keyset cursor (MongoDB pages by `_id` in the query); 20,000 records would also swamp the emulator.
    if (serverStore !== 'embedded') this.skip()
    const rooms = gym.app.service('rooms') as any
    const max = gym.app.blueprint.collections.find((c) => c.name === 'rooms')!.pagination.max
    // More than the first page and two of the largest later pages (10,000 records each): pages 2 and 3 ask the same query.
    // Stored beneath the hooks (quick); the cache is dropped by hand, as a change through the service would.
    const made = await rooms._create(Array.from({ length: max + 20_001 }, (_, i) => ({ name: `Export room ${i}`, uses: 0 })))
    cacheOf(gym).clear()
    try {
      const expected = (await rooms.find({ paginate: false, query: {} })).length
      const res = await fetch(`${gym.url}/rooms`, { headers: { accept: 'application/x-ndjson', authorization: (await gym.as('manager')).token } })
      assert.equal(res.status, 200)
      // Read until the end, or until more lines than records came (a page served again and again never ends).
      let lines = 0
      const decoder = new TextDecoder()
      for await (const chunk of res.body as any) {
        lines += decoder.decode(chunk, { stream: true }).split('\n').length - 1
        if (lines > expected) break
      }
      assert.equal(lines, expected, 'each record once')
    } finally {
      await rooms._remove(null, { query: { name: { $in: made.map((room: any) => room.name) } } })
      cacheOf(gym).clear()
    }
  })

  it('reads inside a transaction see its own writes, not the cache', async () => {
    const [pool] = await gym.find('rooms', { name: 'Pool' })
    await gym.find('rooms', { _id: pool._id })
    await gym.app.store.transaction(async () => {
      await gym.app.service('rooms').patch(pool._id, { note: 'in the transaction' })
      assert.equal((await gym.find('rooms', { _id: pool._id }))[0].note, 'in the transaction')
    })
  })

  describe('on two instances sharing Redis', () => {
    let other: Gym
    before(async function () {
      if (!(await redisAvailable())) return this.skip()
      await gym.close()
      const shared = { redisUrl, jobsPrefix: `quillbase-test-cache-${process.pid}` }
      gym = await startGym(shared)
      other = await startGym(shared)
    })
    after(() => other?.close())

    it('the instance that writes drops its own cache at commit, before its event comes back through Redis', async () => {
      const [pool] = await gym.find('rooms', { name: 'Pool' })
      await gym.find('rooms', { _id: pool._id })
      await gym.app.service('rooms').patch(pool._id, { note: 'at once' })
      assert.equal((await gym.find('rooms', { _id: pool._id }))[0].note, 'at once')
    })

    it('a read cached on one instance is dropped by a write made on the other', async () => {
      const [studio] = await gym.find('rooms', { name: 'Studio' })
      const before = (await get('ben', `/rooms/${studio._id}`)).body
      await rewriteBeneath(gym, studio._id, 'changed beneath')
      assert.deepEqual((await get('ben', `/rooms/${studio._id}`)).body, before, 'still cached')
      const [otherPool] = await other.find('rooms', { name: 'Pool' })
      await other.app.service('rooms').patch(otherPool._id, { note: 'changed on the other instance' })
      let seen: string | undefined
      for (let end = Date.now() + 5000; Date.now() < end && seen !== 'changed beneath'; ) seen = (await get('ben', `/rooms/${studio._id}`)).body.note
      assert.equal(seen, 'changed beneath', 'the other instance’s event reached this one through Redis')
    })
  })
})
