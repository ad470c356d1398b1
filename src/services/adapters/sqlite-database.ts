// One SQLite file holding every collection: WAL, synchronous=FULL, one owner at a time; one table per collection.
import Database from 'better-sqlite3'
import { GeneralError } from '@feathersjs/errors'
import { SqliteCollection, type SqliteCollectionOptions } from './sqlite-collection.js'

export interface SqliteDatabaseOptions {
  /** The database file; in memory when absent. */
  filename?: string
  /**
   * `FULL` (default): each commit is fsynced to the WAL before it is acknowledged, so it survives
   * power loss. `NORMAL` survives a killed process but may lose the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL'
}

/** SQLite's answer when another connection holds the file. */
const LOCKED = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_BUSY_SNAPSHOT'])

export class SqliteDatabase {
  readonly db: Database.Database
  private _collections = new Map<string, SqliteCollection>()

  constructor(private _options: SqliteDatabaseOptions = {}) {
    const filename = _options.filename ?? ':memory:'
    this.db = new Database(filename, { timeout: 0 })
    try {
      this._configure()
    } catch (error: any) {
      this.db.close()
      if (LOCKED.has(error?.code)) {
        throw new GeneralError(
          `The data file ${filename} is in use by another quillbase process. Stop that process first, or give this one its own DATA_DIR.`
        )
      }
      throw error
    }
  }

  private _configure() {
    // One owner: the exclusive lock is taken by the first write below and held until close; the OS drops it if the process dies.
    this.db.pragma('locking_mode = EXCLUSIVE')
    this.db.pragma('journal_mode = WAL')
    this.db.pragma(`synchronous = ${this._options.synchronous ?? 'FULL'}`)
    this.db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS "quillbase$meta" (key TEXT PRIMARY KEY, value TEXT); COMMIT')
    // `$.Attendees[3]."_id"` → `$.Attendees._id`: the path a MongoDB query names (array positions dropped, keys unquoted).
    this.db.function('quillbase_path', { deterministic: true }, (fullkey: unknown) =>
      String(fullkey).replace(/\[\d+\]/g, '').replace(/\."([A-Za-z0-9_]*)"/g, '.$1')
    )
  }

  /** The collection's table (created if missing); one handle per name. */
  collection(name: string, options: SqliteCollectionOptions = {}): SqliteCollection {
    let collection = this._collections.get(name)
    if (!collection) {
      collection = new SqliteCollection(this.db, name, options)
      this._collections.set(name, collection)
    }
    return collection
  }

  /** A value kept beside the data (e.g. which conversions ran). */
  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM "quillbase$meta" WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value
  }

  setMeta(key: string, value: string) {
    this.db.prepare('INSERT INTO "quillbase$meta" (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value)
  }

  close() {
    for (const collection of this._collections.values()) collection.stop()
    this._collections.clear()
    if (this.db.open) this.db.close()
  }
}
