// Enforces the caller's CASL ability on every external call: queries narrowed, records and fields checked, results masked.
import { Forbidden, NotAuthenticated } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { MongoAbility } from '@casl/ability'
import type { Permissions } from '../permissions/abilities.js'
import { recordsBefore } from './stored.js'
import { METHOD_ACTIONS, accessibleQuery, can, forbiddenField, foundReadWhole, limitsFields, maySortBy, readMask, queriedFields, restrictQuery, type Query } from '../permissions/access.js'
import type { Collection } from '../schemas/types.js'

declare module '@feathersjs/feathers' {
  interface Params {
    /** The caller's ability, set on external calls. */
    ability?: MongoAbility
    /** The logged-in caller (without secrets). */
    user?: Record<string, any>
  }
}

/** Nothing granted to an anonymous caller means "log in", not "forbidden". */
function refuse(context: HookContext, message: string, data?: Record<string, unknown>): never {
  if (!context.params.user) throw new NotAuthenticated('Not authenticated')
  throw new Forbidden(message, data)
}

const describe = (collection: Collection, action: string) => `You may not ${action} ${collection.label.toLowerCase()}`

/** Runs before validation: a caller with no rule at all for this action learns nothing about the schema. */
export function gate(collection: Collection, permissions: Permissions) {
  return async (context: HookContext, next: NextFunction) => {
    if (!context.params.provider) return next()
    const ability = await permissions.abilityFor(context.params.user)
    context.params.ability = ability
    const action = METHOD_ACTIONS[context.method] ?? context.method
    if (!ability.can(action, collection.name)) refuse(context, describe(collection, action))
    return next()
  }
}

/** Runs after validation: queries narrowed, records and fields checked, results masked. */
export function authorize(collection: Collection) {
  const name = collection.name
  const describe = (action: string) => `You may not ${action} ${collection.label.toLowerCase()}`

  return async (context: HookContext, next: NextFunction) => {
    const ability = context.params.ability
    if (!context.params.provider || !ability) return next()
    const { method, id } = context
    const action = METHOD_ACTIONS[method] ?? method

    // Conditions may name fields the caller did not select: fetch whole records, select after the checks.
    const select: string[] | undefined = context.params.query?.$select
    if (select) {
      const { $select, ...query } = context.params.query
      context.params.query = query
    }

    if (method === 'create') {
      checkCreate(context, ability)
    } else if (method === 'find' || id === null) {
      const allowed = accessibleQuery(ability, action, name)
      if (!allowed) refuse(context, describe(action))
      context.params.query = restrictQuery(context.params.query, allowed!, ...readableWhereQueried(context, ability))
      if (method === 'patch' || method === 'update') {
        const records = await recordsBefore(context)
        for (const existing of records) checkWrite(context, ability, existing)
      }
    } else {
      // By id, the caller's query still decides between a result and a 404: the same field rule as `find`.
      if (context.params.query) context.params.query = restrictQuery(context.params.query, ...readableWhereQueried(context, ability))
      if (method !== 'get') {
        // A declared action names its record in the data: `{ id, ...input }`.
        const existing = METHOD_ACTIONS[method] ? (await recordsBefore(context))[0] : await context.service._get(context.data?.id)
        if (!can(ability, action, name, existing)) refuse(context, `${describe(action)}: this record is outside your permissions`)
        if (method === 'patch' || method === 'update') checkWrite(context, ability, existing)
      }
    }

    await next()

    if (method === 'get' && !can(ability, 'read', name, context.result)) {
      refuse(context, `${describe('read')}: this record is outside your permissions`)
    }
    // Masking each record of a find that the rules give back whole would change none: they pass as they are.
    if (!(method === 'find' && !select && findsWhole(collection, ability, context.service))) context.result = maskResult(ability, collection, context.result, select)
  }

  /**
   * A filter on a field only looks at records where the caller may read that field (else the filter tells its value);
   * sorting needs the field readable on every record the caller may read.
   */
  function readableWhereQueried(context: HookContext, ability: MongoAbility): Query[] {
    if (!limitsFields(ability, 'read', name)) return []
    const { filtered, sorted } = queriedFields(context.params.query)
    const clauses: Query[] = []
    for (const field of new Set([...filtered, ...sorted])) {
      const readable = accessibleQuery(ability, 'read', name, field)
      if (sorted.has(field) ? !maySortBy(ability, name, field) : !readable) refuse(context, `You may not ${sorted.has(field) ? 'sort' : 'filter'} by "${field}"`, { field })
      if (Object.keys(readable!).length) clauses.push(readable!)
    }
    return clauses
  }

  /** The record as a patch leaves it: `null` for an optional field removes it. */
  function patched(existing: Record<string, any>, data: Record<string, any>) {
    const after = { ...existing, ...data }
    for (const key of collection.clearable) if (data[key] === null) delete after[key]
    return after
  }

  function checkCreate(context: HookContext, ability: MongoAbility) {
    for (const item of Array.isArray(context.data) ? context.data : [context.data]) {
      if (!can(ability, 'create', name, item)) refuse(context, `${describe('create')} with these values`)
      const field = forbiddenField(ability, 'create', name, item, item)
      if (field) refuse(context, `You may not set field "${field}"`, { field })
    }
  }

  /** Every changed field must be writable, and the record must stay inside the caller's permissions. */
  function checkWrite(context: HookContext, ability: MongoAbility, existing: Record<string, any>) {
    const field = forbiddenField(ability, 'update', name, existing, context.data)
    if (field) refuse(context, `You may not change field "${field}"`, { field })
    const after = context.method === 'update' ? { ...context.data, _id: existing._id } : patched(existing, context.data)
    // Field by field: a rule limited to other fields (e.g. "own profile: phone only") must not vouch for this change.
    const outside = !can(ability, 'update', name, after) || Object.keys(context.data).some((key) => !can(ability, 'update', name, after, key))
    if (outside) refuse(context, `${describe('update')}: the change would move this record outside your permissions`)
  }

}

/** Whether the collection declares hooks of its own on finds (`before`/`after`): they could widen the query, add or change records. */
export const ownFindHooks = (collection: Collection) => [collection.before, collection.after].some((hooks) => hooks.all?.length || hooks.find?.length)

/**
 * Whether a find of `collection` by a caller with `ability`, through its `service`, gets every record the store finds
 * whole (`foundReadWhole`, on the equalities the store proves), with no hook of the collection's own on finds.
 */
export function findsWhole(collection: Collection, ability: MongoAbility, service: unknown): boolean {
  if (ownFindHooks(collection)) return false
  const store = service as { findsOnlyEqual?: (path: string, value: unknown) => boolean }
  return foundReadWhole(ability, collection.name, (path, value) => store.findsOnlyEqual?.(path, value) ?? false)
}

/** Results (single, list or page) with only what the ability may read. */
export function maskResult(ability: MongoAbility, collection: Collection, result: any, select?: string[]): any {
  const pick = (record: Record<string, any>) => (select ? Object.fromEntries(Object.entries(record).filter(([key]) => key === '_id' || select.includes(key))) : record)
  const readable = readMask(ability, collection.name, collection.fields)
  const mask = (record: any) => (record && typeof record === 'object' ? pick(readable(record) ?? {}) : record)
  if (Array.isArray(result)) return result.map(mask)
  if (result && Array.isArray(result.data)) return { ...result, data: result.data.map(mask) }
  return mask(result)
}
