// A schema for Ajv with each subschema it repeats written once, in `$defs`, and referred to where it was: a query schema
// repeats every field's operators, and all of its fields again inside `$or` and `$and`. Inlined, Ajv compiles each copy
// anew (society's query validators: 6.5 s and 15 MB of code); referred to (with `inlineRefs: false`), each once (~1/6 the time).
import type { JsonSchema } from './types.js'

/** Keywords whose value is a map of names to subschemas, one subschema, or a list of them (JSON Schema 2020-12). */
const MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'])
const ONE = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalItems'])
const LISTS = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems'])
/**
 * Only a subschema that checks a property or an item is referred to, never one of several alternatives (`anyOf`…):
 * a referred-to schema is its own function, which writes a coerced value back to its parent but not to the caller's copy.
 */
const IN_PLACE = new Set(['properties', 'patternProperties', 'items', 'additionalProperties'])
/**
 * Left inline: references and ids (they resolve against where they are), and defaults, which Ajv fills only outside
 * `anyOf`/`oneOf`/`not` and would fill inside a referred-to schema wherever it came from.
 */
const KEEP_INLINE = /"(\$ref|\$id|\$anchor|\$dynamicRef|\$dynamicAnchor|\$recursiveRef|default|unevaluatedProperties|unevaluatedItems)":/
/** Smaller subschemas cost less to compile than to call. */
const MIN_SHARED_LENGTH = 64

const isSchema = (value: unknown): value is JsonSchema => !!value && typeof value === 'object' && !Array.isArray(value)

/** Each subschema of `schema` with a copy of it from `map` (and whether it stands in place); other values as they are. */
function mapSubschemas(schema: JsonSchema, map: (subschema: JsonSchema, inPlace: boolean) => JsonSchema): JsonSchema {
  const each = (keyword: string, value: unknown) => (isSchema(value) ? map(value, IN_PLACE.has(keyword)) : value)
  const result: JsonSchema = {}
  for (const [keyword, value] of Object.entries(schema)) {
    if (MAPS.has(keyword) && isSchema(value)) result[keyword] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, each(keyword, sub)]))
    else if (ONE.has(keyword)) result[keyword] = each(keyword, value)
    else if (LISTS.has(keyword) && Array.isArray(value)) result[keyword] = value.map((sub) => each(keyword, sub))
    else result[keyword] = value
  }
  return result
}

/** `schema` with every subschema it holds twice or more (in place, see above) moved to `$defs`; as it is when none is. */
export function withSharedDefinitions(schema: JsonSchema): JsonSchema {
  if (!isSchema(schema) || schema.$defs !== undefined || schema.definitions !== undefined) return schema
  const seen = new Map<string, number>()
  const count = (subschema: JsonSchema, inPlace: boolean): JsonSchema => {
    if (inPlace) {
      const text = JSON.stringify(subschema)
      seen.set(text, (seen.get(text) ?? 0) + 1)
    }
    return mapSubschemas(subschema, count)
  }
  mapSubschemas(schema, count)

  const defs: Record<string, JsonSchema> = {}
  const names = new Map<string, string>()
  const share = (subschema: JsonSchema, inPlace: boolean): JsonSchema => {
    const text = inPlace ? JSON.stringify(subschema) : ''
    if (!inPlace || seen.get(text)! < 2 || text.length < MIN_SHARED_LENGTH || KEEP_INLINE.test(text)) return mapSubschemas(subschema, share)
    let name = names.get(text)
    if (!name) {
      name = `shared${names.size}`
      names.set(text, name)
      defs[name] = mapSubschemas(subschema, share)
    }
    return { $ref: `#/$defs/${name}` }
  }
  const shared = mapSubschemas(schema, share)
  return names.size ? { ...shared, $defs: defs } : schema
}
