// Email fields (`Email()`, any `format: 'email'`) hold one spelling of an address: trimmed and lower-cased on every
// write and in every query, so `DUP@x` and `dup@x` are one account, unique indexes hold and logins match.
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { isPlainObject, mapAt } from '../schemas/paths.js'
import { walkFields } from '../schemas/walk.js'
import type { Collection } from '../schemas/types.js'

export const normalizeEmail = (email: string) => email.trim().toLowerCase()

const normalize = (value: unknown) => (typeof value === 'string' ? normalizeEmail(value) : value)

/** Dot paths of the collection's email fields (`email`, `contact.email`). */
export function emailPaths(collection: Pick<Collection, 'schema'>): string[] {
  const paths = new Set<string>()
  walkFields(collection.schema, ({ path, schema }) => schema.format === 'email' && paths.add(path))
  return [...paths]
}

/** A record (or patch) with every email at these paths normalised; the original is untouched. */
export const normalizeEmails = (record: unknown, paths: string[]) => paths.reduce((result, path) => mapAt(result, path.split('.'), normalize), record)

/** A query condition on an email: a value, a list, or operators over either (`{ $in: [...] }`). */
function normalizeCondition(condition: unknown): unknown {
  if (Array.isArray(condition)) return condition.map(normalize)
  if (isPlainObject(condition)) return Object.fromEntries(Object.entries(condition).map(([operator, value]) => [operator, normalizeCondition(value)]))
  return normalize(condition)
}

function normalizeQuery(query: unknown, paths: string[]): unknown {
  if (!isPlainObject(query)) return query
  const result: Record<string, unknown> = { ...query }
  for (const logical of ['$or', '$and', '$nor']) {
    if (Array.isArray(result[logical])) result[logical] = (result[logical] as unknown[]).map((clause) => normalizeQuery(clause, paths))
  }
  for (const path of paths) if (path in result) result[path] = normalizeCondition(result[path])
  return result
}

/** Around hook for every call, internal ones too, before validation (a padded address is then still a valid one). */
export function emails(collection: Collection) {
  const paths = emailPaths(collection)
  return async (context: HookContext, next: NextFunction) => {
    if (paths.length) {
      if (context.params.query) context.params = { ...context.params, query: normalizeQuery(context.params.query, paths) as any }
      if (context.data && ['create', 'update', 'patch'].includes(context.method)) {
        context.data = Array.isArray(context.data) ? context.data.map((item) => normalizeEmails(item, paths)) : normalizeEmails(context.data, paths)
      }
    }
    return next()
  }
}
