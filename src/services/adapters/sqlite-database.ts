// One SQLite file holding every collection: WAL, synchronous=FULL, one owner at a time; one table per collection.
// A writer connection runs one transaction at a time (async ones too, through `transaction`); a reader connection
// serves every read outside a transaction from the last committed state.
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { GeneralError } from '@feathersjs/errors'
import { SqliteCollection, type SqliteCollectionOptions } from './sqlite-collection.js'
import { DISTANCE, ICONTAINS, distance, icontains } from './sqlite-query.js'

export interface SqliteDatabaseOptions {
  /** The database file; a temporary file, removed on close, when absent. */
  filename?: string
  /**
   * `FULL` (default): each commit is fsynced to the WAL before it is acknowledged, so it survives
   * power loss. `NORMAL` survives a killed process but may lose the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL'
  /** The longest a group of transactions stays open for more members (`Group`), in ms; default 10. */
  groupCommitMs?: number
}

/** SQLite's answer when another connection holds the file. */
const LOCKED = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_BUSY_SNAPSHOT'])

/** The file beside the database whose lock says who owns it. */
export const lockFileOf = (filename: string) => `${filename}.lock`

/** Temporary folders of in-memory stores still open: removed on close, or when the process exits without closing them. */
const temporaries = new Set<string>()
const removeTemporary = (folder: string) => {
  temporaries.delete(folder)
  rmSync(folder, { recursive: true, force: true })
}
process.once('exit', () => temporaries.forEach(removeTemporary))

/** A FIFO async lock: `acquire` resolves, in call order, once every earlier holder has released. */
class Lock {
  private _tail: Promise<void> = Promise.resolve()
  /** Callers waiting for their turn (the holder not counted). */
  queued = 0

  async acquire(): Promise<() => void> {
    let release!: () => void
    const previous = this._tail
    this._tail = new Promise<void>((resolve) => (release = resolve))
    this.queued++
    await previous
    this.queued--
    return release
  }
}

/**
 * Group commit: outermost transactions that follow one another while others wait for the writer share one SQLite
 * transaction, each in its own savepoint, and one commit. A commit writes every page it changed to the WAL (and fsyncs
 * it with `synchronous=FULL`); consecutive writes change mostly the same pages (the ends of the tables and indexes),
 * so a commit shared by ten writes costs little more than one. A member is answered only when the group commits.
 */
interface Group {
  started: number
  /** A commit is due at the end of this turn of the event loop (`setImmediate`), unless another member runs then. */
  due?: boolean
  /** Members that ended well, in order: what runs after the commit, and their answers. */
  members: { afterCommit: (() => void)[]; resolve: () => void; reject: (error: unknown) => void }[]
}
/** A group commits when no transaction waits for the writer, once it is `groupCommitMs` old, or this large. */
const GROUP_MEMBERS = 64

/** An open transaction (the outermost) or savepoint (a nested one), in the async context that opened it. */
interface Scope {
  parent?: Scope
  name: string
  /** Held by a nested transaction or a write of this scope, so siblings started in parallel take turns. */
  lock: Lock
  /** Run once the outermost transaction commits (events); dropped when this scope rolls back. */
  afterCommit: (() => void)[]
  done: boolean
}

export class SqliteDatabase {
  /** The writer connection: every write, and every read inside a transaction. */
  readonly db: Database.Database
  /** The reader connection: reads outside a transaction see the last committed state, even while one is open. */
  readonly reader: Database.Database
  readonly filename: string
  private _owner: Database.Database
  private _temporary?: string
  private _collections = new Map<string, SqliteCollection>()
  private _context = new AsyncLocalStorage<Scope>()
  /** The writer's turn: outermost transactions and writes outside one, first come first served. */
  private _writer = new Lock()
  /** The open group of outermost transactions (`Group`), if any. */
  private _group?: Group
  /** An outermost transaction holds the writer's turn. */
  private _running = false
  /** True while a synchronous write outside a transaction runs, so its own reads use the writer. */
  private _writing = false
  private _savepoints = 0
  private readonly _groupMs: number

  constructor(private _options: SqliteDatabaseOptions = {}) {
    this._groupMs = _options.groupCommitMs ?? 10
    // Two connections cannot share `:memory:`: the in-memory store is a temporary file.
    if (!_options.filename) temporaries.add((this._temporary = mkdtempSync(path.join(os.tmpdir(), 'quillbase-memory-'))))
    this.filename = _options.filename ?? path.join(this._temporary!, 'quillbase.sqlite')
    this._owner = this._own()
    try {
      this.db = new Database(this.filename, { timeout: 0 })
      this._configure(this.db)
      // A checkpoint (copying the WAL into the file, two fsyncs) blocks the event loop; every 1,000 pages (SQLite's
      // default) it ran every ~80 audited writes. Every 10,000 pages (a WAL of up to 40 MB): a tenth as many fsyncs.
      this.db.pragma('wal_autocheckpoint = 10000')
      this.db.exec('CREATE TABLE IF NOT EXISTS "quillbase$meta" (key TEXT PRIMARY KEY, value TEXT)')
      this.reader = new Database(this.filename, { timeout: 0 })
      this._configure(this.reader)
      this.reader.pragma('query_only = ON')
    } catch (error: any) {
      this.close()
      // The file itself locked: a process of a version that locked the data file rather than the lock file.
      throw LOCKED.has(error?.code) ? this._inUse() : error
    }
  }

  private _inUse() {
    return new GeneralError(`The data file ${this.filename} is in use by another quillbase process. Stop that process first, or give this one its own DATA_DIR.`)
  }

  /**
   * One owner: an exclusive lock on a small SQLite file beside the database, held by this connection until close.
   * The lock is the operating system's, so it goes with the process: a start after kill -9 needs nothing removed.
   */
  private _own() {
    const filename = lockFileOf(this.filename)
    const owner = new Database(filename, { timeout: 0 })
    try {
      owner.pragma('locking_mode = EXCLUSIVE')
      owner.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (x); COMMIT')
      return owner
    } catch (error: any) {
      owner.close()
      throw LOCKED.has(error?.code) ? this._inUse() : error
    }
  }

  private _configure(db: Database.Database) {
    db.pragma('journal_mode = WAL')
    // Statement and savepoint journals in memory: a write with triggers (the kept counts) journals every page it touches,
    // ~7 per insert, which in a temporary file cost thousands of system calls per 100-row batch. Freed when each write ends.
    db.pragma('temp_store = MEMORY')
    // A temporary store has nothing to keep through a crash.
    db.pragma(`synchronous = ${this._temporary ? 'OFF' : this._options.synchronous ?? 'FULL'}`)
    // `$.Attendees[3]."_id"` → `$.Attendees._id`: the path a MongoDB query names (array positions dropped, keys unquoted).
    db.function('quillbase_path', { deterministic: true }, (fullkey: unknown) =>
      String(fullkey).replace(/\[\d+\]/g, '').replace(/\."([A-Za-z0-9_]*)"/g, '.$1')
    )
    db.function(ICONTAINS, { deterministic: true }, icontains)
    db.function(DISTANCE, { deterministic: true }, distance)
  }

  /** The open transaction of this async context, if any (one that ended is no longer current). */
  private _current(): Scope | undefined {
    let scope = this._context.getStore()
    while (scope?.done) scope = scope.parent
    return scope
  }

  /** Whether this async context runs inside a transaction of this database. */
  inTransaction(): boolean {
    return !!this._current()
  }

  /** The connection for a read: the writer inside a transaction (its own uncommitted writes), else the reader. */
  connection(): Database.Database {
    return this._writing || this._current() ? this.db : this.reader
  }

  /**
   * Runs `fn` in a transaction: a savepoint of the transaction open in this async context, or, when none is, an
   * outermost one (waiting for the writer's turn) in the group commit (`Group`). Its part is undone when `fn` throws;
   * it resolves once its writes are committed. A nested failure the caller catches undoes only its own part.
   */
  async transaction<T>(fn: () => Promise<T> | T): Promise<T> {
    const parent = this._current()
    if (!parent) return this._outermost(fn)
    const release = await parent.lock.acquire()
    const scope: Scope = { parent, name: `quillbase_${++this._savepoints}`, lock: new Lock(), afterCommit: [], done: false }
    let result: T
    try {
      this.db.exec(`SAVEPOINT ${scope.name}`)
      try {
        result = await this._context.run(scope, fn)
        this.db.exec(`RELEASE ${scope.name}`)
      } catch (error) {
        this._rollback(scope)
        throw error
      }
    } finally {
      scope.done = true
      release()
    }
    parent.afterCommit.push(...scope.afterCommit)
    return result
  }

  /** An outermost transaction: a savepoint in the open group (begun if none is), answered when the group commits. */
  private async _outermost<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this._writer.acquire()
    this._running = true
    const scope: Scope = { name: `quillbase_${++this._savepoints}`, lock: new Lock(), afterCommit: [], done: false }
    let result: T
    let committed: Promise<void>
    try {
      // A group past its age commits before this one starts: a long transaction never holds earlier answers back.
      if (this._group && Date.now() - this._group.started >= this._groupMs) this._close()
      if (!this._group) {
        this.db.exec('BEGIN IMMEDIATE')
        this._group = { started: Date.now(), members: [] }
      }
      const group = this._group
      this.db.exec(`SAVEPOINT ${scope.name}`)
      try {
        result = await this._context.run(scope, fn)
        this.db.exec(`RELEASE ${scope.name}`)
      } catch (error) {
        this._rollback(scope)
        throw error
      }
      committed = new Promise<void>((resolve, reject) => group.members.push({ afterCommit: scope.afterCommit, resolve, reject }))
    } finally {
      scope.done = true
      this._settle()
      this._running = false
      release()
    }
    await committed
    return result
  }

  /**
   * After a member of the group ended, in the writer's turn: the group stays open for the next transaction if one
   * waits for the writer, or else until the end of this turn of the event loop (requests that arrived together run
   * in it), while it is young and small; then it commits and its members are answered, in order.
   */
  private _settle() {
    const group = this._group
    if (!group) return
    const lost = !this.db.open || !this.db.inTransaction
    if (lost || group.members.length >= GROUP_MEMBERS || Date.now() - group.started >= this._groupMs) return this._close()
    if (this._writer.queued > 0 || group.due) return
    group.due = true
    setImmediate(() => {
      group.due = false
      // A member running now (it awaits I/O) decides when it ends.
      if (this._group === group && !this._running) this._close()
    })
  }

  /** Commits the group (or finds it rolled back by SQLite) and answers its members, in order. */
  private _close() {
    const group = this._group!
    const lost = !this.db.open || !this.db.inTransaction
    this._group = undefined
    let failure: unknown
    if (lost) {
      // SQLite itself rolled the transaction back (a full disk, an I/O error): the members' writes went with it.
      failure = new GeneralError('The store rolled the transaction back; nothing of it was written')
    } else {
      try {
        this.db.exec('COMMIT')
      } catch (error) {
        failure = error
        try {
          if (this.db.inTransaction) this.db.exec('ROLLBACK')
        } catch {
          // Already rolled back by SQLite: the commit's error is the one to report.
        }
      }
    }
    for (const member of group.members) {
      if (failure) {
        member.reject(failure)
        continue
      }
      try {
        for (const callback of member.afterCommit) callback()
        member.resolve()
      } catch (error) {
        member.reject(error)
      }
    }
  }

  private _rollback(scope: Scope) {
    try {
      if (this.db.inTransaction) this.db.exec(`ROLLBACK TO ${scope.name}; RELEASE ${scope.name}`)
    } catch {
      // SQLite already rolled the whole transaction back (e.g. disk full): the caller's error is the one to report.
    }
  }

  /** Queues `callback` until the open transaction commits (dropped if it rolls back); false outside a transaction. */
  afterCommit(callback: () => void): boolean {
    const scope = this._current()
    if (!scope) return false
    scope.afterCommit.push(callback)
    return true
  }

  /**
   * Runs the synchronous `fn` on the writer, all or nothing: inside the open transaction when there is one, else as
   * an outermost transaction of its own (in the group commit), once the writer is free.
   */
  async write<T>(fn: () => T): Promise<T> {
    const scope = this._current()
    if (!scope) return this._outermost(fn)
    const release = await scope.lock.acquire()
    try {
      return this.now(fn)
    } finally {
      release()
    }
  }

  /** Runs `fn` on the writer at once, all or nothing: for start-up work and for callers that hold the writer's turn. */
  now<T>(fn: () => T): T {
    // Outside a transaction of this context, an open one on the writer belongs to another context: never join it.
    if (this.db.inTransaction && !this._current() && !this._writing) {
      throw new GeneralError('A write outside a transaction while another one is open on the writer connection')
    }
    const writing = this._writing
    this._writing = true
    try {
      return this.db.transaction(fn)()
    } finally {
      this._writing = writing
    }
  }

  /** The collection's table (created if missing); one handle per name. */
  collection(name: string, options: SqliteCollectionOptions = {}): SqliteCollection {
    let collection = this._collections.get(name)
    if (!collection) {
      collection = new SqliteCollection(this, name, options)
      this._collections.set(name, collection)
    }
    return collection
  }

  /** A value kept beside the data (e.g. which conversions ran). */
  meta(key: string): string | undefined {
    const row = this.connection().prepare('SELECT value FROM "quillbase$meta" WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value
  }

  setMeta(key: string, value: string) {
    this.now(() => this.db.prepare('INSERT INTO "quillbase$meta" (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value))
  }

  close() {
    for (const collection of this._collections.values()) collection.stop()
    this._collections.clear()
    for (const db of [this.reader, this.db, this._owner]) if (db?.open) db.close()
    if (this._temporary) removeTemporary(this._temporary)
  }
}
