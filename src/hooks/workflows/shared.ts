// What every workflow hook needs: the records a call writes (before and after), condition matching, the caller's role.
import { createMongoAbility, subject } from '@casl/ability'
import type { Application, HookContext, NextFunction } from '@feathersjs/feathers'
import { adapterOf } from '../references.js'
import { recordsBefore } from '../stored.js'

export type Rec = Record<string, any>

export const WRITES = ['create', 'update', 'patch']
export const CHANGES = [...WRITES, 'remove']

export { adapterOf }

export const itemsOf = <T>(value: T | T[] | undefined | null): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value])

/** Runs the rest of the call; the records it changed as they were before, and as they are after (none after a remove). */
export async function changedBy(context: HookContext, next: NextFunction): Promise<{ before: Rec[]; after: Rec[] }> {
  const before = await recordsBefore(context)
  await next()
  return { before, after: context.method === 'remove' ? [] : itemsOf<Rec>(context.result) }
}

/** Neither missing nor null. */
export const present = (value: unknown) => value !== undefined && value !== null

/** How many stored records of `collection` match `query`, read beneath its hooks (the adapter's own count). */
export async function storedCount(app: Application, collection: string, query: Rec): Promise<number> {
  const page = await adapterOf(app, collection)._find({ query: { ...query, $limit: 0 }, paginate: { default: 1, max: 1 } })
  return page.total
}

/**
 * Writes a field the engine keeps (a count) beneath the hooks: no stamps, no audit entry, since nobody changed the
 * record; then tells its listeners and caches, as any change does.
 */
export async function patchKept(app: Application, collection: string, id: string, changes: Rec) {
  const record = await adapterOf(app, collection)._patch(id, changes)
  app.service(collection).emit('patched', record)
}

export const isEmpty = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)

/** Tests records against Mongo-style conditions with CASL's own matcher, so declarations use the permissions' syntax. */
export function matcher(conditions?: Record<string, unknown>): (record: Rec | undefined) => boolean {
  if (!conditions || !Object.keys(conditions).length) return (record) => !!record
  const ability = createMongoAbility([{ action: 'match', subject: 'record', conditions: conditions as any }])
  return (record) => !!record && ability.can('match', subject('record', { ...record }))
}

export { recordsBefore }

/** One record a call writes: as it was (update/patch), as it will be, and how to add to what is written. */
export interface Write {
  before?: Rec
  after: Rec
  /** Fields the caller's data carries for this record. */
  given: Rec
  /** Adds fields to the data written (for a multi-record patch, to every record). */
  set(changes: Rec): void
}

export async function writesOf(context: HookContext): Promise<Write[]> {
  const { method } = context
  if (!WRITES.includes(method) || !context.data) return []
  if (method === 'create') {
    return itemsOf<Rec>(context.data).map((item, index) => {
      const after = { ...item }
      return {
        after,
        given: item,
        set(changes: Rec) {
          if (Array.isArray(context.data)) context.data = context.data.map((d: Rec, i: number) => (i === index ? { ...d, ...changes } : d))
          else context.data = { ...context.data, ...changes }
          Object.assign(after, changes)
        }
      }
    })
  }
  const data: Rec = context.data
  return (await recordsBefore(context)).map((before) => {
    const after = method === 'update' ? { ...data, _id: before._id } : { ...before, ...data }
    return {
      before,
      after,
      given: data,
      set(changes: Rec) {
        context.data = { ...context.data, ...changes }
        Object.assign(after, changes)
      }
    }
  })
}

/** The caller's role name, whether the users' role field holds the name or a `roles` id (from the loaded roles). */
export async function callerRole(context: HookContext): Promise<string | undefined> {
  const user = context.params.user
  return user ? (context.app as any).permissions?.roleNameOf(user) : undefined
}

export const now = () => new Date().toISOString()

/** Money-safe sum: floating noise (0.1 + 0.2) rounded away at a millionth. */
export const tidy = (value: number) => Math.round(value * 1e6) / 1e6
