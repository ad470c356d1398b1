// Every collection, field, enum and index of seed 002 (kept in seed-fields.json) is declared by the calendar blueprint.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { loadBlueprint } from '../../../src/blueprints/index.js'
import type { Blueprint, Collection } from '../../../src/schemas/types.js'
import { describeSeedFields } from '../seed-fields.js'

const seed = JSON.parse(readFileSync(new URL('./seed-fields.json', import.meta.url), 'utf8')) as {
  collections: Record<string, Record<string, string>>
  indexes: Record<string, { fields: string[]; unique?: boolean; sparse?: boolean; kind?: string }[]>
}

/** Service paths are kebab-case: `sync_logs` → `sync-logs`. */
const servicePath = (seedName: string) => seedName.replace(/_/g, '-')

/** Seed fields indexed through a field derived from them, with why. */
const INDEXED_AS: Record<string, string> = {
  // MongoDB reads a legacy pair's first field as the longitude; the seed's pair is { latitude, longitude }.
  'locations.coordinates': 'point'
}

describe('the calendar blueprint declares seed 002', () => {
  let blueprint: Blueprint
  let collections: Map<string, Collection>
  before(async () => {
    blueprint = await loadBlueprint('calendar')
    collections = new Map(blueprint.collections.map((c) => [c.name, c]))
  })

  it('has a service for each of the seed’s 7 collections, at the paths the issue names', () => {
    assert.deepEqual(Object.keys(seed.collections).map(servicePath), ['users', 'calendars', 'events', 'categories', 'locations', 'sync-logs', 'admin-exports'])
    for (const name of Object.keys(seed.collections)) assert.ok(collections.has(servicePath(name)), `missing collection ${servicePath(name)}`)
  })

  describeSeedFields(seed.collections, () => collections, { declaredName: servicePath })

  for (const [seedName, indexes] of Object.entries(seed.indexes)) {
    for (const index of indexes) {
      const declaredFields = index.fields.map((field) => INDEXED_AS[`${seedName}.${field}`] ?? field)
      it(`indexes ${servicePath(seedName)} on ${index.fields.join(' + ')}${index.unique ? ' (unique)' : ''}${index.kind ? ` (${index.kind})` : ''}`, () => {
        const declared = collections.get(servicePath(seedName))!.indexes.find((i) => JSON.stringify(Object.keys(i.fields)) === JSON.stringify(declaredFields))
        assert.ok(declared, `no index on ${declaredFields.join(', ')}`)
        assert.equal(!!declared.unique, !!index.unique, 'unique as in the seed')
        if (index.sparse) assert.ok(declared.sparse, 'sparse as in the seed')
        if (index.kind) assert.equal(declared.fields[declaredFields[0]], index.kind)
      })
    }
  }

  it('stamps created_at, updated_at, created_by and last_modified_by on every collection (seed "Audit Trail")', () => {
    for (const name of Object.keys(seed.collections).map(servicePath)) {
      const collection = collections.get(name)!
      assert.deepEqual(collection.timestamps, { createdAt: 'created_at', updatedAt: 'updated_at' }, name)
      assert.equal(collection.generate?.created_by?.value, '{{user._id}}', name)
      assert.equal(collection.generate?.last_modified_by?.on, 'write', name)
    }
  })

  it('encrypts the four OAuth tokens (seed "Token Security") and hashes the local password', () => {
    const { secrets } = collections.get('users')!
    assert.deepEqual(secrets.filter((s) => s.kind === 'encrypt').map((s) => s.path).sort(), ['access_token', 'google_access_token', 'google_refresh_token', 'refresh_token'])
    assert.deepEqual(secrets.filter((s) => s.kind === 'hash').map((s) => s.path), ['password'])
  })

  it('cascades from users and calendars as the seed’s "Data Integrity Rules" say', () => {
    const ref = (collection: string, path: string) => collections.get(collection)!.references.find((r) => r.path === path)!
    for (const [collection, path] of [['calendars', 'user_id'], ['events', 'user_id'], ['events', 'calendar_id'], ['categories', 'user_id'], ['locations', 'user_id'], ['sync-logs', 'user_id'], ['events', 'recurrence_master_id']]) {
      assert.equal(ref(collection, path).onDelete, 'cascade', `${collection}.${path}`)
    }
    assert.equal(ref('events', 'calendar_id').collection, 'calendars')
    assert.equal(ref('events', 'recurrence_master_id').collection, 'events')
    assert.equal(ref('admin-exports', 'filters.user_ids').many, true)
  })

  it('has the seed’s two roles, admin being the administrators’ role', () => {
    assert.deepEqual(blueprint.roles.map((r) => r.RoleName), ['admin', 'user'])
    assert.equal(blueprint.adminRole, 'admin')
  })
})
