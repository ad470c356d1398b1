// Counts: a field kept equal to the number of records of another collection that use this record (a category's usage
// count). Each change of a using record moves the count by one, in the change's transaction on the embedded store
// (an atomic `$inc` on both stores, so concurrent writes never lose one); a change of this record's own key or scope
// counts again. Rollups reread every child for their aggregates; a count is adjusted, for parents with many children.
import type { Application, HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, Count } from '../../schemas/types.js'
import { adapterOf, CHANGES, changedBy, itemsOf, matcher, patchKept, present, type Rec, recordsBefore, storedCount } from './shared.js'

/** The scope of a record as a query: its values, `$exists: false` where it has none. */
const scopeOf = (count: Count, record: Rec) => Object.fromEntries(count.scope.map((field) => [field, present(record[field]) ? record[field] : { $exists: false }]))

const isShared = (count: Count, record: Rec) => count.scope.length > 0 && count.scope.every((field) => !present(record[field]))

const ids = async (app: Application, collection: string, query: Rec) =>
  ((await adapterOf(app, collection)._find({ paginate: false, query: { ...query, $select: ['_id'] } })) as Rec[]).map((record) => String(record._id))

/** The records a using record counts towards: its own scope's with that key, else the shared ones. */
async function countedIn(app: Application, parent: string, count: Count, child: Rec): Promise<string[]> {
  const value = child[count.via]
  if (!present(value)) return []
  const own = await ids(app, parent, { [count.key]: value, ...scopeOf(count, child) })
  if (own.length || !count.scope.length || isShared(count, child)) return own
  return ids(app, parent, { [count.key]: value, ...scopeOf(count, {}) })
}

/** How many records use `parent` now: for a shared one, those whose scope has no record of its own with that key. */
async function countOf(app: Application, parentName: string, count: Count, parent: Rec): Promise<number> {
  const value = parent[count.key]
  if (!present(value)) return 0
  const query: Rec = { [count.via]: value }
  if (isShared(count, parent)) {
    const scoped = (await adapterOf(app, parentName)._find({ paginate: false, query: { [count.key]: value, $or: count.scope.map((field) => ({ [field]: { $exists: true } })) } })) as Rec[]
    if (scoped.length) query.$nor = scoped.map((record) => scopeOf(count, record))
  } else Object.assign(query, scopeOf(count, parent))
  return storedCount(app, count.from, count.where ? { $and: [count.where, query] } : query)
}

/** The hook of a counted collection (events): moves the counts its records' changes move. None when nothing counts it. */
export function countsOver(child: Collection, collections: Collection[]) {
  const declared = collections.flatMap((parent) => (parent.counts ?? []).filter((count) => count.from === child.name).map((count) => ({ parent: parent.name, count, counts: matcher(count.where) })))
  if (!declared.length) return undefined
  return async (context: HookContext, next: NextFunction) => {
    if (!CHANGES.includes(context.method)) return next()
    const { before, after } = await changedBy(context, next)
    for (const { parent, count, counts } of declared) {
      const deltas = new Map<string, number>()
      // Many records of one call (a series' instances) mostly share their target: found once.
      const found = new Map<string, Promise<string[]>>()
      const move = async (record: Rec, by: number) => {
        if (!counts(record)) return
        const target = JSON.stringify([record[count.via], ...count.scope.map((field) => record[field])])
        if (!found.has(target)) found.set(target, countedIn(context.app, parent, count, record))
        for (const id of await found.get(target)!) deltas.set(id, (deltas.get(id) ?? 0) + by)
      }
      for (const record of before) await move(record, -1)
      for (const record of after) await move(record, 1)
      for (const [id, by] of deltas) if (by) await patchKept(context.app, parent, id, { $inc: { [count.field]: by } })
    }
  }
}

/** The hook of a collection that declares counts: a new record starts counted, its key or scope changing counts again. */
export function keptCounts(collection: Collection) {
  const counts = collection.counts ?? []
  return async (context: HookContext, next: NextFunction) => {
    const { app, method } = context
    if (!CHANGES.includes(method)) return next()
    if (method === 'create') {
      for (const item of itemsOf<Rec>(context.data)) for (const count of counts) item[count.field] = await countOf(app, collection.name, count, item)
    } else if (method !== 'remove' && context.data) {
      const stored = await recordsBefore(context)
      // Only the engine writes a count: a full replace keeps it, a patch leaves it.
      for (const count of counts) {
        if (method === 'update') context.data = { ...context.data, [count.field]: stored[0]?.[count.field] ?? 0 }
        else if (count.field in context.data) context.data = Object.fromEntries(Object.entries(context.data).filter(([key]) => key !== count.field))
      }
    }
    const { before, after } = await changedBy(context, next)
    for (const count of counts) {
      const moved = (record: Rec) => [count.key, ...count.scope].some((field) => JSON.stringify(record[field]) !== JSON.stringify(before.find((b) => b._id === record._id)?.[field]))
      // This record counted again when its key or scope moved; the shared records of the keys it left and took, which it takes from or gives back to.
      const keys = new Set<unknown>()
      for (const record of after.filter((r) => method === 'create' || moved(r))) {
        if (method !== 'create') await patchKept(app, collection.name, record._id, { [count.field]: await countOf(app, collection.name, count, record) })
        if (!isShared(count, record)) keys.add(record[count.key])
      }
      for (const record of before.filter((b) => method === 'remove' || after.some((a) => a._id === b._id && moved(a)))) if (!isShared(count, record)) keys.add(record[count.key])
      if (!count.scope.length) continue
      for (const key of keys) {
        for (const id of await ids(app, collection.name, { [count.key]: key, ...scopeOf(count, {}) })) {
          const shared = await adapterOf(app, collection.name)._get(id)
          await patchKept(app, collection.name, id, { [count.field]: await countOf(app, collection.name, count, shared) })
        }
      }
    }
  }
}
