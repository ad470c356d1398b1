// Derived fields: the collection's `derive` function sees the whole record after the change and returns the fields to store.
import { BadRequest } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, DeriveFunction } from '../../schemas/types.js'
import { writesOf } from './shared.js'

export function derive(collection: Collection) {
  const compute = collection.derive as DeriveFunction
  return async (context: HookContext, next: NextFunction) => {
    const writes = await writesOf(context)
    const results = await Promise.all(writes.map((write) => compute({ ...write.after }, context)))
    if (context.method === 'patch' && context.id === null && new Set(results.map((r) => JSON.stringify(r ?? {}))).size > 1) {
      // One patch body is written to every matched record, so per-record results cannot be stored in one call.
      throw new BadRequest(`${collection.label} computes fields per record: patch these records one at a time`)
    }
    writes.forEach((write, index) => results[index] && write.set(results[index]))
    return next()
  }
}
