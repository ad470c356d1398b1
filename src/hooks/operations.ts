// What the operation collections share (a report counted, an import run, an export job queued as its record is made).
import { BadRequest } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import type { Collection } from '../schemas/types.js'

/**
 * Whether this call creates an operation record: one record, whose creation runs `what`. An array of them is a 400:
 * the operation runs per record, and a batch would have been stored without it (no counts, never queued).
 */
export function createsOperation(context: HookContext, collection: Collection, what: string): boolean {
  if (context.method !== 'create') return false
  if (Array.isArray(context.data)) throw new BadRequest(`Create one ${collection.name} record at a time: each one ${what} as it is created`)
  return true
}
