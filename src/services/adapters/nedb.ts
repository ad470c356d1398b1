/**
 * Embedded storage adapter: NeDB (`@seald-io/nedb` 4) behind a Feathers 5 database adapter.
 *
 * Route taken: OWN ADAPTER (extends `AdapterBase` from @feathersjs/adapter-commons), not
 * `feathers-nedb`. `feathers-nedb` 7.0.1 does pass the whole `@feathersjs/adapter-tests` 5.0.50
 * list, but it misses requirements the engine relies on, and fixing them would have meant
 * overriding 5 of its 6 `_` methods:
 *  - `_get` with `$select` never throws NotFound (it resolves `null` for a missing id);
 *  - NeDB errors are rethrown raw, so a unique-index violation becomes a 500, not a 409 Conflict;
 *  - `_patch` hands `$`-prefixed data keys (`$set`, `$unset`, `$push`...) straight to NeDB as
 *    update modifiers, which bypasses "patch merges top-level keys" (and any field-level checks
 *    done on top-level data keys); `_update` with an all-`$` body likewise turns into a modifier
 *    update instead of a replace;
 *  - it is a CommonJS package whose generics (`Result extends Record<string, any>`, params
 *    constrained to its own type) do not fit `NeDBService<T = any, ...>`.
 *
 * Layout follows the official adapters (@feathersjs/memory, @feathersjs/mongodb): the `_find`,
 * `_get`, `_create`, `_update`, `_patch`, `_remove` methods do the work without hooks or query
 * sanitisation; the public methods sanitise `params.query` and forward.
 *
 * Semantics worth knowing:
 *  - ids are NeDB `_id` strings (16 alphanumeric chars) unless another `id` option is given,
 *    in which case a 16-char hex id is generated on create when missing;
 *  - allowed query operators by default: `$in $nin $lt $lte $gt $gte $ne $or` (plus the `$and`,
 *    `$or`, `$select`, `$sort`, `$limit`, `$skip` filters). Any other NeDB operator (`$exists`,
 *    `$regex`, `$elemMatch`, `$size`...) must be whitelisted with the `operators` option, e.g.
 *    `new NeDBService({ Model, operators: ['$exists'] })`. Internal `_` calls are not sanitised.
 *    `$where` is never whitelisted here: it runs a JS function;
 *  - dotted keys (`'a.b'`, `'Attendees.DeveloperId'`) work in queries, `$sort` and `$select`;
 *    a dotted query into an array of sub-documents matches if any element matches (NeDB);
 *  - `patch` `$set`s the top-level keys of `data` (nested objects are replaced as a whole);
 *    `$`-prefixed or dotted top-level keys in `create`/`update`/`patch` data are a BadRequest;
 *  - errors: unique index violation -> Conflict (409); NeDB validation errors (bad field names,
 *    malformed operator arguments...) -> BadRequest; anything else -> GeneralError.
 */
import { randomBytes } from 'node:crypto'
import {
  AdapterBase,
  getLimit,
  type AdapterParams,
  type AdapterQuery,
  type AdapterServiceOptions,
  type PaginationOptions
} from '@feathersjs/adapter-commons'
import { BadRequest, Conflict, GeneralError, MethodNotAllowed, NotFound } from '@feathersjs/errors'
import type { Id, NullableId, Paginated, Params } from '@feathersjs/feathers'
import NeDB from '@seald-io/nedb'

/**
 * The NeDB `Datastore` class and instance type. `@seald-io/nedb` is CommonJS with an
 * `export default` typing, which under NodeNext types the default import as the module record;
 * import `Datastore` from here instead of from '@seald-io/nedb'.
 */
export type Datastore = NeDB.default
export const Datastore = ((NeDB as any).default ?? NeDB) as typeof NeDB.default

export interface NeDBServiceOptions extends AdapterServiceOptions {
  /** The (loaded) NeDB datastore, see `openDatastore`. */
  Model: Datastore
}

export type NeDBServiceParams = AdapterParams<AdapterQuery, Partial<NeDBServiceOptions>>

type Doc = Record<string, any>

interface Filters {
  $select?: string[]
  $sort?: Record<string, 1 | -1>
  $limit?: number
  $skip: number
}

/** NeDB error messages that are caused by the caller's data or query, not by the store. */
const CLIENT_ERROR =
  /Field names cannot|change a document's _id|cannot mix (modifiers|operators)|Unknown (modifier|comparison function|logical operator)|Modifier .* argument|operator (called|used) with|\$where function|must be a number|non-number fields|non-array values|\$each|\$slice|isn't an integer|Can't both keep and omit|fields must be an Array/

/**
 * Maps an error thrown by NeDB to a Feathers error. Feathers errors pass through.
 */
export function errorHandler(error: any): never {
  if (error && error.type === 'FeathersError') {
    throw error
  }
  if (error && error.errorType === 'uniqueViolated') {
    throw new Conflict(error.message, { key: error.key })
  }
  const message: string = error?.message ?? String(error)
  if (!error?.code && CLIENT_ERROR.test(message)) {
    throw new BadRequest(message)
  }
  throw new GeneralError(message)
}

const isPlainObject = (value: unknown): value is Doc => {
  if (typeof value !== 'object' || value === null) {
    return false
  }
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Copies the value at dotted `path` of `source` into `target`, creating plain objects on the way. */
function copyPath(source: Doc, path: string[], target: Doc) {
  const [head, ...rest] = path
  if (!Object.prototype.hasOwnProperty.call(source, head)) {
    return
  }
  const value = source[head]
  if (rest.length === 0 || !isPlainObject(value)) {
    // leaf, or a path going through an array / scalar: keep the whole value
    target[head] = value
    return
  }
  if (!isPlainObject(target[head])) {
    target[head] = {}
  }
  copyPath(value, rest, target[head])
}

const uid = () => randomBytes(8).toString('hex')

export class NeDBService<
  T = any,
  D = Partial<T>,
  P extends Params = Params,
  /** Patch data type (same role as `PatchData` in the official adapters). */
  Q = Partial<T>
> extends AdapterBase<T, D, Q, P & NeDBServiceParams, NeDBServiceOptions> {
  constructor(options: NeDBServiceOptions) {
    if (!options || !options.Model) {
      throw new Error('NeDB datastore `Model` needs to be provided')
    }
    super({ id: '_id', ...options })
  }

  /** The datastore for a call (honours `params.adapter.Model`). */
  getModel(params: P & NeDBServiceParams = {} as P & NeDBServiceParams): Datastore {
    return this.getOptions(params).Model
  }

  /**
   * Splits `params.query` into the NeDB query and the Feathers filters. With an `id`, the id
   * condition is added with `$and`, so an id in the query too must also match.
   */
  filterQuery(id: NullableId, params: P & NeDBServiceParams) {
    const { paginate } = this.getOptions(params)
    const { $select, $sort, $limit, $skip, ...query } = (params.query || {}) as AdapterQuery

    if (id !== null) {
      if (typeof id !== 'string' && typeof id !== 'number') {
        throw new BadRequest(`Invalid id '${JSON.stringify(id)}'`)
      }
      const and = query.$and === undefined ? [] : Array.isArray(query.$and) ? query.$and : [query.$and]
      query.$and = [...and, { [this.id]: id }]
    }

    const filters: Filters = {
      $select: this.getSelectFields($select),
      $sort: this.getSort($sort),
      $limit: getLimit($limit, paginate),
      $skip: $skip !== undefined ? parseInt($skip as any, 10) || 0 : 0
    }

    return { filters, query }
  }

  private getSelectFields(select: unknown): string[] | undefined {
    if (Array.isArray(select)) {
      return select.map((field) => `${field}`)
    }
    if (isPlainObject(select)) {
      return Object.keys(select).filter((key) => select[key])
    }
    return undefined
  }

  private getSort(sort: unknown): Record<string, 1 | -1> | undefined {
    if (!isPlainObject(sort)) {
      return undefined
    }
    const result: Record<string, 1 | -1> = {}
    for (const key of Object.keys(sort)) {
      result[key] = parseInt(sort[key], 10) < 0 ? -1 : 1
    }
    return Object.keys(result).length ? result : undefined
  }

  /** Applies `$select` (dotted paths allowed); the id property is always kept. */
  project(select: string[] | undefined) {
    return <R>(result: R): R => {
      if (!select) {
        return result
      }
      const fields = [this.id!, ...select.filter((field) => field !== this.id)]
      const convert = (doc: Doc) => {
        const out: Doc = {}
        for (const field of fields) {
          copyPath(doc, field.split('.'), out)
        }
        return out
      }
      return (Array.isArray(result) ? result.map(convert) : convert(result as Doc)) as R
    }
  }

  /** Rejects top-level keys NeDB would treat as modifiers or as nested paths. */
  private checkDataKeys(data: Doc) {
    for (const key of Object.keys(data)) {
      if (key.startsWith('$') || key.includes('.')) {
        throw new BadRequest(`Invalid field name '${key}' in data`)
      }
    }
  }

  async _find(params?: P & NeDBServiceParams & { paginate?: PaginationOptions }): Promise<Paginated<T>>
  async _find(params?: P & NeDBServiceParams & { paginate: false }): Promise<T[]>
  async _find(params?: P & NeDBServiceParams): Promise<Paginated<T> | T[]>
  async _find(params: P & NeDBServiceParams = {} as P & NeDBServiceParams): Promise<Paginated<T> | T[]> {
    const { paginate } = this.getOptions(params)
    const Model = this.getModel(params)
    const { filters, query } = this.filterQuery(null, params)
    const paginated = !!(paginate && paginate.default)

    const getData = async (): Promise<T[]> => {
      if (filters.$limit === 0) {
        return []
      }
      const cursor = Model.findAsync(query)
      if (filters.$sort) cursor.sort(filters.$sort)
      if (filters.$skip) cursor.skip(filters.$skip)
      if (filters.$limit !== undefined) cursor.limit(filters.$limit)
      const docs = (await cursor) as unknown as T[]
      return this.project(filters.$select)(docs)
    }

    try {
      if (!paginated) {
        return await getData()
      }
      const [data, total] = await Promise.all([getData(), Model.countAsync(query) as unknown as Promise<number>])
      return {
        total,
        limit: filters.$limit as number,
        skip: filters.$skip,
        data
      }
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _get(id: Id, params: P & NeDBServiceParams = {} as P & NeDBServiceParams): Promise<T> {
    const {
      query,
      filters: { $select }
    } = this.filterQuery(id, params)

    let doc: T | null
    try {
      doc = (await this.getModel(params).findOneAsync(query)) as unknown as T | null
    } catch (error) {
      return errorHandler(error)
    }
    if (!doc) {
      throw new NotFound(`No record found for id '${id}'`)
    }
    return this.project($select)(doc)
  }

  async _create(data: D, params?: P & NeDBServiceParams): Promise<T>
  async _create(data: D[], params?: P & NeDBServiceParams): Promise<T[]>
  async _create(data: D | D[], params?: P & NeDBServiceParams): Promise<T | T[]>
  async _create(data: D | D[], params: P & NeDBServiceParams = {} as P & NeDBServiceParams): Promise<T | T[]> {
    if (Array.isArray(data) && !this.allowsMulti('create', params)) {
      throw new MethodNotAllowed('Can not create multiple entries')
    }

    const prepare = (item: D): Doc => {
      if (!isPlainObject(item)) {
        throw new BadRequest('Data must be an object')
      }
      this.checkDataKeys(item)
      const entry: Doc = { ...item }
      if (this.id !== '_id' && entry[this.id!] === undefined) {
        entry[this.id!] = uid()
      }
      return entry
    }
    const { $select } = this.filterQuery(null, params).filters

    try {
      // NeDB inserts an array in one executor task and rolls every document back if one fails
      // (e.g. on a unique index), so a multi create is all-or-nothing.
      const created = Array.isArray(data)
        ? ((await this.getModel(params).insertAsync(data.map(prepare))) as unknown as T[])
        : ((await this.getModel(params).insertAsync(prepare(data))) as unknown as T)
      return this.project($select)(created)
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _update(id: Id, data: D, params: P & NeDBServiceParams = {} as P & NeDBServiceParams): Promise<T> {
    if (id === null || Array.isArray(data)) {
      throw new BadRequest("You can not replace multiple instances. Did you mean 'patch'?")
    }
    if (!isPlainObject(data)) {
      throw new BadRequest('Data must be an object')
    }
    this.checkDataKeys(data)

    const {
      query,
      filters: { $select }
    } = this.filterQuery(id, params)
    // NeDB keeps the stored `_id` on a replace; a custom id keeps its current value.
    const { _id, ...replacement } = data as Doc
    if (this.id !== '_id') {
      replacement[this.id!] = id
    }

    let doc: T | null | undefined
    try {
      const result = await this.getModel(params).updateAsync(query, replacement, {
        multi: false,
        upsert: false,
        returnUpdatedDocs: true
      })
      doc = result.affectedDocuments as unknown as T | null | undefined
    } catch (error) {
      return errorHandler(error)
    }
    if (!doc) {
      throw new NotFound(`No record found for id '${id}'`)
    }
    return this.project($select)(doc)
  }

  async _patch(id: null, data: Q | Partial<T>, params?: P & NeDBServiceParams): Promise<T[]>
  async _patch(id: Id, data: Q | Partial<T>, params?: P & NeDBServiceParams): Promise<T>
  async _patch(id: NullableId, data: Q | Partial<T>, params?: P & NeDBServiceParams): Promise<T | T[]>
  async _patch(
    id: NullableId,
    data: Q | Partial<T>,
    params: P & NeDBServiceParams = {} as P & NeDBServiceParams
  ): Promise<T | T[]> {
    if (id === null && !this.allowsMulti('patch', params)) {
      throw new MethodNotAllowed('Can not patch multiple entries')
    }
    if (!isPlainObject(data)) {
      throw new BadRequest('Data must be an object')
    }
    this.checkDataKeys(data)

    const Model = this.getModel(params)
    const {
      query,
      filters: { $select, $sort }
    } = this.filterQuery(id, params)
    const $set: Doc = {}
    for (const key of Object.keys(data)) {
      if (key !== '_id' && key !== this.id) {
        $set[key] = (data as Doc)[key]
      }
    }

    try {
      if (id === null) {
        const result = await Model.updateAsync(query, { $set }, { multi: true, upsert: false, returnUpdatedDocs: true })
        let docs = (result.affectedDocuments || []) as unknown as Doc[]
        if ($sort && docs.length > 1) {
          docs = (await Model.findAsync({ _id: { $in: docs.map((doc) => doc._id) } }).sort($sort)) as unknown as Doc[]
        }
        return this.project($select)(docs as unknown as T[])
      }

      const result = await Model.updateAsync(query, { $set }, { multi: false, upsert: false, returnUpdatedDocs: true })
      const doc = result.affectedDocuments as unknown as T | null | undefined
      if (!doc) {
        throw new NotFound(`No record found for id '${id}'`)
      }
      return this.project($select)(doc)
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _remove(id: null, params?: P & NeDBServiceParams): Promise<T[]>
  async _remove(id: Id, params?: P & NeDBServiceParams): Promise<T>
  async _remove(id: NullableId, params?: P & NeDBServiceParams): Promise<T | T[]>
  async _remove(id: NullableId, params: P & NeDBServiceParams = {} as P & NeDBServiceParams): Promise<T | T[]> {
    if (id === null && !this.allowsMulti('remove', params)) {
      throw new MethodNotAllowed('Can not remove multiple entries')
    }

    const Model = this.getModel(params)
    const {
      query,
      filters: { $select, $sort }
    } = this.filterQuery(id, params)

    try {
      if (id === null) {
        const cursor = Model.findAsync(query)
        if ($sort) cursor.sort($sort)
        const docs = (await cursor) as unknown as Doc[]
        if (docs.length) {
          // remove exactly what was found (and is returned)
          await Model.removeAsync({ _id: { $in: docs.map((doc) => doc._id) } }, { multi: true })
        }
        return this.project($select)(docs as unknown as T[])
      }

      const doc = (await Model.findOneAsync(query)) as unknown as Doc | null
      if (!doc) {
        throw new NotFound(`No record found for id '${id}'`)
      }
      await Model.removeAsync({ _id: doc._id }, { multi: false })
      return this.project($select)(doc as unknown as T)
    } catch (error) {
      return errorHandler(error)
    }
  }

  async find(params?: P & NeDBServiceParams & { paginate?: PaginationOptions }): Promise<Paginated<T>>
  async find(params?: P & NeDBServiceParams & { paginate: false }): Promise<T[]>
  async find(params?: P & NeDBServiceParams): Promise<Paginated<T> | T[]>
  async find(params?: P & NeDBServiceParams): Promise<Paginated<T> | T[]> {
    return this._find({ ...params, query: await this.sanitizeQuery(params) } as P & NeDBServiceParams)
  }

  async get(id: Id, params?: P & NeDBServiceParams): Promise<T> {
    return this._get(id, { ...params, query: await this.sanitizeQuery(params) } as P & NeDBServiceParams)
  }

  async create(data: D, params?: P & NeDBServiceParams): Promise<T>
  async create(data: D[], params?: P & NeDBServiceParams): Promise<T[]>
  async create(data: D | D[], params?: P & NeDBServiceParams): Promise<T | T[]>
  async create(data: D | D[], params?: P & NeDBServiceParams): Promise<T | T[]> {
    if (Array.isArray(data) && !this.allowsMulti('create', params)) {
      throw new MethodNotAllowed('Can not create multiple entries')
    }
    return this._create(data, params)
  }

  async update(id: Id, data: D, params?: P & NeDBServiceParams): Promise<T> {
    return this._update(id, data, { ...params, query: await this.sanitizeQuery(params) } as P & NeDBServiceParams)
  }

  async patch(id: null, data: Q, params?: P & NeDBServiceParams): Promise<T[]>
  async patch(id: Id, data: Q, params?: P & NeDBServiceParams): Promise<T>
  async patch(id: NullableId, data: Q, params?: P & NeDBServiceParams): Promise<T | T[]>
  async patch(id: NullableId, data: Q, params?: P & NeDBServiceParams): Promise<T | T[]> {
    const { $limit, ...query } = await this.sanitizeQuery(params)
    return this._patch(id, data, { ...params, query } as P & NeDBServiceParams)
  }

  async remove(id: Id, params?: P & NeDBServiceParams): Promise<T>
  async remove(id: null, params?: P & NeDBServiceParams): Promise<T[]>
  async remove(id: NullableId, params?: P & NeDBServiceParams): Promise<T | T[]>
  async remove(id: NullableId, params?: P & NeDBServiceParams): Promise<T | T[]> {
    const { $limit, ...query } = await this.sanitizeQuery(params)
    return this._remove(id, { ...params, query } as P & NeDBServiceParams)
  }
}

export interface OpenDatastoreOptions {
  /** Data file; persistent when given (and `inMemoryOnly` is not true). */
  filename?: string
  inMemoryOnly?: boolean
  /** Autocompaction interval in ms for persistent stores (default 60 000, NeDB minimum 5 000). */
  autocompactionInterval?: number
}

const compactionTimers = new WeakMap<Datastore, NodeJS.Timeout>()

/**
 * Creates and loads a datastore. With a `filename` it is persistent (the parent directory is
 * created) and compacted every `autocompactionInterval` ms by an unref'd timer; call
 * `closeDatastore` on shutdown to stop the timer and compact once more.
 */
export async function openDatastore(options: OpenDatastoreOptions = {}): Promise<Datastore> {
  const persistent = !!options.filename && !options.inMemoryOnly
  const model = new Datastore(persistent ? { filename: options.filename } : { inMemoryOnly: true })
  await model.loadDatabaseAsync()

  if (persistent) {
    const interval = Math.max(options.autocompactionInterval ?? 60_000, 5_000)
    const timer = setInterval(() => {
      // errors surface on the next explicit compaction (closeDatastore); don't crash the process
      model.compactDatafileAsync().catch(() => {})
    }, interval)
    timer.unref()
    compactionTimers.set(model, timer)
  }

  return model
}

/** Stops autocompaction and compacts the data file (no-op for in-memory stores). */
export async function closeDatastore(model: Datastore): Promise<void> {
  const timer = compactionTimers.get(model)
  if (timer) {
    clearInterval(timer)
    compactionTimers.delete(model)
  }
  model.stopAutocompaction()
  if (!(model as unknown as { inMemoryOnly: boolean }).inMemoryOnly) {
    await model.compactDatafileAsync()
  }
}

export interface EnsureIndexOptions {
  fieldName: string | string[]
  unique?: boolean
  sparse?: boolean
  expireAfterSeconds?: number
}

/**
 * Thin wrapper over `Datastore#ensureIndexAsync`. NeDB ignores the call if an index on the same
 * field(s) already exists (options are not updated). Existing duplicates for a new unique index
 * reject with Conflict.
 */
export async function ensureIndex(model: Datastore, options: EnsureIndexOptions): Promise<void> {
  const { fieldName, unique, sparse, expireAfterSeconds } = options
  try {
    await model.ensureIndexAsync({
      fieldName,
      ...(unique !== undefined && { unique }),
      ...(sparse !== undefined && { sparse }),
      ...(expireAfterSeconds !== undefined && { expireAfterSeconds })
    })
  } catch (error) {
    errorHandler(error)
  }
}
