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

/** `object[key] = value`, where a key `__proto__` (an own property of JSON.parse's results) stays a property. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown) {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  else object[key] = value
}

/** The document as JSON can hold it: dates tagged, `$`/dotted keys and strings that look like stored dates refused. */
function storable(value: unknown, key: string): unknown {
  if (typeof value === 'string') {
    if (value.charCodeAt(0) === 0xfdd0) throw new BadRequest(`Strings may not start with U+FDD0 (field '${key}')`)
    return value
  }
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Date) return encodeDate(value)
  if (Array.isArray(value)) return value.map((item, index) => storable(item, String(index)))
  // As JSON.stringify does: an object that says how it is written (an ObjectId, a Buffer) is written that way.
  if (typeof (value as any).toJSON === 'function') return storable((value as any).toJSON(key), key)
  const copy: Record<string, unknown> = {}
  for (const name of Object.keys(value)) {
    if (name.startsWith('$') || name.includes('.')) throw new BadRequest(`Invalid field name '${name}' in data`)
    setOwn(copy, name, storable((value as Record<string, unknown>)[name], name))
  }
  return copy
}

/**
 * Document → JSON text; refuses `$`/dotted keys (stores read them as operators and paths) and strings that look like
 * stored dates. A converted copy, then the native encoder: twice as fast as a replacer function, called for every value.
 */
export function stringify(doc: object): string {
  return JSON.stringify(storable(doc, ''))
}

const revived = (value: unknown) => (typeof value === 'string' && value.charCodeAt(0) === 0xfdd0 ? new Date(value.slice(1)) : value)

/** Tagged dates back to dates, in place (a walk after the native parse: a reviver function is called for every value). */
function revive(node: any): any {
  if (!node || typeof node !== 'object') return revived(node)
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) node[index] = revive(node[index])
    return node
  }
  for (const key of Object.keys(node)) {
    const value = node[key]
    if (value && typeof value === 'object') revive(value)
    else if (typeof value === 'string' && value.charCodeAt(0) === 0xfdd0) setOwn(node, key, revived(value))
  }
  return node
}

export const parse = (text: string): Record<string, any> => revive(JSON.parse(text))

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

const QUOTE = 0x22
const BACKSLASH = 0x5c
/** Before a string value's opening quote in `JSON.stringify`'s text: `:` (an object's value), `,` or `[` (an array's item). */
const beforeValue = (code: number) => code === 0x3a || code === 0x2c || code === 0x5b
/** After a value's closing quote: `,`, `}` or `]` (a key's is followed by `:`). */
const afterValue = (code: number) => code === 0x2c || code === 0x7d || code === 0x5d

/**
 * Stored text → the JSON text of the document with dates as ISO strings, without parsing it: the tag of each date
 * dropped. Only where every U+FDD0 of the text is a date's tag, at the start of a string value without escapes (a
 * quote inside a string is always escaped, so a quote after `:`, `,` or `[` opens one); anything else is `undefined`.
 * For a text `stringify` wrote it is exactly `JSON.stringify(parseAsJSON(text))`: that is its own output parsed and
 * written again (keys in the same order, numbers and strings spelled the same), less the tags.
 */
export function untagText(text: string): string | undefined {
  let at = text.indexOf(DATE_TAG)
  if (at < 0) return text
  let untagged = ''
  let from = 0
  for (; at >= 0; at = text.indexOf(DATE_TAG, at + 1)) {
    if (text.charCodeAt(at - 1) !== QUOTE || !beforeValue(text.charCodeAt(at - 2))) return undefined
    let end = at + 1
    // To the closing quote (past the end, charCodeAt is NaN): a date has no escape.
    for (let code = text.charCodeAt(end); code !== QUOTE; code = text.charCodeAt(++end)) if (code === BACKSLASH || Number.isNaN(code)) return undefined
    if (!afterValue(text.charCodeAt(end + 1))) return undefined
    untagged += text.slice(from, at)
    from = at + 1
  }
  return untagged + text.slice(from)
}

/**
 * Stored text → the document with dates as ISO strings (the engine's JSON shape), for callers that would turn each
 * `Date` of `parse` back into a string: a reviver costs ~3× the parse, this walk almost nothing. (Parsing `untagText`'s
 * text instead measured slower: its pieces are joined, then flattened, before the parse.)
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
