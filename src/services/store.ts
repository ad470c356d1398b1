// Storage chosen by config: the embedded SQLite store (default) or MongoDB (`store-mongo.ts`, loaded only then). The
// rest of the engine sees only Feathers adapters.
import path from 'node:path'
import type { TransactionMode } from './adapters/mongo-transactions.js'
import { SqliteService } from './adapters/sqlite.js'
import { SqliteDatabase } from './adapters/sqlite-database.js'
import { convertNedbFolder } from './adapters/nedb-files.js'
import type { ValueKind } from './adapters/sqlite-query.js'
import { DiskFiles, type FileStore } from './file-store.js'
import { Codec, withCodec, type CodecOptions } from './codec.js'
import type { Collection } from '../schemas/types.js'
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

export const adapterOptions = (collection: Collection) => ({
  id: '_id',
  multi: true,
  paginate: { default: collection.pagination.default, max: collection.pagination.max },
  operators: STORE_OPERATORS
})

export const toDate = (value: unknown) => new Date(value as string)
export const dateToJSON = (value: object) => (value instanceof Date ? value.toISOString() : value)

const EmbeddedService = withCodec(SqliteService)


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


/** The store the options name. MongoDB's driver and adapter (\`store-mongo.ts\`) are loaded only for MongoDB. */
export async function createStore(options: StoreOptions): Promise<Store> {
  if (!options.mongodbUrl) return new EmbeddedStore(options)
  const { MongoStore } = await import('./store-mongo.js')
  return new MongoStore(options.mongodbUrl, options.mongodbTransactions)
}
