// Every record is bounded: a write whose record would hold more than the collection's `maxRecordBytes` of JSON is a 413,
// on every call (internal ones too), so no caller can fill memory or the store with huge records.
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection } from '../schemas/types.js'
import { PayloadTooLarge } from './errors.js'
import { recordsBefore } from './stored.js'

const WRITES = ['create', 'update', 'patch']

/** The engine's own repairs (nulling a removed reference) only shrink records, and must not fail on an old big one. */
const isRepair = (context: HookContext) => !context.params.provider && !!context.params.skipDataValidation

export const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '')

function checkSize(collection: Collection, record: unknown) {
  const size = jsonBytes(record)
  const limit = collection.maxRecordBytes
  if (size > limit) {
    throw new PayloadTooLarge(`A record of ${collection.name} may hold at most ${limit} bytes of JSON; this one would hold ${size}`, { collection: collection.name, size, limit })
  }
}

/** Before any other work on the data: each item as sent (a patch's values all end up in the record, so a patch this big never fits). */
export function sentSize(collection: Collection) {
  return async (context: HookContext, next: NextFunction) => {
    if (WRITES.includes(context.method) && !isRepair(context)) for (const item of [context.data].flat()) checkSize(collection, item)
    return next()
  }
}

/**
 * Once the call is authorized and the workflows filled the data: the record as it will be stored. A patch is checked
 * merged with each stored record it changes (those `authorize` left in scope).
 */
export function storedSize(collection: Collection) {
  return async (context: HookContext, next: NextFunction) => {
    if (isRepair(context)) return next()
    if (context.method === 'patch') {
      for (const existing of await recordsBefore(context)) checkSize(collection, { ...existing, ...context.data })
    } else if (WRITES.includes(context.method)) {
      for (const item of [context.data].flat()) checkSize(collection, item)
    }
    return next()
  }
}
