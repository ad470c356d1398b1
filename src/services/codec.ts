// Converts between the engine's JSON shapes (ids and dates as strings) and a store's native ones (ObjectId, Date).
import { isPlainObject, mapAt } from '../schemas/paths.js'
import type { Collection } from '../schemas/types.js'

type Convert = (value: unknown) => unknown

/** What a store needs converted; a store leaves out what it keeps as strings. */
export interface CodecOptions {
  /** Date-time string → native value. */
  date?: Convert
  /** Id string → native id (MongoDB's ObjectId). */
  id?: Convert
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

export class Codec {
  private _paths: Map<string, Convert>

  private _freeform: string[]

  constructor(collection: Collection, private _options: CodecOptions) {
    this._freeform = collection.freeform
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

/** Wraps an adapter class so every `_method` speaks JSON shapes on the engine's side. */
export function withCodec<Base extends new (...args: any[]) => any>(BaseService: Base) {
  return class CodecService extends BaseService {
    codec!: Codec

    private _params(params: any = {}) {
      return params.query ? { ...params, query: this.codec.encodeQuery(params.query) } : params
    }
    async _find(params?: any) {
      return this.codec.decode(await super._find(this._params(params)))
    }
    async _get(id: any, params?: any) {
      return this.codec.decode(await super._get(id, this._params(params)))
    }
    async _create(data: any, params?: any) {
      return this.codec.decode(await super._create(this.codec.encodeData(data), this._params(params)))
    }
    async _update(id: any, data: any, params?: any) {
      return this.codec.decode(await super._update(id, this.codec.encodeData(data), this._params(params)))
    }
    async _patch(id: any, data: any, params?: any) {
      return this.codec.decode(await super._patch(id, this.codec.encodeData(data), this._params(params)))
    }
    async _remove(id: any, params?: any) {
      return this.codec.decode(await super._remove(id, this._params(params)))
    }
  }
}
