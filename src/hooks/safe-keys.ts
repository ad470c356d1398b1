// Refuses prototype-polluting keys anywhere in a body or query before any other code sees them.
import { BadRequest } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])
const MAX_DEPTH = 32
const TOO_DEEP = '(nesting too deep)'

export function findUnsafeKey(value: unknown, depth = 0): string | undefined {
  if (!value || typeof value !== 'object') return undefined
  if (depth > MAX_DEPTH) return TOO_DEEP
  for (const key of Object.keys(value)) {
    if (FORBIDDEN.has(key)) return key
    const inner = findUnsafeKey((value as Record<string, unknown>)[key], depth + 1)
    if (inner) return inner
  }
  return undefined
}

export const rejectUnsafeKeys = () => async (context: HookContext, next: NextFunction) => {
  if (context.params.provider) {
    const key = findUnsafeKey(context.data) ?? findUnsafeKey(context.params.query)
    if (key === TOO_DEEP) throw new BadRequest(`Data nested more than ${MAX_DEPTH} levels deep is not accepted`, { key })
    if (key) throw new BadRequest(`Key "${key}" is not allowed`, { key })
  }
  return next()
}
