// Forward-only fields (`forwardOnly`): an enum moves along its declared order, a number or date never to a smaller value,
// and a value once set is never cleared; on every call (409 otherwise), after the other workflows filled their fields in.
import { Conflict } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection } from '../../schemas/types.js'
import { isEmpty, writesOf } from './shared.js'

/** Where a value stands: its place in the order, the number, or the date's time. */
const rankOf = (value: unknown, order?: string[]) =>
  order ? order.indexOf(value as string) : typeof value === 'number' ? value : Date.parse(value instanceof Date ? value.toISOString() : String(value))

export function forwardOnly(collection: Collection) {
  return async (context: HookContext, next: NextFunction) => {
    for (const write of await writesOf(context)) {
      if (!write.before) continue
      for (const { field, order } of collection.forwardOnly) {
        const from = write.before[field]
        if (isEmpty(from)) continue
        const to = write.after[field]
        const shown = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value))
        if (isEmpty(to)) throw new Conflict(`${field} moves forward only: once set (${shown(from)}) it cannot be cleared`, { field, from })
        if (rankOf(to, order) < rankOf(from, order)) {
          throw new Conflict(`${field} moves forward only: it cannot go back from ${shown(from)} to ${shown(to)}${order ? ` (order: ${order.join(' → ')})` : ''}`, { field, from, to })
        }
      }
    }
    return next()
  }
}
