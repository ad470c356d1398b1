// Storage chosen by config: the embedded NeDB store (default) or MongoDB. The rest of the engine sees only Feathers adapters.
import path from 'node:path'
import { BadRequest, Conflict } from '@feathersjs/errors'
import { MongoDBService, type MongoDBAdapterOptions } from '@feathersjs/mongodb'
import { MongoClient, ObjectId, type Db } from 'mongodb'
import { NeDBService, openDatastore, closeDatastore, ensureIndex, type Datastore } from './adapters/nedb.js'
import { Codec, withCodec, type CodecOptions, type CodecPaths } from './codec.js'
import type { Collection } from '../schemas/types.js'

export interface Store {
  kind: 'embedded' | 'mongodb'
  /** A Feathers adapter for the collection; ids, references and dates are strings on the engine's side. */
  createService(collection: Collection): Promise<any>
  /** Creates the declared indexes (idempotent). */
  ensureIndexes(collection: Collection): Promise<void>
  close(): Promise<void>
}

export interface StoreOptions {
  /** Folder of the embedded store's files; in memory when absent. */
  dataDir?: string
  mongodbUrl?: string
}

/** Operators the engine's queries use beyond Feathers' defaults (CASL conditions, dotted paths). */
export const STORE_OPERATORS = ['$and', '$nor', '$elemMatch', '$exists', '$all', '$eq']

const adapterOptions = (collection: Collection) => ({
  id: '_id',
  multi: true,
  paginate: { default: collection.pagination.default, max: collection.pagination.max },
  operators: STORE_OPERATORS
})

const toDate = (value: unknown) => new Date(value as string)
const dateToJSON = (value: object) => (value instanceof Date ? value.toISOString() : value)

const EmbeddedService = withCodec(NeDBService)

/** A duplicate key (E11000) is a 409 as on the embedded store; @feathersjs/mongodb turns every driver error into a 500. */
export function duplicateKeyToConflict(error: any): never {
  const code = error?.data?.code ?? error?.code
  if (code === 11000 || code === 11001) throw new Conflict('A record with the same unique value already exists', { index: /index: (\S+)/.exec(error.message)?.[1] })
  throw error
}

class MongoService extends withCodec(MongoDBService) {
  async _create(data: any, params?: any) {
    return super._create(data, params).catch(duplicateKeyToConflict)
  }
  async _update(id: any, data: any, params?: any) {
    return super._update(id, data, params).catch(duplicateKeyToConflict)
  }
  async _patch(id: any, data: any, params?: any) {
    return super._patch(id, data, params).catch(duplicateKeyToConflict)
  }
}

/** NeDB has `$not` but no `$nor`: `{ $nor: [a, b] }` is `{ $not: { $or: [a, b] } }`. */
function norToNot(query: Record<string, any>) {
  if (!query.$nor) return query
  const { $nor, ...rest } = query
  const not = { $not: { $or: $nor } }
  return Object.keys(rest).length ? { $and: [rest, not] } : not
}

export class EmbeddedStore implements Store {
  kind = 'embedded' as const
  private _models = new Map<string, Datastore>()
  private _codec: CodecOptions = { date: toDate, decode: dateToJSON, logical: norToNot }

  constructor(private _options: { dataDir?: string }) {}

  private async _model(collection: Collection) {
    let model = this._models.get(collection.name)
    if (!model) {
      const filename = this._options.dataDir ? path.join(this._options.dataDir, `${collection.name}.db`) : undefined
      model = await openDatastore({ filename })
      this._models.set(collection.name, model)
    }
    return model
  }

  async createService(collection: Collection) {
    const service = new EmbeddedService({ ...adapterOptions(collection), Model: await this._model(collection) })
    service.codec = new Codec(collection, this._codec)
    return service
  }

  async ensureIndexes(collection: Collection) {
    const model = await this._model(collection)
    for (const index of collection.indexes) {
      const fields = Object.entries(index.fields)
      // NeDB indexes plain values only; text and geo queries still run, unindexed.
      if (fields.some(([, kind]) => kind === 'text' || kind === '2dsphere')) continue
      const names = fields.map(([name]) => name)
      await ensureIndex(model, {
        fieldName: names.length === 1 ? names[0] : names,
        unique: index.unique,
        sparse: index.sparse,
        expireAfterSeconds: index.expireAfterSeconds
      })
    }
  }

  async close() {
    await Promise.all([...this._models.values()].map((model) => closeDatastore(model)))
    this._models.clear()
  }
}

const OBJECT_ID = /^[0-9a-fA-F]{24}$/

/** A string that is not an ObjectId cannot match one: refused as a bad id rather than silently matching nothing. */
export function toObjectId(value: unknown): unknown {
  if (value instanceof ObjectId || typeof value !== 'string') return value
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
export function createMongoService(options: MongoDBAdapterOptions, paths: CodecPaths) {
  const service = new MongoService({ ...options, disableObjectify: true })
  service.codec = new Codec(paths, MONGO_CODEC)
  return service
}

export class MongoStore implements Store {
  kind = 'mongodb' as const
  private _client: MongoClient
  private _db?: Promise<Db>

  constructor(url: string) {
    this._client = new MongoClient(url)
  }

  private _database() {
    this._db ??= this._client.connect().then((client) => client.db())
    return this._db
  }

  async createService(collection: Collection) {
    return createMongoService({ ...adapterOptions(collection), Model: (await this._database()).collection(collection.name) }, collection)
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

  async close() {
    await this._client.close()
  }
}

export function createStore(options: StoreOptions): Store {
  return options.mongodbUrl ? new MongoStore(options.mongodbUrl) : new EmbeddedStore({ dataDir: options.dataDir })
}
