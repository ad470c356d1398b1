// Storage chosen by config: the embedded SQLite store (default) or MongoDB. The rest of the engine sees only Feathers adapters.
import path from 'node:path'
import { BadRequest, Conflict, NotFound } from '@feathersjs/errors'
import { MongoDBService, errorHandler, type MongoDBAdapterOptions } from '@feathersjs/mongodb'
import { MongoClient, ObjectId, type Db } from 'mongodb'
import { MongoTransactions, type TransactionMode } from './adapters/mongo-transactions.js'
import { SqliteService } from './adapters/sqlite.js'
import { SqliteDatabase } from './adapters/sqlite-database.js'
import { convertNedbFolder } from './adapters/nedb-files.js'
import { EARTH_RADIUS, checkNear, type NearOperand, type ValueKind } from './adapters/sqlite-query.js'
import { DiskFiles, GridFiles, type FileStore } from './file-store.js'
import { Codec, withCodec, type CodecOptions, type CodecPaths } from './codec.js'
import type { Collection } from '../schemas/types.js'
import { isPlainObject } from '../schemas/paths.js'
import { UNSET } from '../permissions/rules.js'
import { walkFields } from '../schemas/walk.js'
import { NEAR_OPERATOR, TEXT_OPERATOR } from '../schemas/query.js'

export interface Store {
  kind: 'embedded' | 'mongodb'
  /** A Feathers adapter for the collection; ids, references and dates are strings on the engine's side. */
  createService(collection: Collection): Promise<any>
  /** Creates the declared indexes (idempotent). */
  ensureIndexes(collection: Collection): Promise<void>
  /**
   * Runs `fn` so that every write made in its async context commits or rolls back with it; a nested call joins the open
   * transaction. A nested failure that is caught undoes only its part on the embedded store (a savepoint); MongoDB has
   * none, so there it fails the whole transaction once the nested part had written. MongoDB may run `fn` again after a
   * write conflict. A store without transactions (a standalone MongoDB) just runs `fn`.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>
  /** Queues `callback` until the open transaction commits (dropped on rollback); false when none is open here. */
  afterCommit(callback: () => void): boolean
  /** Whether this async context runs inside a transaction (so a failure undoes everything). */
  inTransaction(): boolean
  /** Whether write calls run in transactions here (the embedded store; MongoDB where the deployment runs them). */
  readonly transactions: boolean
  /**
   * Makes the open transaction take effect before or after any other that serializes the same key, never beside it:
   * for a check that no concurrent write may slip past (no overlap). Nothing to do where writers take turns (embedded).
   */
  serialize(key: string): Promise<void>
  /** Where uploaded files' bytes are kept (`files.ts`). */
  readonly files: FileStore & { close(): Promise<void> }
  close(): Promise<void>
}

export interface StoreOptions {
  /** Folder of the embedded store's files; in memory when absent. */
  dataDir?: string
  /** The embedded store's durability: `full` (default) survives power loss, `normal` a crashed process. */
  dataSync?: 'full' | 'normal'
  mongodbUrl?: string
  /** Whether MongoDB write calls run in transactions: `auto` (default) where the deployment supports them. */
  mongodbTransactions?: TransactionMode
}

/** Operators the engine's queries use beyond Feathers' defaults (CASL conditions, dotted paths). */
export const STORE_OPERATORS = ['$and', '$nor', '$elemMatch', '$exists', '$all', '$eq', TEXT_OPERATOR, NEAR_OPERATOR]

const adapterOptions = (collection: Collection) => ({
  id: '_id',
  multi: true,
  paginate: { default: collection.pagination.default, max: collection.pagination.max },
  operators: STORE_OPERATORS
})

const toDate = (value: unknown) => new Date(value as string)
const dateToJSON = (value: object) => (value instanceof Date ? value.toISOString() : value)

const EmbeddedService = withCodec(SqliteService)

/** A duplicate key (E11000) is a 409 as on the embedded store; @feathersjs/mongodb turns every driver error into a 500. */
export function duplicateKeyToConflict(error: any): never {
  const code = error?.data?.code ?? error?.code
  if (code === 11000 || code === 11001) throw new Conflict('A record with the same unique value already exists', { index: /index: (\S+)/.exec(error.message)?.[1] })
  throw error
}

/** Marks the params of a count, whose `$near` becomes `$geoWithin`. */
const COUNTING = Symbol('counting')

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The engine's operators in MongoDB's words: `{ $icontains: 'a.b' }` → `{ $regex: 'a\\.b', $options: 'i' }` (the operand
 * is text, never a pattern, so it is escaped); `$near` → `$nearSphere` (nearest first), or, for a count, which MongoDB
 * refuses with `$nearSphere`, `$geoWithin` the same circle.
 */
export function containsToRegex(query: any, counting = false): any {
  if (Array.isArray(query)) return query.map((item) => containsToRegex(item, counting))
  if (!isPlainObject(query)) return query
  const result: Record<string, any> = {}
  for (const [key, value] of Object.entries(query)) {
    if (key === NEAR_OPERATOR) Object.assign(result, nearToMongo(checkNear('a GeoPoint field', value), counting))
    else if (key !== TEXT_OPERATOR) result[key] = containsToRegex(value, counting)
    else if (typeof value !== 'string') throw new BadRequest(`${TEXT_OPERATOR} needs a string`)
    else Object.assign(result, { $regex: escapeRegExp(value), $options: 'i' })
  }
  return result
}

function nearToMongo(near: NearOperand, counting: boolean) {
  const center = [near.longitude, near.latitude]
  if (!counting) {
    const within = { ...(near.maxDistance !== undefined && { $maxDistance: near.maxDistance }), ...(near.minDistance !== undefined && { $minDistance: near.minDistance }) }
    return { $nearSphere: { $geometry: { type: 'Point', coordinates: center }, ...within } }
  }
  const circle = (metres: number) => ({ $geoWithin: { $centerSphere: [center, metres / EARTH_RADIUS] } })
  if (near.minDistance === undefined) return near.maxDistance === undefined ? { $exists: true } : circle(near.maxDistance)
  return { ...(near.maxDistance !== undefined && circle(near.maxDistance)), $not: circle(near.minDistance) }
}

/** Every method goes through `within`: in a transaction, its params carry the session, which the adapter passes to each driver call. */
class MongoService extends withCodec(MongoDBService) {
  transactions?: MongoTransactions
  filterQuery(id: any, params: any) {
    const filtered = super.filterQuery(id, params)
    return { ...filtered, query: containsToRegex(filtered.query, params?.[COUNTING] === true) }
  }
  async countDocuments(params: any) {
    return super.countDocuments({ ...params, [COUNTING]: true })
  }
  private _within<T>(params: any, write: boolean, operation: (params: any) => Promise<T>): Promise<T> {
    return this.transactions ? this.transactions.within(params, write, operation) : operation(params)
  }
  async _find(params?: any): Promise<any> {
    return this._within(params, false, (inSession) => super._find(inSession))
  }
  async _get(id: any, params?: any) {
    // No id (`emit('get', path, null)`) is no record: the adapter would read the first of the collection.
    if (id === null || id === undefined) throw new NotFound(`No record found for id '${id}'`)
    return this._within(params, false, (inSession) => super._get(id, inSession))
  }
  async _create(data: any, params?: any) {
    return this._within(params, true, (inSession) => (inSession?.resultsUnread ? this._insert(data, inSession) : super._create(data, inSession))).catch(duplicateKeyToConflict)
  }
  /** A create whose results nobody reads (the audit log's appends): the insert alone, without the find that reads them back. */
  private async _insert(data: any, params: any) {
    const model = await this.getModel(params)
    // Encoded as every create is (dates as BSON dates: the TTL index and time filters need them).
    await model.insertMany([this.codec.encodeData(data)].flat(), params.mongodb).catch(errorHandler)
    return Array.isArray(data) ? [] : {}
  }
  async _update(id: any, data: any, params?: any) {
    return this._within(params, true, (inSession) => super._update(id, data, inSession)).catch(duplicateKeyToConflict)
  }
  async _patch(id: any, data: any, params?: any) {
    return this._within(params, true, (inSession) => super._patch(id, data, inSession)).catch(duplicateKeyToConflict)
  }
  async _remove(id: any, params?: any) {
    return this._within(params, true, (inSession) => super._remove(id, inSession))
  }
}

/** The embedded store's one file in `DATA_DIR`. */
export const DATABASE_FILE = 'quillbase.sqlite'

/** Paths that hold or cross arrays, free-form objects, and the one kind of value a path holds: what SQLite needs to index and skip type checks. */
export function shapeOf(collection: Collection) {
  const arrays: string[] = []
  const seen = new Map<string, ValueKind | 'mixed'>()
  const note = (path: string, kind: ValueKind | 'mixed') => seen.set(path, seen.has(path) && seen.get(path) !== kind ? 'mixed' : kind)
  walkFields(collection.resultSchema, ({ path, schema, inArray }) => {
    if (inArray) arrays.push(path)
    const type = schema.type
    if (schema.format === 'date-time' || collection.dates.includes(path)) note(path, 'date')
    else if (type === 'string') note(path, 'string')
    else if (type === 'number' || type === 'integer') note(path, 'number')
    else if (type === 'boolean') note(path, 'boolean')
    else note(path, 'mixed')
  })
  const types: Record<string, ValueKind> = { _id: 'string' }
  for (const [path, kind] of seen) if (kind !== 'mixed') types[path] = kind
  return { arrays, freeform: collection.freeform, types }
}

export class EmbeddedStore implements Store {
  kind = 'embedded' as const
  readonly database: SqliteDatabase
  // The adapter gives dates as ISO strings already (`dates: 'string'`): its results need no decoding walk.
  private _codec: CodecOptions = { date: toDate }

  readonly files: DiskFiles

  constructor(options: Pick<StoreOptions, 'dataDir' | 'dataSync'>) {
    this.files = new DiskFiles(options.dataDir ? path.join(options.dataDir, 'files') : undefined)
    this.database = new SqliteDatabase({
      filename: options.dataDir ? path.join(options.dataDir, DATABASE_FILE) : undefined,
      synchronous: options.dataSync === 'normal' ? 'NORMAL' : 'FULL'
    })
    const conversion = options.dataDir ? convertNedbFolder(options.dataDir, this.database) : undefined
    if (conversion) {
      const counts = conversion.collections.map(({ name, records }) => `${name} ${records}`).join(', ')
      console.log(`quillbase: converted the NeDB files of ${options.dataDir} (${counts || 'already converted'}); the old files are in ${conversion.backup}`)
    }
  }

  private _model(collection: Collection) {
    const expires = collection.indexes.some((index) => index.expireAfterSeconds !== undefined)
    return this.database.collection(collection.name, { id: '_id', shape: shapeOf(collection), expires })
  }

  async createService(collection: Collection) {
    const service = new EmbeddedService({ ...adapterOptions(collection), Model: this._model(collection), dates: 'string' })
    service.codec = new Codec(collection, this._codec)
    return service
  }

  async ensureIndexes(collection: Collection) {
    const model = this._model(collection)
    // `text` indexes are MongoDB only (the embedded store answers no `$text` query: 400); a `2dsphere` index on a point: the embedded store indexes a point's latitude for `$near`.
    for (const index of collection.indexes) model.ensureIndex(index)
    model.dropUndeclaredKeys()
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.database.transaction(fn)
  }

  afterCommit(callback: () => void): boolean {
    return this.database.afterCommit(callback)
  }

  inTransaction(): boolean {
    return this.database.inTransaction()
  }

  readonly transactions = true

  async serialize() {}

  async close() {
    this.database.close()
    await this.files.close()
  }
}

const OBJECT_ID = /^[0-9a-fA-F]{24}$/

/**
 * A string that is not an ObjectId cannot match one: refused as a bad id rather than silently matching nothing, except a
 * permission's placeholder for a value the caller lacks (`UNSET`), which is meant to match nothing.
 */
export function toObjectId(value: unknown): unknown {
  if (value instanceof ObjectId || typeof value !== 'string' || value === UNSET) return value
  if (!OBJECT_ID.test(value)) throw new BadRequest(`Invalid id "${value}"`)
  return new ObjectId(value)
}

/** An id argument that is not an ObjectId is kept as is, so it matches no record (404); bson throws on `new ObjectId(123)`. */
export function toObjectIdArgument(value: unknown): unknown {
  return typeof value === 'string' && OBJECT_ID.test(value) ? new ObjectId(value) : value
}

export function mongoToJSON(value: object): unknown {
  if (value instanceof ObjectId) return value.toHexString()
  return dateToJSON(value)
}

const MONGO_CODEC: CodecOptions = { date: toDate, id: toObjectId, idArgument: toObjectIdArgument, decode: mongoToJSON }

/** The engine's MongoDB adapter: the codec turns ids into ObjectIds, so @feathersjs/mongodb's own (throwing) conversion is off. */
export function createMongoService(options: MongoDBAdapterOptions, paths: CodecPaths, transactions?: MongoTransactions) {
  const service = new MongoService({ ...options, disableObjectify: true })
  service.codec = new Codec(paths, MONGO_CODEC)
  service.transactions = transactions
  return service
}

export class MongoStore implements Store {
  kind = 'mongodb' as const
  /** The driver's client (tests listen to its command events, with `monitorCommands=true` in the URL). */
  readonly client: MongoClient
  private _db?: Promise<Db>
  private _transactions: MongoTransactions

  /** Where uploaded bytes go: GridFS, outside any transaction (a file is written before the record naming it). */
  readonly files: GridFiles

  constructor(url: string, transactions: TransactionMode = 'auto') {
    this.client = new MongoClient(url)
    this._transactions = new MongoTransactions(this.client, this._database(), transactions)
    this.files = new GridFiles(this._database())
  }

  private _database() {
    this._db ??= this.client.connect().then(async (client) => {
      const db = client.db()
      await this._transactions.detect(db)
      return db
    })
    return this._db
  }

  async createService(collection: Collection) {
    return createMongoService({ ...adapterOptions(collection), Model: (await this._database()).collection(collection.name) }, collection, this._transactions)
  }

  async ensureIndexes(collection: Collection) {
    const model = (await this._database()).collection(collection.name)
    for (const index of collection.indexes) {
      await model.createIndex(index.fields, {
        unique: index.unique,
        sparse: index.sparse,
        expireAfterSeconds: index.expireAfterSeconds,
        name: index.name
      })
    }
  }

  /** In a ClientSession transaction where the deployment runs them (`mongo-transactions.ts`); else `fn` just runs. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this._transactions.run(fn)
  }

  afterCommit(callback: () => void): boolean {
    return this._transactions.afterCommit(callback)
  }

  inTransaction(): boolean {
    return !!this._transactions.current()
  }

  get transactions(): boolean {
    return this._transactions.enabled
  }

  serialize(key: string): Promise<void> {
    return this._transactions.serialize(key)
  }

  async close() {
    await this.client.close()
  }
}

export function createStore(options: StoreOptions): Store {
  return options.mongodbUrl ? new MongoStore(options.mongodbUrl, options.mongodbTransactions) : new EmbeddedStore(options)
}
