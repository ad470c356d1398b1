// Transactions of the embedded store, at adapter level: async transactions on the writer, savepoints for nested ones,
// other async contexts kept out of an open transaction, reads of the committed state, callbacks held until commit.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { SqliteDatabase } from '../../../src/services/adapters/sqlite-database.js'
import { SqliteService } from '../../../src/services/adapters/sqlite.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('SQLite adapter: transactions', () => {
  let database: SqliteDatabase
  let accounts: SqliteService
  const balances = async () => Object.fromEntries(((await accounts.find({ paginate: false })) as any[]).map((a) => [a.name, a.balance]))

  const open = async (options = {}) => {
    database = new SqliteDatabase(options)
    accounts = new SqliteService({ Model: database.collection('accounts'), multi: true })
    await accounts.create([
      { _id: 'a', name: 'a', balance: 100 },
      { _id: 'b', name: 'b', balance: 0 }
    ])
  }

  beforeEach(() => open())
  afterEach(() => database.close())

  it('commits every write of an async transaction, across awaits', async () => {
    await database.transaction(async () => {
      await accounts.patch('a', { balance: 60 })
      await tick()
      await accounts.patch('b', { balance: 40 })
    })
    assert.deepEqual(await balances(), { a: 60, b: 40 })
  })

  it('rolls every write back when the transaction throws', async () => {
    await assert.rejects(
      database.transaction(async () => {
        await accounts.patch('a', { balance: 60 })
        await accounts.create({ _id: 'c', name: 'c', balance: 1 })
        await tick()
        throw new Error('midway')
      }),
      /midway/
    )
    assert.deepEqual(await balances(), { a: 100, b: 0 })
  })

  it('reads outside the transaction see the committed state while it is open; reads inside see its own writes', async () => {
    let release!: () => void
    const paused = new Promise<void>((resolve) => (release = resolve))
    let inside: unknown
    const open = database.transaction(async () => {
      await accounts.patch('a', { balance: 1 })
      inside = (await accounts.get('a')).balance
      await paused
    })
    await tick()
    assert.equal(inside, 1)
    assert.equal((await accounts.get('a')).balance, 100, 'another context reads the committed balance')
    assert.equal((await accounts.find({ query: { balance: 1 }, paginate: false })).length, 0)
    release()
    await open
    assert.equal((await accounts.get('a')).balance, 1)
  })

  it('a write from another async context waits for the open transaction and is not undone by its rollback', async () => {
    let release!: () => void
    const paused = new Promise<void>((resolve) => (release = resolve))
    const order: string[] = []
    const open = database.transaction(async () => {
      await accounts.patch('a', { balance: 0 })
      await paused
      order.push('transaction done')
      throw new Error('undo')
    })
    await tick()
    const other = accounts.patch('b', { balance: 7 }).then(() => order.push('other write'))
    await tick()
    assert.deepEqual(order, [], 'the other write waits')
    release()
    await assert.rejects(open, /undo/)
    await other
    assert.deepEqual(order, ['transaction done', 'other write'])
    assert.deepEqual(await balances(), { a: 100, b: 7 })
  })

  it('a nested transaction is a savepoint: its failure, caught, undoes only its own writes', async () => {
    await database.transaction(async () => {
      await accounts.patch('a', { balance: 50 })
      await assert.rejects(
        database.transaction(async () => {
          await accounts.patch('b', { balance: 50 })
          throw new Error('nested')
        }),
        /nested/
      )
      await database.transaction(() => accounts.create({ _id: 'c', name: 'c', balance: 5 }))
    })
    assert.deepEqual(await balances(), { a: 50, b: 0, c: 5 })
  })

  it('nested transactions started in parallel take turns, so one failing undoes only itself', async () => {
    await database.transaction(async () => {
      const results = await Promise.allSettled([
        database.transaction(async () => {
          await accounts.patch('a', { balance: 1 })
          await tick()
          throw new Error('first fails')
        }),
        database.transaction(async () => {
          await tick()
          await accounts.patch('b', { balance: 2 })
        })
      ])
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled'])
    })
    assert.deepEqual(await balances(), { a: 100, b: 2 })
  })

  it('concurrent transactions never interleave: every transfer is whole', async () => {
    const transfer = (amount: number) =>
      database.transaction(async () => {
        const a = await accounts.get('a')
        await tick()
        const b = await accounts.get('b')
        await accounts.patch('a', { balance: a.balance - amount })
        await tick()
        await accounts.patch('b', { balance: b.balance + amount })
      })
    await Promise.all(Array.from({ length: 20 }, () => transfer(5)))
    assert.deepEqual(await balances(), { a: 0, b: 100 })
  })

  it('callbacks queued in a transaction run after its commit, and are dropped with what they follow', async () => {
    const ran: string[] = []
    assert.equal(database.afterCommit(() => ran.push('outside')), false, 'outside a transaction nothing is held')
    await database.transaction(async () => {
      database.afterCommit(() => ran.push('kept'))
      await database.transaction(async () => {
        database.afterCommit(() => ran.push('rolled back'))
        throw new Error('nested')
      }).catch(() => {})
      assert.deepEqual(ran, [], 'nothing runs before the commit')
    })
    await database.transaction(async () => {
      database.afterCommit(() => ran.push('never'))
      throw new Error('outer')
    }).catch(() => {})
    assert.deepEqual(ran, ['kept'])
  })

  describe('group commit', () => {
    // A group open long enough that a loaded machine's pauses never close it early.
    beforeEach(() => {
      database.close()
      return open({ groupCommitMs: 60_000 })
    })

    /** A transaction that writes `balance` to `id`, then waits for `gate` before it ends; `done` says when it was answered. */
    const member = (id: string, balance: number, gate: Promise<unknown> = Promise.resolve(), fail?: Error) => {
      const state = { done: false, events: [] as string[] }
      const promise = database.transaction(async () => {
        await accounts.patch(id, { balance })
        database.afterCommit(() => state.events.push(`${id} committed`))
        await gate
        if (fail) throw fail
      }).then(() => (state.done = true))
      return { state, promise }
    }

    it('a transaction that ends while another waits for the writer is answered, and its events run, only at the shared commit', async () => {
      let open!: () => void
      const gate = new Promise<void>((resolve) => (open = resolve))
      let started!: () => void
      const first = member('a', 1, new Promise<void>((resolve) => (started = resolve)))
      const second = member('b', 2, gate)
      started()
      await tick()
      await tick()
      assert.equal(first.state.done, false, 'the first is not answered before its commit')
      assert.deepEqual(first.state.events, [], 'nor are its events told')
      assert.deepEqual(await balances(), { a: 100, b: 0 }, 'nothing is committed while the second runs')
      open()
      await Promise.all([first.promise, second.promise])
      assert.deepEqual([first.state.events, second.state.events], [['a committed'], ['b committed']])
      assert.deepEqual(await balances(), { a: 1, b: 2 })
    })

    it('a member that throws undoes only its own part; the others of its group commit', async () => {
      let started!: () => void
      const first = member('a', 1, new Promise<void>((resolve) => (started = resolve)))
      const failing = member('b', 2, Promise.resolve(), new Error('refused'))
      const third = database.transaction(() => accounts.create({ _id: 'c', name: 'c', balance: 3 }))
      started()
      await first.promise
      await assert.rejects(failing.promise, /refused/)
      await third
      assert.deepEqual(await balances(), { a: 1, b: 0, c: 3 })
    })

    it('when SQLite rolls the shared transaction back, every member waiting for the commit fails: none is told it was written', async () => {
      let started!: () => void
      const first = member('a', 1, new Promise<void>((resolve) => (started = resolve)))
      // What a full disk or an I/O error does mid-transaction: SQLite ends the whole transaction.
      const breaking = database.transaction(async () => {
        await accounts.patch('b', { balance: 2 })
        database.db.exec('ROLLBACK')
      })
      started()
      await assert.rejects(first.promise, /rolled the transaction back/)
      await assert.rejects(breaking)
      assert.equal(first.state.done, false)
      assert.deepEqual(await balances(), { a: 100, b: 0 })
      await database.transaction(() => accounts.patch('a', { balance: 5 }))
      assert.deepEqual(await balances(), { a: 5, b: 0 }, 'the next transaction begins afresh')
    })
  })

  it('the in-memory store is a temporary file, removed on close', () => {
    const temporary = new SqliteDatabase()
    assert.ok(existsSync(temporary.filename))
    temporary.close()
    assert.equal(existsSync(temporary.filename), false)
  })
})
