// The two Ajv instances: data (strict types, every error reported) and query (REST strings coerced to the schema's types).
import { Ajv, addFormats } from '@feathersjs/schema'
import type { JsonSchema } from './types.js'

const formats = ['date-time', 'date', 'time', 'email', 'uri', 'uuid', 'ipv4', 'ipv6', 'hostname'] as const

function createAjv(coerceTypes: boolean | 'array'): Ajv {
  // strictNumbers: NaN and Infinity (`1e999` in JSON, `1e309` in a query) are no numbers.
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, strictTypes: false, strictNumbers: true, addUsedSchema: false })
  addFormats(ajv, [...formats])
  // Engine annotations live on the schema itself; Ajv only needs to know they are not typos.
  for (const keyword of ['x-ref', 'x-secret', 'x-mask', 'x-admin', 'x-file']) ajv.addKeyword({ keyword })
  return ajv
}

export const dataAjv = createAjv(false)
export const queryAjv = createAjv('array')

export type CompiledValidator = <T>(data: unknown) => Promise<T>

/**
 * Compiles once; the validator resolves with the (defaulted/coerced) value or rejects with an error carrying `ajv` and `errors`.
 * `lazy` defers compiling to the first call (query schemas: ~100 ms each, most never used right after start).
 */
export function compile(ajv: Ajv, schema: JsonSchema, { lazy = false } = {}): CompiledValidator {
  let compiled = lazy ? undefined : ajv.compile(schema)
  return async <T>(data: unknown) => {
    const validate = (compiled ??= ajv.compile(schema))
    const errors = validate(data) ? (ajv === queryAjv ? nonFinite(data) : []) : validate.errors!
    if (!errors.length) return data as T
    throw Object.assign(new Error(ajv.errorsText(errors, { dataVar: 'data' })), { ajv: true, errors })
  }
}

/** Ajv coerces `1e309` to Infinity and then skips a number's other checks (strictNumbers sees only uncoerced values). */
function nonFinite(value: unknown, instancePath = ''): any[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [{ instancePath, keyword: 'type', params: {}, message: 'must be a finite number' }]
  if (!value || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, inner]) => nonFinite(inner, `${instancePath}/${key}`))
}
