// Checks a blueprint's declarations against a seed's fields kept as test data (`seed-fields.json` of each blueprint's tests):
// each field is declared with the seed's type, lists stay lists, ObjectIds are Ref()s, and enum comments are Enums.
import assert from 'node:assert/strict'
import type { Collection } from '../../src/schemas/types.js'

/** A seed collection's fields: path → `Type // comment`, `[Type]` for a list. */
export type SeedFields = Record<string, Record<string, string>>

/** The schema at a dot path, going through array items. */
export function schemaAt(schema: any, path: string): any {
  let current = schema
  for (const key of path.split('.')) {
    while (current?.type === 'array') current = current.items
    current = current?.properties?.[key]
  }
  return current
}

const TYPE_CHECKS: Record<string, (s: any) => boolean> = {
  ObjectId: (s) => s?.type === 'string',
  String: (s) => s?.type === 'string',
  Number: (s) => s?.type === 'number' || s?.type === 'integer',
  Boolean: (s) => s?.type === 'boolean',
  Date: (s) => s?.type === 'string' && s.format === 'date-time',
  Object: (s) => s?.type === 'object'
}

/** Values a comment lists: `"a" | "b"` (quoted, exact), or `A, B, etc.` (`etc.` lets the blueprint add values). */
function listedValues(comment: string | undefined): { values: string[]; open: boolean } | undefined {
  if (comment?.includes('|')) return { values: comment.split('|').map((v) => v.trim().replace(/^"|"$/g, '')), open: false }
  if (comment?.includes(',')) return { values: comment.split(',').map((v) => v.trim()).filter((v) => v && v !== 'etc.'), open: comment.includes('etc.') }
  return undefined
}

export interface SeedFieldOptions {
  /** The declared collection of a seed collection name (`sync_logs` → `sync-logs`). */
  declaredName: (seedName: string) => string
  /** `seedCollection.path` of seed ObjectIds that are not single-collection references, with why. */
  notRefs?: Record<string, string>
}

/** One `it` per seed field, inside one `describe` per seed collection. */
export function describeSeedFields(seed: SeedFields, collections: () => Map<string, Collection>, options: SeedFieldOptions) {
  const notRefs = options.notRefs ?? {}
  for (const [seedName, fields] of Object.entries(seed)) {
    const name = options.declaredName(seedName)
    describe(`${seedName} → ${name}`, () => {
      for (const [path, seedType] of Object.entries(fields)) {
        it(`declares ${path} (${seedType})`, () => {
          const collection = collections().get(name)
          assert.ok(collection, `no collection ${name} (seed ${seedName})`)
          if ([collection.timestamps.createdAt, collection.timestamps.updatedAt].includes(path)) return
          const declared = schemaAt(collection.schema, path)
          assert.ok(declared, `${name} does not declare ${path}`)
          const [type, comment] = seedType.replace(/^\[|\](?= \/\/|$)/g, '').split(' // ')
          if (seedType.startsWith('[')) assert.equal(declared.type, 'array', `${path} is a list in the seed`)
          const item = declared.type === 'array' ? declared.items : declared
          assert.ok(TYPE_CHECKS[type](item), `${path}: seed type ${type}, declared ${JSON.stringify({ type: item.type, format: item.format })}`)
          if (type === 'ObjectId' && !notRefs[`${seedName}.${path}`]) assert.ok(item['x-ref'], `${path} should be a Ref()`)
          const listed = type === 'String' ? listedValues(comment) : undefined
          if (listed) {
            assert.ok(Array.isArray(item.enum), `${path} should be an Enum of ${listed.values.join(', ')}`)
            for (const value of listed.values) assert.ok(item.enum.includes(value), `${path} enum lacks ${value}`)
            if (!listed.open) assert.deepEqual([...item.enum].sort(), [...listed.values].sort())
          }
        })
      }
    })
  }
}
