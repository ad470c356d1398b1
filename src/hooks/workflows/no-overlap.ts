// No overlap: two records of one scope (e.g. approved bookings of one amenity) may not share a moment of time (409).
import { Conflict, Unprocessable } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, NoOverlapInput } from '../../schemas/types.js'
import { matcher, type Rec, type Write, writesOf } from './shared.js'

const clashes = (rule: NoOverlapInput, a: Rec, b: Rec) =>
  rule.scope.every((field) => String(a[field]) === String(b[field])) && new Date(a[rule.start]) < new Date(b[rule.end]) && new Date(a[rule.end]) > new Date(b[rule.start])

/** One key per rule and scope (e.g. the amenity): writes of one scope are serialized, writes of two others are not. */
const scopeKey = (collection: Collection, rule: NoOverlapInput, record: Rec) =>
  `noOverlap:${collection.name}:${collection.noOverlap!.indexOf(rule)}:${JSON.stringify(rule.scope.map((field) => String(record[field])))}`

export function noOverlap(collection: Collection) {
  const rules = (collection.noOverlap ?? []).map((rule) => ({ rule, applies: matcher(rule.when) }))
  const label = collection.label.toLowerCase()
  /**
   * Check and write happen one call at a time, so two concurrent calls cannot both pass the check: inside a transaction
   * because the store serializes the scope (the embedded store's writers take turns; on MongoDB two transactions of one
   * scope conflict and the later is tried again); else through this queue (one app instance per store).
   */
  let queue: Promise<unknown> = Promise.resolve()

  async function check(context: HookContext, checked: { rule: NoOverlapInput; write: Write }[]) {
    for (const [index, { rule, write }] of checked.entries()) {
      const record = write.after
      const query: Rec = { ...rule.when, [rule.start]: { $lt: record[rule.end] }, [rule.end]: { $gt: record[rule.start] }, $limit: 1 }
      for (const field of rule.scope) query[field] = record[field]
      if (write.before) query._id = { $ne: write.before._id }
      const [clash] = await (context.service as any)._find({ paginate: false, query })
      const sibling = checked.slice(0, index).find((other) => other.rule === rule && clashes(rule, other.write.after, record))
      const other = clash ?? sibling?.write.after
      if (other) {
        throw new Conflict(rule.message ?? `This ${label} overlaps another (${other[rule.start]} – ${other[rule.end]})`, {
          conflictsWith: other._id,
          [rule.start]: other[rule.start],
          [rule.end]: other[rule.end]
        })
      }
    }
  }

  return async (context: HookContext, next: NextFunction) => {
    const checked: { rule: NoOverlapInput; write: Write }[] = []
    for (const write of await writesOf(context)) {
      for (const { rule, applies } of rules) {
        if (!applies(write.after) || !write.after[rule.start] || !write.after[rule.end]) continue
        if (new Date(write.after[rule.start]) >= new Date(write.after[rule.end])) {
          throw new Unprocessable(`${rule.end} must be after ${rule.start}`, { [rule.end]: `must be after ${rule.start}` })
        }
        checked.push({ rule, write })
      }
    }
    if (!checked.length) return next()
    const store = (context.app as any).store
    if (store?.inTransaction()) {
      for (const { rule, write } of checked) await store.serialize(scopeKey(collection, rule, write.after))
      await check(context, checked)
      return next()
    }
    const turn = queue.then(async () => {
      await check(context, checked)
      await next()
    })
    queue = turn.catch(() => {})
    return turn
  }
}
