// The admin panel goes through the same services: an Admin of one society sees and edits only that society there too, with phones masked as elsewhere.
import assert from 'node:assert/strict'
import { Filter, type CurrentAdmin } from 'adminjs'
import { adminFor } from '../../../src/admin/caller.js'
import { FeathersResource } from '../../../src/admin/resource.js'
import { societyWorld, type DemoUser, type World } from './world.js'

describe('society tenancy in the admin panel', () => {
  let world: World
  let green: string
  let lake: string
  const resourceOf = (name: string) => new FeathersResource({ app: world.server.app, collection: world.server.app.blueprint.collections.find((c) => c.name === name)! })
  const contextOf = async (who: DemoUser) => {
    const { user } = await world.as(who)
    const fresh = (await world.find('users', { _id: user._id }))[0]
    return { currentAdmin: adminFor(fresh, await world.server.app.permissions.abilityFor(fresh)) as CurrentAdmin } as any
  }
  before(async () => {
    world = await societyWorld()
    green = await world.societyId('Green Meadows')
    lake = await world.societyId('Lake View Residency')
  })

  it('lists only the admin’s society', async () => {
    const context = await contextOf('greenAdmin')
    for (const name of ['flats', 'residents', 'visitor-entries', 'maintenance-bills']) {
      const resource = resourceOf(name)
      const records = await resource.find(new Filter({}, resource), { limit: 100 }, context)
      assert.ok(records.length > 0, name)
      for (const record of records) assert.equal(record.params.societyId, green, `${name} shows another society`)
    }
  })

  it('cannot open or edit another society’s record', async () => {
    const context = await contextOf('greenAdmin')
    const [flat] = await world.find('flats', { societyId: lake })
    const resource = resourceOf('flats')
    const found = await resource.findOne(flat._id, context).catch((error: any) => error)
    assert.ok(found === null || found instanceof Error, 'a Lake View flat is not shown')
    await assert.rejects(resource.update(flat._id, { floor: 3 }, context))
    assert.equal((await world.find('flats', { _id: flat._id }))[0].floor, flat.floor)
  })

  it('shows residents’ phones masked to a guard, in full to the admin', async () => {
    const resource = resourceOf('residents')
    const asha = await world.resident('Asha Menon')
    const byAdmin = await resource.findOne(asha._id, await contextOf('greenAdmin'))
    assert.equal(byAdmin?.params.phone, '9812345621')
    const byGuard = await resource.findOne(asha._id, await contextOf('greenGuard'))
    assert.equal(byGuard?.params.phone, '98******21')
  })
})
