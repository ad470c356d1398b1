// Patrols: checkpoints get ids and GeoJSON points (2dsphere-indexable); a guard logs only real checkpoints of a route.
import assert from 'node:assert/strict'
import { societyWorld, type World } from './world.js'

describe('society patrols', () => {
  let world: World
  let green: string
  let route: any
  before(async () => {
    world = await societyWorld()
    green = await world.societyId('Green Meadows')
    ;[route] = await world.find('patrol-routes', { societyId: green })
  })

  it('gives each checkpoint an id and a GeoJSON point from its latitude and longitude', () => {
    for (const checkpoint of route.checkpoints) {
      assert.match(checkpoint._id, /^[0-9a-f]{24}$/)
      assert.deepEqual(checkpoint.point, { type: 'Point', coordinates: [checkpoint.location.longitude, checkpoint.location.latitude] })
    }
  })

  it('a guard logs a checkpoint of the route, signed and timed by the engine; an unknown checkpoint is refused', async () => {
    const guard = await world.as('greenGuard')
    const logged = await guard.post('/patrol-logs', { societyId: green, routeId: route._id, checkpointId: route.checkpoints[1]._id, notes: 'Gate locked' })
    assert.equal(logged.status, 201, JSON.stringify(logged.body))
    assert.equal(logged.body.guardId, guard.user._id)
    assert.ok(logged.body.timestamp)
    const wrong = await guard.post('/patrol-logs', { societyId: green, routeId: route._id, checkpointId: 'not-a-checkpoint' })
    assert.equal(wrong.status, 422)
    assert.match(wrong.body.message, /not a checkpoint of this route/)
    const asOther = await guard.post('/patrol-logs', { societyId: green, routeId: route._id, checkpointId: route.checkpoints[0]._id, guardId: (await world.as('greenAdmin')).user._id })
    assert.equal(asOther.status, 201)
    assert.equal(asOther.body.guardId, guard.user._id, 'a guard logs their own rounds only')
  })
})
