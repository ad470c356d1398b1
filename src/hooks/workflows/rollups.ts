// Rollups: a parent's fields kept equal to aggregates of its children (a bill's amountPaid = sum of its successful payments).
import type { Application, HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, RollupAggregate, RollupInput } from '../../schemas/types.js'
import { adapterOf, CHANGES, itemsOf, matcher, type Rec, recordsBefore, tidy } from './shared.js'

function aggregate(spec: RollupAggregate, children: Rec[], createdAt: string | false): unknown {
  if ('count' in spec) return children.length
  if ('sum' in spec) return tidy(children.reduce((total, child) => total + (Number(child[spec.sum]) || 0), 0))
  if ('collect' in spec) {
    const values = children.map((child) => child[spec.collect]).filter((value) => value !== undefined && value !== null)
    return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  }
  const field = 'min' in spec ? spec.min : 'max' in spec ? spec.max : spec.last
  const present = children.filter((child) => child[field] !== undefined && child[field] !== null)
  if (!present.length) return undefined
  if ('last' in spec) {
    const by = spec.by ?? createdAt
    const ordered = by ? [...present].sort((a, b) => (a[by] < b[by] ? -1 : a[by] > b[by] ? 1 : 0)) : present
    return ordered[ordered.length - 1][field]
  }
  const values = present.map((child) => child[field]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return 'min' in spec ? values[0] : values[values.length - 1]
}

async function recompute(app: Application, parent: string, rollup: RollupInput, child: Collection, id: string) {
  const counts = matcher(rollup.where)
  const children = ((await adapterOf(app, rollup.from)._find({ paginate: false, query: { [rollup.via]: id } })) as Rec[]).filter(counts)
  const values: Rec = {}
  for (const [field, spec] of Object.entries(rollup.set)) {
    const value = aggregate(spec, children, child.timestamps.createdAt)
    if (value !== undefined) values[field] = value
  }
  // Through the parent's service: its derive, state machine, triggers and events all apply.
  await app.service(parent).patch(id, values)
}

/** The hook a child collection gets for every rollup some parent declares over it; none when no parent does. */
export function rollupsOver(child: Collection, collections: Collection[]) {
  const declared = collections.flatMap((parent) => (parent.rollups ?? []).filter((r) => r.from === child.name).map((rollup) => ({ parent: parent.name, rollup })))
  if (!declared.length) return undefined
  return async (context: HookContext, next: NextFunction) => {
    if (!CHANGES.includes(context.method)) return next()
    const before = await recordsBefore(context)
    await next()
    const records = [...before, ...itemsOf<Rec>(context.result)]
    for (const { parent, rollup } of declared) {
      const ids = new Set(records.map((record) => record?.[rollup.via]).filter((id) => id !== undefined && id !== null).map(String))
      for (const id of ids) {
        const exists = await adapterOf(context.app, parent)._find({ paginate: false, query: { _id: id, $limit: 1, $select: ['_id'] } })
        if (exists.length) await recompute(context.app, parent, rollup, child, id)
      }
    }
  }
}
