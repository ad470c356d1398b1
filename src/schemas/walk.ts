// Walks a collection's JSON Schema once to find what the engine treats specially: references, secrets, dates, leaf paths.
import type { FieldInfo, JsonSchema as TSchema, ReferenceInfo, SecretInfo } from './types.js'

type Visitor = (field: FieldInfo) => void

/** Calls `visit` for every property at any depth; arrays of objects are walked through (`Attendees.DeveloperId`). */
export function walkFields(schema: TSchema, visit: Visitor, prefix = '', inArray = false): void {
  for (const [key, child] of Object.entries<TSchema>(schema.properties ?? {})) {
    visitField(`${prefix}${key}`, child, visit, inArray)
  }
}

function visitField(path: string, schema: TSchema, visit: Visitor, inArray: boolean): void {
  for (const variant of variants(schema)) {
    if (variant.type === 'array' && variant.items && !Array.isArray(variant.items)) {
      visitField(path, variant.items, visit, true)
      continue
    }
    visit({ path, schema: variant, inArray })
    if (variant.type === 'object' && variant.properties) walkFields(variant, visit, `${path}.`, inArray)
  }
}

/** A nullable or union field is walked through each of its non-null variants. */
function variants(schema: TSchema): TSchema[] {
  const union: TSchema[] | undefined = schema.anyOf ?? schema.oneOf
  return union ? union.filter((s) => s.type !== 'null') : [schema]
}

export interface SchemaFacts {
  references: ReferenceInfo[]
  secrets: SecretInfo[]
  dates: string[]
  /** Leaf paths a query may name (secrets excluded), with their schema. */
  queryable: FieldInfo[]
  /** Every path, objects included. */
  paths: Set<string>
  /** Objects with free keys (`Type.Record`, `Type.Unknown` objects): their keys are escaped in the store. */
  freeform: string[]
  /** GeoJSON point fields (`GeoPoint()`), outside arrays: they take the `$near` query operator. */
  points: string[]
}

export function collectFacts(schema: TSchema): SchemaFacts {
  const facts: SchemaFacts = { references: [], secrets: [], dates: [], queryable: [], paths: new Set(), freeform: [], points: [] }
  walkFields(schema, (field) => {
    const { path, schema: s, inArray } = field
    facts.paths.add(path)
    const ref = s['x-ref']
    if (ref) facts.references.push({ ...field, ...ref, many: inArray })
    if (s['x-secret']) {
      facts.secrets.push({ path, kind: s['x-secret'] })
      return
    }
    if (s.format === 'date-time') facts.dates.push(path)
    if (s.type === 'object' && !s.properties) facts.freeform.push(path)
    if (s.type === 'object' && s.properties?.type?.const === 'Point' && s.properties.coordinates && !inArray) facts.points.push(path)
    if (s.type !== 'object' || !s.properties) facts.queryable.push({ path, schema: s, inArray })
  })
  return facts
}
