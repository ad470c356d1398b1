// Masked fields: `98******21` for callers whose ability lacks `unmask` on the record, in results and realtime events alike.
import { Forbidden } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { MongoAbility } from '@casl/ability'
import type { Permissions } from '../../permissions/abilities.js'
import { accessibleQuery, can, restrictQuery } from '../../permissions/access.js'
import type { Collection, MaskInfo } from '../../schemas/types.js'
import { mapAt } from '../../schemas/paths.js'
import type { Rec } from './shared.js'
import { UNMASK } from '../../permissions/vocabulary.js'

export { UNMASK }

export function maskValue(value: string, mask: Omit<MaskInfo, 'path'>): string {
  const hidden = value.length - mask.keepStart - mask.keepEnd
  if (hidden <= 0) return mask.char.repeat(value.length)
  return value.slice(0, mask.keepStart) + mask.char.repeat(hidden) + value.slice(value.length - mask.keepEnd)
}

/** The record with its masked fields hidden unless the ability may `unmask` it: a copy, the original untouched. */
export function hideMasked(ability: MongoAbility, collection: Collection, record: any): any {
  const masks = collection.masks ?? []
  if (!masks.length || !record || typeof record !== 'object') return record
  if (can(ability, UNMASK, collection.name, record)) return record
  let masked = record
  for (const mask of masks) masked = mapAt(masked, mask.path.split('.'), (value) => (typeof value === 'string' ? maskValue(value, mask) : value))
  return masked
}

/** Field names a query filters on, inside `$or`/`$and` too. */
function queriedFields(query: Rec = {}): string[] {
  return Object.entries(query).flatMap(([key, value]) =>
    key === '$or' || key === '$and' ? (Array.isArray(value) ? value.flatMap((clause) => queriedFields(clause)) : []) : key.startsWith('$') ? [] : [key]
  )
}

export function masking(collection: Collection, permissions: Permissions) {
  const paths = new Set((collection.masks ?? []).map((mask) => mask.path))
  const maskResult = (ability: MongoAbility, result: any): any => {
    if (Array.isArray(result)) return result.map((record) => hideMasked(ability, collection, record))
    if (result && Array.isArray(result.data)) return { ...result, data: result.data.map((record: Rec) => hideMasked(ability, collection, record)) }
    return hideMasked(ability, collection, result)
  }
  return async (context: HookContext, next: NextFunction) => {
    if (!context.params.provider) return next()
    const ability = context.params.ability ?? (await permissions.abilityFor(context.params.user))
    // Searching by a hidden value would reveal it one guess at a time: a search by a masked field sees only records the caller may unmask.
    const searched = queriedFields(context.params.query).find((field) => paths.has(field))
    if (searched) {
      const unmaskable = accessibleQuery(ability, UNMASK, collection.name)
      if (!unmaskable) throw new Forbidden(`You may not search by the masked field "${searched}"`, { field: searched })
      context.params.query = restrictQuery(context.params.query, unmaskable)
    }
    await next()
    context.result = maskResult(ability, context.result)
  }
}

/**
 * Runs inside `authorize`, on the query as narrowed there: sorting by a masked field orders the hidden values (a guess
 * written into an own record lands next to a neighbour's), so it needs `unmask` on every record the query reaches.
 */
export function maskedSort(collection: Collection) {
  const paths = new Set((collection.masks ?? []).map((mask) => mask.path))
  return async (context: HookContext, next: NextFunction) => {
    const { ability, provider, query } = context.params
    const sorted = provider && ability ? Object.keys(query?.$sort ?? {}).find((field) => paths.has(field)) : undefined
    if (sorted) {
      const refuse = () => {
        throw new Forbidden(`You may not sort by the masked field "${sorted}" over records it is masked on`, { field: sorted })
      }
      const unmaskable = accessibleQuery(ability!, UNMASK, collection.name)
      if (!unmaskable) refuse()
      if (Object.keys(unmaskable!).length) {
        const { $limit, $skip, $sort, $select, ...scope } = query
        const masked = await context.service._find({ paginate: false, query: { ...restrictQuery(scope, { $nor: [unmaskable] }), $limit: 1 } })
        if (masked.length) refuse()
      }
    }
    return next()
  }
}
