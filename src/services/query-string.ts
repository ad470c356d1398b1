// REST query strings parsed with the limits the query schema states: `$in` lists up to its largest size arrive whole
// (qs's default turns a list past 20 into an object), and a longer list is a 400, never silently cut.
import { BadRequest } from '@feathersjs/errors'
import type { Application } from '@feathersjs/koa'
import koaQs from 'koa-qs'
import type { Context, Next } from 'koa'
import { MAX_LIST_VALUES } from '../schemas/query.js'

/** Enough for the longest list plus the query's other parameters; past it qs would drop the rest. */
export const MAX_QUERY_PARAMETERS = 5 * MAX_LIST_VALUES

/**
 * A key qs would drop without a word (`__proto__`, `constructor`, `toString`…: names on Object.prototype): dropped,
 * `DELETE /x?__proto__[a]=1` would be `DELETE /x`, every record.
 */
function droppedKey(querystring: string): string | undefined {
  if (!querystring) return undefined
  for (const key of new URLSearchParams(querystring).keys()) {
    const found = key.split(/[[\].]+/).find((segment) => segment === 'prototype' || segment in Object.prototype)
    if (found) return found
  }
  return undefined
}

export function parseQueryStrings(app: Application) {
  koaQs(app as any, 'extended', { arrayLimit: MAX_LIST_VALUES, parameterLimit: MAX_QUERY_PARAMETERS, throwOnLimitExceeded: true })
  // Parsed once here, where a limit error can still become a 400 (Koa caches the result for the REST handler).
  app.use(async (ctx: Context, next: Next) => {
    const dropped = droppedKey(ctx.querystring)
    if (dropped) throw new BadRequest(`Invalid query: the key "${dropped}" is not allowed`, { key: dropped })
    try {
      void ctx.request.query
    } catch (error: any) {
      throw new BadRequest(`Invalid query: ${error.message} A list holds at most ${MAX_LIST_VALUES} values, a query at most ${MAX_QUERY_PARAMETERS} parameters.`)
    }
    return next()
  })
}
