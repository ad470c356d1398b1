// The query schema of a collection: its fields (dotted sub-fields included) with the operators each allows, and nothing else.
import type { FieldInfo, JsonSchema as TSchema } from './types.js'

export const COMPARISON_OPERATORS = ['$gt', '$gte', '$lt', '$lte', '$ne'] as const
export const LIST_OPERATORS = ['$in', '$nin'] as const
/** Case-insensitive "contains" on text fields: the operand is plain text (no pattern), matched as typed (`patel` finds `Dev Patel`). */
export const TEXT_OPERATOR = '$icontains'
/** Longest `$icontains` operand. */
export const MAX_TEXT_OPERAND = 200
/** Most values a `$in`/`$nin` list may hold; the REST query-string parser takes lists up to this length. */
export const MAX_LIST_VALUES = 1000

const KEEP = ['type', 'format', 'enum', 'const']

/** A query value is compared, not stored: keep the type, drop length and pattern limits. */
function valueSchema(schema: TSchema): TSchema | undefined {
  if (!['string', 'number', 'integer', 'boolean'].includes(schema.type) && !schema.enum) return undefined
  const value: TSchema = {}
  for (const key of KEEP) if (schema[key] !== undefined) value[key] = schema[key]
  return value
}

/**
 * Free text: a string that is no id, reference, date, choice or constant. Only these take `$icontains`, since the stores
 * keep the others in other shapes (ObjectIds, dates) where "contains" would differ between them.
 */
export const isTextField = (schema: TSchema) =>
  schema.type === 'string' && !schema['x-ref'] && schema.enum === undefined && schema.const === undefined && !['date-time', 'date'].includes(schema.format)

export function propertyQuerySchema(value: TSchema, options: { text?: boolean } = {}): TSchema {
  const operators: Record<string, TSchema> = {}
  for (const op of COMPARISON_OPERATORS) operators[op] = value
  for (const op of LIST_OPERATORS) operators[op] = { type: 'array', items: value, maxItems: MAX_LIST_VALUES }
  if (options.text) operators[TEXT_OPERATOR] = { type: 'string', minLength: 1, maxLength: MAX_TEXT_OPERAND, description: 'contains this text, ignoring case' }
  return { anyOf: [value, { type: 'object', properties: operators, additionalProperties: false, minProperties: 1 }] }
}

/** "Near a point" on a `GeoPoint()` field: within `maxDistance` metres (and beyond `minDistance`), nearest first. */
export const NEAR_OPERATOR = '$near'

const nearSchema: TSchema = {
  type: 'object',
  properties: {
    [NEAR_OPERATOR]: {
      type: 'object',
      description: 'records within maxDistance metres of the point (beyond minDistance), nearest first unless $sort says otherwise',
      properties: {
        longitude: { type: 'number', minimum: -180, maximum: 180 },
        latitude: { type: 'number', minimum: -90, maximum: 90 },
        maxDistance: { type: 'number', minimum: 0 },
        minDistance: { type: 'number', minimum: 0 }
      },
      required: ['longitude', 'latitude'],
      additionalProperties: false
    }
  },
  required: [NEAR_OPERATOR],
  additionalProperties: false
}

/** What Swagger UI pre-fills for a point field: near the Eiffel Tower, within 5 km. */
export const NEAR_EXAMPLE = { [NEAR_OPERATOR]: { longitude: 2.2945, latitude: 48.8584, maxDistance: 5000 } }

export function querySchemaFor(name: string, queryable: FieldInfo[], stamped: string[], points: string[] = []): TSchema {
  const fields: Record<string, TSchema> = { _id: propertyQuerySchema({ type: 'string' }) }
  for (const point of points) fields[point] = nearSchema
  const sortable: Record<string, TSchema> = { _id: { type: 'integer', enum: [1, -1] } }
  const selectable = new Set(['_id', ...stamped])
  for (const field of queryable) {
    const value = valueSchema(field.schema)
    selectable.add(field.path.split('.')[0])
    if (!value) continue
    fields[field.path] = propertyQuerySchema(value, { text: isTextField(field.schema) })
    if (!field.inArray) sortable[field.path] = { type: 'integer', enum: [1, -1] }
  }
  for (const stamp of stamped) {
    fields[stamp] = propertyQuerySchema({ type: 'string', format: 'date-time' })
    sortable[stamp] = { type: 'integer', enum: [1, -1] }
  }
  const clause = { type: 'object', properties: fields, additionalProperties: false }
  return {
    $id: `${name}-query`,
    type: 'object',
    properties: {
      ...fields,
      // Bounded: SQLite refuses an OFFSET past a 64-bit integer ("datatype mismatch").
      $limit: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      $skip: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      $sort: { type: 'object', properties: sortable, additionalProperties: false },
      $select: { type: 'array', items: { type: 'string', enum: [...selectable] }, uniqueItems: true },
      $or: { type: 'array', items: clause, maxItems: 50 },
      $and: { type: 'array', items: clause, maxItems: 50 }
    },
    additionalProperties: false
  }
}
