// Stamps the declared creation and change fields; callers cannot set them (the data schema does not accept them).
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection } from '../schemas/types.js'
import { recordsBefore } from './stored.js'

export function timestamps(collection: Collection) {
  const { createdAt, updatedAt } = collection.timestamps
  return async (context: HookContext, next: NextFunction) => {
    if (context.data && ['create', 'update', 'patch'].includes(context.method)) {
      const now = new Date().toISOString()
      const stamp = (item: Record<string, any>) => ({
        ...item,
        ...(createdAt && context.method === 'create' && { [createdAt]: now }),
        ...(updatedAt && { [updatedAt]: now })
      })
      context.data = Array.isArray(context.data) ? context.data.map(stamp) : stamp(context.data)
      // A full replace keeps the original creation stamp.
      if (createdAt && context.method === 'update' && context.id !== null) {
        const [existing] = await recordsBefore(context)
        context.data = { ...context.data, [createdAt]: existing[createdAt] }
      }
    }
    return next()
  }
}
