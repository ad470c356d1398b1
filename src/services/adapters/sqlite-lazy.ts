// Lazy records: a find's records that keep their stored text until something touches them. An export writes an
// untouched one's JSON from that text (no parse, no stringify); whatever reads, lists or changes one gets it parsed,
// once, and from then on it is a plain record like any other, so no hook can tell it from one parsed at once.
import { parseAsJSON } from './sqlite-json.js'

type Doc = Record<string, any>

/** Where an unopened record answers its stored text (a symbol no other code holds: asking for it opens nothing). */
const STORED_TEXT = Symbol('stored text')

/** A lazy record's traps: each opens it (parses its text into the proxy's target), then does as the target would. */
class Unopened implements ProxyHandler<Doc> {
  constructor(private _text: string | undefined) {}

  private _open(target: Doc): Doc {
    const text = this._text
    if (text === undefined) return target
    this._text = undefined
    const doc = parseAsJSON(text)
    // Defined, not assigned: a key `__proto__` stays a property, as in JSON.parse's own results.
    for (const key of Object.keys(doc)) Object.defineProperty(target, key, { value: doc[key], writable: true, enumerable: true, configurable: true })
    return target
  }

  get(target: Doc, key: string | symbol, receiver: unknown) {
    if (key === STORED_TEXT) return this._text
    return Reflect.get(this._open(target), key, receiver)
  }
  set(target: Doc, key: string | symbol, value: unknown, receiver: unknown) {
    return Reflect.set(this._open(target), key, value, receiver)
  }
  has(target: Doc, key: string | symbol) {
    return Reflect.has(this._open(target), key)
  }
  deleteProperty(target: Doc, key: string | symbol) {
    return Reflect.deleteProperty(this._open(target), key)
  }
  ownKeys(target: Doc) {
    return Reflect.ownKeys(this._open(target))
  }
  getOwnPropertyDescriptor(target: Doc, key: string | symbol) {
    return Reflect.getOwnPropertyDescriptor(this._open(target), key)
  }
  defineProperty(target: Doc, key: string | symbol, descriptor: PropertyDescriptor) {
    return Reflect.defineProperty(this._open(target), key, descriptor)
  }
  setPrototypeOf(target: Doc, prototype: object | null) {
    return Reflect.setPrototypeOf(this._open(target), prototype)
  }
  preventExtensions(target: Doc) {
    return Reflect.preventExtensions(this._open(target))
  }
}

/** The record `parseAsJSON(text)` to whoever looks at it, parsed when something first does. */
export const lazyRecord = (text: string): Doc => new Proxy({}, new Unopened(text))

/** The stored text of a lazy record that nothing has opened since the store gave it; `undefined` for any other value. */
export const storedTextOf = (record: unknown): string | undefined =>
  record !== null && typeof record === 'object' ? (record as { [STORED_TEXT]?: string })[STORED_TEXT] : undefined
