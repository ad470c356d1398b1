// MongoDB transactions: the outermost `store.transaction` runs in a driver ClientSession transaction, kept in the async
// context so that every adapter call inside it (reads too, to see its own writes) passes the session; nested calls join it.
import { AsyncLocalStorage } from 'node:async_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { createHash } from 'node:crypto'
import { ObjectId, type ClientSession, type Db, type MongoClient } from 'mongodb'

/** `auto`: transactions where the deployment runs them (a replica set or mongos); `on`: always; `off`: never. */
export type TransactionMode = 'auto' | 'on' | 'off'
export const TRANSACTION_MODES: TransactionMode[] = ['auto', 'on', 'off']

/** How long a call is tried again after write conflicts or an unknown commit result: the driver's `withTransaction` limit. */
const RETRY_FOR_MS = 120_000
const TRANSIENT = 'TransientTransactionError'
const UNKNOWN_COMMIT = 'UnknownTransactionCommitResult'
/** The collection of `serialize`'s documents: one per key, whose write makes transactions of that key conflict. */
export const LOCKS = 'quillbase_locks'
const NOTHING_CHANGED = 'Nothing was changed: '

interface Transaction {
  session: ClientSession
  /** Run once it commits (events); dropped when it aborts. */
  afterCommit: (() => void)[]
  /** Writes sent so far, and commands the server refused (a refused command aborts a MongoDB transaction). */
  writes: number
  refusals: number
  /** A failure that a caller caught after its part had written or been refused: with no savepoints, only all of it can go. */
  doomed?: any
  done: boolean
}

/** Whether the driver error (or the Feathers error wrapping it, whose `data` holds its fields) carries the label. */
export function hasErrorLabel(error: any, label: string): boolean {
  return !!(error?.hasErrorLabel?.(label) || error?.data?.errorLabelSet?.has?.(label) || error?.errorLabels?.includes?.(label))
}

const fromServer = (error: any) => /^Mongo/.test(error?.name ?? '') || /^Mongo/.test(error?.data?.name ?? '')

/** Whether the deployment runs transactions: a replica set member answers `hello` with its `setName`, a mongos with `msg: 'isdbgrid'`. */
export async function deploymentSupportsTransactions(db: Db): Promise<boolean> {
  const hello = await db.admin().command({ hello: 1 })
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid'
}

export class MongoTransactions {
  /** Known once connected (`detect`): whether `run` opens a transaction. */
  enabled = false
  private _context = new AsyncLocalStorage<Transaction>()

  constructor(private _client: MongoClient, private _db: Promise<Db>, private _mode: TransactionMode = 'auto') {
    if (!TRANSACTION_MODES.includes(_mode)) throw new Error(`MONGODB_TRANSACTIONS must be one of ${TRANSACTION_MODES.join(', ')}, not "${_mode}"`)
  }

  async detect(db: Db) {
    this.enabled = this._mode === 'on' || (this._mode === 'auto' && (await deploymentSupportsTransactions(db)))
  }

  /** The open transaction of this async context (one that ended is no longer current). */
  current(): Transaction | undefined {
    const transaction = this._context.getStore()
    return transaction && !transaction.done ? transaction : undefined
  }

  /**
   * Runs `fn` in a transaction, or in the open one it joins. The outermost commits when `fn` resolves and aborts when it
   * throws; after a write conflict (TransientTransactionError) it runs `fn` again in a new transaction, as the driver's
   * `withTransaction` does, so `fn` must be safe to run again.
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const open = this.current()
    if (open) return this._join(open, fn)
    if (!this.enabled) return fn()
    const started = Date.now()
    for (let attempt = 1; ; attempt++) {
      try {
        return await this._attempt(fn)
      } catch (error) {
        if (!hasErrorLabel(error, TRANSIENT) || Date.now() - started > RETRY_FOR_MS) throw error
        // The conflicting transaction is still open, most likely: a short, growing, jittered pause before the next try.
        await sleep(Math.random() * Math.min(100, 2 ** attempt))
      }
    }
  }

  private async _attempt<T>(fn: () => Promise<T>): Promise<T> {
    const session = this._client.startSession()
    const transaction: Transaction = { session, afterCommit: [], writes: 0, refusals: 0, done: false }
    let result: T
    try {
      session.startTransaction()
      try {
        result = await this._context.run(transaction, async () => {
          await this._begin(transaction)
          return fn()
        })
        if (transaction.doomed) throw undoneWhole(transaction.doomed)
        await this._commit(session)
      } catch (error) {
        transaction.done = true
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined)
        throw error
      }
    } finally {
      transaction.done = true
      await session.endSession().catch(() => undefined)
    }
    for (const callback of transaction.afterCommit) callback()
    return result
  }

  /**
   * The transaction starts on the server with its first command; sent here, before `fn` runs, so that operations `fn`
   * starts in parallel (a page and its count) never race to be that first command, which the driver does not support.
   */
  private async _begin(transaction: Transaction) {
    await (await this._db).collection<{ _id: string }>(LOCKS).findOne({ _id: '' }, { session: transaction.session })
  }

  private async _commit(session: ClientSession) {
    const started = Date.now()
    for (;;) {
      try {
        return await session.commitTransaction()
      } catch (error) {
        // The commit may or may not have happened (a lost connection): committing again is safe, the driver's way.
        if (!hasErrorLabel(error, UNKNOWN_COMMIT) || Date.now() - started > RETRY_FOR_MS) throw error
      }
    }
  }

  /** A nested call: MongoDB has no savepoints, so a failure it caught after writing dooms the whole transaction. */
  private async _join<T>(transaction: Transaction, fn: () => Promise<T>): Promise<T> {
    const { writes, refusals } = transaction
    try {
      return await fn()
    } catch (error) {
      if (transaction.writes > writes || transaction.refusals > refusals) transaction.doomed ??= error
      throw error
    }
  }

  /** Adapter params carrying the session of the open transaction (none open: `params` as they are); counts writes and refusals. */
  async within<T>(params: any, write: boolean, operation: (params: any) => Promise<T>): Promise<T> {
    const transaction = this.current()
    if (!transaction) return operation(params)
    if (transaction.doomed) throw undoneWhole(transaction.doomed)
    if (write) transaction.writes++
    try {
      return await operation({ ...params, mongodb: { ...params?.mongodb, session: transaction.session } })
    } catch (error) {
      if (fromServer(error)) transaction.refusals++
      throw error
    }
  }

  afterCommit(callback: () => void): boolean {
    const transaction = this.current()
    if (!transaction) return false
    transaction.afterCommit.push(callback)
    return true
  }

  /**
   * Makes the open transaction conflict with any other that serializes the same key, so one of them is tried again once
   * the other ended: snapshot isolation alone lets two transactions both pass a check (no overlap) that reads no
   * record the other writes. Both write the key's document; the first use of a key creates it outside the transaction
   * and runs the call again, since the open transaction's snapshot cannot see a document created after it began.
   */
  async serialize(key: string) {
    if (!this.current()) return
    const locks = (await this._db).collection<{ _id: ObjectId; key: string; turns?: number }>(LOCKS)
    // An ObjectId made from the key: the emulator updates only records whose _id is an ObjectId.
    const _id = new ObjectId(createHash('sha256').update(key).digest().subarray(0, 12))
    const { matchedCount } = await this.within({}, true, ({ mongodb }) => locks.updateOne({ _id }, { $inc: { turns: 1 } }, mongodb))
    if (matchedCount) return
    await locks.updateOne({ _id }, { $setOnInsert: { key, turns: 0 } }, { upsert: true })
    throw new NewLock(key)
  }
}

/** The lock document of `serialize` was just made: the call runs again, in a transaction whose snapshot holds it. */
class NewLock extends Error {
  constructor(key: string) {
    super(`The lock of ${key} was created: the call runs again`)
  }
  hasErrorLabel(label: string) {
    return label === TRANSIENT
  }
}

/** The failure that doomed a transaction, saying that the whole call was undone (its class, status and labels kept). */
function undoneWhole(error: any) {
  const message = String(error?.message ?? error)
  if (error && typeof error === 'object' && !message.startsWith(NOTHING_CHANGED)) {
    error.message = `${NOTHING_CHANGED}a nested call failed after it had written, and MongoDB cannot undo only its part: ${message}`
  }
  return error
}
