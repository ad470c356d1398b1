// What an ability allows on a collection, in the shapes the engine needs: a store query, a record check, a field mask.
import { subject as tag, type MongoAbility } from '@casl/ability'
import { permittedFieldsOf, rulesToQuery } from '@casl/ability/extra'

/** CASL action of each Feathers method; declared actions are their own CASL action. */
export const METHOD_ACTIONS: Record<string, string> = {
  find: 'read',
  get: 'read',
  create: 'create',
  update: 'update',
  patch: 'update',
  remove: 'delete'
}

export type Query = Record<string, any>

const toQuery = (rule: { inverted: boolean; conditions?: unknown }) => (rule.inverted ? { $nor: [rule.conditions] } : (rule.conditions as Query))

/**
 * The store query selecting what `action` may touch: `{}` for everything, `null` for nothing.
 * With a `field`, only the rules covering that field count: the records whose `field` the caller may see.
 */
export function accessibleQuery(ability: MongoAbility, action: string, subjectType: string, field?: string): Query | null {
  if (field === undefined) return rulesToQuery(ability, action, subjectType, toQuery)
  // rulesToQuery's own loop (CASL extra), over the rules that cover the field.
  const query: Query = {}
  for (const rule of ability.rulesFor(action, subjectType, field)) {
    const op = rule.inverted ? '$and' : '$or'
    if (!rule.conditions) {
      if (rule.inverted) break
      delete query.$or
      return query
    }
    ;(query[op] ??= []).push(toQuery(rule))
  }
  return query.$or ? query : null
}

/** Top-level fields a query filters or sorts on, through `$or`/`$and` (dotted paths count as their first field). */
export function queriedFields(query: Query = {}): { filtered: Set<string>; sorted: Set<string> } {
  const filtered = new Set<string>()
  const visit = (clause: Query) => {
    for (const [key, value] of Object.entries(clause ?? {})) {
      if (key === '$or' || key === '$and') (value as Query[]).forEach(visit)
      else if (!key.startsWith('$')) filtered.add(key.split('.')[0])
    }
  }
  visit(query)
  return { filtered, sorted: new Set(Object.keys(query.$sort ?? {}).map((key) => key.split('.')[0])) }
}

/** The caller's query narrowed to what the ability allows; the caller's own clauses stay intact. */
export function restrictQuery(query: Query = {}, ...allowed: Query[]): Query {
  const restrictions = allowed.filter((clause) => Object.keys(clause).length > 0)
  if (restrictions.length === 0) return query
  const { $limit, $skip, $sort, $select, ...conditions } = query
  const filters = Object.fromEntries(Object.entries({ $limit, $skip, $sort, $select }).filter(([, v]) => v !== undefined))
  return { ...filters, ...flatten([conditions, ...restrictions]) }
}

/**
 * AND of clauses as plain top-level fields where no key clashes (a one-clause `$or` counts as its clause),
 * so the store can use its indexes; the rest stays in `$and`.
 */
function flatten(clauses: Query[]): Query {
  const merged: Query = {}
  const rest: Query[] = []
  const parts = clauses.flatMap((clause) => {
    const { $or, $and, ...fields } = clause
    const own = [fields, ...($and ?? [])]
    if ($or?.length === 1) own.push($or[0])
    else if ($or) own.push({ $or })
    return own
  })
  for (const part of parts) {
    if (Object.keys(part).some((key) => key in merged || key.startsWith('$'))) rest.push(part)
    else Object.assign(merged, part)
  }
  return rest.length ? { ...merged, $and: rest } : merged
}

/** A copy of the record tagged with its collection, so CASL matches it against that collection's rules. */
export const asSubject = (subjectType: string, record: Record<string, any>) => tag(subjectType, { ...record })

export const can = (ability: MongoAbility, action: string, subjectType: string, record: Record<string, any>, field?: string) =>
  ability.can(action, asSubject(subjectType, record), field)

/** True when some rule for this action limits fields, so results need masking. */
export const limitsFields = (ability: MongoAbility, action: string, subjectType: string) =>
  ability.rulesFor(action, subjectType).some((rule) => rule.fields)

/** Sorting by a field shows the order of its values: it must be readable on every record the caller may read. */
export function maySortBy(ability: MongoAbility, subjectType: string, field: string): boolean {
  if (!limitsFields(ability, 'read', subjectType)) return true
  const readable = accessibleQuery(ability, 'read', subjectType, field.split('.')[0])
  return !!readable && JSON.stringify(readable) === JSON.stringify(accessibleQuery(ability, 'read', subjectType))
}

/**
 * `maskRecord` for many records of one caller: the rules looked up once. A record's rule is found as CASL's `can` finds
 * it (the first of `rulesFor` whose conditions match), on the record itself rather than a tagged copy of it.
 */
export function readMask(ability: MongoAbility, subjectType: string, allFields: string[]): (record: Record<string, any>) => Record<string, any> | null {
  const rules = ability.rulesFor('read', subjectType)
  const limits = limitsFields(ability, 'read', subjectType)
  return (record) => {
    const rule = rules.find((candidate) => candidate.matchesConditions(record))
    if (!rule || rule.inverted) return null
    if (!limits) return record
    const fields = permittedFieldsOf(ability, 'read', asSubject(subjectType, record), { fieldsFrom: (rule) => rule.fields || allFields })
    const masked: Record<string, any> = {}
    for (const field of fields) if (field in record) masked[field] = record[field]
    return masked
  }
}

/**
 * Whether `readMask` gives back whole, as they are, the records a find restricted to `accessibleQuery(ability, 'read')`
 * finds, so masking them one by one would change none: no rule limits fields, and every record found matches a rule
 * before any inverted one. So the rules, in CASL's order, are not inverted, up to one without conditions (it matches
 * everything) or to the last, each conditioned only on equalities the store proves: `findsOnlyEqual(path, value)` when
 * a query's `{ [path]: value }` finds only records whose `path` is `value` (the embedded store's plain paths).
 */
export function foundReadWhole(ability: MongoAbility, subjectType: string, findsOnlyEqual: (path: string, value: unknown) => boolean): boolean {
  const rules = ability.rulesFor('read', subjectType)
  if (!rules.length || rules.some((rule) => rule.fields)) return false
  for (const rule of rules) {
    if (rule.inverted) return false
    if (!rule.conditions) return true
    const equalities = Object.entries(rule.conditions as Query)
    if (!equalities.length || !equalities.every(([path, value]) => findsOnlyEqual(path, value))) return false
  }
  return true
}

/** The record with only the fields the ability may `read`; `null` when it may read none of it. */
export const maskRecord = (ability: MongoAbility, subjectType: string, record: Record<string, any>, allFields: string[]): Record<string, any> | null =>
  readMask(ability, subjectType, allFields)(record)

/** The first field of `data` the ability may not write for `action` on `record`, if any. */
export function forbiddenField(ability: MongoAbility, action: string, subjectType: string, record: Record<string, any>, data: Record<string, any>) {
  const target = asSubject(subjectType, record)
  return Object.keys(data).find((field) => !ability.can(action, target, field))
}
