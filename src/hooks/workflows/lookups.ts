// Lookups: a field checked against a matching record elsewhere (422 when none), copying and setting fields from the match.
import { isDeepStrictEqual } from 'node:util'
import { Conflict, Forbidden, Unprocessable } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, LookupInput } from '../../schemas/types.js'
import { adapterOf, isEmpty, now, type Rec, writesOf } from './shared.js'
import { fill, fillQuery } from './templates.js'

async function findMatch(context: HookContext, lookup: LookupInput, record: Rec): Promise<Rec | undefined> {
  const query = fillQuery(lookup.query, { data: record, user: context.params.user, now: now() })
  if (!query) return undefined
  const [match] = await adapterOf(context.app, lookup.collection)._find({ paginate: false, query: { ...query, $limit: 1 } })
  return match
}

export function lookups(collection: Collection) {
  return async (context: HookContext, next: NextFunction) => {
    for (const write of await writesOf(context)) {
      for (const lookup of collection.lookups ?? []) {
        if (isEmpty(write.given[lookup.field])) continue
        const match = await findMatch(context, lookup, write.after)
        if (!match) {
          const message = lookup.message ?? `${lookup.field} matches no ${lookup.collection} record`
          const Failure = lookup.code === 403 ? Forbidden : lookup.code === 409 ? Conflict : Unprocessable
          throw new Failure(message, { [lookup.field]: message })
        }
        const changes: Rec = {}
        for (const [target, source] of Object.entries(lookup.copy ?? {})) {
          if (isEmpty(match[source])) continue
          if (isEmpty(write.after[target])) changes[target] = match[source]
          // What the match decides is not the caller's to contradict (a pass code names its flat; an amenity its fee).
          else if (context.params.provider && !isDeepStrictEqual(write.after[target], match[source])) {
            const message = `${target} must be ${JSON.stringify(match[source])}, as on the ${lookup.collection} record matching ${lookup.field}`
            throw new Unprocessable(message, { [target]: message })
          }
        }
        Object.assign(changes, fill(lookup.set ?? {}, { data: write.after, user: context.params.user, now: now(), match }))
        write.set(changes)
      }
    }
    return next()
  }
}
