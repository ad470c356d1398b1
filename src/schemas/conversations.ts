// Checks of the declarations conversations are made of: whom a trigger's records go to (`forEach.added`, `with`),
// signals relayed to a record's readers (typing), and unread counts kept for each reader.
import { DeclarationError } from './errors.js'
import { singleReference, withScopes } from './outputs.js'
import type { Collection, CollectionInput, JsonSchema, SignalInput, TriggerAdded, TriggerInput, Unread } from './types.js'

const SIGNAL_NAME = /^[a-z][A-Za-z0-9]*$/
const RESERVED_METHODS = ['find', 'get', 'create', 'update', 'patch', 'remove', 'setup', 'teardown', 'publish', 'created', 'updated', 'patched', 'removed']
/** Keys of a relayed signal the engine sets. */
export const SIGNAL_KEYS = ['id', 'from']
/** Template scopes a trigger always has. */
const TRIGGER_SCOPES = ['record', 'user', 'now', 'each', 'data', 'match']

export const isAdded = (forEach: TriggerInput['forEach']): forEach is TriggerAdded => !!forEach && 'added' in forEach

/** `signals` of one collection: camelCase names no method or event has, an object schema without the engine's keys, a sane limit. */
export function sanitizeSignals(input: CollectionInput, where: string): Collection['signals'] {
  const signals: Collection['signals'] = {}
  for (const [name, signal] of Object.entries(input.signals ?? {})) {
    const at = `signal "${name}"`
    if (!SIGNAL_NAME.test(name) || RESERVED_METHODS.includes(name) || name in (input.actions ?? {}) || (input.events ?? []).includes(name)) {
      throw new DeclarationError(where, `${at} must be a camelCase name that is not a service method, action or event`)
    }
    const schema = signal?.data as JsonSchema | undefined
    if (schema?.type !== 'object' || !schema.properties) throw new DeclarationError(where, `${at}: \`data\` must be a Type.Object() schema`)
    const taken = SIGNAL_KEYS.filter((key) => key in schema.properties)
    if (taken.length) throw new DeclarationError(where, `${at}: data may not declare ${taken.join(', ')} (the engine sets them)`)
    const perMinute = signal.perMinute ?? 30
    if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > 600) throw new DeclarationError(where, `${at}: perMinute must be a whole number from 1 to 600`)
    signals[name] = { ...(signal as SignalInput), perMinute }
  }
  return signals
}

/** `unread` of one collection, its own fields: a read-only integer, a key, a single reference to the reader, a date-time read mark. */
export function sanitizeUnread(input: CollectionInput, where: string): Omit<Unread, 'createdAt'>[] {
  const properties = (input.schema as JsonSchema).properties
  return Object.entries(input.unread ?? {}).map(([field, unread]) => {
    const at = `unread "${field}"`
    const kept = properties[field]
    if (kept?.type !== 'integer' || !kept.readOnly) throw new DeclarationError(where, `${at} must be a top-level Type.Integer() field declared readOnly (the engine keeps it)`)
    if (!properties[unread.key]) throw new DeclarationError(where, `${at}: key "${unread.key}" is not a top-level field`)
    if (!properties[unread.reader]?.['x-ref']) throw new DeclarationError(where, `${at}: reader "${unread.reader}" must be a single Ref() field`)
    if (properties[unread.readUntil]?.format !== 'date-time') throw new DeclarationError(where, `${at}: readUntil "${unread.readUntil}" must be a DateTime() field`)
    return { field, ...unread }
  })
}

/** What needs the other collections: trigger recipients and `with` records, the counted collection of each unread count. */
export function checkConversations(collections: Collection[], users: Collection) {
  const byName = new Map(collections.map((c) => [c.name, c]))
  for (const c of collections) {
    const where = `collection "${c.name}"`
    for (const trigger of c.triggers ?? []) {
      const at = `${where} trigger creating "${trigger.create}"`
      withScopes(c, byName, trigger.with, at, TRIGGER_SCOPES)
      if (!isAdded(trigger.forEach)) continue
      const { added, readersOnly } = trigger.forEach
      if (c.schema.properties[added]?.type !== 'array') throw new DeclarationError(at, `forEach.added "${added}" must be a top-level array field`)
      const items = c.references.find((ref) => ref.path === added && ref.many)
      if (readersOnly && items?.collection !== users.name) throw new DeclarationError(at, `forEach.readersOnly needs "${added}" to be an array of Ref('${users.name}')`)
    }
    for (const unread of c.unread) {
      const at = `${where} unread "${unread.field}"`
      const from = byName.get(unread.from)
      if (!from) throw new DeclarationError(at, `from names unknown collection "${unread.from}"`)
      if (!from.timestamps.createdAt) throw new DeclarationError(at, `"${from.name}" needs a creation timestamp (records created after the read mark count)`)
      const via = singleReference(from, unread.via)
      const key = singleReference(c, unread.key)
      if (!via || !key || via.collection !== key.collection) throw new DeclarationError(at, `"${from.name}.${unread.via}" and "${c.name}.${unread.key}" must be single references to the same collection`)
      if (singleReference(c, unread.reader)?.collection !== users.name) throw new DeclarationError(at, `reader "${unread.reader}" must be a single Ref('${users.name}')`)
      if (unread.author !== undefined && singleReference(from, unread.author)?.collection !== users.name) throw new DeclarationError(at, `author "${unread.author}" must be a single Ref('${users.name}') of "${from.name}"`)
      unread.createdAt = from.timestamps.createdAt
    }
  }
}
