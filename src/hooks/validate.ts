// Data and query validation from the collection's derived schemas; Ajv errors become a 400 with per-field details.
import { isDeepStrictEqual } from 'node:util'
import { BadRequest } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { hooks as schemaHooks } from '@feathersjs/schema'
import { compile, dataAjv, queryAjv, type CompiledValidator } from '../schemas/validators.js'
import { recordsBefore } from './stored.js'
import type { Collection } from '../schemas/types.js'

declare module '@feathersjs/feathers' {
  interface Params {
    /** Internal calls only: the engine's own repairs (e.g. nulling a removed reference) skip data validation. */
    skipDataValidation?: boolean
    /** REST only: the request carried no body at all, which koa-body reads as `{}` (see `markBodyless`). */
    bodyless?: boolean
  }
}

/**
 * Koa middleware after the body parser: marks a POST or PUT that sent no bytes, so that a create or replace refuses it
 * instead of taking `{}` (a record of defaults, or a replace clearing every field, where the schema requires none).
 * An action (`X-Service-Method`) may take no body: its request is never marked, nor the calls it makes.
 */
export const markBodyless = () => async (ctx: { method: string; request: { length?: number }; get(name: string): string; feathers?: object }, next: () => Promise<unknown>) => {
  const createOrReplace = (ctx.method === 'POST' || ctx.method === 'PUT') && !ctx.get('x-service-method')
  if (createOrReplace && !ctx.request.length && !ctx.get('transfer-encoding')) ctx.feathers = { ...ctx.feathers, bodyless: true }
  return next()
}

/** Ajv's errors as `{ field: message }`, which is what forms and clients show. */
export function fieldErrors(errors: any[] = []): Record<string, string> {
  const result: Record<string, string> = {}
  for (const error of errors) {
    const base = (error.instancePath as string).replace(/^\//, '').replace(/\//g, '.')
    const field = error.keyword === 'additionalProperties' ? [base, error.params.additionalProperty].filter(Boolean).join('.')
      : error.keyword === 'required' ? [base, error.params.missingProperty].filter(Boolean).join('.') : base || '(body)'
    // Named by the field already: `title is required`, not `title must have required property 'title'`.
    const message = error.keyword === 'additionalProperties' ? 'is not a known field' : error.keyword === 'required' ? 'is required' : error.message
    result[field] ??= message
  }
  return result
}

/** `data` checked by a compiled validator; its errors as a 400 `Invalid <what>: field message, …` with per-field details. */
export async function validInput<T = Record<string, any>>(validate: CompiledValidator, data: unknown, what = 'data'): Promise<T> {
  try {
    return await validate<T>(data)
  } catch (error: any) {
    if (!error.ajv) throw error
    const fields = fieldErrors(error.errors)
    throw new BadRequest(`Invalid ${what}: ${Object.entries(fields).map(([f, m]) => `${f} ${m}`).join(', ')}`, fields)
  }
}

/** Wraps a Feathers validation hook so its BadRequest carries `data: { field: message }` and `errors`. */
function withFieldErrors(hook: (context: HookContext, next: NextFunction) => Promise<any>) {
  return async (context: HookContext, next: NextFunction) => {
    try {
      await hook(context, async () => {})
    } catch (error: any) {
      if (error instanceof BadRequest && Array.isArray(error.data)) {
        const fields = fieldErrors(error.data)
        throw new BadRequest(`Invalid ${context.method === 'find' || context.method === 'get' ? 'query' : 'data'}: ${Object.entries(fields).map(([f, m]) => `${f} ${m}`).join(', ')}`, fields)
      }
      throw error
    }
    return next()
  }
}

type JsonSchema = Record<string, any>

const isRecord = (value: unknown): value is Record<string, any> => !!value && typeof value === 'object' && !Array.isArray(value)

/** Whether a `readOnly` field lies anywhere below `schema` (not counting `schema` itself). */
function holdsReadOnly(schema: JsonSchema): boolean {
  const below = [...Object.values<JsonSchema>(schema.properties ?? {}), ...(schema.items ? [schema.items] : []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]
  return below.some((sub) => sub.readOnly || holdsReadOnly(sub))
}

const READ_ONLY_KEYS = new WeakMap<JsonSchema, string[]>()
/**
 * The fields of an object schema that are, or hold, read-only values; found once per schema (an array of 500 items is
 * compared item by stored item, each comparison asking).
 */
function readOnlyKeys(schema: JsonSchema): string[] {
  let keys = READ_ONLY_KEYS.get(schema)
  if (!keys) {
    keys = Object.entries<JsonSchema>(schema.properties ?? {}).filter(([, sub]) => sub.readOnly || holdsReadOnly(sub)).map(([key]) => key)
    READ_ONLY_KEYS.set(schema, keys)
  }
  return keys
}

/**
 * An array item sent back as it was read: its every field as `stored` holds it, and every read-only field stored
 * there sent too (`{ DeveloperId, Status }` of an answer stored with its `ResponseTime` would drop the time, a state no
 * answer has). Other fields may be left out.
 */
const sentBack = (schema: JsonSchema, item: unknown, stored: unknown) => {
  if (!isRecord(item) || !isRecord(stored)) return isDeepStrictEqual(item, stored)
  return Object.keys(item).every((key) => isDeepStrictEqual(item[key], stored[key])) && readOnlyKeys(schema).every((key) => stored[key] === undefined || key in item)
}

/**
 * Which read-only value of a refused item to name: one that differs from the item stored at the same place, else
 * one stored there that the item leaves out, else the first it gives (an answer moved to another item).
 */
function refusedPath(schema: JsonSchema, item: unknown, stored: unknown, path: string): string {
  const differs = stored === undefined ? undefined : readOnlyGiven(schema, item, stored, path)
  if (differs) return differs
  const left = isRecord(item) && isRecord(stored) ? readOnlyKeys(schema).find((key) => stored[key] !== undefined && !(key in item)) : undefined
  return left !== undefined ? `${path}.${left}` : readOnlyGiven(schema, item, undefined, path)!
}

/**
 * The path of the first `readOnly` value below the top level that `value` gives and `stored` (the record as it is, at
 * the same place) does not hold. An object's fields are compared with the stored object's; an array's items have no
 * identity to match by, so an item carrying a read-only value must be one the stored array holds, its other fields
 * unchanged too: an answer (a status and its time) stays with the item it was given for.
 */
function readOnlyGiven(schema: JsonSchema, value: unknown, stored: unknown, path: string): string | undefined {
  if (value === undefined) return undefined
  if (schema.readOnly) return stored !== undefined && isDeepStrictEqual(value, stored) ? undefined : path
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    const found = readOnlyGiven(branch, value, stored, path)
    if (found) return found
  }
  if (isRecord(value) && schema.properties) {
    for (const [key, sub] of Object.entries<JsonSchema>(schema.properties)) {
      const found = readOnlyGiven(sub, value[key], isRecord(stored) ? stored[key] : undefined, `${path}.${key}`)
      if (found) return found
    }
  }
  if (Array.isArray(value) && schema.items) {
    const kept = Array.isArray(stored) ? stored : []
    for (const [index, item] of value.entries()) {
      if (!readOnlyGiven(schema.items, item, undefined, `${path}.${index}`) || kept.some((one) => sentBack(schema.items, item, one))) continue
      return refusedPath(schema.items, item, kept[index], `${path}.${index}`)
    }
  }
  return undefined
}

/**
 * `readOnly` fields inside objects and array items (an attendee's answer and its time) are the server's too: a caller's
 * create may not give them; a replace or patch by id may send them back as stored, never different nor moved to
 * another item; a patch of many has no one record to compare with, so gives none. After `authorize`, so that whether a
 * value matches the stored one is told only to a caller who may change that record.
 */
export function nestedReadOnly(collection: Collection) {
  const fields = Object.entries<JsonSchema>(collection.dataSchema.properties ?? {}).filter(([, schema]) => !schema.readOnly && holdsReadOnly(schema))
  return async (context: HookContext, next: NextFunction) => {
    if (!fields.length || !context.params.provider || !['create', 'update', 'patch'].includes(context.method)) return next()
    const [stored] = context.method !== 'create' && context.id !== null && context.id !== undefined ? await recordsBefore(context) : []
    for (const item of [context.data].flat()) {
      if (!isRecord(item)) continue
      for (const [key, schema] of fields) {
        const field = readOnlyGiven(schema, item[key], stored?.[key], key)
        if (field) throw new BadRequest(`Invalid data: ${field} is read-only`, { [field]: 'is read-only' })
      }
    }
    return next()
  }
}

export function validation(collection: Collection) {
  const data = compile(dataAjv, collection.dataSchema)
  const patch = compile(dataAjv, collection.patchSchema)
  const query = compile(queryAjv, collection.querySchema, { lazy: true })
  const validateQuery = withFieldErrors(schemaHooks.validateQuery(query as any))
  const validateData = withFieldErrors(schemaHooks.validateData({ create: data, update: data, patch } as any))
  // `readOnly` fields (generated numbers, codes, counters) are the server's to write, never a caller's.
  const readOnly = Object.entries<any>(collection.dataSchema.properties ?? {}).filter(([, s]) => s.readOnly).map(([key]) => key)
  // A full replace may send them back unchanged (GET, edit, PUT), never different; one that leaves them out keeps
  // them (a replace that cleared a report's counts also lost its CSV, no longer referenced).
  const refuseReadOnly = async (context: HookContext) => {
    if (!readOnly.length || !['create', 'update', 'patch'].includes(context.method)) return
    const [stored] = context.method === 'update' && context.id !== null ? await recordsBefore(context) : []
    for (const item of [context.data].flat()) {
      // Not an object: nothing of it is read-only, and validation refuses it next.
      const field = readOnly.find((key) => item && typeof item === 'object' && key in item && !(stored && isDeepStrictEqual(item[key], stored[key])))
      if (field) throw new BadRequest(`Invalid data: ${field} is read-only`, { [field]: 'is read-only' })
    }
    const data = context.data
    if (!stored || !data || typeof data !== 'object' || Array.isArray(data)) return
    const kept = readOnly.filter((key) => !(key in data) && stored[key] !== undefined)
    if (kept.length) context.data = { ...data, ...Object.fromEntries(kept.map((key) => [key, stored[key]])) }
  }
  // Data is validated on every call, internal ones included, so nothing malformed is ever stored;
  // queries only from outside, since the engine's own queries use operators callers may not.
  return async (context: HookContext, next: NextFunction) => {
    // Feathers' validateData checks an array item by item, which suits a batch create only: a replace or patch of one
    // array would be stored as a record with keys "0", "1"…
    if (['update', 'patch'].includes(context.method) && Array.isArray(context.data)) throw new BadRequest('Invalid data: (body) must be object', { '(body)': 'must be object' })
    if (!context.params.provider) return context.params.skipDataValidation ? next() : validateData(context, next)
    if (context.params.bodyless && (context.method === 'create' || context.method === 'update')) {
      throw new BadRequest('Invalid data: the request has no body; send the record as JSON', { '(body)': 'is missing' })
    }
    const noFields = context.data && typeof context.data === 'object' && !Array.isArray(context.data) && !Object.keys(context.data).length
    // An empty body (or `{}`) would change nothing but the change stamp.
    if (context.method === 'patch' && noFields) throw new BadRequest('Invalid data: nothing to change; send the fields to patch', { '(body)': 'has no fields' })
    // …and a replace with `{}` would clear every field the schema does not require: surely not what was meant.
    if (context.method === 'update' && noFields) {
      throw new BadRequest('Invalid data: a replace needs the whole record, and `{}` would clear it; PATCH changes some fields', { '(body)': 'has no fields' })
    }
    await refuseReadOnly(context)
    return validateQuery(context, () => validateData(context, next))
  }
}
