// The engine's MongoDB-style queries → SQL over JSON documents: bound parameters for every value, validated literals for paths.
import { BadRequest } from '@feathersjs/errors'
import { DATE_END, DATE_TAG, bindable, jsonPath, pathLiteral, stringify } from './sqlite-json.js'

/** What the compiler knows about a collection's paths. */
export interface QueryShape {
  /** The id field, kept in the `id` column. */
  id: string
  /** `scalar` when no array lies on the path (a plain `json_extract` an index can serve); `multi` when one may. */
  kind(path: string): 'scalar' | 'multi'
  /** The one kind of value the schema allows at a path (besides null), when there is one: its tests need no type guard. */
  typeOf(path: string): ValueKind | undefined
  /** Paths whose values are kept in the index table (`path, value, type, rid`). */
  multikey: Set<string>
  /** Quoted name of the index table. */
  keysTable: string
}

export type ValueKind = 'string' | 'number' | 'boolean' | 'date'

/** One value at a path: its SQL value, its JSON type (`json_type` names) and the kind the schema promises. */
interface Source {
  value: string
  type: string
  known?: ValueKind
}

const kindOf = (operand: unknown): ValueKind | undefined =>
  operand instanceof Date ? 'date' : typeof operand === 'string' ? 'string' : typeof operand === 'number' ? 'number' : undefined

const NUMBER = `IN ('integer','real')`

const isPlainObject = (value: unknown): value is Record<string, any> =>
  !!value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype

export class SqlQuery {
  readonly params: unknown[] = []
  /** A `$near` condition's distance, the default order of the rows (nearest first), with its own parameters. */
  near?: { sql: string; params: unknown[] }
  private _depth = 0

  constructor(private _shape: QueryShape) {}

  private _bind(value: unknown) {
    this.params.push(value)
    return '?'
  }

  /** A query object → a SQL condition on the row (`doc`, `id`, `rid`). */
  where(query: Record<string, any>, root = 'doc'): string {
    const parts: string[] = []
    for (const [key, value] of Object.entries(query)) {
      if (key === '$or' || key === '$and' || key === '$nor') {
        if (!Array.isArray(value)) throw new BadRequest(`${key} needs an array`)
        const clauses = value.map((clause) => `(${this.where(clause, root)})`)
        if (key === '$and') parts.push(clauses.length ? clauses.join(' AND ') : '1')
        else if (key === '$or') parts.push(clauses.length ? `(${clauses.join(' OR ')})` : '0')
        else parts.push(clauses.length ? `NOT IFNULL((${clauses.join(' OR ')}), 0)` : '1')
      } else if (key.startsWith('$')) throw new BadRequest(`Invalid query operator ${key}`)
      else parts.push(this._field(key, value, root))
    }
    return parts.length ? parts.join(' AND ') : '1'
  }

  private _field(path: string, condition: unknown, root: string): string {
    if (!isPlainObject(condition) || !Object.keys(condition).some((key) => key.startsWith('$'))) return this._path(path, '$eq', condition, root)
    const parts = Object.entries(condition).map(([op, operand]) => {
      if (!op.startsWith('$')) throw new BadRequest(`Cannot mix operators and fields in the condition on '${path}'`)
      return this._path(path, op, operand, root)
    })
    return parts.join(' AND ')
  }

  /** One operator on one path, with MongoDB's meaning for missing fields and arrays. */
  private _path(path: string, op: string, operand: any, root: string): string {
    if (op === '$ne') return `NOT IFNULL(${this._path(path, '$eq', operand, root)}, 0)`
    if (op === '$nin') return `NOT IFNULL(${this._path(path, '$in', operand, root)}, 0)`
    if (op === '$all') {
      if (!Array.isArray(operand)) throw new BadRequest(`$all on '${path}' needs an array`)
      return operand.length ? operand.map((item) => this._path(path, '$eq', item, root)).join(' AND ') : '0'
    }
    if (op === '$elemMatch') return this._elemMatch(path, operand, root)
    if (op === NEAR) return this._near(path, operand, root)
    if (op === '$in' && !Array.isArray(operand)) throw new BadRequest(`$in on '${path}' needs an array`)
    if (root === 'doc' && path === this._shape.id) return this._id(op, operand)
    const nullish = (op === '$eq' && (operand === null || operand === undefined)) || (op === '$in' && operand.includes(null))
    // Inside `$elemMatch` the element's paths are read without schema knowledge.
    const scalar = root === 'doc' && this._shape.kind(path) === 'scalar'

    if (scalar) {
      const literal = pathLiteral(path)
      const source = { value: `json_extract(${root}, ${literal})`, type: `json_type(${root}, ${literal})`, known: this._shape.typeOf(path) }
      if (op === '$exists') return operand ? `${source.type} IS NOT NULL` : `${source.type} IS NULL`
      return this._test(source, op, operand)
    }
    const any = (test: string) => `EXISTS (SELECT 1 FROM ${this._values(path, root)} AND ${test})`
    const none = `NOT EXISTS (SELECT 1 FROM ${this._values(path, root)})`
    if (op === '$exists') return operand ? `NOT (${none})` : none
    const source = { value: 'value', type: 'type' }
    if (nullish) {
      const rest = op === '$in' ? operand.filter((item: unknown) => item !== null) : []
      const others = rest.length ? ` OR ${any(this._test(source, '$in', rest))}` : ''
      return `(${any(`type = 'null'`)} OR ${none}${others})`
    }
    if (root === 'doc' && this._shape.multikey.has(path) && this._indexable(op, operand)) {
      const bound = this._bind(path) // bound before the test's values: parameters follow the SQL text's order
      return `rid IN (SELECT rid FROM ${this._shape.keysTable} WHERE path = ${bound} AND ${this._test(source, op, operand)})`
    }
    return any(this._test(source, op, operand))
  }

  /** Every value at a path through arrays (MongoDB's reading of `Attendees.DeveloperId`), as `json_tree` rows. */
  private _values(path: string, root: string) {
    const first = path.split('.')[0]
    return `json_tree(${root}, ${pathLiteral(first)}) WHERE quillbase_path(fullkey) = '${jsonPath(path)}'`
  }

  /** The index table holds strings, numbers and dates only. */
  private _indexable(op: string, operand: unknown) {
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || v instanceof Date
    return op === '$in' ? (operand as unknown[]).every(scalar) : scalar(operand)
  }

  /**
   * `{ $near: { longitude, latitude, maxDistance?, minDistance? } }` on a GeoJSON point: within the distances (metres,
   * on a sphere, as MongoDB's `$nearSphere`), nearest first. A latitude band comes first, so the index on the point's
   * latitude (declared as `2dsphere`) narrows the rows whose distance is computed.
   */
  private _near(path: string, operand: any, root: string) {
    const near = checkNear(path, operand)
    if (root !== 'doc' || this._shape.kind(path) !== 'scalar') throw new BadRequest(`$near on '${path}' needs a GeoJSON point field`)
    const { longitude, latitude } = pointColumns(path)
    const distance = (bind: (value: number) => string) => `${DISTANCE}(${longitude}, ${latitude}, ${bind(near.longitude)}, ${bind(near.latitude)})`
    const parts = [`json_extract(doc, ${pathLiteral(path + '.type')}) = 'Point'`]
    if (near.maxDistance !== undefined) {
      const degrees = (near.maxDistance / EARTH_RADIUS) * (180 / Math.PI)
      parts.push(`${latitude} BETWEEN ${this._bind(near.latitude - degrees)} AND ${this._bind(near.latitude + degrees)}`)
      parts.push(`${distance((value) => this._bind(value))} <= ${this._bind(near.maxDistance)}`)
    }
    if (near.minDistance !== undefined) parts.push(`${distance((value) => this._bind(value))} >= ${this._bind(near.minDistance)}`)
    const params: unknown[] = []
    this.near ??= { sql: distance((value) => (params.push(value), '?')), params }
    return `(${parts.join(' AND ')})`
  }

  private _elemMatch(path: string, operand: unknown, root: string) {
    if (!isPlainObject(operand)) throw new BadRequest(`$elemMatch on '${path}' needs an object`)
    const alias = `e${++this._depth}`
    const element = { value: `${alias}.value`, type: `${alias}.type` }
    const onValues = Object.keys(operand).every((key) => key.startsWith('$') && !['$or', '$and', '$nor'].includes(key))
    // `{ $gt: 1 }` tests each element itself; `{ DeveloperId: x, Status: y }` tests each sub-document as a whole.
    const inner = onValues
      ? Object.entries(operand).map(([op, value]) => this._test(element, op, value))
      : [`${element.type} = 'object'`, this.where(operand, element.value)]
    const literal = pathLiteral(path)
    return `EXISTS (SELECT 1 FROM json_each(${root}, ${literal}) AS ${alias} WHERE json_type(${root}, ${literal}) = 'array' AND ${inner.join(' AND ') || '1'})`
  }

  private _id(op: string, operand: any): string {
    const text = (value: unknown) => {
      if (typeof value !== 'string' && typeof value !== 'number') throw new BadRequest(`Invalid id ${JSON.stringify(value)}`)
      return this._bind(String(value))
    }
    if (op === '$eq') return operand === null ? '0' : `id = ${text(operand)}`
    if (op === '$in') return operand.length ? `id IN (${operand.filter((v: unknown) => v !== null).map(text).join(', ') || 'NULL'})` : '0'
    if (op === '$exists') return operand ? '1' : '0'
    const range = RANGES[op]
    if (range) return `id ${range} ${text(operand)}`
    throw new BadRequest(`Invalid query operator ${op}`)
  }

  /** A test on one value; `null` only inside `$in`/`$eq` of scalar paths (missing counts as null). */
  private _test(source: Source, op: string, operand: any): string {
    const { value: v, type: t } = source
    if (op === '$eq') return this._equals(source, operand)
    if (op === '$in') {
      if (!Array.isArray(operand)) throw new BadRequest('$in needs an array')
      if (!operand.length) return '0'
      const strings = operand.filter((x) => typeof x === 'string')
      const numbers = operand.filter((x) => typeof x === 'number')
      const dates = operand.filter((x) => x instanceof Date)
      const others = operand.filter((x) => typeof x !== 'string' && typeof x !== 'number' && !(x instanceof Date))
      const list = (values: unknown[]) => values.map((x) => this._bind(bindable(x))).join(', ')
      const parts: string[] = []
      if (strings.length) parts.push(this._guard(source, 'string', `${v} IN (${list(strings)})`))
      if (numbers.length) parts.push(this._guard(source, 'number', `${v} IN (${list(numbers)})`))
      if (dates.length) parts.push(`${v} IN (${list(dates)})`)
      for (const other of others) parts.push(this._equals(source, other))
      return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`
    }
    if (op === '$exists') return operand ? `${t} IS NOT NULL` : `${t} IS NULL`
    if (op === '$icontains') return this._contains(source, operand)
    const range = RANGES[op]
    if (!range) throw new BadRequest(`Invalid query operator ${op}`)
    if (operand === null) return op === '$gte' || op === '$lte' ? this._equals(source, null) : '0'
    if (source.known && source.known === kindOf(operand)) return `${v} ${range} ${this._bind(bindable(operand))}`
    if (typeof operand === 'number') return `(${v} ${range} ${this._bind(operand)} AND ${t} ${NUMBER})`
    if (typeof operand === 'string') {
      return `(${v} ${range} ${this._bind(operand)} AND ${t} = 'text' AND (${v} < ${this._bind(DATE_TAG)} OR ${v} >= ${this._bind(DATE_END)}))`
    }
    if (operand instanceof Date) {
      const compared = `${v} ${range} ${this._bind(bindable(operand))}`
      // Only dates: a date range must not reach strings, which sort below the tag.
      return `(${compared} AND ${range.startsWith('>') ? `${v} < ${this._bind(DATE_END)}` : `${v} >= ${this._bind(DATE_TAG)}`})`
    }
    if (typeof operand === 'boolean') {
      const rank = `(CASE ${t} WHEN 'false' THEN 0 WHEN 'true' THEN 1 END)`
      return `${rank} ${range} ${operand ? 1 : 0}`
    }
    throw new BadRequest(`Cannot compare with ${JSON.stringify(operand)}`)
  }

  /** Text containing the operand, ignoring case, as MongoDB's `$regex` of the escaped operand with option `i`; never dates. */
  private _contains(source: Source, operand: unknown) {
    if (typeof operand !== 'string') throw new BadRequest('$icontains needs a string')
    const test = `${ICONTAINS}(${source.value}, ${this._bind(operand.toLowerCase())})`
    if (source.known === 'string') return test
    return `(${test} AND ${source.type} = 'text' AND (${source.value} < ${this._bind(DATE_TAG)} OR ${source.value} >= ${this._bind(DATE_END)}))`
  }

  /** `test` alone where the schema already promises the operand's kind, else with the JSON type checked too. */
  private _guard(source: Source, kind: 'string' | 'number', test: string) {
    if (source.known === kind) return test
    return `(${test} AND ${source.type} ${kind === 'string' ? `= 'text'` : NUMBER})`
  }

  private _equals(source: Source, operand: any): string {
    const { value: v, type: t } = source
    if (operand === null || operand === undefined) return `(${t} IS NULL OR ${t} = 'null')`
    if (typeof operand === 'boolean') return `${t} = '${operand}'`
    if (typeof operand === 'number') return this._guard(source, 'number', `${v} = ${this._bind(operand)}`)
    if (typeof operand === 'string') return this._guard(source, 'string', `${v} = ${this._bind(operand)}`)
    if (operand instanceof Date) return `${v} = ${this._bind(bindable(operand))}`
    if (typeof operand === 'object') return `(${t} IN ('array','object') AND ${v} = json(${this._bind(stringify(operand))}))`
    throw new BadRequest(`Cannot compare with ${JSON.stringify(operand)}`)
  }

  /** `$sort` → ORDER BY; missing and null first ascending, as in MongoDB. Without one, a `$near` query is nearest first. */
  orderBy(sort: Record<string, 1 | -1> | undefined): string {
    if (!sort) return this.near ? ` ORDER BY ${this.near.sql}` : ''
    const keys = Object.entries(sort).map(([path, direction]) => {
      const order = direction === -1 ? 'DESC' : 'ASC'
      if (path === this._shape.id) return `id ${order}`
      if (this._shape.kind(path) === 'scalar') return `json_extract(doc, ${pathLiteral(path)}) ${order}`
      // An array sorts by its smallest value ascending and its largest descending (MongoDB).
      const pick = direction === -1 ? 'max' : 'min'
      return `(SELECT ${pick}(value) FROM ${this._values(path, 'doc')} AND type NOT IN ('array','object','null')) ${order}`
    })
    return keys.length ? ` ORDER BY ${keys.join(', ')}` : ''
  }
}

/** The engine's "near a point" operator: MongoDB's `$nearSphere` on MongoDB, a distance test on the embedded store. */
export const NEAR = '$near'
/** Metres: the sphere MongoDB's spherical distances use. */
export const EARTH_RADIUS = 6_378_100
/** SQL function (registered by `SqliteDatabase`): the great-circle distance in metres between two longitude/latitude points. */
export const DISTANCE = 'quillbase_distance'

export interface NearOperand {
  longitude: number
  latitude: number
  maxDistance?: number
  minDistance?: number
}

/** The operand of `$near`, checked: a 400 for anything else. */
export function checkNear(path: string, operand: unknown): NearOperand {
  const near = operand as Record<string, unknown>
  const number = (key: string, min: number, max: number) => {
    const value = near?.[key]
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new BadRequest(`$near on '${path}': ${key} must be a number from ${min} to ${max}`)
    return value
  }
  if (!isPlainObject(near) || Object.keys(near).some((key) => !['longitude', 'latitude', 'maxDistance', 'minDistance'].includes(key))) {
    throw new BadRequest(`$near on '${path}' takes { longitude, latitude, maxDistance?, minDistance? }`)
  }
  const longitude = number('longitude', -180, 180)
  const latitude = number('latitude', -90, 90)
  if (longitude === undefined || latitude === undefined) throw new BadRequest(`$near on '${path}' needs a longitude and a latitude`)
  return { longitude, latitude, maxDistance: number('maxDistance', 0, 4e7), minDistance: number('minDistance', 0, 4e7) }
}

/** The SQL of a GeoJSON point's longitude and latitude (`coordinates` is `[longitude, latitude]`). */
export function pointColumns(path: string) {
  const at = jsonPath(`${path}.coordinates`)
  return { longitude: `json_extract(doc, '${at}[0]')`, latitude: `json_extract(doc, '${at}[1]')` }
}

const radians = (degrees: number) => (degrees * Math.PI) / 180

/** Haversine distance in metres; `null` unless all four are numbers. */
export function distance(longitude1: unknown, latitude1: unknown, longitude2: unknown, latitude2: unknown): number | null {
  if (![longitude1, latitude1, longitude2, latitude2].every((value) => typeof value === 'number')) return null
  const [a, b, c, d] = [longitude1, latitude1, longitude2, latitude2] as number[]
  const h = Math.sin(radians(d - b) / 2) ** 2 + Math.cos(radians(b)) * Math.cos(radians(d)) * Math.sin(radians(c - a) / 2) ** 2
  return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** SQL function (registered by `SqliteDatabase`): whether a text, lower-cased, contains an already lower-cased needle. */
export const ICONTAINS = 'quillbase_icontains'

/** JavaScript's case mapping, not SQLite's `lower()` (ASCII only): `émile` finds `Émile`, as MongoDB's `i` option does. */
export const icontains = (text: unknown, needle: unknown) => (typeof text === 'string' && typeof needle === 'string' && text.toLowerCase().includes(needle) ? 1 : 0)

const RANGES: Record<string, string> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }
