// Permissions records → CASL raw rules, and the caller's values put in place of `{{user.<field>}}`.
import type { RawRuleOf, MongoAbility } from '@casl/ability'
import { valueAt } from '../schemas/paths.js'

export interface PermissionRecord {
  _id: string
  PermissionName: string
  Action: string
  Subject: string
  Conditions?: Record<string, unknown>
  Fields?: string[]
  Inverted?: boolean
}

export type RawRule = RawRuleOf<MongoAbility>

/** What a placeholder becomes when the caller has no such value: matches no stored record. */
export const UNSET = '\u0000unset'

/** `{{user.path}}`, anywhere in a string (`PLACEHOLDERS`) or as the whole string (`PLACEHOLDER`). */
export const PLACEHOLDERS = /\{\{\s*user\.([A-Za-z0-9_.]+)\s*\}\}/g
const PLACEHOLDER = /^\{\{\s*user\.([A-Za-z0-9_.]+)\s*\}\}$/


/** Operators whose operand is a list: a placeholder there becomes a list (a missing value: `[UNSET]`, which matches nothing). */
const LIST_OPERATORS = new Set(['$in', '$nin', '$all'])

/** Replaces every `{{user.x}}` string in conditions with the caller's value (its own type kept: ids, arrays, numbers). */
export function interpolate(conditions: unknown, user: Record<string, any> | undefined, operator?: string): unknown {
  if (typeof conditions === 'string') {
    const match = PLACEHOLDER.exec(conditions)
    if (!match) return conditions
    const value = user ? valueAt(user, match[1]) : undefined
    const known = value === undefined || value === null ? UNSET : value
    if (operator && LIST_OPERATORS.has(operator)) return Array.isArray(known) ? known : [known]
    return known
  }
  if (Array.isArray(conditions)) return conditions.map((item) => interpolate(item, user))
  if (conditions && typeof conditions === 'object') {
    const result: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(conditions)) result[key] = interpolate(value, user, key)
    return result
  }
  return conditions
}

export function toRawRule(permission: PermissionRecord): RawRule {
  const rule: RawRule = { action: permission.Action, subject: permission.Subject }
  if (permission.Conditions && Object.keys(permission.Conditions).length) rule.conditions = permission.Conditions as any
  if (permission.Fields?.length) rule.fields = permission.Fields
  if (permission.Inverted) rule.inverted = true
  return rule
}

/** A role's rules as CASL must see them: later rules win, so `cannot` rules go last and always restrict. */
export const orderedRules = (rules: RawRule[]) => [...rules].sort((a, b) => Number(!!a.inverted) - Number(!!b.inverted))
