// Locations near a point (`$near` on the derived GeoJSON `point`): nearest first, within the caller's permissions.
import assert from 'node:assert/strict'
import { serverStore } from '../../helpers.js'
import { EMULATOR_GAPS, itUnlessEmulator } from '../../services/adapters/mongo-target.js'
import { calendarWorld, type World } from './world.js'

// By the Auditorium's door: the Auditorium (~11 m), then the conference room (~70 m).
const HARBOUR_STREET = { longitude: 151.2093, latitude: -33.8656 }

describe('calendar locations near a point', () => {
  let world: World
  before(async () => {
    world = await calendarWorld()
  })

  const near = async (who: 'alice' | 'bob', maxDistance: number) =>
    (await (await world.as(who)).get('/locations', { point: { $near: { ...HARBOUR_STREET, maxDistance } } })).body

  itUnlessEmulator('finds the locations within a distance, nearest first, and only those the caller may read', EMULATOR_GAPS.geo, async () => {
    const close = await near('alice', 1000)
    assert.deepEqual(close.data.map((location: any) => location.name), ['Auditorium', 'Main conference room'])
    assert.equal(close.total, 2)
    assert.deepEqual((await near('bob', 30_000)).data.map((location: any) => location.name), ['Auditorium', 'Main conference room', 'Home office'])
    assert.deepEqual((await near('alice', 30_000)).data.map((location: any) => location.name), ['Auditorium', 'Main conference room'], "Bob's home office is his")
  }, serverStore === 'emulator')
})
