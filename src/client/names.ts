// Type names of a blueprint's collections (`appointments` → `Appointment`, `AppointmentData`, …), shared by the client and OpenAPI.
import type { Collection } from '../schemas/types.js'

/** Names the generated declarations define or use themselves; a collection's types must not shadow them. */
const RESERVED = new Set([
  'ServiceTypes', 'QuillbaseClient', 'QuillbaseService', 'AuthenticationResult', 'LoginCredentials', 'FieldQuery', 'TextQuery', 'ServiceEvents', 'ServiceDescription',
  'Paginated', 'Params', 'Id', 'NullableId', 'Application', 'ClientService', 'TransportConnection', 'AuthenticationClientOptions',
  'Socket', 'ManagerOptions', 'SocketOptions', 'Error', 'Record', 'Partial', 'Promise', 'Array', 'Date', 'Object', 'String',
  'Number', 'Boolean', 'Symbol', 'Function', 'Map', 'Set', 'Readonly', 'Pick', 'Omit', 'Exclude', 'Extract'
])

export const pascalCase = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')

/** English plural to singular for the last word of a collection name; good enough for type names, and collisions fall back. */
export function singular(word: string): string {
  if (/ies$/i.test(word) && word.length > 4) return word.slice(0, -3) + 'y'
  if (/(ss|x|ch|sh|z)es$/i.test(word)) return word.slice(0, -2)
  if (/(ss|us|is)$/i.test(word)) return word
  if (/s$/i.test(word) && word.length > 1) return word.slice(0, -1)
  return word
}

export interface CollectionTypeNames {
  /** The record as returned, e.g. `Appointment`. */
  result: string
  /** The record with only some fields (`$select`, field permissions): `_id` and any of the others. */
  partial: string
  data: string
  patch: string
  query: string
  /** Field conditions of a query (also the items of `$or` / `$and`). */
  queryFields: string
  /** A page of results: `{ total, limit, skip, data }`. */
  list: string
  service: string
  events: string
  /** Input of each declared action, e.g. `respond` → `AppointmentRespondData`. */
  actions: Record<string, string>
  /** The answer of a public lookup by a code and its service (`CertificateLookup`), where the collection declares one. */
  lookup?: { result: string; service: string }
  /** Each declared signal (`typing` → `ChatTypingSignalData`, what the sender sends; `ChatTypingSignal`, what the others receive; its service). */
  signals: Record<string, { data: string; event: string; service: string }>
}

function namesFrom(base: string, collection: Collection): CollectionTypeNames {
  return {
    result: base,
    partial: `${base}Partial`,
    data: `${base}Data`,
    patch: `${base}Patch`,
    query: `${base}Query`,
    queryFields: `${base}QueryFields`,
    list: `${base}List`,
    service: `${base}Service`,
    events: `${base}Events`,
    actions: Object.fromEntries(Object.keys(collection.actions).map((action) => [action, `${base}${pascalCase(action)}Data`])),
    ...(collection.publicLookup && { lookup: { result: `${base}Lookup`, service: `${base}LookupService` } }),
    signals: Object.fromEntries(
      Object.keys(collection.signals).map((signal) => {
        const name = `${base}${pascalCase(signal)}Signal`
        return [signal, { data: `${name}Data`, event: name, service: `${name}Service` }]
      })
    )
  }
}

const allNames = (names: CollectionTypeNames) => [
  names.result, names.partial, names.data, names.patch, names.query, names.queryFields, names.list, names.service, names.events, ...Object.values(names.actions),
  ...(names.lookup ? [names.lookup.result, names.lookup.service] : []),
  ...Object.values(names.signals).flatMap((signal) => [signal.data, signal.event, signal.service])
]

/** One set of names per collection, unique across the blueprint: singular first, then the plural, then a numbered name. */
export function typeNames(collections: Collection[]): Map<string, CollectionTypeNames> {
  const taken = new Set(RESERVED)
  const result = new Map<string, CollectionTypeNames>()
  for (const collection of collections) {
    const plural = pascalCase(collection.name)
    const words = collection.name.split('-')
    const singularName = pascalCase([...words.slice(0, -1), singular(words[words.length - 1])].join('-'))
    const candidates = [singularName, plural, `${plural}Record`]
    for (let n = 2; candidates.length < 10; n++) candidates.push(`${plural}${n}`)
    const names = candidates.map((base) => namesFrom(base, collection)).find((n) => allNames(n).every((name) => !taken.has(name)))
    if (!names) throw new Error(`No free type names for collection "${collection.name}"`)
    for (const name of allNames(names)) taken.add(name)
    result.set(collection.name, names)
  }
  return result
}
