// Every collection, field, enum and index of seed 003 (kept in seed-fields.json) is declared by the society blueprint.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { loadBlueprint } from '../../../src/blueprints/index.js'
import type { Collection } from '../../../src/schemas/types.js'

const seed = JSON.parse(readFileSync(new URL('./seed-fields.json', import.meta.url), 'utf8')) as {
  collections: Record<string, Record<string, string>>
  indexes: Record<string, string[]>
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** The schema at a dot path, going through array items. */
function schemaAt(schema: any, path: string): any {
  let current = schema
  for (const key of path.split('.')) {
    while (current?.type === 'array') current = current.items
    current = current?.properties?.[key]
  }
  return current
}

/** Seed ObjectIds that are not single-collection references, with why. */
const NOT_REFS: Record<string, string> = {
  'complaints.assignedTo': 'a staff or a vendors record',
  'notifications.relatedEntityId': 'a record of the collection named by relatedEntityType',
  'patrolLogs.checkpointId': 'a checkpoint inside a patrol route (checked by a lookup)'
}

const TYPE_CHECKS: Record<string, (s: any) => boolean> = {
  ObjectId: (s) => s?.type === 'string',
  String: (s) => s?.type === 'string',
  Number: (s) => s?.type === 'number' || s?.type === 'integer',
  Boolean: (s) => s?.type === 'boolean',
  Date: (s) => s?.type === 'string' && s.format === 'date-time',
  Object: (s) => s?.type === 'object'
}

describe('the society blueprint declares seed 003', () => {
  let collections: Map<string, Collection>
  before(async () => {
    const blueprint = await loadBlueprint('society')
    collections = new Map(blueprint.collections.map((c) => [c.name, c]))
  })

  it('has a service for each of the seed’s 22 collections', () => {
    assert.equal(Object.keys(seed.collections).length, 22)
    for (const name of Object.keys(seed.collections)) assert.ok(collections.has(kebab(name)), `missing collection ${kebab(name)} (seed ${name})`)
  })

  for (const [seedName, fields] of Object.entries(seed.collections)) {
    describe(`${seedName} → ${kebab(seedName)}`, () => {
      for (const [path, seedType] of Object.entries(fields)) {
        it(`declares ${path} (${seedType})`, () => {
          const collection = collections.get(kebab(seedName))!
          const stamps = [collection.timestamps.createdAt, collection.timestamps.updatedAt]
          if (stamps.includes(path)) return
          const declared = schemaAt(collection.schema, path)
          assert.ok(declared, `${kebab(seedName)} does not declare ${path}`)
          const [type, comment] = seedType.replace(/^\[|\]$/g, '').split(' // ')
          if (seedType.startsWith('[')) assert.equal(declared.type, 'array', `${path} is a list in the seed`)
          const item = declared.type === 'array' ? declared.items : declared
          assert.ok(TYPE_CHECKS[type](item), `${path}: seed type ${type}, declared ${JSON.stringify({ type: item.type, format: item.format })}`)
          if (type === 'ObjectId' && !NOT_REFS[`${seedName}.${path}`]) assert.ok(item['x-ref'], `${path} should be a Ref()`)
          // A comment listing values is an enum; "etc." lets the blueprint add values (it adds Other).
          if (comment?.includes(',') && type === 'String') {
            const listed = comment.split(',').map((v) => v.trim()).filter((v) => v && v !== 'etc.')
            assert.ok(Array.isArray(item.enum), `${path} should be an Enum of ${listed.join(', ')}`)
            for (const value of listed) assert.ok(item.enum.includes(value), `${path} enum lacks ${value}`)
            if (!comment.includes('etc.')) assert.deepEqual([...item.enum].sort(), [...listed].sort())
          }
        })
      }
    })
  }

  it('declares the seed’s indexes (societies are indexed by their _id)', () => {
    for (const [seedName, fields] of Object.entries(seed.indexes)) {
      if (seedName === 'societies') continue
      const collection = collections.get(kebab(seedName))!
      const found = collection.indexes.some((index) => JSON.stringify(Object.keys(index.fields)) === JSON.stringify(fields))
      assert.ok(found, `${kebab(seedName)} has no index on ${fields.join(', ')}`)
    }
  })

  it('indexes patrol checkpoints for geo queries (2dsphere)', () => {
    const routes = collections.get('patrol-routes')!
    assert.ok(routes.indexes.some((index) => index.fields['checkpoints.point'] === '2dsphere'))
  })

  it('gives every society-scoped collection a societyId reference', () => {
    for (const collection of collections.values()) {
      if (['roles', 'permissions', 'role-permission-mappings', 'societies', 'users'].includes(collection.name)) continue
      assert.equal(collection.schema.properties.societyId?.['x-ref']?.collection, 'societies', `${collection.name} has no societyId`)
    }
  })
})
