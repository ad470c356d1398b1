// The two Ajv instances: data (strict types, every error reported) and query (REST strings coerced to the schema's types).
import { Ajv, addFormats } from '@feathersjs/schema'
import { withSharedDefinitions } from './shared-definitions.js'
import type { JsonSchema } from './types.js'

const formats = ['date-time', 'date', 'time', 'email', 'uri', 'uuid', 'ipv4', 'ipv6', 'hostname'] as const

function createAjv(coerceTypes: boolean | 'array'): Ajv {
  // strictNumbers: NaN and Infinity (`1e999` in JSON, `1e309` in a query) are no numbers.
  // inlineRefs false: a schema's shared definitions (withSharedDefinitions) are compiled once each, not at every use.
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, strictTypes: false, strictNumbers: true, addUsedSchema: false, inlineRefs: false })
  addFormats(ajv, [...formats])
  // Engine annotations live on the schema itself; Ajv only needs to know they are not typos.
  for (const keyword of ['x-ref', 'x-secret', 'x-mask', 'x-admin', 'x-file']) ajv.addKeyword({ keyword })
  return ajv
}

export const dataAjv = createAjv(false)
export const queryAjv = createAjv('array')

export type CompiledValidator = <T>(data: unknown) => Promise<T>

type ValidateFunction = ReturnType<Ajv['compile']>

/**
 * Each instance's validators by their schema's JSON: an app built again in the same process (every test server, the
 * CLI's) reuses them instead of compiling its blueprint's schemas anew. Ajv reads only a schema's JSON (string keys, JSON
 * values), so schemas of equal text compile to the same validator.
 */
const compiledSchemas = new WeakMap<Ajv, Map<string, ValidateFunction>>()

function compiledOnce(ajv: Ajv, schema: JsonSchema): ValidateFunction {
  let byText = compiledSchemas.get(ajv)
  if (!byText) compiledSchemas.set(ajv, (byText = new Map()))
  const text = JSON.stringify(schema)
  let validate = byText.get(text)
  if (!validate) byText.set(text, (validate = ajv.compile(withSharedDefinitions(schema))))
  return validate
}

/**
 * Compiles once; the validator resolves with the (defaulted/coerced) value or rejects with an error carrying `ajv` and `errors`.
 * `lazy` defers compiling to the first call (query schemas: tens of ms each, most never used right after start).
 */
export function compile(ajv: Ajv, schema: JsonSchema, { lazy = false } = {}): CompiledValidator {
  let compiled = lazy ? undefined : compiledOnce(ajv, schema)
  return async <T>(data: unknown) => {
    const validate = (compiled ??= compiledOnce(ajv, schema))
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
