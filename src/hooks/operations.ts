// What the operation collections share (a report counted, an import run, an export job queued as its record is made).
import { BadRequest } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { DeclarationError } from '../schemas/errors.js'
import type { Collection } from '../schemas/types.js'
import { recordsBefore } from './stored.js'

type Rec = Record<string, any>

/**
 * Whether this call creates an operation record: one record, whose creation runs `what`. An array of them is a 400:
 * the operation runs per record, and a batch would have been stored without it (no counts, never queued).
 */
export function createsOperation(context: HookContext, collection: Collection, what: string): boolean {
  if (context.method !== 'create') return false
  if (Array.isArray(context.data)) throw new BadRequest(`Create one ${collection.name} record at a time: each one ${what} as it is created`)
  return true
}

/** The top-level fields of the record that a declaration's `{{data.…}}` placeholders name (`{{data.DateRange.StartDate}}` → `DateRange`). */
export function placeholderFields(declared: unknown): string[] {
  return [...new Set([...JSON.stringify(declared ?? null).matchAll(/\{\{\s*data\.([A-Za-z0-9_]+)/g)].map((match) => match[1]))]
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

/** Two values as JSON holds them, date-time texts compared as instants (`…T00:00:00Z` is `…T00:00:00.000Z`). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date || (typeof a === 'string' && typeof b === 'string' && a !== b && ISO_DATE.test(a) && ISO_DATE.test(b))) {
    return new Date(a as string).getTime() === new Date(b as string).getTime()
  }
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]))
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    return [...keys].every((key) => sameValue((a as Rec)[key], (b as Rec)[key]))
  }
  return a === b
}

/**
 * A caller's patch or replace of an operation record that changes what it ran with (`fields`): a 400, since its results
 * (counts, a file) would no longer match it; another run is another record. The same value spelled otherwise passes;
 * records that `ran` says never ran are not held to it.
 */
export async function refuseChangedInputs(context: HookContext, fields: string[], ranWith: string, ran: (stored: Rec) => boolean = () => true) {
  if ((context.method !== 'patch' && context.method !== 'update') || !fields.length || !context.params.provider) return
  for (const record of await recordsBefore(context)) {
    if (!ran(record)) continue
    const changed = fields.find((field) => (context.method === 'update' || field in context.data) && !sameValue(context.data[field], record[field]))
    if (changed) throw new BadRequest(`Invalid data: ${changed} is what ${ranWith}; create another for another ${changed}`, { [changed]: 'is fixed once run' })
  }
}

/** A declaration's `as` (whom an operation runs for): a top-level reference to the users collection. */
export function checkRunsAs(collections: Collection[], collection: Collection, as: string | undefined, where: string) {
  const users = collections.find((c) => c.auth)?.name
  if (as && !collection.references.some((ref) => ref.path === as && !ref.inArray && !ref.many && ref.collection === users)) {
    throw new DeclarationError(where, `as "${as}" must be a top-level reference to the users collection`)
  }
}

/**
 * Whose permissions an operation runs with: the caller's, or those of the user its `as` field names when that is
 * someone else (an Admin's report or import for a Manager); a user that does not exist is a 400 naming the field.
 */
export async function runsAs(app: EngineApp, as: string | undefined, context: HookContext): Promise<Rec | undefined> {
  const caller = context.params.user
  const named = as ? context.data?.[as] : undefined
  if (named === undefined || named === null || String(named) === String(caller?._id)) return caller
  try {
    return await app.service(app.blueprint.users.name).get(String(named))
  } catch (error: any) {
    if (error?.code === 404 || error?.code === 400) throw new BadRequest(`${as}: no such user`, { [as!]: 'no such user' })
    throw error
  }
}
