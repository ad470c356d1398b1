// Converts between the engine's JSON shapes (ids and dates as strings) and a store's native ones (ObjectId, Date).
import { isPlainObject, mapAt } from '../schemas/paths.js'
import type { Collection } from '../schemas/types.js'

type Convert = (value: unknown) => unknown

/** What a store needs converted; a store leaves out what it keeps as strings. */
export interface CodecOptions {
  /** Date-time string → native value. */
  date?: Convert
  /** Id string → native id (MongoDB's ObjectId), in data and queries. */
  id?: Convert
  /** The id argument of get/update/patch/remove → native id; must not throw: an id no record can have is a 404. */
  idArgument?: Convert
  /** Native value → JSON value; called on every non-plain object of a result. */
  decode?: (value: object) => unknown
}

/** Keys of free-form objects may hold `.` and `$` (CASL conditions do); stores refuse both, so they are swapped for look-alikes. */
const ESCAPES: [string, string][] = [['.', '\uFF0E'], ['$', '\uFF04']]
function mapKeys(value: any, swap: (key: string) => string): any {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, swap))
  if (!isPlainObject(value)) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [swap(k), mapKeys(v, swap)]))
}
export const escapeKey = (key: string) => ESCAPES.reduce((k, [from, to]) => k.split(from).join(to), key)
export const unescapeKey = (key: string) => ESCAPES.reduce((k, [from, to]) => k.split(to).join(from), key)

const OPERATOR_VALUE = new Set(['$gt', '$gte', '$lt', '$lte', '$ne', '$eq'])
const OPERATOR_LIST = new Set(['$in', '$nin', '$all'])
const LOGICAL = new Set(['$or', '$and', '$nor'])

/** What the codec reads of a collection: the paths it converts. */
export type CodecPaths = Pick<Collection, 'dates' | 'references' | 'freeform'> & Partial<Pick<Collection, 'clearable'>>

export class Codec {
  private _paths: Map<string, Convert>

  private _freeform: string[]

  private _clearable: Set<string>

  constructor(collection: CodecPaths, private _options: CodecOptions) {
    this._freeform = collection.freeform
    this._clearable = new Set(collection.clearable ?? [])
    this._paths = new Map()
    if (_options.date) for (const path of collection.dates) this._paths.set(path, _options.date)
    if (_options.id) {
      this._paths.set('_id', _options.id)
      for (const ref of collection.references) this._paths.set(ref.path, _options.id)
    }
  }

  /** Record (or records) about to be written. */
  encodeData<T>(data: T): T {
    if (Array.isArray(data)) return data.map((item) => this.encodeData(item)) as T
    let result: any = data
    for (const [path, fn] of this._paths) result = mapAt(result, path.split('.'), (v) => (typeof v === 'string' ? fn(v) : v))
    for (const path of this._freeform) result = mapAt(result, path.split('.'), (v) => mapKeys(v, escapeKey))
    return result
  }

  /** Patch data: as `encodeData`, except that `null` for an optional field becomes MongoDB's `$unset` of it, on both stores. */
  encodePatch(data: Record<string, any>): Record<string, any> {
    const cleared = Object.keys(data ?? {}).filter((key) => data[key] === null && this._clearable.has(key))
    if (!cleared.length) return this.encodeData(data)
    const rest = Object.fromEntries(Object.entries(data).filter(([key]) => !cleared.includes(key)))
    return { ...this.encodeData(rest), $unset: Object.fromEntries(cleared.map((key) => [key, ''])) }
  }

  /** Whether a string can be an id in this store (a query by any other is refused as a bad id). */
  isId(value: string): boolean {
    try {
      this._options.id?.(value)
      return true
    } catch {
      return false
    }
  }

  /** Id argument of a single-record call (`null` for multi calls stays `null`). */
  encodeId<T>(id: T): T {
    return id === null || !this._options.idArgument ? id : (this._options.idArgument(id) as T)
  }

  /** Query about to be run: values of converted paths, inside operators and logical clauses. */
  encodeQuery(query: Record<string, any> = {}): Record<string, any> {
    const result: Record<string, any> = {}
    for (const [key, value] of Object.entries(query)) {
      if (LOGICAL.has(key) && Array.isArray(value)) result[key] = value.map((clause) => this.encodeQuery(clause))
      else if (key.startsWith('$')) result[key] = value
      else result[key] = this._encodeCondition(this._paths.get(key), value)
    }
    return result
  }

  private _encodeCondition(fn: Convert | undefined, value: any): any {
    if (!fn) return value
    const one = (v: unknown) => (typeof v === 'string' ? fn(v) : v)
    if (!isPlainObject(value)) return one(value)
    const result: Record<string, any> = {}
    for (const [op, operand] of Object.entries(value)) {
      if (OPERATOR_VALUE.has(op)) result[op] = one(operand)
      else if (OPERATOR_LIST.has(op) && Array.isArray(operand)) result[op] = operand.map(one)
      else result[op] = operand
    }
    return result
  }

  /** Result (record, list or page) back to JSON shapes. */
  decode<T>(result: T): T {
    const unescaped = this._freeform.length ? this._unescape(result) : result
    const { decode } = this._options
    if (!decode) return unescaped
    const walk = (value: any): any => {
      if (Array.isArray(value)) return value.map(walk)
      if (value === null || typeof value !== 'object') return value
      if (!isPlainObject(value)) return decode(value)
      const out: Record<string, any> = {}
      for (const [k, v] of Object.entries(value)) out[k] = walk(v)
      return out
    }
    return walk(unescaped)
  }

  private _unescape(result: any): any {
    if (Array.isArray(result)) return result.map((item) => this._unescape(item))
    if (result && Array.isArray(result.data)) return { ...result, data: result.data.map((item: any) => this._unescape(item)) }
    let record = result
    for (const path of this._freeform) record = mapAt(record, path.split('.'), (v) => mapKeys(v, unescapeKey))
    return record
  }
}

/**
 * Marks the params an adapter passes to its own methods (a multi patch or remove finds the ids, then writes by them):
 * those inner calls already speak store shapes, and their results must stay in them (decoded ids would match nothing).
 */
const INNER_CALL = Symbol('codec: inner call')

/** Wraps an adapter class so every `_method` speaks JSON shapes on the engine's side. */
export function withCodec<Base extends new (...args: any[]) => any>(BaseService: Base) {
  return class CodecService extends BaseService {
    codec!: Codec

    /** Encodes the query and the id, runs the call, decodes the result; inner calls pass through as they are. */
    private async _run(id: any, params: any = {}, call: (id: any, params: any) => Promise<any>) {
      if (params[INNER_CALL]) return call(id, params)
      const query = params.query ? this.codec.encodeQuery(params.query) : params.query
      // Only the `_id` key is converted: a custom id field holds the store's own values.
      const storeId = this.id === '_id' ? this.codec.encodeId(id) : id
      return this.codec.decode(await call(storeId, { ...params, query, [INNER_CALL]: true }))
    }
    async _find(params?: any) {
      return this._run(null, params, (_, p) => super._find(p))
    }
    async _get(id: any, params?: any) {
      return this._run(id, params, (storeId, p) => super._get(storeId, p))
    }
    async _create(data: any, params?: any) {
      return this._run(null, params, (_, p) => super._create(this.codec.encodeData(data), p))
    }
    async _update(id: any, data: any, params?: any) {
      return this._run(id, params, (storeId, p) => super._update(storeId, this.codec.encodeData(data), p))
    }
    async _patch(id: any, data: any, params?: any) {
      return this._run(id, params, (storeId, p) => super._patch(storeId, this.codec.encodePatch(data), p))
    }
    async _remove(id: any, params?: any) {
      return this._run(id, params, (storeId, p) => super._remove(storeId, p))
    }
  }
}
