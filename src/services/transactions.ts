// Transactions: a call and every write its hooks make (checks, rollups, triggered records, nested calls) commit or roll
// back together; the events of a transaction wait for its commit, so no listener sees a change that was undone.
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Store } from './store.js'

const READS = ['find', 'get']

/**
 * The outermost hook of every collection service, for external and internal calls: a write method (create, update,
 * patch, remove, a declared action) runs in a transaction, or joins the one open in its async context (a hook calling
 * another service), as a savepoint. Reads need none: inside a transaction they see its writes, outside it the
 * committed state.
 */
export function transactional(store: Store) {
  return (context: HookContext, next: NextFunction) => (READS.includes(context.method) ? next() : store.transaction(() => next()))
}

/** Events emitted inside a transaction (by nested calls) are held until it commits and dropped if it rolls back. */
export function holdEvents(service: { emit(...args: unknown[]): boolean }, store: Store) {
  const emit = service.emit
  service.emit = function (this: unknown, ...args: unknown[]) {
    return store.afterCommit(() => emit.apply(this, args)) || emit.apply(this, args)
  }
}
