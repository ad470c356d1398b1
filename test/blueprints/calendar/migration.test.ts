// migrations/calendar: records in the seed application's shape (globals with `user_id: null`, locations with only the
// legacy coordinates) get the declared shape, and back.
import assert from 'node:assert/strict'
import { down, up } from '../../../migrations/calendar/2026.12.01T00.00.00.global-records-and-geo-points.js'
import { calendarWorld, type World } from './world.js'

describe('calendar migration: global records and GeoJSON points', () => {
  let world: World
  const logs: string[] = []
  const context = () => ({ app: world.server.app, store: world.server.app.store, blueprint: world.server.app.blueprint, log: (line: string) => logs.push(line) })
  const adapter = (path: string) => world.server.app.service(path) as any
  before(async () => {
    world = await calendarWorld()
  })

  it('drops user_id: null from globals and derives the missing points; down restores the seed’s shape', async () => {
    const stamp = { is_active: true, usage_count: 0, created_at: new Date().toISOString(), updated_at: new Date().toISOString() }
    const category = await adapter('categories')._create({ user_id: null, name: 'Imported global', type: 'system', ...stamp })
    const location = await adapter('locations')._create({ user_id: null, name: 'Imported hall', coordinates: { latitude: 40.7128, longitude: -74.006 }, ...stamp })
    const [hall] = await world.find('locations', { name: 'Main conference room' })
    await up(context())
    const migratedCategory = await adapter('categories')._get(category._id)
    const migratedLocation = await adapter('locations')._get(location._id)
    assert.equal('user_id' in migratedCategory, false)
    assert.equal('user_id' in migratedLocation, false)
    assert.deepEqual(migratedLocation.point, { type: 'Point', coordinates: [-74.006, 40.7128] })
    assert.deepEqual((await adapter('locations')._get(hall._id)).point, hall.point, 'records already in shape are left alone')
    const bobs = (await world.find('locations')).find((l) => l.user_id)
    await down(context())
    assert.equal((await adapter('categories')._get(category._id)).user_id, null)
    const reverted = await adapter('locations')._get(location._id)
    assert.equal(reverted.user_id, null)
    assert.equal(reverted.point, undefined)
    assert.equal((await adapter('locations')._get(bobs._id)).user_id, bobs.user_id, 'owned records keep their owner')
    await up(context())
    assert.ok(logs.some((line) => /categories: \d+ rewritten/.test(line)))
    await adapter('categories')._remove(category._id)
    await adapter('locations')._remove(location._id)
  })
})
