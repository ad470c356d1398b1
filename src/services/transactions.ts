// Transactions: a call and every write its hooks make (checks, rollups, triggered records, nested calls) commit or roll
// back together; the events of a transaction wait for its commit, so no listener sees a change that was undone.
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { isPlainObject } from '../schemas/paths.js'
import type { Store } from './store.js'

const READS = ['find', 'get']

/** The call's arguments as given, before its hooks replace or set their keys (data and params are copied one level deep). */
const copyArguments = (args: unknown[]) => args.map((arg) => (Array.isArray(arg) ? [...arg] : isPlainObject(arg) ? { ...arg } : arg))

/**
 * The outermost hook of every collection service, for external and internal calls: a write method (create, update,
 * patch, remove, a declared action) runs in a transaction, or joins the one open in its async context (a hook calling
 * another service). Reads need none: inside a transaction they see its writes, outside it the committed state.
 * A store may run the transaction again after a write conflict (MongoDB): the call is then made again from its
 * original arguments, as a call nested in the new transaction, and its events are the ones heard.
 */
export function transactional(store: Store) {
  return (context: HookContext, next: NextFunction) => {
    if (READS.includes(context.method)) return next()
    if (store.inTransaction()) return store.transaction(() => next())
    const given = copyArguments(context.arguments)
    let attempts = 0
    return store.transaction(async () => {
      if (attempts++ === 0) return next()
      context.result = await (context.self as any)[context.method](...copyArguments(given))
      context.event = null
    })
  }
}

/** Events emitted inside a transaction (by nested calls) are held until it commits and dropped if it rolls back. */
export function holdEvents(service: { emit(...args: unknown[]): boolean }, store: Store) {
  const emit = service.emit
  service.emit = function (this: unknown, ...args: unknown[]) {
    return store.afterCommit(() => emit.apply(this, args)) || emit.apply(this, args)
  }
}
