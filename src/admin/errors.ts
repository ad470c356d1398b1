// Feathers errors from the services → AdminJS errors, so field messages show next to the fields and refusals as notices.
import { FeathersError } from '@feathersjs/errors'
import { BaseRecord, ForbiddenError, NotFoundError, ValidationError, type PropertyErrors } from 'adminjs'
import type { Collection } from '../schemas/types.js'

/** A unique index as both stores name it: its declared name, else `field_1[_other_-1]` (SQLite prefixes the collection). */
const indexName = (index: Collection['indexes'][number]) =>
  (index.name ?? Object.entries(index.fields).map(([path, kind]) => `${path}_${kind}`).join('_')).replace(/[^A-Za-z0-9_-]/g, '_')

/** The fields of the unique index a duplicate-key conflict names (`data.index` on MongoDB, `data.reason` on SQLite). */
function uniqueFields(collection: Collection | undefined, data: Record<string, unknown>): string[] {
  const text = `${data.index ?? ''} ${data.reason ?? ''}`
  const index = collection?.indexes.find((candidate) => candidate.unique && new RegExp(`\\b${indexName(candidate)}\\b`).test(text))
  return index ? Object.keys(index.fields) : []
}

/**
 * The field messages of a service error: `data: { field: message }` (validation 400, references and workflows 422),
 * `data.field` (a refused field, a state-machine transition), or the fields of the unique index a conflict names.
 */
function propertyErrors(error: FeathersError, collection?: Collection): PropertyErrors {
  const errors: PropertyErrors = {}
  const { data } = error
  if (!data || typeof data !== 'object' || Array.isArray(data)) return errors
  const type = error.className
  if (typeof data.field === 'string') errors[data.field] = { message: error.message, type }
  else if (error.code === 409) for (const field of uniqueFields(collection, data)) errors[field] = { message: 'is already taken by another record', type }
  else if (error.code === 400 || error.code === 422) {
    for (const [field, message] of Object.entries(data)) if (typeof message === 'string') errors[field] = { message, type }
  }
  return errors
}

export interface AdminErrorOptions {
  /** A create, edit or delete: every refusal is a ValidationError, the one error AdminJS keeps the form (and its typed values) for. */
  write?: boolean
  collection?: Collection
}

/** A refusal with its message as the notice; reads that may not happen or find nothing stay AdminJS's 403 and 404. */
export function toAdminError(error: unknown, options: AdminErrorOptions = {}): unknown {
  if (!(error instanceof FeathersError)) return error
  if (!options.write && error.code === 404) return new NotFoundError(error.message, 'resource')
  if (!options.write && (error.code === 401 || error.code === 403)) return new ForbiddenError(error.message)
  return new ValidationError(propertyErrors(error, options.collection), { message: error.message, type: error.className })
}

/** Runs a service call; its Feathers errors come out as AdminJS errors. */
export async function adminCall<T>(call: () => Promise<T>, options?: AdminErrorOptions): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toAdminError(error, options)
  }
}

/**
 * AdminJS's new and edit actions call a record valid when no *field* has an error, so a refusal without field errors
 * (a conflict, a permission, a rate limit) was reported as "Successfully created" and nothing saved. Ours also needs no base error.
 */
export class FeathersRecord extends BaseRecord {
  isValid(): boolean {
    return super.isValid() && !this.baseError
  }
}
