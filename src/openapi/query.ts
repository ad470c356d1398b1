// Query parameters as shared components: each written once and referenced by every operation that takes it.
// Swagger UI (ApiDOM) walks the whole document on load and on every expanded operation, so size is its speed.
import type { CollectionTypeNames } from '../client/names.js'
import { NEAR_EXAMPLE, NEAR_OPERATOR } from '../schemas/query.js'
import type { Collection, JsonSchema } from '../schemas/types.js'
import { toOpenApiSchema } from './schemas.js'

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
/** Component keys allow `A-Za-z0-9._-` only. */
const componentKey = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_')

/** The query components of a whole blueprint: field operator schemas (by value type) and each collection's parameters. */
export class QueryComponents {
  readonly schemas: Record<string, JsonSchema> = {}
  readonly parameters: Record<string, Record<string, unknown>> = {}
  private _byContent = new Map<string, string>()

  /**
   * A field's `value | { $gt, …, $in, $nin }` schema, shared by every field of the same value:
   * `FieldQuery.string`, `FieldQuery.date-time`; an enum is named after the first field that has it.
   */
  private _fieldQuery(schema: JsonSchema, collection: CollectionTypeNames, path: string) {
    const content = JSON.stringify(schema)
    let key = this._byContent.get(content)
    if (!key) {
      const value = schema.anyOf?.[0] ?? {}
      key = componentKey(value.enum || value.const !== undefined ? `FieldQuery.${collection.result}.${path}` : `FieldQuery.${value.format ?? value.type}`)
      for (let n = 2; this.schemas[key]; n++) key = `${key.replace(/_\d+$/, '')}_${n}`
      this.schemas[key] = { ...schema, title: key }
      this._byContent.set(content, key)
    }
    return ref(key)
  }

  /** Adds a collection's query parameters; answers references to them, for `find` and the multi `patch`/`remove`, and to `$select`. */
  add(collection: Collection, names: CollectionTypeNames) {
    const properties = collection.querySchema.properties as Record<string, JsonSchema>
    const refs: Record<string, { $ref: string }> = {}
    const fields: Record<string, JsonSchema> = {}
    for (const [name, schema] of Object.entries(properties)) {
      if (!name.startsWith('$')) fields[name] = this._fieldQuery(toOpenApiSchema(schema), names, name)
    }
    this.schemas[names.queryFields] = { type: 'object', title: names.queryFields, description: `Conditions on ${collection.name} fields`, properties: fields, additionalProperties: false }

    for (const [name, schema] of Object.entries(properties)) {
      // `$limit` → `AppointmentQuery-limit`, a field → `AppointmentQuery.Status`: `$` is not allowed in a key.
      const key = componentKey(name.startsWith('$') ? `${names.query}-${name.slice(1)}` : `${names.query}.${name}`)
      if (this.parameters[key]) throw new Error(`Query parameters "${name}" of ${collection.name} share the component key ${key}`)
      this.parameters[key] = { name, in: 'query', required: false, ...this._parameter(name, toOpenApiSchema(schema), collection, names, fields) }
      refs[name] = { $ref: `#/components/parameters/${key}` }
    }
    return { all: Object.values(refs), select: refs.$select }
  }

  private _parameter(name: string, schema: JsonSchema, collection: Collection, names: CollectionTypeNames, fields: Record<string, JsonSchema>) {
    const deep = { style: 'deepObject', explode: true }
    switch (name) {
      case '$limit':
        return { schema, description: `Page size (default ${collection.pagination.default}, at most ${collection.pagination.max})` }
      case '$skip':
        return { schema, description: 'Records to skip' }
      case '$sort':
        // Swagger UI would otherwise pre-fill every sortable field; `_id` is one every caller may sort on.
        return { schema, ...deep, description: 'Fields to sort on, 1 (ascending) or -1: `$sort[field]=-1`', example: { _id: -1 } }
      case '$select':
        return { schema, style: 'form', explode: true, description: 'Fields to return (`_id` always); the others are left out, so the answer is a partial record' }
      case '$or':
      case '$and':
        // Swagger UI sends a list of objects as JSON, which no query string parser reads: nothing pre-filled (`[]`).
        return {
          schema: { ...schema, items: ref(names.queryFields) },
          ...deep,
          description: `Clauses: \`${name}[0][field]=value&${name}[1][field][$gt]=…\` (Swagger UI cannot send this form; type it in the URL)`,
          example: []
        }
      default:
        if (schema.properties?.[NEAR_OPERATOR]) {
          return { schema: fields[name], ...deep, description: 'Near a point: `field[$near][longitude]=…&field[$near][latitude]=…&field[$near][maxDistance]=metres`, nearest first', example: NEAR_EXAMPLE }
        }
        return { schema: fields[name], ...deep, description: 'A value, or operators: `field[$gt]=…`, `field[$in][0]=…`' }
    }
  }
}
