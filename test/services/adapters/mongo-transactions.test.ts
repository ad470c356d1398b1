// MongoDB transactions (MONGODB_TRANSACTIONS=on): what one write call sends the server, read from the driver's command
// events. On the CongoDB emulator this checks the session and the commands only: it accepts `lsid`, `txnNumber`,
// `startTransaction`, `commitTransaction` and `abortTransaction` but keeps every write (EMULATOR_GAPS.transactions), so
// that a rollback really leaves nothing is checked only on a real replica set (MONGODB_URL naming one).
import assert from 'node:assert/strict'
import type { CommandStartedEvent } from 'mongodb'
import { MongoClient } from 'mongodb'
import { request } from '../../helpers.js'
import { deploymentSupportsTransactions } from '../../../src/services/adapters/mongo-transactions.js'
import { MongoStore } from '../../../src/services/store-mongo.js'
import { Type, defineCollection } from '../../../src/schemas/fields.js'
import { sanitizeCollection } from '../../../src/schemas/sanitize.js'
import { startLedger, type Ledger } from '../ledger.js'
import { EMULATOR_GAPS, describeOnMongo, mongoKind, mongoTarget, type MongoTarget } from './mongo-target.js'

const LONG_NOTE = 'this note is far too long for an audit'
const WRITES = ['insert', 'update', 'delete', 'findAndModify']

interface Heard {
  /** Commands and in-process service events, in the order they happened. */
  timeline: ({ command: CommandStartedEvent } | { committed: true } | { event: string; data: any })[]
}

const transactionOf = (command: CommandStartedEvent) =>
  command.command.txnNumber === undefined ? undefined : `${Buffer.from(command.command.lsid.id.buffer).toString('hex')}#${command.command.txnNumber}`

describeOnMongo('MongoDB transactions as sent to the server (MONGODB_TRANSACTIONS=on)', () => {
  let target: MongoTarget
  let ledger: Ledger
  let replicaSet = false
  const heard: Heard = { timeline: [] }

  before(async function () {
    target = (await mongoTarget())!
    if (!target.emulator) {
      const client = await new MongoClient(target.url).connect()
      replicaSet = await deploymentSupportsTransactions(client.db()).finally(() => client.close())
      // A standalone mongod refuses transactions: `on` would fail every write there.
      if (!replicaSet) return this.skip()
    }
    const url = new URL(target.url)
    url.searchParams.set('monitorCommands', 'true')
    ledger = await startLedger({ mongodbUrl: url.toString(), mongodbTransactions: 'on' })
    const client = (ledger.app.store as MongoStore).client
    client.on('commandStarted', (command) => heard.timeline.push({ command }))
    client.on('commandSucceeded', (reply) => reply.commandName === 'commitTransaction' && heard.timeline.push({ committed: true }))
    for (const name of ['entries', 'accounts', 'audits', 'slots']) {
      for (const event of ['created', 'patched', 'removed']) ledger.app.service(name).on(event, (data: any) => heard.timeline.push({ event: `${name} ${event}`, data }))
    }
  })
  after(async () => {
    await ledger?.close()
    await target?.stop()
  })

  const post = (path: string, body: unknown) => request(ledger.url, 'POST', path, { token: ledger.token, body })
  const get = async (path: string) => (await request(ledger.url, 'GET', path, { token: ledger.token })).body

  /** What one call sent and emitted: its commands, the transactions they ran in, and the events heard. */
  async function recorded(call: () => Promise<any>) {
    const from = heard.timeline.length
    const response = await call()
    const timeline = heard.timeline.slice(from)
    const commands = timeline.flatMap((entry) => ('command' in entry ? [entry.command] : []))
    const transactions = [...new Set(commands.map(transactionOf))]
    return { response, timeline, commands, transactions }
  }

  it('sends every command of a create in one transaction: write, reference check, rollup, trigger, audit log, then the commit', async () => {
    const accountId = (await post('/accounts', { name: 'one transaction' })).body._id
    const { response, timeline, commands, transactions } = await recorded(() => post('/entries', { accountId, amount: 10, note: 'fine' }))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(transactions.length, 1, `one transaction, every command in it: ${commands.map((c) => `${c.commandName} ${transactionOf(c)}`).join(', ')}`)
    assert.ok(transactions[0], 'the commands carry lsid and txnNumber')
    assert.equal(commands[0].command.startTransaction, true, 'the first command starts it')
    assert.deepEqual(commands.slice(1).filter((c) => c.command.startTransaction), [])
    assert.ok(commands.every((c) => c.command.autocommit === false))
    assert.equal(commands.at(-1)!.commandName, 'commitTransaction')
    const touched = (name: string, collection: string) => commands.some((c) => c.commandName === name && c.command[name] === collection)
    assert.ok(touched('insert', 'entries'), 'the write')
    assert.ok(touched('find', 'accounts'), 'the reference check and the rollup read the account')
    assert.ok(touched('update', 'accounts') || touched('findAndModify', 'accounts'), 'the rollup writes the account')
    assert.ok(touched('insert', 'audits'), "the trigger's create")
    assert.ok(touched('insert', 'audit-log'), 'the audit log')
    assert.deepEqual(commands.filter((c) => c.commandName === 'abortTransaction'), [])

    const committed = timeline.findIndex((entry) => 'committed' in entry)
    const events = timeline.flatMap((entry, index) => ('event' in entry ? [{ index, event: entry.event }] : []))
    assert.deepEqual(events.map((e) => e.event).sort(), ['accounts patched', 'audits created', 'entries created'])
    assert.ok(events.every((e) => e.index > committed), 'every event is emitted after the commit succeeded')
  })

  it('aborts when a trigger fails, and emits nothing (the emulator keeps the writes: rollback is checked on a replica set)', async () => {
    const accountId = (await post('/accounts', { name: 'failing trigger' })).body._id
    const { response, timeline, commands, transactions } = await recorded(() => post('/entries', { accountId, amount: 5, note: LONG_NOTE }))
    assert.equal(response.status, 400, JSON.stringify(response.body))
    assert.match(response.body.message, /^Nothing was changed: the trigger of entries creating audits failed: /)
    assert.equal(transactions.length, 1)
    assert.ok(transactions[0])
    assert.ok(commands.some((c) => c.commandName === 'insert' && c.command.insert === 'entries'), 'the entry was sent, in the transaction')
    assert.equal(commands.at(-1)!.commandName, 'abortTransaction')
    assert.deepEqual(commands.filter((c) => c.commandName === 'commitTransaction'), [])
    assert.deepEqual(timeline.filter((entry) => 'event' in entry), [], 'no event of the undone change')
  })

  it('fails a whole call whose hook caught a nested failure after it had written (no savepoints on MongoDB)', async () => {
    const accountId = (await post('/accounts', { name: 'batch' })).body._id
    const { response, commands, timeline } = await recorded(() => post('/batches', { accountId, amounts: [1, 2, 4], notes: ['one', LONG_NOTE, 'four'] }))
    assert.equal(response.status, 400, JSON.stringify(response.body))
    assert.match(response.body.message, /^Nothing was changed: the trigger of entries creating audits failed: /)
    assert.equal(commands.at(-1)!.commandName, 'abortTransaction')
    assert.ok(!commands.some((c) => c.commandName === 'insert' && c.command.insert === 'entries' && c.command.documents[0].amount === 4), 'the batch stops at the doomed entry')
    assert.deepEqual(timeline.filter((entry) => 'event' in entry), [])
  })

  it('serializes no-overlap checks of one scope by a lock document; its first use makes it and runs the call again', async () => {
    const slot = (hour: number) => ({ room: 'green', start: `2031-01-01T0${hour}:00:00.000Z`, end: `2031-01-01T0${hour}:30:00.000Z` })
    const lockUpdates = (commands: CommandStartedEvent[]) => commands.filter((c) => c.commandName === 'update' && c.command.update === 'quillbase_locks')
    const writesIn = (commands: CommandStartedEvent[], transaction: string | undefined) => commands.filter((c) => WRITES.includes(c.commandName) && transactionOf(c) === transaction)

    // The scope's first write: the lock matches nothing in the transaction, is made outside it, and the call runs again.
    const first = await recorded(() => post('/slots', slot(1)))
    assert.equal(first.response.status, 201, JSON.stringify(first.response.body))
    const [tried, again] = first.transactions.filter(Boolean)
    assert.ok(tried && again && tried !== again, `two transactions: ${first.transactions.join(', ')}`)
    assert.deepEqual(writesIn(first.commands, undefined).map((c) => c.command.update), ['quillbase_locks'], 'the lock is made outside any transaction')
    assert.deepEqual(first.commands.filter((c) => ['commitTransaction', 'abortTransaction'].includes(c.commandName)).map((c) => [c.commandName, transactionOf(c)]), [
      ['abortTransaction', tried],
      ['commitTransaction', again]
    ])
    assert.equal(lockUpdates(first.commands).filter((c) => transactionOf(c) === again).length, 1)
    assert.deepEqual(writesIn(first.commands, again).map((c) => c.command.insert ?? c.command.update).sort(), ['audit-log', 'quillbase_locks', 'slots'])
    const created = first.timeline.flatMap((entry, index) => ('event' in entry ? [{ index, event: entry.event }] : []))
    assert.deepEqual(created.map((e) => e.event), ['slots created'], 'the call that ran twice is heard once')
    assert.ok(created[0].index > first.timeline.findIndex((entry) => 'committed' in entry))
    assert.equal((await get('/slots?room=green')).total, 1)

    // Later writes of the scope: one transaction, which writes the lock.
    const second = await recorded(() => post('/slots', slot(2)))
    assert.equal(second.response.status, 201, JSON.stringify(second.response.body))
    assert.equal(second.transactions.length, 1)
    assert.equal(lockUpdates(second.commands).length, 1)
    assert.equal(transactionOf(lockUpdates(second.commands)[0]), second.transactions[0])
    assert.equal((await post('/slots', { ...slot(2), start: '2031-01-01T02:15:00.000Z' })).status, 409)
  })

  describe('on a real replica set only (MONGODB_URL)', () => {
    before(function () {
      if (!replicaSet) this.skip()
    })

    it(`a failing trigger leaves nothing: no entry, the account unchanged (the emulator cannot: ${EMULATOR_GAPS.transactions})`, async () => {
      const accountId = (await post('/accounts', { name: 'rolled back' })).body._id
      assert.equal((await post('/entries', { accountId, amount: 10, note: 'fine' })).status, 201)
      assert.equal((await post('/entries', { accountId, amount: 5, note: LONG_NOTE })).status, 400)
      const entries = (await get(`/entries?accountId=${accountId}`)).data
      assert.deepEqual(entries.map((entry: any) => entry.amount), [10])
      const account = await get(`/accounts/${accountId}`)
      assert.deepEqual([account.balance, account.entries], [10, 1])
    })

    it('concurrent writes conflict and are tried again: sums add up, overlapping slots admit one', async () => {
      const accountId = (await post('/accounts', { name: 'concurrent' })).body._id
      const amounts = Array.from({ length: 12 }, (_, i) => i + 1)
      const responses = await Promise.all(amounts.map((amount) => post('/entries', { accountId, amount, note: `entry ${amount}` })))
      assert.deepEqual(responses.map((r) => r.status), amounts.map(() => 201))
      const account = await get(`/accounts/${accountId}`)
      assert.deepEqual([account.balance, account.entries], [amounts.reduce((a, b) => a + b, 0), amounts.length])
      const slots = await Promise.all(Array.from({ length: 6 }, (_, i) => post('/slots', { room: 'blue', start: `2030-01-01T0${i}:00:00.000Z`, end: '2030-01-01T09:30:00.000Z' })))
      assert.deepEqual(slots.map((r) => r.status).sort(), [201, ...Array(5).fill(409)])
    })
  })
})

describeOnMongo('MONGODB_TRANSACTIONS=auto and off', () => {
  let target: MongoTarget
  before(async () => {
    target = (await mongoTarget())!
  })
  after(() => target?.stop())

  const storeWith = async (mode: 'auto' | 'off') => {
    const store = new MongoStore(target.url, mode)
    // Connected, and the deployment asked, once a service is made.
    await store.createService(sanitizeCollection(defineCollection({ name: 'people', schema: Type.Object({ name: Type.String() }) })))
    return { store }
  }

  it(`auto: transactions exactly where hello names a replica set or a mongos (${mongoKind === 'emulator' ? 'the emulator answers as a standalone server' : 'MONGODB_URL'})`, async () => {
    const { store } = await storeWith('auto')
    try {
      const client = await new MongoClient(target.url).connect()
      const expected = await deploymentSupportsTransactions(client.db()).finally(() => client.close())
      if (target.emulator) assert.equal(expected, false)
      assert.equal(store.transactions, expected)
      assert.equal(await store.transaction(async () => store.inTransaction()), expected)
    } finally {
      await store.close()
    }
  })

  it('off: a transaction just runs its function, outside any session', async () => {
    const { store } = await storeWith('off')
    try {
      assert.equal(store.transactions, false)
      assert.equal(await store.transaction(async () => store.inTransaction()), false)
      assert.equal(store.afterCommit(() => undefined), false)
    } finally {
      await store.close()
    }
  })

  it('refuses another value with a plain message', () => {
    assert.throws(() => new MongoStore(target.url, 'yes' as any), /MONGODB_TRANSACTIONS must be one of auto, on, off, not "yes"/)
  })
})
