// AdminJS filters → a Feathers query that passes the collection's query schema (free text: `$icontains`, never `$regex`).
import type { Filter } from 'adminjs'
import { MAX_TEXT_OPERAND } from '../schemas/query.js'
import type { FeathersProperty } from './property.js'

export type Query = Record<string, any>

/** "Contains, ignoring case" as users type it (`patel` finds `Dev Patel`): the engine's `$icontains`, on both stores. */
export const containsCondition = (path: string, text: string): Query => ({ [path]: { $icontains: text.slice(0, MAX_TEXT_OPERAND) } })

/** `2025` → that year, `2025-03` → that month, `2025-03-04` → that day (UTC); a full date-time → that instant. */
export function period(text: string): { $gte: string; $lt: string } | string | undefined {
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(text.trim())
  if (!match) {
    const date = new Date(text)
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
  }
  const [, year, month, day] = match.map(Number)
  const start = new Date(Date.UTC(year, month ? month - 1 : 0, day || 1))
  const end = new Date(start)
  if (day) end.setUTCDate(end.getUTCDate() + 1)
  else if (month) end.setUTCMonth(end.getUTCMonth() + 1)
  else end.setUTCFullYear(end.getUTCFullYear() + 1)
  return Number.isNaN(start.getTime()) ? undefined : { $gte: start.toISOString(), $lt: end.toISOString() }
}

const dateValue = (text: unknown) => {
  if (text instanceof Date) return text.toISOString()
  if (typeof text !== 'string' || !text) return undefined
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

/** Numbers typed in the single filter input: `5`, `>5`, `>=5`, `<5`, `<=5` or `5..10`. */
export function numberCondition(text: string): number | Query | undefined {
  const value = text.trim()
  const range = /^(-?[\d.]+)?\s*\.\.\s*(-?[\d.]+)?$/.exec(value)
  if (range && (range[1] || range[2])) {
    const condition: Query = {}
    if (range[1]) condition.$gte = Number(range[1])
    if (range[2]) condition.$lte = Number(range[2])
    return Object.values(condition).some(Number.isNaN) ? undefined : condition
  }
  const comparison = /^(>=|<=|>|<)\s*(-?[\d.]+)$/.exec(value)
  if (comparison) {
    const operator = { '>': '$gt', '>=': '$gte', '<': '$lt', '<=': '$lte' }[comparison[1]]!
    const number = Number(comparison[2])
    return Number.isNaN(number) ? undefined : { [operator]: number }
  }
  const number = Number(value)
  return value === '' || Number.isNaN(number) ? undefined : number
}

/** `{ from, to }` (AdminJS range filters) as `$gte`/`$lte`. */
function rangeCondition(value: { from?: unknown; to?: unknown }, convert: (v: unknown) => unknown): Query | undefined {
  const condition: Query = {}
  const from = convert(value.from)
  const to = convert(value.to)
  if (from !== undefined) condition.$gte = from
  if (to !== undefined) condition.$lte = to
  return Object.keys(condition).length ? condition : undefined
}

/** The query clause of one filter, or `undefined` when the value says nothing usable. */
export function conditionFor(property: FeathersProperty, path: string, value: unknown): Query | undefined {
  const isRange = !!value && typeof value === 'object' && ('from' in value || 'to' in value)
  const wrap = (condition: unknown) => (condition === undefined ? undefined : { [path]: condition })
  switch (property.type()) {
    case 'datetime':
    case 'date':
      if (isRange) return wrap(rangeCondition(value as any, dateValue))
      return typeof value === 'string' ? wrap(period(value)) : undefined
    case 'number':
    case 'float':
      if (isRange) return wrap(rangeCondition(value as any, (v) => (v === '' || v === undefined ? undefined : Number(v))))
      return typeof value === 'number' ? wrap(value) : typeof value === 'string' ? wrap(numberCondition(value)) : undefined
    case 'boolean':
      return value === true || value === 'true' ? wrap(true) : value === false || value === 'false' ? wrap(false) : undefined
    case 'string':
    case 'textarea':
      if (typeof value !== 'string' || value === '') return undefined
      // Exact for ids and choices; "contains" for text (emails and addresses included).
      if (property.isId() || property.availableValues()) return wrap(value)
      return containsCondition(path, value)
    default:
      // References (ids, also inside arrays: "contains"), ids.
      return typeof value === 'string' && value !== '' ? wrap(value) : undefined
  }
}

/** Every usable filter as one Feathers query. */
export function toQuery(filter: Filter, propertyAt: (path: string) => FeathersProperty | null): Query {
  const query: Query = {}
  for (const { path, value } of Object.values(filter.filters)) {
    const property = propertyAt(path)
    if (!property || !property.visibility().filter) continue
    Object.assign(query, conditionFor(property, path, value))
  }
  return query
}

/** AdminJS sort → Feathers `$sort`, with `_id` as tie-breaker so pages never overlap. */
export function toSort(sort: { sortBy?: string; direction?: 'asc' | 'desc' } | undefined, isSortable: (path: string) => boolean) {
  const $sort: Record<string, 1 | -1> = {}
  if (sort?.sortBy && isSortable(sort.sortBy)) $sort[sort.sortBy] = sort.direction === 'desc' ? -1 : 1
  if (!('_id' in $sort)) $sort._id = 1
  return $sort
}

/** Both must hold: the condition beside the query, or with `$and` when they constrain the same field (a filter and the tenant). */
export function withCondition(query: Query, condition: Query | undefined): Query {
  if (!condition) return query
  return Object.keys(condition).some((field) => field in query) ? { $and: [query, condition] } : { ...query, ...condition }
}
