// Templates in declarations: `{{user._id}}`, `{{now}}`, `{{record.flatId}}`… filled from what a hook knows at that moment.
import { valueAt } from '../../schemas/paths.js'

/** What placeholders may name: `user`, `record`, `data`, `each`, `match` (records) and `now` (an ISO date). */
export type TemplateScope = Record<string, unknown>

const WHOLE = /^\{\{\s*([A-Za-z_$][\w$.]*)\s*\}\}$/
const INSIDE = /\{\{\s*([A-Za-z_$][\w$.]*)\s*\}\}/g
const MISSING = Symbol('missing')

function resolve(template: unknown, scope: TemplateScope, onMissing: () => void, empty = false): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template)
    if (whole) {
      const value = valueAt(scope, whole[1])
      if (value === undefined || value === null || (empty && ((Array.isArray(value) && !value.length) || value === ''))) {
        onMissing()
        return MISSING
      }
      return value
    }
    return template.replace(INSIDE, (_, path) => {
      const value = valueAt(scope, path)
      return value === undefined || value === null ? '' : String(value)
    })
  }
  if (Array.isArray(template)) return template.map((item) => resolve(item, scope, onMissing, empty)).filter((item) => item !== MISSING)
  if (template && typeof template === 'object') {
    const result: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(template)) {
      const filled = resolve(value, scope, onMissing, empty)
      if (filled !== MISSING) result[key] = filled
    }
    return result
  }
  return template
}

/** The template with the scope's values: a whole-string placeholder keeps its value's type; one inside text becomes text; fields without a value are left out. */
export function fill<T = Record<string, unknown>>(template: unknown, scope: TemplateScope): T {
  return resolve(template, scope, () => {}) as T
}

/**
 * A query template, or `undefined` when a placeholder has no value: dropping that condition would widen the query.
 * `emptyIsUnset`: an empty list or text counts as no value (a filter left empty in a form: no multi-select chosen).
 */
export function fillQuery(template: Record<string, unknown>, scope: TemplateScope, { emptyIsUnset = false } = {}): Record<string, unknown> | undefined {
  let complete = true
  const query = resolve(template, scope, () => (complete = false), emptyIsUnset) as Record<string, unknown>
  return complete ? query : undefined
}

/** Text with the scope's values, or `undefined` when a placeholder has no value (a document leaves such a line out). */
export function fillText(template: string, scope: TemplateScope): string | undefined {
  let complete = true
  const text = template.replace(INSIDE, (_, path) => {
    const value = valueAt(scope, path)
    if (value === undefined || value === null || value === '') complete = false
    return complete ? String(value) : ''
  })
  return complete ? text : undefined
}
