/**
 * Embedded storage adapter: JSON documents in SQLite (`better-sqlite3` 12) behind a Feathers 5 adapter.
 *
 * Two layers like `@feathersjs/mongodb`: `_find/_get/_create/_update/_patch/_remove` do the work
 * without hooks; the public methods sanitise `params.query` and forward. Queries are compiled to SQL
 * by `sqlite-query.ts` (bound parameters only). better-sqlite3 is synchronous, so every method runs
 * whole; a write runs on the writer connection, all or nothing, inside the caller's transaction when one is
 * open in its async context (`SqliteDatabase#transaction`), else in its own; reads outside one use the reader.
 *
 * Semantics: ids are strings (24 hex characters when generated); `patch` sets top-level keys
 * (nested objects are replaced whole) and removes those named in `$unset` (as MongoDB); other `$`-prefixed or dotted keys in data are a BadRequest; a unique
 * index violation is a Conflict (409); an unknown operator or malformed operand is a BadRequest (400).
 */
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
import type { Row, SoleEquality, SqliteCollection } from './sqlite-collection.js'
import { DATE_TAG, parse, parseAsJSON } from './sqlite-json.js'
import { SqlQuery } from './sqlite-query.js'
import { project } from './select.js'
import { keysetPage, type SqliteCursor } from './sqlite-keyset.js'
import { lazyRecord } from './sqlite-lazy.js'

export type { SqliteCursor } from './sqlite-keyset.js'

export interface SqliteServiceOptions extends AdapterServiceOptions {
  /** The collection's table, from `SqliteDatabase#collection`. */
  Model: SqliteCollection
  /** Dates in results: `Date` objects (default), or their ISO strings, for a caller that wants JSON shapes anyway (the engine's codec). */
  dates?: 'date' | 'string'
}

export type SqliteServiceParams = AdapterParams<AdapterQuery, Partial<SqliteServiceOptions>> & {
  sqliteCursor?: SqliteCursor
  /**
   * A find's records as lazy records (`sqlite-lazy.ts`, with `dates: 'string'` and no `$select`): each parsed when
   * something first reads it, for a caller that writes the untouched ones out as their stored JSON (an export).
   */
  sqliteLazy?: boolean
  /** A create whose caller never reads what it returns (the audit log's appends): nothing is parsed back; the result is empty. */
  resultsUnread?: boolean
}

type Doc = Record<string, any>

/** Maps a better-sqlite3 error to a Feathers error; Feathers errors pass through. */
export function errorHandler(error: any): never {
  if (error?.type === 'FeathersError') throw error
  if (error?.code === 'SQLITE_CONSTRAINT_UNIQUE' || error?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    throw new Conflict('A record with the same unique value already exists', { reason: error.message })
  }
  throw new GeneralError(error?.message ?? String(error))
}

const isPlainObject = (value: unknown): value is Doc =>
  !!value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype

export class SqliteService<T = any, D = Partial<T>, P extends Params = Params, Q = Partial<T>> extends AdapterBase<
  T,
  D,
  Q,
  P & SqliteServiceParams,
  SqliteServiceOptions
> {
  constructor(options: SqliteServiceOptions) {
    if (!options?.Model) throw new Error('The SQLite collection `Model` needs to be provided (SqliteDatabase#collection)')
    super({ id: options.Model.id, ...options })
    if (this.id !== options.Model.id) throw new Error(`The service id '${this.id}' differs from its collection's id '${options.Model.id}'`)
  }

  getModel(params: P & SqliteServiceParams = {} as P & SqliteServiceParams): SqliteCollection {
    return this.getOptions(params).Model
  }

  /** The query's filters, and its conditions as SQL; with an `id`, the record must also have that id. */
  private _compile(id: NullableId, params: P & SqliteServiceParams) {
    const { paginate } = this.getOptions(params)
    const Model = this.getModel(params)
    const { $select, $sort, $limit, $skip, ...conditions } = (params.query || {}) as AdapterQuery
    if (id !== null && typeof id !== 'string' && typeof id !== 'number') throw new BadRequest(`Invalid id '${JSON.stringify(id)}'`)
    const query = new SqlQuery(Model)
    const parts = [query.where(conditions)]
    if (id !== null) parts.push(query.where({ [this.id]: id }))
    const cursor = id === null && params.sqliteCursor?.collection === Model.name ? params.sqliteCursor : undefined
    const live = Model.live()
    if (live) {
      parts.push(live.where)
      query.params.push(...live.params)
    }
    const skip = $skip !== undefined ? Number.parseInt($skip as any, 10) || 0 : 0
    return {
      Model,
      conditions,
      sole: id === null && !live ? this._sole(conditions) : undefined,
      where: parts.join(' AND '),
      params: query.params,
      order: query.orderBy(this._sort($sort)),
      orderParams: !cursor && !this._sort($sort) && query.near ? query.near.params : [],
      cursor,
      select: this._select($select),
      limit: getLimit($limit, paginate) as number | undefined,
      skip: Math.max(skip, 0)
    }
  }

  /** The query's one condition when it is one path equal to one string (`{ ManagerId: me }`): a kept count may answer its total. */
  private _sole(conditions: Record<string, unknown>): SoleEquality | undefined {
    const keys = Object.keys(conditions)
    if (keys.length !== 1 || keys[0].startsWith('$')) return undefined
    let value = conditions[keys[0]]
    if (isPlainObject(value) && Object.keys(value).length === 1 && '$eq' in value) value = value.$eq
    return typeof value === 'string' && !value.startsWith(DATE_TAG) ? { path: keys[0], value } : undefined
  }

  private _select(select: unknown): string[] | undefined {
    if (Array.isArray(select)) return select.map(String)
    if (isPlainObject(select)) return Object.keys(select).filter((key) => select[key])
    return undefined
  }

  private _sort(sort: unknown): Record<string, 1 | -1> | undefined {
    if (!isPlainObject(sort) || !Object.keys(sort).length) return undefined
    return Object.fromEntries(Object.entries(sort).map(([key, value]) => [key, Number.parseInt(value, 10) < 0 ? -1 : 1]))
  }

  /** A list's rows: the next keyset page of `params.sqliteCursor`, else as `_rows` reads them (`$limit`/`$skip` applied). */
  private _page(params: P & SqliteServiceParams) {
    const compiled = this._compile(null, params)
    const { Model, cursor, conditions, where, limit } = compiled
    if (cursor) return { ...compiled, rows: keysetPage(Model, cursor, conditions, where, compiled.params, limit) }
    return this._rows(null, params, true, compiled)
  }

  /** The matching rows, in `$sort` order; `paged` applies `$limit`/`$skip` (find only). */
  private _rows(id: NullableId, params: P & SqliteServiceParams, paged = false, compiled = this._compile(id, params)) {
    const { Model, where, order, limit, skip } = compiled
    const page = paged && (limit !== undefined || skip) ? ' LIMIT ? OFFSET ?' : ''
    const values = [...compiled.params, ...compiled.orderParams, ...(page ? [limit ?? -1, skip] : [])]
    // An unsorted page whose whole condition is one path into arrays (a Developer's `Attendees.DeveloperId`) is read
    // in storage order from the index table, whose index is in that order: the page's rids first, then their records,
    // instead of every match's rid gathered and looked up before the page is cut.
    const keys = page && !order ? Model.keysOnly(where) : undefined
    if (keys) {
      const sql = `SELECT rid, id, doc FROM ${Model.table} WHERE rid IN (SELECT DISTINCT rid FROM ${Model.keysTable} WHERE ${keys} ORDER BY rid${page}) ORDER BY rid`
      return { ...compiled, rows: Model.all(sql, values) }
    }
    return { ...compiled, rows: Model.all(`SELECT rid, id, doc FROM ${Model.table} WHERE ${where}${order}${page}`, values) }
  }

  /** A stored text as a result: dates as the options say. */
  private _result(text: string, select: string[] | undefined): T {
    return project(this.options.dates === 'string' ? parseAsJSON(text) : parse(text), select, this.id!) as T
  }

  private _docs(rows: Pick<Row, 'doc'>[], select: string[] | undefined, lazy = false): T[] {
    if (lazy && !select && this.options.dates === 'string') return rows.map((row) => lazyRecord(row.doc) as T)
    return rows.map((row) => this._result(row.doc, select))
  }

  /**
   * Whether a query's `{ [path]: value }` finds only records whose value at `path`, as results give it, is `value`
   * (`===`): a string (not a date's tag, nor an array's or object's JSON text, which `json_extract` also gives) on a
   * path through no array, not the id (its column holds numbers as text). Checking found records against it again
   * would tell nothing (`foundReadWhole`, permissions/access.ts).
   */
  findsOnlyEqual(path: string, value: unknown): boolean {
    if (typeof value !== 'string' || path === this.id || path.startsWith('$') || /^[\uFDD0[{]/.test(value)) return false
    return this.getModel().kind(path) === 'scalar'
  }

  private _checkData(data: unknown): Doc {
    if (!isPlainObject(data)) throw new BadRequest('Data must be an object')
    for (const key of Object.keys(data)) if (key.startsWith('$') || key.includes('.')) throw new BadRequest(`Invalid field name '${key}' in data`)
    return data
  }

  /** MongoDB's `$unset: { field: '' }` in a patch: top-level fields only, never the id. */
  private _unsetKeys(unset: unknown): string[] {
    if (unset === undefined) return []
    if (!isPlainObject(unset)) throw new BadRequest('$unset must be an object')
    const keys = Object.keys(unset)
    for (const key of keys) if (key.startsWith('$') || key.includes('.') || key === this.id || key === '_id') throw new BadRequest(`Invalid field name '${key}' in $unset`)
    return keys
  }

  /** MongoDB's `$inc: { field: n }` in a patch: top-level fields, finite numbers (a missing field counts from 0). */
  private _increments(inc: unknown): [string, number][] {
    if (inc === undefined) return []
    if (!isPlainObject(inc)) throw new BadRequest('$inc must be an object')
    const entries = Object.entries(inc)
    for (const [key, by] of entries) {
      if (key.startsWith('$') || key.includes('.') || key === this.id || key === '_id') throw new BadRequest(`Invalid field name '${key}' in $inc`)
      if (typeof by !== 'number' || !Number.isFinite(by)) throw new BadRequest(`$inc of '${key}' must be a number`)
    }
    return entries as [string, number][]
  }

  async _find(params?: P & SqliteServiceParams & { paginate?: PaginationOptions }): Promise<Paginated<T>>
  async _find(params?: P & SqliteServiceParams & { paginate: false }): Promise<T[]>
  async _find(params?: P & SqliteServiceParams): Promise<Paginated<T> | T[]>
  async _find(params: P & SqliteServiceParams = {} as P & SqliteServiceParams): Promise<Paginated<T> | T[]> {
    try {
      const { paginate } = this.getOptions(params)
      const { Model, where, params: values, limit, skip, select, rows, sole } = this._page(params)
      const data = limit === 0 ? [] : this._docs(rows, select, params.sqliteLazy)
      if (!(paginate && paginate.default)) return data
      return { total: Model.count(where, values, sole), limit: limit as number, skip, data }
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _get(id: Id, params: P & SqliteServiceParams = {} as P & SqliteServiceParams): Promise<T> {
    try {
      // No id (`emit('get', path, null)`) is no record, not the first of every record.
      const { rows, select } = id === null || id === undefined ? { rows: [], select: undefined } : this._rows(id, params)
      if (!rows.length) throw new NotFound(`No record found for id '${id}'`)
      return this._docs(rows, select)[0]
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _create(data: D, params?: P & SqliteServiceParams): Promise<T>
  async _create(data: D[], params?: P & SqliteServiceParams): Promise<T[]>
  async _create(data: D | D[], params?: P & SqliteServiceParams): Promise<T | T[]>
  async _create(data: D | D[], params: P & SqliteServiceParams = {} as P & SqliteServiceParams): Promise<T | T[]> {
    try {
      const Model = this.getModel(params)
      const select = this._select(params.query?.$select)
      const items = (Array.isArray(data) ? data : [data]).map((item) => this._checkData(item))
      const created = await Model.write(() => items.map((item) => Model.insert(item)))
      if (params.resultsUnread) return Array.isArray(data) ? [] : ({} as T)
      const result = created.map((text) => this._result(text, select))
      return Array.isArray(data) ? result : result[0]
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _update(id: Id, data: D, params: P & SqliteServiceParams = {} as P & SqliteServiceParams): Promise<T> {
    try {
      if (id === null || Array.isArray(data)) throw new BadRequest("You can not replace multiple instances. Did you mean 'patch'?")
      const replacement = { ...this._checkData(data) }
      return await this.getModel(params).write(() => {
        const { Model, rows, select } = this._rows(id, params)
        if (!rows.length) throw new NotFound(`No record found for id '${id}'`)
        const current = parse(rows[0].doc)
        return this._result(Model.replace(rows[0], { ...replacement, [this.id!]: current[this.id!] }), select)
      })
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _patch(id: null, data: Q | Partial<T>, params?: P & SqliteServiceParams): Promise<T[]>
  async _patch(id: Id, data: Q | Partial<T>, params?: P & SqliteServiceParams): Promise<T>
  async _patch(id: NullableId, data: Q | Partial<T>, params?: P & SqliteServiceParams): Promise<T | T[]>
  async _patch(id: NullableId, data: Q | Partial<T>, params: P & SqliteServiceParams = {} as P & SqliteServiceParams): Promise<T | T[]> {
    try {
      if (id === null && !this.allowsMulti('patch', params)) throw new MethodNotAllowed('Can not patch multiple entries')
      const { $unset, $inc, ...rest } = (isPlainObject(data) ? data : {}) as Doc
      const changes = { ...this._checkData(isPlainObject(data) ? rest : data) }
      const removed = this._unsetKeys($unset)
      const increments = this._increments($inc)
      delete changes[this.id!]
      delete changes._id
      return await this.getModel(params).write(() => {
        const { Model, rows, select } = this._rows(id, params)
        if (id !== null && !rows.length) throw new NotFound(`No record found for id '${id}'`)
        const patched = (doc: Doc) => {
          const next = { ...doc, ...changes }
          for (const key of removed) delete next[key]
          // Read and written in one synchronous step on the writer: atomic, as MongoDB's `$inc`.
          for (const [key, by] of increments) next[key] = (Number(next[key]) || 0) + by
          return next
        }
        const result = rows.map((row) => this._result(Model.replace(row, patched(parse(row.doc))), select))
        return id === null ? result : result[0]
      })
    } catch (error) {
      return errorHandler(error)
    }
  }

  async _remove(id: null, params?: P & SqliteServiceParams): Promise<T[]>
  async _remove(id: Id, params?: P & SqliteServiceParams): Promise<T>
  async _remove(id: NullableId, params?: P & SqliteServiceParams): Promise<T | T[]>
  async _remove(id: NullableId, params: P & SqliteServiceParams = {} as P & SqliteServiceParams): Promise<T | T[]> {
    try {
      if (id === null && !this.allowsMulti('remove', params)) throw new MethodNotAllowed('Can not remove multiple entries')
      return await this.getModel(params).write(() => {
        const { Model, rows, select } = this._rows(id, params)
        if (id !== null && !rows.length) throw new NotFound(`No record found for id '${id}'`)
        rows.forEach((row) => Model.delete(row))
        const result = this._docs(rows, select)
        return id === null ? result : result[0]
      })
    } catch (error) {
      return errorHandler(error)
    }
  }

  async find(params?: P & SqliteServiceParams & { paginate?: PaginationOptions }): Promise<Paginated<T>>
  async find(params?: P & SqliteServiceParams & { paginate: false }): Promise<T[]>
  async find(params?: P & SqliteServiceParams): Promise<Paginated<T> | T[]>
  async find(params?: P & SqliteServiceParams): Promise<Paginated<T> | T[]> {
    return this._find({ ...params, query: await this.sanitizeQuery(params) } as P & SqliteServiceParams)
  }

  async get(id: Id, params?: P & SqliteServiceParams): Promise<T> {
    return this._get(id, { ...params, query: await this.sanitizeQuery(params) } as P & SqliteServiceParams)
  }

  async create(data: D, params?: P & SqliteServiceParams): Promise<T>
  async create(data: D[], params?: P & SqliteServiceParams): Promise<T[]>
  async create(data: D | D[], params?: P & SqliteServiceParams): Promise<T | T[]>
  async create(data: D | D[], params?: P & SqliteServiceParams): Promise<T | T[]> {
    if (Array.isArray(data) && !this.allowsMulti('create', params)) throw new MethodNotAllowed('Can not create multiple entries')
    return this._create(data, params)
  }

  async update(id: Id, data: D, params?: P & SqliteServiceParams): Promise<T> {
    return this._update(id, data, { ...params, query: await this.sanitizeQuery(params) } as P & SqliteServiceParams)
  }

  async patch(id: null, data: Q, params?: P & SqliteServiceParams): Promise<T[]>
  async patch(id: Id, data: Q, params?: P & SqliteServiceParams): Promise<T>
  async patch(id: NullableId, data: Q, params?: P & SqliteServiceParams): Promise<T | T[]>
  async patch(id: NullableId, data: Q, params?: P & SqliteServiceParams): Promise<T | T[]> {
    const { $limit, ...query } = await this.sanitizeQuery(params)
    return this._patch(id, data, { ...params, query } as P & SqliteServiceParams)
  }

  async remove(id: Id, params?: P & SqliteServiceParams): Promise<T>
  async remove(id: null, params?: P & SqliteServiceParams): Promise<T[]>
  async remove(id: NullableId, params?: P & SqliteServiceParams): Promise<T | T[]>
  async remove(id: NullableId, params?: P & SqliteServiceParams): Promise<T | T[]> {
    const { $limit, ...query } = await this.sanitizeQuery(params)
    return this._remove(id, { ...params, query } as P & SqliteServiceParams)
  }
}
