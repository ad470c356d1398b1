// One collection's table (`rid`, `id`, JSON `doc`), its index table for paths into arrays, its indexes and TTL purge.
import { randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { SqliteDatabase } from './sqlite-database.js'
import { BadRequest } from '@feathersjs/errors'
import { DATE_TAG, encodeDate, jsonPath, jsonType, parse, pathLiteral, stringify } from './sqlite-json.js'
import { pointColumns, type QueryShape, type ValueKind } from './sqlite-query.js'

export interface SqliteCollectionOptions {
  /** The id field (default `_id`), kept in the `id` column. */
  id?: string
  /**
   * What the schema says about paths: those that hold or cross arrays, and free-form objects. Given it,
   * every other path is a plain `json_extract` (indexable); without it every path may cross an array.
   */
  shape?: { arrays: string[]; freeform: string[]; types?: Record<string, ValueKind> }
  /**
   * A TTL index will be declared: every read then leaves expired records out, which a kept count (holding them until
   * a purge) cannot, so no totals are kept, and no triggers run on its writes (the audit log).
   */
  expires?: boolean
}

/** A declared index (the engine's `IndexInput`). */
export interface SqliteIndex {
  fields: Record<string, 1 | -1 | 'text' | '2dsphere'>
  unique?: boolean
  sparse?: boolean
  expireAfterSeconds?: number
  name?: string
}

/** A list's only condition: one path equal to one string (`{ ManagerId: me }`), which a kept count per value answers. */
export interface SoleEquality {
  path: string
  value: string
}

/** SQL true when `value` (of JSON type `type`) is a string, not a tagged date: the values counted per value. */
const isText = (value: string, type: string) => `${type} = 'text' AND substr(${value}, 1, 1) <> char(${DATE_TAG.charCodeAt(0)})`

export interface Row {
  rid: number
  id: string
  doc: string
}

/**
 * How a keyset page walks a declared index: its leading paths fixed by the query's equalities, then `seek` (the next
 * column, in the index's direction) and the row id, which every SQLite index holds last, ascending.
 */
export interface KeysetOrder {
  seek?: { sql: string; direction: 1 | -1 }
}

/** Collection names are plain; `$` separates our own suffixes (`appointments$keys`), so it is refused in names. */
const NAME = /^[A-Za-z0-9_-]+$/
export const quoteName = (name: string) => {
  if (!name.split('$').every((part) => NAME.test(part))) throw new Error(`Invalid collection or index name '${name}'`)
  return `"${name}"`
}

/** Random bytes drawn 4 KB at a time (a call to the system's generator costs as much as a small insert). */
let pool = Buffer.alloc(0)
let drawn = 0

/**
 * A new id: 24 hex characters, as MongoDB's ObjectId, of which the first 8 are the time in seconds (so new records go
 * to the end of the id index, as in MongoDB, instead of touching a random page of it each) and 16 are random.
 */
const newId = () => {
  if (drawn + 8 > pool.length) [pool, drawn] = [randomBytes(4096), 0]
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0')
  return seconds + pool.toString('hex', drawn, (drawn += 8))
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`)

/** Every scalar at a path through arrays at any level, as MongoDB reads `Attendees.DeveloperId`. */
function valuesAt(doc: unknown, segments: string[]): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((item) => valuesAt(item, segments))
  if (segments.length === 0) return doc === undefined || doc === null ? [] : [doc]
  if (!doc || typeof doc !== 'object' || doc instanceof Date) return []
  return valuesAt((doc as any)[segments[0]], segments.slice(1))
}

export class SqliteCollection implements QueryShape {
  readonly table: string
  readonly keysTable: string
  readonly id: string
  readonly multikey = new Set<string>()
  /** Plain paths leading a declared non-unique index: their records are counted per string value (`quillbase$values`). */
  readonly counted = new Set<string>()
  /** Declared indexes on plain paths (not partial): the columns a keyset page may walk. */
  private _ordered: { path: string; direction: 1 | -1 }[][] = []
  private _ttl: { path: string; seconds: number }[] = []
  private _timer?: NodeJS.Timeout
  /** Prepared statements per connection (writer and reader). */
  private _statements = new Map<Database.Database, Record<string, Database.Statement>>()

  constructor(readonly database: SqliteDatabase, readonly name: string, private _options: SqliteCollectionOptions) {
    if (!NAME.test(name)) throw new Error(`Invalid collection name '${name}' (letters, digits, '_' and '-' only)`)
    this.table = quoteName(name)
    this.keysTable = quoteName(`${name}$keys`)
    this.id = _options.id ?? '_id'
    // The index table exists from the start, so a multikey index added later is filled by `ensureIndex` alone.
    database.now(() =>
      database.db.exec(`
        CREATE TABLE IF NOT EXISTS ${this.table} (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS ${this.keysTable} (path TEXT NOT NULL, value ANY, type TEXT NOT NULL, rid INTEGER NOT NULL) STRICT;
        CREATE INDEX IF NOT EXISTS ${quoteName(`${name}$keys$value`)} ON ${this.keysTable} (path, value, type, rid);
        CREATE INDEX IF NOT EXISTS ${quoteName(`${name}$keys$rid`)} ON ${this.keysTable} (rid)`)
    )
    if (_options.expires) this._dropCounts()
    else {
      this._keepCount()
      this._keepKeyCounts()
    }
  }

  /** No kept counts for this table: the triggers and rows an earlier version kept for it go. */
  private _dropCounts() {
    const { database, name } = this
    const db = database.db
    const triggers = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?)`).all(name, `${name}$keys`) as { name: string }[]
    if (!triggers.length) return
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('quillbase$counts', 'quillbase$values')`).all() as { name: string }[]
    database.now(() => {
      for (const trigger of triggers) db.exec(`DROP TRIGGER ${quoteName(trigger.name)}`)
      for (const table of tables) db.prepare(`DELETE FROM ${quoteName(table.name)} WHERE name = ?`).run(name)
    })
  }

  /**
   * Records per string value of each path into arrays, kept by triggers on the index table (which holds each value of a
   * record once), so a Developer's `total` over `Attendees.DeveloperId` is one lookup instead of counting thousands of rows.
   */
  private _keepKeyCounts() {
    const { database, name, keysTable } = this
    const db = database.db
    database.now(() =>
      db.exec(`CREATE TABLE IF NOT EXISTS "quillbase$values" (name TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (name, path, value)) WITHOUT ROWID, STRICT`)
    )
    const trigger = `${name}$values$keys`
    if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?`).get(`${trigger}$insert`)) return
    const text = isText('value', 'type')
    database.now(() => {
      db.prepare(`DELETE FROM "quillbase$values" WHERE name = ? AND path IN (SELECT DISTINCT path FROM ${keysTable})`).run(name)
      db.prepare(`INSERT INTO "quillbase$values" (name, path, value, n)
        SELECT ?, path, value, count(*) FROM ${keysTable} WHERE rid > 0 AND ${text} GROUP BY path, value`).run(name)
      db.exec(`CREATE TRIGGER ${quoteName(`${trigger}$insert`)} AFTER INSERT ON ${keysTable} WHEN new.rid > 0 AND ${isText('new.value', 'new.type')}
        BEGIN INSERT INTO "quillbase$values" (name, path, value, n) VALUES ('${name}', new.path, new.value, 1)
          ON CONFLICT DO UPDATE SET n = n + 1; END`)
      db.exec(`CREATE TRIGGER ${quoteName(`${trigger}$delete`)} AFTER DELETE ON ${keysTable} WHEN old.rid > 0 AND ${isText('old.value', 'old.type')}
        BEGIN UPDATE "quillbase$values" SET n = n - 1 WHERE name = '${name}' AND path = old.path AND value = old.value; END`)
    })
  }

  /**
   * Records per string value of a plain path, kept by triggers on the collection's table in the write's own transaction
   * (a Manager's `total` over `ManagerId` is one lookup). Counted once, when the path is first counted.
   */
  private _countValues(path: string) {
    if (this.counted.has(path) || this._options.expires) return
    this.counted.add(path)
    const { database, name, table } = this
    const db = database.db
    const trigger = `${name}$values$${path.replaceAll('.', '-')}`
    if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?`).get(`${trigger}$insert`)) return
    // `name` passed NAME and `path` passed `jsonPath` (identifier characters only): both are safe as literals here.
    const at = (row: string) => ({ value: `json_extract(${row}.doc, ${pathLiteral(path)})`, type: `json_type(${row}.doc, ${pathLiteral(path)})` })
    const add = (row: string) =>
      `INSERT INTO "quillbase$values" (name, path, value, n) SELECT '${name}', '${path}', ${at(row).value}, 1 WHERE ${isText(at(row).value, at(row).type)}
        ON CONFLICT DO UPDATE SET n = n + 1;`
    const take = (row: string) =>
      `UPDATE "quillbase$values" SET n = n - 1 WHERE name = '${name}' AND path = '${path}' AND value = ${at(row).value} AND ${isText(at(row).value, at(row).type)};`
    const { value, type } = { value: `json_extract(doc, ${pathLiteral(path)})`, type: `json_type(doc, ${pathLiteral(path)})` }
    database.now(() => {
      db.prepare(`DELETE FROM "quillbase$values" WHERE name = ? AND path = ?`).run(name, path)
      db.prepare(`INSERT INTO "quillbase$values" (name, path, value, n) SELECT ?, ?, ${value}, count(*) FROM ${table} WHERE ${isText(value, type)} GROUP BY ${value}`).run(name, path)
      db.exec(`CREATE TRIGGER ${quoteName(`${trigger}$insert`)} AFTER INSERT ON ${table} BEGIN ${add('new')} END`)
      db.exec(`CREATE TRIGGER ${quoteName(`${trigger}$delete`)} AFTER DELETE ON ${table} BEGIN ${take('old')} END`)
      db.exec(`CREATE TRIGGER ${quoteName(`${trigger}$update`)} AFTER UPDATE OF doc ON ${table}
        WHEN ${at('old').value} IS NOT ${at('new').value} OR ${at('old').type} IS NOT ${at('new').type} BEGIN ${take('old')} ${add('new')} END`)
    })
  }

  /**
   * The table's row count, kept by triggers in the same transaction as each insert and delete, so an
   * unfiltered `total` is one lookup (SQLite's `count(*)` reads the whole table). Counted once, when the
   * table is first seen without it.
   */
  private _keepCount() {
    const { database, name, table } = this
    const db = database.db
    database.now(() => db.exec('CREATE TABLE IF NOT EXISTS "quillbase$counts" (name TEXT PRIMARY KEY, n INTEGER NOT NULL)'))
    if (db.prepare('SELECT 1 FROM "quillbase$counts" WHERE name = ?').get(name)) return
    // `name` passed NAME above: letters, digits, '_' and '-' only, so it is safe as a literal in the triggers.
    database.now(() => {
      db.prepare(`INSERT INTO "quillbase$counts" (name, n) SELECT ?, count(*) FROM ${table}`).run(name)
      db.exec(`CREATE TRIGGER IF NOT EXISTS ${quoteName(`${name}$count$insert`)} AFTER INSERT ON ${table}
        BEGIN UPDATE "quillbase$counts" SET n = n + 1 WHERE name = '${name}'; END`)
      db.exec(`CREATE TRIGGER IF NOT EXISTS ${quoteName(`${name}$count$delete`)} AFTER DELETE ON ${table}
        BEGIN UPDATE "quillbase$counts" SET n = n - 1 WHERE name = '${name}'; END`)
    })
  }

  kind(path: string): 'scalar' | 'multi' {
    const shape = this._options.shape
    if (!shape) return 'multi'
    if (shape.arrays.some((prefix) => under(path, prefix))) return 'multi'
    if (shape.freeform.some((prefix) => path.startsWith(`${prefix}.`))) return 'multi'
    return 'scalar'
  }

  typeOf(path: string): ValueKind | undefined {
    return this._options.shape?.types?.[path]
  }

  /** The writer connection (writes, and reads inside a transaction). */
  get db(): Database.Database {
    return this.database.db
  }

  /** A prepared statement on `db`: the connection this async context reads from, unless told. */
  private _statement(sql: string, db = this.database.connection()) {
    let prepared = this._statements.get(db)
    if (!prepared) this._statements.set(db, (prepared = {}))
    return (prepared[sql] ??= db.prepare(sql))
  }

  all(sql: string, params: unknown[]): Row[] {
    return this._statement(sql).all(...params) as Row[]
  }

  get(sql: string, params: unknown[]): Record<string, unknown> | undefined {
    return this._statement(sql).get(...params) as Record<string, unknown> | undefined
  }

  /**
   * The statement that counts the rows matching `where`: the kept count when nothing is filtered, the kept count of a
   * value when the only condition is `sole` on a counted path (never for a collection that expires records: it keeps none).
   */
  countQuery(where: string, params: unknown[], sole?: SoleEquality): { sql: string; params: unknown[] } {
    const kept = !this._options.expires
    if (kept && where === '1') return { sql: 'SELECT n FROM "quillbase$counts" WHERE name = ?', params: [this.name] }
    if (kept && sole && (this.counted.has(sole.path) || this.multikey.has(sole.path))) {
      return { sql: 'SELECT coalesce(sum(n), 0) AS n FROM "quillbase$values" WHERE name = ? AND path = ? AND value = ?', params: [this.name, sole.path, sole.value] }
    }
    // The whole condition is one path into arrays (a Developer's `Attendees.DeveloperId`): counted in the index
    // table alone, whose index answers it, instead of looking up every matching record in the collection's table.
    const keys = this.keysOnly(where)
    if (keys) return { sql: `SELECT count(DISTINCT rid) AS n FROM ${this.keysTable} WHERE ${keys}`, params }
    return { sql: `SELECT count(*) AS n FROM ${this.table} WHERE ${where}`, params }
  }

  /**
   * The keyset order for a query whose equalities fix `fixed` (plain paths): along the declared index that leads with
   * the most of them, so a page is a seek in it however deep; none when no index leads with one (storage order then).
   */
  keysetOrder(fixed: Set<string>): KeysetOrder | undefined {
    let best: { prefix: number; seek?: { path: string; direction: 1 | -1 } } | undefined
    for (const columns of this._ordered) {
      let prefix = 0
      while (prefix < columns.length && fixed.has(columns[prefix].path)) prefix++
      if (prefix && prefix > (best?.prefix ?? 0)) best = { prefix, seek: columns[prefix] }
    }
    if (!best) return undefined
    return { seek: best.seek && { sql: `json_extract(doc, ${pathLiteral(best.seek.path)})`, direction: best.seek.direction } }
  }

  /** The index-table condition when `where` is exactly `rid IN (SELECT rid FROM <keys> WHERE …)`, nothing around it. */
  keysOnly(where: string): string | undefined {
    const prefix = `rid IN (SELECT rid FROM ${this.keysTable} WHERE `
    if (!where.startsWith(prefix) || !where.endsWith(')')) return undefined
    const inner = where.slice(prefix.length, -1)
    let depth = 0
    for (const char of inner) {
      if (char === '(') depth++
      else if (char === ')' && --depth < 0) return undefined
    }
    return depth === 0 ? inner : undefined
  }

  count(where: string, params: unknown[], sole?: SoleEquality): number {
    const query = this.countQuery(where, params, sole)
    return (this._statement(query.sql).get(...query.params) as { n: number }).n
  }

  /** Runs the synchronous `fn` on the writer, all or nothing, never inside another async context's transaction. */
  write<T>(fn: () => T): Promise<T> {
    return this.database.write(fn)
  }

  /** Stores a new document; the id is generated when missing. Returns the stored text. */
  insert(doc: Record<string, any>): string {
    const id = doc[this.id] ?? newId()
    if (typeof id !== 'string' && typeof id !== 'number') throw new BadRequest(`Invalid id ${JSON.stringify(id)}`)
    const stored = { [this.id]: id, ...doc }
    const text = stringify(stored)
    const { lastInsertRowid } = this._statement(`INSERT INTO ${this.table} (id, doc) VALUES (?, ?)`, this.db).run(String(id), text)
    this._writeKeys(Number(lastInsertRowid), stored)
    return text
  }

  /** Replaces the document of a row (its id stays). Returns the stored text. */
  replace(row: Row, doc: Record<string, any>): string {
    const text = stringify(doc)
    this._statement(`UPDATE ${this.table} SET doc = ? WHERE rid = ?`, this.db).run(text, row.rid)
    this._deleteKeys(row.rid)
    this._writeKeys(row.rid, doc)
    return text
  }

  delete(row: Row) {
    this._statement(`DELETE FROM ${this.table} WHERE rid = ?`, this.db).run(row.rid)
    this._deleteKeys(row.rid)
  }

  private _deleteKeys(rid: number) {
    if (this.multikey.size) this._statement(`DELETE FROM ${this.keysTable} WHERE rid = ?`, this.db).run(rid)
  }

  private _writeKeys(rid: number, doc: Record<string, any>, paths: Iterable<string> = this.multikey) {
    if (!this.multikey.size) return
    const insert = this._statement(`INSERT INTO ${this.keysTable} (path, value, type, rid) VALUES (?, ?, ?, ?)`, this.db)
    for (const path of paths) {
      const seen = new Set<unknown>()
      for (const value of valuesAt(doc, path.split('.'))) {
        const type = jsonType(value)
        if (type === 'array' || type === 'object') continue
        const stored = value instanceof Date ? encodeDate(value) : typeof value === 'boolean' ? Number(value) : value
        const key = `${type}:${stored}`
        if (seen.has(key)) continue
        seen.add(key)
        insert.run(path, stored, type, rid)
      }
    }
  }

  /**
   * A declared index as SQLite indexes: an expression index on `json_extract` paths (unique, partial when
   * sparse); a path into arrays goes to the index table; TTL adds a purge; `text`/`2dsphere` are MongoDB only.
   */
  ensureIndex(index: SqliteIndex): 'created' | 'mongodb-only' {
    const entries = Object.entries(index.fields)
    if (entries.length === 1 && entries[0][1] === '2dsphere' && this.kind(entries[0][0]) === 'scalar') {
      // A GeoJSON point: its latitude indexed, which narrows a `$near` query to a band of latitudes.
      const { latitude } = pointColumns(entries[0][0])
      const name = `${this.name}$${(index.name ?? `${entries[0][0]}_2dsphere`).replace(/[^A-Za-z0-9_-]/g, '_')}`
      this.database.now(() => this.db.exec(`CREATE INDEX IF NOT EXISTS ${quoteName(name)} ON ${this.table} (${latitude})`))
      return 'created'
    }
    if (entries.some(([, kind]) => kind === 'text' || kind === '2dsphere')) return 'mongodb-only'
    for (const [path] of entries) jsonPath(path)
    const multi = entries.filter(([path]) => this.kind(path) === 'multi' && path !== this.id)
    if (multi.length) {
      if (index.unique) throw new BadRequest(`A unique index on a path into arrays (${multi[0][0]}) is MongoDB only`)
      for (const [path] of multi) this._addMultikey(path)
    }
    const plain = entries.filter(([path]) => this.kind(path) === 'scalar' && path !== this.id)
    if (plain.length) {
      const name = index.name ?? entries.map(([path, kind]) => `${path}_${kind}`).join('_')
      const columns = plain.map(([path, kind]) => `json_extract(doc, ${pathLiteral(path)})${kind === -1 ? ' DESC' : ''}`)
      if (!index.unique && plain[0] === entries[0]) this._countValues(plain[0][0])
      const partial = index.sparse ? ` WHERE ${plain.map(([path]) => `json_extract(doc, ${pathLiteral(path)}) IS NOT NULL`).join(' OR ')}` : ''
      if (!index.sparse) this._ordered.push(plain.map(([path, kind]) => ({ path, direction: kind === -1 ? -1 : 1 })))
      const unique = index.unique ? 'UNIQUE ' : ''
      const indexName = `${this.name}$${name.replace(/[^A-Za-z0-9_-]/g, '_')}`
      this.database.now(() => this.db.exec(`CREATE ${unique}INDEX IF NOT EXISTS ${quoteName(indexName)} ON ${this.table} (${columns.join(', ')})${partial}`))
      if (index.unique && !index.sparse) {
        // MongoDB counts a missing (or null) field as one value of a unique index; SQLite holds NULLs distinct. This second
        // index (a blob no JSON value can be stands for missing) refuses what MongoDB refuses: two global `{ name }` without `user_id`.
        const missingAsValue = plain.map(([path]) => `IFNULL(json_extract(doc, ${pathLiteral(path)}), X'00')`)
        try {
          this.database.now(() => this.db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${quoteName(`${indexName}$missing`)} ON ${this.table} (${missingAsValue.join(', ')})`))
        } catch (error: any) {
          if (error?.code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error
          // Records stored before this rule already share a missing value: they stay, and the index keeps SQLite's rule.
          console.warn(`quillbase: ${this.name}: several records lack ${plain.map(([path]) => path).join(' + ')} (unique index ${name}); until they differ, records without them are not refused`)
        }
      }
    }
    if (index.expireAfterSeconds !== undefined && entries.length === 1) this._addTtl(entries[0][0], index.expireAfterSeconds)
    return 'created'
  }

  private _addMultikey(path: string) {
    if (this.multikey.has(path)) return
    this.multikey.add(path)
    // A marker row (type `declared`, rid 0) says the path's rows are complete, so start-up does not read the data again.
    const filled = this.db.prepare(`SELECT 1 FROM ${this.keysTable} WHERE path = ? AND type = 'declared'`).get(path)
    if (filled) return
    this.database.now(() => {
      const page = this.db.prepare(`SELECT rid, doc FROM ${this.table} WHERE rid > ? ORDER BY rid LIMIT 10000`)
      for (let rows = page.all(0) as Row[]; rows.length; rows = page.all(rows[rows.length - 1].rid) as Row[]) {
        for (const row of rows) this._writeKeys(row.rid, parse(row.doc), [path])
      }
      this.db.prepare(`INSERT INTO ${this.keysTable} (path, value, type, rid) VALUES (?, NULL, 'declared', 0)`).run(path)
    })
  }

  /** Index-table rows of paths no longer declared go: they are not kept in step, so a later re-declaration refills them. */
  dropUndeclaredKeys() {
    const declared = [...this.multikey]
    const placeholders = declared.map(() => '?').join(', ')
    this.database.now(() => this.db.prepare(`DELETE FROM ${this.keysTable}${declared.length ? ` WHERE path NOT IN (${placeholders})` : ''}`).run(...declared))
  }

  private _addTtl(path: string, seconds: number) {
    this._ttl.push({ path, seconds })
    this.database.now(() => this._purge())
    if (!this._timer) {
      this._timer = setInterval(() => void this.purge(), 60_000)
      this._timer.unref()
    }
  }

  /** Condition excluding expired records (reads never see them, even between purges). */
  live(): { where: string; params: unknown[] } | undefined {
    if (!this._ttl.length) return undefined
    const params: unknown[] = []
    const parts = this._ttl.map(({ path, seconds }) => {
      const value = `json_extract(doc, ${pathLiteral(path)})`
      params.push(DATE_TAG, encodeDate(new Date(Date.now() - seconds * 1000)))
      return `NOT IFNULL(${value} >= ? AND ${value} < ?, 0)`
    })
    return { where: parts.join(' AND '), params }
  }

  /** Deletes expired records, with their index-table rows, in the writer's turn. */
  async purge() {
    if (!this._ttl.length || !this.db.open) return
    await this.write(() => this._purge()).catch((error) => console.error(`[quillbase] TTL purge of ${this.name} failed: ${error.message}`))
  }

  private _purge() {
    for (const { path, seconds } of this._ttl) {
      const value = `json_extract(doc, ${pathLiteral(path)})`
      const cutoff = encodeDate(new Date(Date.now() - seconds * 1000))
      for (const row of this.all(`SELECT rid, id, doc FROM ${this.table} WHERE ${value} >= ? AND ${value} < ?`, [DATE_TAG, cutoff])) this.delete(row)
    }
  }

  stop() {
    if (this._timer) clearInterval(this._timer)
    this._timer = undefined
  }
}
