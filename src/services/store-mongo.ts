// The MongoDB store (`MONGODB_URL`): @feathersjs/mongodb behind the engine's codec (ids as ObjectIds, dates as BSON dates),
// session transactions where the deployment runs them, uploads in GridFS. Loaded by `createStore` only for MongoDB.
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { BadRequest, Conflict, NotFound } from '@feathersjs/errors'
import { MongoDBService, errorHandler, type MongoDBAdapterOptions } from '@feathersjs/mongodb'
import { GridFSBucket, MongoClient, ObjectId, type Db } from 'mongodb'
import { MongoTransactions, type TransactionMode } from './adapters/mongo-transactions.js'
import { EARTH_RADIUS, checkNear, type NearOperand } from './adapters/sqlite-query.js'
import { checkedFileId, openedLater, type FileStore } from './file-store.js'
import { Codec, withCodec, type CodecOptions, type CodecPaths } from './codec.js'
import type { Collection } from '../schemas/types.js'
import { isPlainObject } from '../schemas/paths.js'
import { UNSET } from '../permissions/rules.js'
import { NEAR_OPERATOR, TEXT_OPERATOR } from '../schemas/query.js'
import { adapterOptions, dateToJSON, toDate, type Store } from './store.js'

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

/** Uploaded bytes in GridFS, bucket `quillbase-files`, outside any transaction. */
export class GridFiles implements FileStore {
  private _bucket: Promise<GridFSBucket>

  constructor(db: Promise<Db>) {
    this._bucket = db.then((database) => new GridFSBucket(database, { bucketName: 'quillbase-files' }))
  }

  async write(id: string, source: Readable) {
    const bucket = await this._bucket
    await pipeline(source, bucket.openUploadStreamWithId(new ObjectId(checkedFileId(id)), id))
  }

  read(id: string, range?: { start: number; end: number }) {
    return openedLater(async () => (await this._bucket).openDownloadStream(new ObjectId(checkedFileId(id)), range ? { start: range.start, end: range.end + 1 } : {}))
  }

  async remove(id: string) {
    const bucket = await this._bucket
    await bucket.delete(new ObjectId(checkedFileId(id))).catch((error: any) => {
      if (!/FileNotFound|File not found/i.test(String(error?.message))) throw error
    })
  }

  async close() {}
}
