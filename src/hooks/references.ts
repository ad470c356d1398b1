// References between collections: targets must exist on write; removal restricts, cascades or nullifies as declared.
import { Conflict, Unprocessable } from '@feathersjs/errors'
import type { Application, HookContext, NextFunction } from '@feathersjs/feathers'
import { valuesAt } from '../schemas/paths.js'
import type { Collection, ReferenceInfo } from '../schemas/types.js'
import { recordsBefore } from './stored.js'

/** The service with its hookless `_methods` (the adapter layer). */
export const adapterOf = (app: Application, name: string): any => app.service(name)

/** Who points at a collection: the inverse of every declared reference, computed once per app. */
export type Referrers = Map<string, { collection: Collection; ref: ReferenceInfo }[]>

export function referrersOf(collections: Collection[]): Referrers {
  const referrers: Referrers = new Map()
  for (const collection of collections) {
    for (const ref of collection.references) {
      const list = referrers.get(ref.collection) ?? []
      list.push({ collection, ref })
      referrers.set(ref.collection, list)
    }
  }
  return referrers
}

export function references(collection: Collection, referrers: Referrers) {
  const checked = collection.references.filter((ref) => ref.check)
  const pointing = referrers.get(collection.name) ?? []

  async function checkTargets(app: Application, data: unknown) {
    for (const ref of checked) {
      const ids = [...new Set(valuesAt(data, ref.path).map(String))]
      if (!ids.length) continue
      const target = adapterOf(app, ref.collection)
      // An id the store could not hold (not an ObjectId on MongoDB) is a missing record too, not a bad query.
      const possible = ids.filter((id) => target.codec?.isId(id) ?? true)
      const found = possible.length ? ((await target._find({ paginate: false, query: { _id: { $in: possible }, $select: ['_id'] } })) as any[]) : []
      const missing = ids.filter((id) => !found.some((record) => record._id === id))
      if (missing.length) {
        throw new Unprocessable(`${ref.path} refers to a ${ref.collection} record that does not exist: ${missing.join(', ')}`, { [ref.path]: `no ${ref.collection} record ${missing[0]}` })
      }
    }
  }

  async function restrict(app: Application, ids: string[]) {
    for (const { collection: other, ref } of pointing) {
      if (ref.onDelete !== 'restrict') continue
      const found = (await adapterOf(app, other.name)._find({ paginate: false, query: { [ref.path]: { $in: ids }, $limit: 1, $select: ['_id'] } })) as any[]
      if (found.length) throw new Conflict(`Still referenced by ${other.name} (${ref.path}); remove or change those records first`, { collection: other.name, field: ref.path })
    }
  }

  async function release(app: Application, ids: string[]) {
    for (const { collection: other, ref } of pointing) {
      const service = adapterOf(app, other.name)
      const query = { [ref.path]: { $in: ids } }
      if (ref.onDelete === 'cascade') {
        await service.remove(null, { query })
      } else if (ref.onDelete === 'nullify') {
        const records = (await service._find({ paginate: false, query })) as any[]
        for (const record of records) await service.patch(record._id, detach(record, ref, ids), { skipDataValidation: true })
      }
    }
  }

  return async (context: HookContext, next: NextFunction) => {
    const { app, method } = context
    if (['create', 'update', 'patch'].includes(method) && context.data) await checkTargets(app, context.data)
    if (method !== 'remove' || !pointing.length) return next()
    const ids = context.id !== null ? [String(context.id)] : (await recordsBefore(context)).map((record) => record._id)
    // Nothing removed, nothing to release: a self-referencing cascade (events → their master) ends here.
    if (!ids.length) return next()
    await restrict(app, ids)
    await next()
    await release(app, ids)
  }
}

/** The change that lets go of removed ids: drop them from id lists, drop sub-documents naming them, null a single field. */
function detach(record: any, ref: ReferenceInfo, ids: string[]): Record<string, unknown> {
  const [top, ...rest] = ref.path.split('.')
  if (!rest.length) {
    return { [top]: Array.isArray(record[top]) ? record[top].filter((id: string) => !ids.includes(id)) : null }
  }
  if (!Array.isArray(record[top])) return { [top]: { ...record[top], [rest.join('.')]: null } }
  const items = record[top]
  return { [top]: items.filter((item: any) => !valuesAt(item, rest.join('.')).some((id) => ids.includes(String(id)))) }
}
