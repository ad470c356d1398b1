// Declarations of what the engine keeps up to date by itself: counts of using records, a recurring master's instances,
// cached reads. Checked here against the schema (and, for counts, the other collection), with named errors.
import { DeclarationError } from './sanitize.js'
import type { CacheInput, Collection, CollectionInput, Count, JsonSchema, Recurrence, ReferenceInfo, SecretInfo } from './types.js'

export const FREQUENCIES = ['daily', 'weekly', 'monthly', 'yearly'] as const
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const
export const DEFAULT_AHEAD_DAYS = 365
export const CACHE_DEFAULTS: Required<CacheInput> = { ttlSeconds: 60, maxEntries: 500 }

const isInteger = (schema?: JsonSchema) => schema?.type === 'integer'
const isNumber = (schema?: JsonSchema) => schema?.type === 'integer' || schema?.type === 'number'
const isDate = (schema?: JsonSchema) => schema?.type === 'string' && schema.format === 'date-time'
const isBoolean = (schema?: JsonSchema) => schema?.type === 'boolean'
const within = (values: unknown, allowed: readonly string[]) => Array.isArray(values) && values.length > 0 && values.every((v) => allowed.includes(v))

/** `counts`: each kept field a top-level `readOnly` number (the engine's to write), `key` and `scope` top-level fields. */
export function sanitizeCounts(input: CollectionInput, properties: Record<string, JsonSchema>, where: string): Count[] {
  return Object.entries(input.counts ?? {}).map(([field, count]) => {
    const at = `count "${field}"`
    if (!isNumber(properties[field])) throw new DeclarationError(where, `${at} must be a top-level integer field`)
    if (!properties[field].readOnly) throw new DeclarationError(where, `${at} is kept by the engine: declare the field readOnly`)
    if (typeof count?.from !== 'string' || typeof count.via !== 'string') throw new DeclarationError(where, `${at} needs \`from\` (a collection) and \`via\` (its field)`)
    if (count.key !== undefined && !properties[count.key]) throw new DeclarationError(where, `${at}: key "${count.key}" is not a top-level field`)
    const scope = count.scope ?? []
    for (const name of scope) if (!properties[name]) throw new DeclarationError(where, `${at}: scope field "${name}" is not a top-level field`)
    if (scope.length && !count.key) throw new DeclarationError(where, `${at}: a scope needs a \`key\` (a record found by id needs none)`)
    return { field, from: count.from, via: count.via, key: count.key ?? '_id', scope, where: count.where }
  })
}

/** Counts name another collection: it exists, `via` is its top-level field (a single Ref here when counted by id), the scope is shared. */
export function checkCounts(collections: Collection[]) {
  const byName = new Map(collections.map((c) => [c.name, c]))
  for (const parent of collections) {
    for (const count of parent.counts ?? []) {
      const where = `collection "${parent.name}"`
      const at = `count "${count.field}"`
      const child = byName.get(count.from)
      if (!child) throw new DeclarationError(where, `${at} names unknown collection "${count.from}"`)
      if (!child.schema.properties?.[count.via]) throw new DeclarationError(where, `${at}: "${count.from}.${count.via}" is not a top-level field`)
      const ref = child.references.find((r) => r.path === count.via && !r.many)
      if (count.key === '_id' && ref?.collection !== parent.name) throw new DeclarationError(where, `${at}: "${count.from}.${count.via}" must be a single Ref('${parent.name}'), or name the field it holds with \`key\``)
      for (const name of count.scope) {
        if (!child.schema.properties?.[name]) throw new DeclarationError(where, `${at}: scope field "${name}" is not a top-level field of ${count.from}`)
      }
    }
  }
}

interface RecurrenceFacts {
  references: ReferenceInfo[]
  secrets: SecretInfo[]
  stamped: string[]
}

/** `recurrence`: the flag, pattern parts, times and the instances' reference, each of the kind the engine reads. */
export function sanitizeRecurrence(input: CollectionInput, properties: Record<string, JsonSchema>, facts: RecurrenceFacts, where: string): Recurrence | undefined {
  const declared = input.recurrence
  if (!declared) return undefined
  const at = (what: string) => `recurrence: ${what}`
  const field = (name: string | undefined, what: string, check: (schema?: JsonSchema) => boolean, kind: string) => {
    if (typeof name !== 'string' || !check(properties[name])) throw new DeclarationError(where, at(`${what} "${name}" must be a top-level ${kind} field`))
  }
  field(declared.master, 'master', isBoolean, 'boolean')
  field(declared.start, 'start', isDate, 'DateTime()')
  field(declared.end, 'end', isDate, 'DateTime()')
  if (declared.allDay !== undefined) field(declared.allDay, 'allDay', isBoolean, 'boolean')
  const pattern = declared.pattern
  const object = properties[pattern?.field]
  if (object?.type !== 'object' || !object.properties) throw new DeclarationError(where, at(`pattern field "${pattern?.field}" must be a top-level object field`))
  const part = (name: string | undefined, what: string, check: (schema?: JsonSchema) => boolean, kind: string) => {
    if (name === undefined && what !== 'frequency') return
    if (typeof name !== 'string' || !check(object.properties[name])) throw new DeclarationError(where, at(`pattern ${what} "${name}" must be ${kind} in "${pattern.field}"`))
  }
  part(pattern.frequency, 'frequency', (s) => within(s?.enum, FREQUENCIES), `an Enum of ${FREQUENCIES.join(', ')}`)
  part(pattern.interval, 'interval', isInteger, 'an integer')
  part(pattern.weekdays, 'weekdays', (s) => s?.type === 'array' && within(s.items?.enum, WEEKDAYS), `an array of an Enum of ${WEEKDAYS.join(', ')}`)
  part(pattern.monthDay, 'monthDay', isInteger, 'an integer')
  part(pattern.until, 'until', isDate, 'a DateTime()')
  part(pattern.count, 'count', isInteger, 'an integer')
  const ref = facts.references.find((r) => r.path === declared.instanceOf && !r.many)
  if (ref?.collection !== input.name || ref.onDelete !== 'cascade') {
    throw new DeclarationError(where, at(`instanceOf "${declared.instanceOf}" must be a top-level Ref('${input.name}', { onDelete: 'cascade' }): removing a master removes its instances`))
  }
  for (const name of declared.except ?? []) if (!properties[name]) throw new DeclarationError(where, at(`except names unknown field "${name}"`))
  const aheadDays = declared.aheadDays ?? DEFAULT_AHEAD_DAYS
  if (!Number.isInteger(aheadDays) || aheadDays < 1 || aheadDays > 3660) throw new DeclarationError(where, at('aheadDays must be a whole number of days, 1 to 3660'))
  const unique = (input.indexes ?? []).filter((index) => index.unique).flatMap((index) => Object.keys(index.fields))
  const own = [declared.master, pattern.field, declared.instanceOf, declared.start, declared.end]
  const never = new Set([...own, ...facts.stamped, ...facts.secrets.map((s) => s.path), ...unique, ...(declared.except ?? [])])
  return { ...declared, except: declared.except ?? [], aheadDays, copied: Object.keys(properties).filter((name) => !never.has(name)) }
}

/** `cache`: `true` or bounds; refused over the collection's own read hooks, whose results may depend on more than the query. */
export function sanitizeCache(input: CollectionInput, where: string): Required<CacheInput> | undefined {
  if (input.cache === undefined) return undefined
  const declared = input.cache === true ? {} : input.cache
  if (!declared || typeof declared !== 'object') throw new DeclarationError(where, 'cache must be `true` or `{ ttlSeconds?, maxEntries? }`')
  const cache = { ...CACHE_DEFAULTS, ...declared }
  for (const [name, value] of Object.entries(cache)) {
    if (!Number.isInteger(value) || value < 1) throw new DeclarationError(where, `cache ${name} must be a positive whole number`)
  }
  const reads = ['all', 'find', 'get'] as const
  if (reads.some((method) => input.before?.[method]?.length || input.after?.[method]?.length)) {
    throw new DeclarationError(where, 'cache: this collection has its own find/get hooks, whose results may depend on more than the query; remove them or the cache')
  }
  return cache
}
