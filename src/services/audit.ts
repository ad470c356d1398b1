// The audit log: every create, update, patch, remove and action on every collection, from every transport and from
// internal calls, as one append-only entry per record: who, when, how, and the field-level change (before → after).
import { BadRequest, Forbidden, MethodNotAllowed, NotAuthenticated } from '@feathersjs/errors'
import type { HookContext, NextFunction, Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { authenticate } from '@feathersjs/authentication'
import { permittedFieldsOf } from '@casl/ability/extra'
import type { Permissions } from '../permissions/abilities.js'
import { asSubject } from '../permissions/access.js'
import { recordsBefore } from '../hooks/stored.js'
import { validation } from '../hooks/validate.js'
import { maskValue } from '../hooks/workflows/masking.js'
import { mapAt } from '../schemas/paths.js'
import { DateTime, Enum, Type } from '../schemas/fields.js'
import { sanitizeCollection } from '../schemas/sanitize.js'
import type { Collection } from '../schemas/types.js'
import type { Store } from './store.js'
import { AUDIT_PATH } from '../permissions/vocabulary.js'

export { AUDIT_PATH }
/** Longest JSON kept for one value; longer ones are cut and marked. */
const MAX_VALUE = 4000
const REDACTED = '"[redacted]"'

declare module '@feathersjs/feathers' {
  interface Params {
    /** Who and what an internal call is, for its audit entries: the CLI, a job, or an action's own patch. */
    audit?: { actor?: 'cli' | 'job' | 'anonymous'; method?: string; transport?: string }
  }
}

export function auditCollection(retentionDays: number) {
  return sanitizeCollection({
    name: AUDIT_PATH,
    description: 'Every change to every record: who, when, through what, and each changed field before and after. Append-only.',
    schema: Type.Object({
      collection: Type.String({ maxLength: 100 }),
      recordId: Type.String({ maxLength: 100 }),
      method: Type.String({ maxLength: 100, description: 'create, update, patch, remove, or the action' }),
      transport: Type.String({ maxLength: 20, description: 'rest, socketio, admin, or internal' }),
      actor: Enum(['user', 'anonymous', 'engine', 'cli', 'job']),
      actorId: Type.Optional(Type.String({ maxLength: 100, description: 'the signed-in user' })),
      at: DateTime(),
      changes: Type.Array(
        Type.Object({
          field: Type.String({ maxLength: 200 }),
          before: Type.Optional(Type.String({ maxLength: MAX_VALUE + 20, description: 'JSON of the value before; absent when there was none' })),
          after: Type.Optional(Type.String({ maxLength: MAX_VALUE + 20, description: 'JSON of the value after; absent when removed' }))
        }),
        { maxItems: 1000 }
      )
    }),
    timestamps: false,
    indexes: [
      { fields: { collection: 1, recordId: 1, at: -1 } },
      { fields: { actorId: 1, at: -1 } },
      { fields: { at: 1 }, expireAfterSeconds: Math.round(retentionDays * 86400) }
    ],
    pagination: { default: 50, max: 200 }
  })
}

type Rec = Record<string, any>

/** A value's JSON text as kept: cut and marked past MAX_VALUE. */
const kept = (text: string) => (text.length > MAX_VALUE ? JSON.stringify(`${text.slice(0, MAX_VALUE)}…(cut)`) : text)

type Mask = NonNullable<Collection['masks']>[number]
/**
 * What a collection's entries hide: the top-level fields of its secrets (only said to change, nested secrets included)
 * and, per top-level field, the masks on it or inside it (`emergencyContacts.phone`, through arrays too).
 */
interface Hidden {
  secrets: Set<string>
  masks: Map<string, { path: string[]; mask: Mask }[]>
}
/** Worked out once per collection, when its hook is made: the declaration does not change while the app runs. */
function hiddenOf(collection: Collection): Hidden {
  const masks = new Map<string, { path: string[]; mask: Mask }[]>()
  for (const mask of collection.masks ?? []) {
    const [field, ...path] = mask.path.split('.')
    masks.set(field, [...(masks.get(field) ?? []), { path, mask }])
  }
  return { secrets: new Set(collection.secrets.map((secret) => secret.path.split('.')[0])), masks }
}

/** A value as its entry keeps it: redacted if secret, its masked strings masked, else its JSON text (cut past MAX_VALUE). */
function shown(hidden: Hidden, field: string, value: unknown, text: string) {
  if (hidden.secrets.has(field)) return REDACTED
  const masks = hidden.masks.get(field)
  if (!masks) return kept(text)
  let masked = value
  for (const { path, mask } of masks) masked = mapAt(masked, path, (inner) => (typeof inner === 'string' ? maskValue(inner, mask) : inner))
  return kept(JSON.stringify(masked))
}

type Change = { field: string; before?: string; after?: string }

/** One field's change, or nothing when its value is the same JSON before and after. */
function changeOf(hidden: Hidden, field: string, was: unknown, is: unknown): Change | undefined {
  // Each value stringified once: to compare, and as the text kept.
  const wasText = JSON.stringify(was)
  const isText = JSON.stringify(is)
  if (wasText === isText) return undefined
  const change: Change = { field }
  if (was !== undefined) change.before = shown(hidden, field, was, wasText)
  if (is !== undefined) change.after = shown(hidden, field, is, isText)
  return change
}

/** The top-level fields that differ, as JSON text; secrets only say that they changed, masked fields are kept masked. */
function changesOf(hidden: Hidden, before: Rec | undefined, after: Rec | undefined): Change[] {
  const changes: Change[] = []
  const add = (field: string) => {
    if (field === '_id') return
    const change = changeOf(hidden, field, before?.[field], after?.[field])
    if (change) changes.push(change)
  }
  // Every field of either side once: those of `before`, then those only `after` has.
  if (before) for (const field of Object.keys(before)) add(field)
  if (after) for (const field of Object.keys(after)) if (!before || !Object.hasOwn(before, field)) add(field)
  return changes
}

/**
 * The collection hook that writes the entries, innermost (next to the adapter), so it sees the stored records before
 * and the results after, and writes in the same transaction as the change on the embedded store.
 */
export function audited(collection: Collection, entries: () => any) {
  const hidden = hiddenOf(collection)
  return async (context: HookContext, next: NextFunction) => {
    const method = context.method
    const writes = method === 'create' || method === 'update' || method === 'patch' || method === 'remove'
    if (!writes) return next()
    const before = method === 'create' ? [] : await recordsBefore(context)
    await next()
    const results: Rec[] = [context.result].flat().filter(Boolean)
    const byId = new Map(before.map((record) => [String(record._id), record]))
    const { params } = context
    const at = new Date().toISOString()
    const who = params.user?._id !== undefined
      ? { actor: 'user', actorId: String(params.user._id) }
      : { actor: params.audit?.actor ?? (params.provider ? 'anonymous' : 'engine') }
    const items = (method === 'remove' ? before : results).map((record) => {
      const id = String(record._id)
      const old = method === 'create' ? undefined : byId.get(id)
      return {
        collection: collection.name,
        recordId: id,
        method: params.audit?.method ?? method,
        transport: params.audit?.transport ?? params.provider ?? 'internal',
        ...who,
        at,
        changes: changesOf(hidden, old, method === 'remove' ? undefined : record)
      }
    })
    // Nothing reads the stored entries back here: the store only inserts them (no parse on SQLite, no find on MongoDB).
    if (items.length) await entries()._create(items, { resultsUnread: true })
  }
}

/** Internal calls included: the only way in is the engine's `_create`. */
function appendOnly(context: HookContext, next: NextFunction) {
  if (!['find', 'get'].includes(context.method)) throw new MethodNotAllowed('The audit log is append-only')
  return next()
}

/**
 * What a history query may name, besides `collection` and `recordId`: an entry's own facts, which its reader sees whole.
 * Never `changes` (nor `$or`/`$and`, which could hold it): which entries match, and their total, would tell the values
 * of fields the reader may not read, one guess at a time.
 */
const HISTORY_FIELDS = new Set(['collection', 'recordId', 'method', 'transport', 'actor', 'actorId', 'at'])
const HISTORY_QUERY = new Set([...HISTORY_FIELDS, '$sort', '$limit', '$skip', '$select'])

function checkHistoryQuery(query: Rec) {
  const named = [...Object.keys(query).filter((key) => !HISTORY_QUERY.has(key)), ...Object.keys(query.$sort ?? {}).filter((key) => !HISTORY_FIELDS.has(key))]
  if (named.length) {
    throw new BadRequest(`A record's history is filtered and sorted by ${[...HISTORY_FIELDS].slice(2).join(', ')} only (not ${named[0]})`, { [named[0]]: 'is not a history filter' })
  }
}

/**
 * Reading the log: a caller who may `read` the `audit-log` subject (an Admin: `manage all`) reads every entry; anyone
 * else only the history of one record they may read now (`collection` and `recordId` in the query, filtered by the
 * entries' own facts: `HISTORY_FIELDS`): the entries that changed a field they may read on it, each change limited
 * to those fields. Nothing writes through
 * the service: the engine appends with `_create`.
 */
function auditAccess(app: EngineApp, permissions: Permissions) {
  return async (context: HookContext, next: NextFunction) => {
    if (!context.params.provider) return next()
    const ability = await permissions.abilityFor(context.params.user)
    if (ability.can('read', AUDIT_PATH) && !ability.rulesFor('read', AUDIT_PATH).some((rule) => rule.conditions || rule.fields)) return next()
    const query = context.params.query ?? {}
    const target = app.blueprint.collections.find((c) => c.name === query.collection)
    if (context.method !== 'find' || !target || typeof query.recordId !== 'string') {
      if (!context.params.user) throw new NotAuthenticated('Not authenticated')
      throw new Forbidden("You may read the history of a record you may read: GET /audit-log?collection=<name>&recordId=<id>")
    }
    checkHistoryQuery(query)
    // The record as this caller may read it now (404 / 403 otherwise, through the collection's own hooks).
    const { provider, user, authentication, authenticated, ip } = context.params
    const record = await app.service(target.name).get(query.recordId, { provider, user, authentication, authenticated, ip, counted: true } as Params)
    const readable = new Set(permittedFieldsOf(ability, 'read', asSubject(target.name, record), { fieldsFrom: (rule) => rule.fields || target.fields }))
    // Only entries that changed a field this caller may read, its timestamps aside: an entry of hidden changes alone
    // still told who did what and when (a password reset asked for, an attendee's response through its actorId).
    // In the query, so that totals and pages count only those.
    const stamps = new Set([target.timestamps.createdAt, target.timestamps.updatedAt])
    const shown = [...readable].filter((field) => !stamps.has(field))
    context.params.query = { ...context.params.query, 'changes.field': { $in: shown } }
    await next()
    // An entry without its changes (`$select` left them out) has none to limit (it was a 500).
    const limit = (entry: Rec) => (entry.changes ? { ...entry, changes: entry.changes.filter((change: Rec) => readable.has(change.field)) } : entry)
    const result = context.result
    context.result = Array.isArray(result) ? result.map(limit) : result?.data ? { ...result, data: result.data.map(limit) } : limit(result)
  }
}

/** Registers `GET /audit-log` (find and get only, REST and Socket.io) and returns the store service the hooks append to. */
export async function setupAudit(app: EngineApp, store: Store, permissions: Permissions, collection: Collection) {
  const service = await store.createService(collection)
  app.use(AUDIT_PATH, service, { methods: ['find', 'get'], events: [] })
  const jwt = authenticate('jwt')
  app.service(AUDIT_PATH).hooks({
    around: {
      all: [
        (context: HookContext, next: NextFunction) => (context.params.authentication ? jwt(context, next) : next()),
        appendOnly,
        validation(collection),
        auditAccess(app, permissions)
      ]
    }
  } as any)
  // No realtime events: entries are appended with `_create`, which emits none, and nothing publishes them.
  app.service(AUDIT_PATH).publish(() => null as any)
  await store.ensureIndexes(collection)
  return service
}
