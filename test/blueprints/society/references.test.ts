// References of the society blueprint over HTTP: removing a resident or a user cascades and nullifies as declared.
import assert from 'node:assert/strict'
import { eventually } from '../../helpers.js'
import { societyWorld, type World } from './world.js'

describe('society references', () => {
  let world: World
  let societyId: string
  let flat: any
  const service = (name: string) => world.server.app.service(name)

  before(async () => {
    world = await societyWorld()
    societyId = await world.societyId('Green Meadows')
    flat = await world.flat('A-102')
  })

  const newResident = (name: string, userId?: string) =>
    service('residents').create({ societyId, flatId: flat._id, name, phone: '9800000001', residentType: 'Tenant', ...(userId ? { userId } : {}) })

  it('removes a resident’s family members with them, and tells the society’s admin', async () => {
    const resident = await newResident('Kiran Rao')
    const member = await service('family-members').create({ societyId, flatId: flat._id, residentId: resident._id, name: 'Tara Rao', relationship: 'Child' })
    const admin = await world.as('greenAdmin')
    const listener = await world.socket('greenAdmin')
    try {
      assert.equal((await admin.remove(`/residents/${resident._id}`)).status, 200)
      assert.deepEqual(await world.find('family-members', { residentId: resident._id }), [])
      assert.ok(await eventually(() => listener.events.some((e) => e.name === 'family-members removed' && e.data._id === member._id)))
    } finally {
      listener.close()
    }
  })

  it('keeps a resident whose user account is removed, without the account, and removes the user’s notifications', async () => {
    const user = await service('users').create({ email: 'kiran.rao@example.com', password: 'long-enough-1', role: 'Resident', societyId, flatId: flat._id })
    const resident = await newResident('Kiran Rao', user._id)
    await service('notifications').create({ societyId, userId: user._id, title: 'Welcome', message: 'Hello', type: 'Info', category: 'Other' })
    const admin = await world.as('greenAdmin')
    assert.equal((await admin.remove(`/users/${user._id}`)).status, 200)
    const kept = await service('residents').get(resident._id)
    assert.equal(kept.name, 'Kiran Rao')
    assert.ok(!('userId' in kept), 'the optional reference is removed, not set to null (which its schema does not take)')
    assert.deepEqual(await world.find('notifications', { userId: user._id }), [])
  })

  it('refuses to remove a flat that residents still live in, with 409', async () => {
    const admin = await world.as('greenAdmin')
    const res = await admin.remove(`/flats/${flat._id}`)
    assert.equal(res.status, 409)
    assert.equal(res.body.name, 'Conflict')
  })
})
