// Declared date ranges (`ranges`): a record's end never before its start, on every write, internal ones too (a patch
// as it merges with each stored record it changes).
import { BadRequest } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { valueAt } from '../schemas/paths.js'
import type { Collection } from '../schemas/types.js'
import { recordsBefore } from './stored.js'

type Rec = Record<string, any>

const instant = (value: unknown) => (typeof value === 'string' || value instanceof Date ? new Date(value).getTime() : Number.NaN)

/**
 * Registered where a collection declares ranges. After `authorize`: whether a patch's end falls before a stored start
 * is told only to a caller who may change it.
 */
export function ranges(collection: Collection) {
  const declared = collection.ranges ?? []
  /** The record as it will be: a patch replaces the top-level fields it sends. */
  const at = (path: string, data: Rec, stored?: Rec) => valueAt(stored && !(path.split('.')[0] in data) ? stored : data, path)
  const check = (data: Rec, stored?: Rec) => {
    for (const { start, end } of declared) {
      if (instant(at(end, data, stored)) < instant(at(start, data, stored))) {
        throw new BadRequest(`Invalid data: ${end} must not be before ${start}`, { [end]: `must not be before ${start}` })
      }
    }
  }
  return async (context: HookContext, next: NextFunction) => {
    if (!['create', 'update', 'patch'].includes(context.method) || !context.data || typeof context.data !== 'object') return next()
    if (context.method !== 'patch') for (const item of [context.data].flat()) check(item)
    else for (const stored of await recordsBefore(context)) check(context.data, stored)
    return next()
  }
}
