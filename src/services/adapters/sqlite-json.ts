// How a document is kept in SQLite: JSON text, with dates as tagged ISO strings so they compare and sort as dates.
import { BadRequest } from '@feathersjs/errors'

/**
 * A date is stored as U+FDD0 (a Unicode noncharacter, never in interchange text) followed by its ISO
 * string: tagged dates sort and compare among themselves in time order, and after every other string
 * below U+FDD0, which keeps MongoDB's "strings before dates" order for ordinary text.
 */
export const DATE_TAG = '\uFDD0'
/** Every tagged date is below this bound: `value >= DATE_TAG AND value < DATE_END` selects exactly the dates. */
export const DATE_END = '\uFDD1'

export const encodeDate = (date: Date) => {
  if (Number.isNaN(date.getTime())) throw new BadRequest('Invalid date')
  return DATE_TAG + date.toISOString()
}

/** Only plain identifiers reach SQL text (JSON paths must be literals for SQLite to match its expression indexes). */
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The SQL JSON path (`$.Attendees.DeveloperId`) of a dotted field path; anything else is a 400. */
export function jsonPath(path: string): string {
  const segments = path.split('.')
  if (!segments.every((segment) => SEGMENT.test(segment))) throw new BadRequest(`Invalid field name '${path}'`)
  return `$.${segments.join('.')}`
}

/** A SQL string literal of a validated path; safe because `jsonPath` admits only identifier characters. */
export const pathLiteral = (path: string) => `'${jsonPath(path)}'`

function checkKey(key: string) {
  if (key.startsWith('$') || key.includes('.')) throw new BadRequest(`Invalid field name '${key}' in data`)
}

/** Document → JSON text; refuses `$`/dotted keys (stores read them as operators and paths) and strings that look like stored dates. */
export function stringify(doc: object): string {
  return JSON.stringify(doc, function (this: any, key: string, value: unknown) {
    const raw = this[key]
    if (raw instanceof Date) return encodeDate(raw)
    if (typeof value === 'string' && value.startsWith(DATE_TAG)) throw new BadRequest(`Strings may not start with U+FDD0 (field '${key}')`)
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const name of Object.keys(value)) checkKey(name)
    return value
  })
}

const revive = (_key: string, value: unknown) =>
  typeof value === 'string' && value.charCodeAt(0) === 0xfdd0 ? new Date(value.slice(1)) : value

export const parse = (text: string): Record<string, any> => JSON.parse(text, revive)

/** Tagged dates of a freshly parsed document → their ISO strings, in place (what `parse` then `toISOString()` gives). */
function untag(node: any) {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const value = node[i]
      if (typeof value === 'string') {
        if (value.charCodeAt(0) === 0xfdd0) node[i] = value.slice(1)
      } else if (value && typeof value === 'object') untag(value)
    }
    return node
  }
  for (const key in node) {
    const value = node[key]
    if (typeof value === 'string') {
      if (value.charCodeAt(0) === 0xfdd0) node[key] = value.slice(1)
    } else if (value && typeof value === 'object') untag(value)
  }
  return node
}

/**
 * Stored text → the document with dates as ISO strings (the engine's JSON shape), for callers that would turn each
 * `Date` of `parse` back into a string: a reviver costs ~3× the parse, this walk almost nothing.
 */
export const parseAsJSON = (text: string): Record<string, any> => (text.includes(DATE_TAG) ? untag(JSON.parse(text)) : JSON.parse(text))

/** A query operand → a value SQLite can bind (dates tagged; booleans and null are tested by type, never bound). */
export function bindable(value: unknown): string | number {
  if (value instanceof Date) return encodeDate(value)
  if (typeof value === 'string' || typeof value === 'number') return value
  throw new BadRequest(`Cannot compare with ${JSON.stringify(value)}`)
}

/** The JSON type SQLite reports (`json_type`) for a JS value, as the index table stores it. */
export function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'real'
  if (typeof value === 'string' || value instanceof Date) return 'text'
  return Array.isArray(value) ? 'array' : 'object'
}
