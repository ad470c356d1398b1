// Transactions over real HTTP on the embedded store: a call and the engine work that goes with it (rollups, triggered
// records, nested calls, overlap checks, a billing run) commit or roll back together, and only committed changes are heard.
import assert from 'node:assert/strict'
import { connect, eventually, request, wait } from '../helpers.js'
import { societyWorld } from '../blueprints/society/world.js'
import { holdEntries, startLedger, type Ledger } from './ledger.js'

const LONG_NOTE = 'this note is far too long for an audit'

describe('transactions on the embedded store', () => {
  let ledger: Ledger
  before(async () => {
    ledger = await startLedger()
  })
  after(() => ledger.close())

  const post = (path: string, body: unknown) => request(ledger.url, 'POST', path, { token: ledger.token, body })
  const get = async (path: string) => (await request(ledger.url, 'GET', path, { token: ledger.token })).body
  const newAccount = async (name: string) => (await post('/accounts', { name })).body._id as string
  const entriesOf = async (accountId: string) => (await get(`/entries?accountId=${accountId}&$limit=200`)).data as any[]
  const auditsOf = async (entries: any[]) => ((await get('/audits?$limit=500')).data as any[]).filter((audit) => entries.some((entry) => entry._id === audit.entryId))

  it('a failing trigger rolls back the write and the rolled-up parent: the store is unchanged, no listener hears of it', async () => {
    const accountId = await newAccount('trigger')
    const socket = await connect(ledger.url, ledger.token)
    try {
      assert.equal((await post('/entries', { accountId, amount: 10, note: 'fine' })).status, 201)
      const failed = await post('/entries', { accountId, amount: 5, note: LONG_NOTE })
      assert.equal(failed.status, 400, JSON.stringify(failed.body))
      assert.match(failed.body.message, /^Nothing was changed: the trigger of entries creating audits failed: /)

      const entries = await entriesOf(accountId)
      assert.deepEqual(entries.map((e) => e.amount), [10])
      assert.equal((await auditsOf(entries)).length, 1)
      const account = await get(`/accounts/${accountId}`)
      assert.deepEqual([account.balance, account.entries], [10, 1])

      const heard = (name: string, match: (data: any) => boolean) => socket.events.filter((e) => e.name === name && match(e.data))
      assert.ok(await eventually(() => heard('accounts patched', (a) => a._id === accountId && a.balance === 10).length === 1), 'the committed change is heard')
      await wait(200)
      assert.deepEqual(heard('entries created', (e) => e.amount === 5), [])
      assert.deepEqual(heard('accounts patched', (a) => a._id === accountId && a.balance === 15), [])
    } finally {
      socket.close()
    }
  })

  it('a nested call that fails and is caught by a hook undoes only its own part', async () => {
    const accountId = await newAccount('batch')
    const socket = await connect(ledger.url, ledger.token)
    try {
      const batch = await post('/batches', { accountId, amounts: [1, 2, 4], notes: ['one', LONG_NOTE, 'four'] })
      assert.equal(batch.status, 201, JSON.stringify(batch.body))
      assert.deepEqual([batch.body.created, batch.body.failed], [2, 1])
      const entries = await entriesOf(accountId)
      assert.deepEqual(entries.map((e) => e.amount).sort(), [1, 4])
      assert.equal((await auditsOf(entries)).length, 2)
      assert.equal((await get(`/accounts/${accountId}`)).balance, 5)
      assert.ok(await eventually(() => socket.events.filter((e) => e.name === 'entries created' && e.data.accountId === accountId).length === 2))
      await wait(100)
      assert.deepEqual(socket.events.filter((e) => e.name === 'entries created' && e.data.amount === 2), [], 'the undone entry is never heard of')
    } finally {
      socket.close()
    }
  })

  it('concurrent requests never share a transaction: counts and sums add up, overlapping slots admit one', async () => {
    const accountId = await newAccount('concurrent')
    const amounts = Array.from({ length: 30 }, (_, i) => i + 1)
    const responses = await Promise.all(amounts.map((amount) => post('/entries', { accountId, amount, note: amount % 3 === 0 ? LONG_NOTE : `entry ${amount}` })))
    const kept = amounts.filter((amount) => amount % 3 !== 0)
    assert.deepEqual(responses.map((r) => r.status), amounts.map((amount) => (amount % 3 === 0 ? 400 : 201)))
    const entries = await entriesOf(accountId)
    assert.deepEqual(entries.map((e) => e.amount).sort((a, b) => a - b), kept)
    assert.equal((await auditsOf(entries)).length, kept.length)
    const account = await get(`/accounts/${accountId}`)
    assert.deepEqual([account.balance, account.entries], [kept.reduce((a, b) => a + b, 0), kept.length])

    const slots = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post('/slots', { room: 'blue', start: `2030-01-01T0${i}:00:00.000Z`, end: '2030-01-01T09:30:00.000Z' }))
    )
    assert.deepEqual(slots.map((r) => r.status).sort(), [201, ...Array(7).fill(409)])
  })

  it('while a transaction is open, other requests read the committed state and other writes wait for its end', async () => {
    const accountId = await newAccount('held')
    const otherId = await newAccount('other')
    assert.equal((await post('/entries', { accountId, amount: 1, note: 'before' })).status, 201)
    const gate = holdEntries('held')
    const held = post('/entries', { accountId, amount: 100, note: 'held' })
    let released = false
    try {
      await gate.reached
      assert.deepEqual((await entriesOf(accountId)).map((e) => e.amount), [1], 'the stored but uncommitted entry is not seen')
      assert.equal((await get(`/accounts/${accountId}`)).balance, 1)
      const other = post('/entries', { accountId: otherId, amount: 7 })
      let done = false
      void other.then(() => (done = true))
      await wait(100)
      assert.equal(done, false, 'a write of another request waits for the open transaction')
      gate.release()
      released = true
      assert.equal((await held).status, 201)
      assert.equal((await other).status, 201)
    } finally {
      if (!released) gate.release()
    }
    assert.deepEqual((await entriesOf(accountId)).map((e) => e.amount).sort((a, b) => a - b), [1, 100])
    assert.equal((await get(`/accounts/${accountId}`)).balance, 101)
  })
})

describe('transactions of the society blueprint', () => {
  it('a billing run that fails midway leaves no bills, no notifications and no run', async () => {
    const world = await societyWorld()
    const superadmin = await world.as('superadmin')
    const create = async (path: string, body: unknown) => {
      const response = await superadmin.post(path, body)
      assert.equal(response.status, 201, `${path}: ${JSON.stringify(response.body)}`)
      return response.body
    }
    const societyId = (await create('/societies', { name: 'Half Built Heights' }))._id
    const elsewhere = (await create('/societies', { name: 'Elsewhere Court' }))._id
    const elsewhereBlock = await create('/blocks', { societyId: elsewhere, name: 'E', floors: 1 })
    const elsewhereFlat = await create('/flats', { societyId: elsewhere, blockId: elsewhereBlock._id, flatNumber: 'E-1', floor: 1, type: '1BHK', area: 500 })
    const block = await create('/blocks', { societyId, name: 'H', floors: 2 })
    const flats = [await create('/flats', { societyId, blockId: block._id, flatNumber: 'H-1', floor: 1, type: '2BHK', area: 900 }), await create('/flats', { societyId, blockId: block._id, flatNumber: 'H-2', floor: 1, type: '2BHK', area: 900 })]
    const users = []
    for (const [index, flat] of flats.entries()) {
      const user = await create('/users', { email: `half${index}@built.example.com`, password: 'half-built-1', role: 'Resident', societyId, flatId: flat._id })
      await create('/residents', { societyId, flatId: flat._id, userId: user._id, residentType: 'Owner', name: `Owner ${index}`, phone: `900000010${index}` })
      users.push(user)
    }
    await create('/maintenance-plans', { societyId, name: 'Monthly', billingCycle: 'Monthly', components: [{ name: 'Maintenance', amount: 1000, type: 'Fixed' }], applicableFrom: '2025-01-01T00:00:00.000Z', discountRate: 0, taxRate: 0 })
    // The second flat's owner has moved to another society: the notification of that flat's bill cannot be made.
    assert.equal((await superadmin.patch(`/users/${users[1]._id}`, { societyId: elsewhere, flatId: elsewhereFlat._id })).status, 200)

    const socket = await world.socket('superadmin')
    try {
      const run = await superadmin.post('/billing-runs', { societyId, period: '2025-06' })
      assert.equal(run.status, 422, JSON.stringify(run.body))
      assert.match(run.body.message, /Nothing was changed: the trigger of maintenance-bills creating notifications failed/)
      assert.deepEqual(await world.find('maintenance-bills', { societyId }), [], 'the first flat’s bill is undone too')
      assert.deepEqual(await world.find('notifications', { userId: users[0]._id }), [])
      assert.deepEqual(await world.find('billing-runs', { societyId }), [])
      await wait(200)
      assert.deepEqual(socket.events.filter((e) => e.data?.societyId === societyId), [], 'nothing undone is heard of')
    } finally {
      socket.close()
    }
  })
})
