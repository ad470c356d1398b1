// "Near a point" (`$near` on a GeoPoint field) over real HTTP on a small fixture: within the distance, nearest first,
// counted, permission-narrowed like any filter, refused clearly when malformed; the embedded store's plan uses the
// point's latitude index (its `2dsphere` declaration). On MongoDB it is `$nearSphere` (and `$geoWithin` to count).
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { createApp, type EngineApp } from '../../src/app.js'
import { distance } from '../../src/services/adapters/sqlite-query.js'
import { SqliteCollection } from '../../src/services/adapters/sqlite-collection.js'
import type { EmbeddedStore } from '../../src/services/store.js'
import { Email, Enum, GeoPoint, Password, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import type { BlueprintInput } from '../../src/schemas/types.js'
import { login, request, tempDir, testSettings, toQueryString } from '../helpers.js'

const PASSWORD = 'harbour-pass'

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Keeper', 'Visitor']) }),
  auth: { roleField: 'role', roleBy: 'name' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const harbours = defineCollection({
  name: 'harbours',
  schema: Type.Object({ name: Type.String(), open: Type.Boolean(), at: Type.Optional(GeoPoint()) }),
  indexes: [{ fields: { at: '2dsphere' } }]
})

// Longitude, latitude. Distances from Lisbon (-9.14, 38.72): Porto ~274 km, Faro ~218 km, Madrid ~503 km, Cádiz ~358 km.
const PLACES: [string, number, number, boolean][] = [
  ['Lisbon', -9.14, 38.72, true],
  ['Porto', -8.61, 41.15, true],
  ['Faro', -7.93, 37.02, false],
  ['Madrid', -3.7, 40.42, true],
  ['Cádiz', -6.29, 36.53, true],
  ['Reykjavík', -21.94, 64.15, true]
]
const LISBON = { longitude: -9.14, latitude: 38.72 }

const harbourBlueprint: BlueprintInput = {
  name: 'harbours',
  version: '0.0.1',
  description: 'Harbours on a map.',
  collections: [...rbacCollections, users, harbours],
  roles: [
    { RoleName: 'Keeper', permissions: ['keeper-users', 'keeper-harbours'] },
    { RoleName: 'Visitor', permissions: ['visitor-open'] }
  ],
  permissions: [
    { PermissionName: 'keeper-users', Action: 'manage', Subject: 'users' },
    { PermissionName: 'keeper-harbours', Action: 'manage', Subject: 'harbours' },
    { PermissionName: 'visitor-open', Action: 'read', Subject: 'harbours', Conditions: { open: true } }
  ],
  adminRole: 'Keeper',
  async demo(app: any) {
    await app.service('users').create([
      { name: 'Keeper', email: 'keeper@harbour.example.com', password: PASSWORD, role: 'Keeper' },
      { name: 'Visitor', email: 'visitor@harbour.example.com', password: PASSWORD, role: 'Visitor' }
    ])
    await app.service('harbours').create([
      ...PLACES.map(([name, longitude, latitude, open]) => ({ name, open, at: { type: 'Point', coordinates: [longitude, latitude] } })),
      { name: 'Nowhere', open: true }
    ])
  }
}

describe('near a point ($near on a GeoPoint field)', function () {
  this.timeout(60_000)
  let app: EngineApp
  let url: string
  let dataDir: string
  const tokens: Record<string, string> = {}

  before(async () => {
    dataDir = await tempDir('quillbase-harbours-')
    app = await createApp(sanitizeBlueprint(harbourBlueprint), testSettings({ dataDir }))
    const server = await app.listen(0)
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    for (const who of ['keeper', 'visitor']) tokens[who] = (await login(url, `${who}@harbour.example.com`, PASSWORD)).accessToken
  })
  after(async () => {
    await app?.shutdown()
    await rm(dataDir, { recursive: true, force: true })
  })

  const near = (who: string, operand: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    request(url, 'GET', `/harbours${toQueryString({ at: { $near: operand }, ...extra })}`, { token: tokens[who] })

  const km = (name: string) => {
    const [, longitude, latitude] = PLACES.find(([place]) => place === name)!
    return distance(longitude, latitude, LISBON.longitude, LISBON.latitude)! / 1000
  }

  it('returns the points within maxDistance, nearest first, with the total; records without a point never match', async () => {
    const res = await near('keeper', { ...LISBON, maxDistance: 400_000 })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body.data.map((h: any) => h.name), ['Lisbon', 'Faro', 'Porto', 'Cádiz'])
    assert.equal(res.body.total, 4)
    assert.ok(km('Porto') > 250 && km('Porto') < 300, `Porto is ${km('Porto')} km from Lisbon`)
    const all = await near('keeper', LISBON)
    assert.deepEqual(all.body.data.map((h: any) => h.name), ['Lisbon', 'Faro', 'Porto', 'Cádiz', 'Madrid', 'Reykjavík'])
    assert.equal(all.body.total, 6, 'a record without a point is not near anything')
  })

  it('minDistance, $sort and $limit apply; permissions narrow it like any filter', async () => {
    const ring = await near('keeper', { ...LISBON, minDistance: 250_000, maxDistance: 600_000 }, { $limit: 2 })
    assert.deepEqual(ring.body.data.map((h: any) => h.name), ['Porto', 'Cádiz'])
    assert.equal(ring.body.total, 3)
    const sorted = await near('keeper', { ...LISBON, maxDistance: 400_000 }, { $sort: { name: 1 } })
    assert.deepEqual(sorted.body.data.map((h: any) => h.name), ['Cádiz', 'Faro', 'Lisbon', 'Porto'])
    const visitor = await near('visitor', { ...LISBON, maxDistance: 400_000 })
    assert.deepEqual(visitor.body.data.map((h: any) => h.name), ['Lisbon', 'Porto', 'Cádiz'], 'Faro is closed: not for visitors')
  })

  it('a malformed $near is a 400 that says why, never a 500', async () => {
    for (const operand of [{ longitude: 200, latitude: 0 }, { latitude: 10 }, { ...LISBON, maxDistance: -1 }, { ...LISBON, radius: 5 }]) {
      const res = await near('keeper', operand)
      assert.equal(res.status, 400, `${JSON.stringify(operand)} → ${res.status}`)
    }
    const onText = await request(url, 'GET', `/harbours${toQueryString({ name: { $near: LISBON } })}`, { token: tokens.keeper })
    assert.equal(onText.status, 400)
  })

  it("the embedded store narrows by the point's latitude index before computing distances", async () => {
    const seen: { sql: string; params: unknown[] }[] = []
    const { all } = SqliteCollection.prototype
    SqliteCollection.prototype.all = function (this: SqliteCollection, sql: string, params: unknown[]) {
      if (this.name === 'harbours') seen.push({ sql, params })
      return all.call(this, sql, params)
    }
    try {
      assert.equal((await near('keeper', { ...LISBON, maxDistance: 100_000 })).status, 200)
    } finally {
      SqliteCollection.prototype.all = all
    }
    const db = (app.store as EmbeddedStore).database.db
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${seen[0].sql}`).all(...seen[0].params) as { detail: string }[]).map((line) => line.detail)
    assert.ok(plan.some((line) => /USING INDEX "?harbours\$at_2dsphere/.test(line)), plan.join(' | '))
  })
})
