// Requests built from an OpenAPI document alone: a body from a schema, a query string from parameters (deepObject style).
type Schema = Record<string, any>

/** Resolves a local `$ref` (`#/components/schemas/X`) against the document. */
export function deref(document: Schema, schema: Schema): Schema {
  if (!schema?.$ref) return schema
  const target = schema.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: any, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document)
  if (!target) throw new Error(`unresolved ${schema.$ref}`)
  return deref(document, target)
}

export interface SampleContext {
  document: Schema
  /** Ids of existing records by collection, for `x-ref` fields. */
  ids: Record<string, string>
  /** Makes strings unique between samples (unique indexes). */
  seed: string
}

/** A value the schema accepts, or `undefined` when none can be made without knowing more (unknown reference, pattern). */
export function sample(schema: Schema, context: SampleContext): unknown {
  schema = deref(context.document, schema)
  if (schema['x-ref']) return context.ids[schema['x-ref'].collection]
  if (schema.const !== undefined) return schema.const
  if (schema.default !== undefined) return schema.default
  if (schema.enum) return schema.enum[0]
  const variants = schema.oneOf ?? schema.anyOf
  if (variants) return sample(variants.find((v: Schema) => v.type !== 'null') ?? variants[0], context)
  switch (schema.type) {
    case 'string':
      return sampleString(schema, context.seed)
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 0, schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0)
    case 'boolean':
      return false
    case 'array': {
      const items = Array.from({ length: schema.minItems ?? (schema.prefixItems?.length ?? 0) }, (_, i) => sample(schema.prefixItems?.[i] ?? schema.items, context))
      return items.includes(undefined) ? undefined : items
    }
    case 'object': {
      const result: Record<string, unknown> = {}
      for (const key of schema.required ?? []) {
        const value = sample(schema.properties?.[key] ?? {}, context)
        if (value === undefined) return undefined
        result[key] = value
      }
      return result
    }
    default:
      return {}
  }
}

function sampleString(schema: Schema, seed: string): string | undefined {
  if (schema.pattern) return undefined
  const formatted: Record<string, string> = {
    email: `sample-${seed}@example.com`,
    'date-time': new Date().toISOString(),
    date: '2025-01-01',
    time: '12:00:00Z',
    uri: `https://example.com/${seed}`,
    uuid: '123e4567-e89b-42d3-a456-426614174000'
  }
  if (schema.format) return formatted[schema.format]
  const text = `sample-${seed}`.padEnd(schema.minLength ?? 0, 'x')
  return schema.maxLength ? text.slice(0, schema.maxLength) : text
}

/** `name[key][sub]=value` pairs for a deepObject parameter value. */
function deepObject(prefix: string, value: unknown, pairs: [string, string][]) {
  if (Array.isArray(value)) value.forEach((item) => deepObject(`${prefix}[]`, item, pairs))
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) deepObject(`${prefix}[${key}]`, item, pairs)
  else pairs.push([prefix, String(value)])
}

/** A query string from the operation's parameters and chosen values, serialized as each parameter's style says. */
export function queryString(parameters: Schema[], values: Record<string, unknown>): string {
  const pairs: [string, string][] = []
  for (const parameter of parameters) {
    if (parameter.in !== 'query' || values[parameter.name] === undefined) continue
    const value = values[parameter.name]
    if (parameter.style === 'deepObject') deepObject(parameter.name, value, pairs)
    else if (Array.isArray(value)) value.forEach((item) => pairs.push([parameter.name, String(item)]))
    else pairs.push([parameter.name, String(value)])
  }
  return pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : ''
}
