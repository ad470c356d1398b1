// Every collection, field, enum and index of seed 003 (kept in seed-fields.json) is declared by the society blueprint.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { loadBlueprint } from '../../../src/blueprints/index.js'
import type { Collection } from '../../../src/schemas/types.js'
import { describeSeedFields } from '../seed-fields.js'

const seed = JSON.parse(readFileSync(new URL('./seed-fields.json', import.meta.url), 'utf8')) as {
  collections: Record<string, Record<string, string>>
  indexes: Record<string, string[]>
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** Seed ObjectIds that are not single-collection references, with why. */
const NOT_REFS: Record<string, string> = {
  'complaints.assignedTo': 'a staff or a vendors record',
  'notifications.relatedEntityId': 'a record of the collection named by relatedEntityType',
  'patrolLogs.checkpointId': 'a checkpoint inside a patrol route (checked by a lookup)'
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

  describeSeedFields(seed.collections, () => collections, { declaredName: kebab, notRefs: NOT_REFS })

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
