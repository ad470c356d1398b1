// Declared date ranges (`ranges`) on a small blueprint declared here: an end before its start is a 400 naming the end,
// on create, replace and patch (as merged with the stored record), internal calls too; a range may sit in an object.
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { createApp, type EngineApp } from '../../src/app.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import { DateTime, Email, Password, Type, defineCollection } from '../../src/schemas/fields.js'
import { tempDir, testSettings } from '../helpers.js'

const travellers = defineCollection({ name: 'travellers', schema: Type.Object({ email: Email(), password: Password(), role: Type.String() }), auth: { roleField: 'role', roleBy: 'name' } })
const trips = defineCollection({
  name: 'trips',
  schema: Type.Object({ leaves: DateTime(), returns: Type.Optional(DateTime()), stay: Type.Optional(Type.Object({ from: DateTime(), to: DateTime() })) }),
  ranges: [
    { start: 'leaves', end: 'returns' },
    { start: 'stay.from', end: 'stay.to' }
  ]
})
const blueprint = (collections: any[] = [travellers, trips]) =>
  sanitizeBlueprint({ name: 'trips', version: '0.0.1', description: 'test blueprint', collections: [...rbacCollections, ...collections], permissions: [], roles: [{ RoleName: 'Traveller', permissions: [] }], adminRole: 'Traveller' })

describe('declared date ranges (`ranges`)', function () {
  this.timeout(30_000)
  let app: EngineApp
  let dataDir: string
  before(async () => {
    dataDir = await tempDir()
    app = await createApp(blueprint(), testSettings({ dataDir, demo: false }))
    await app.setup()
  })
  after(async () => {
    await app?.shutdown()
    await rm(dataDir, { recursive: true, force: true })
  })
  const service = () => app.service('trips') as any
  const refused = (call: Promise<unknown>, field: string) =>
    assert.rejects(call, (error: any) => error.code === 400 && error.data?.[field] !== undefined && error.message.includes(`${field} must not be before`))

  it('refuses an end before its start on create (one or a batch), in an object too; an equal end or none passes', async () => {
    await refused(service().create({ leaves: '2030-01-02T00:00:00.000Z', returns: '2030-01-01T00:00:00.000Z' }), 'returns')
    await refused(service().create([{ leaves: '2030-01-01T00:00:00.000Z' }, { leaves: '2030-01-01T00:00:00.000Z', stay: { from: '2030-01-03T00:00:00.000Z', to: '2030-01-02T00:00:00.000Z' } }]), 'stay.to')
    assert.ok((await service().create({ leaves: '2030-01-01T00:00:00.000Z', returns: '2030-01-01T00:00:00.000Z' }))._id)
    assert.ok((await service().create({ leaves: '2030-01-01T00:00:00.000Z' }))._id, 'no end: nothing to compare')
    assert.equal((await service().find({ paginate: false })).length, 2, 'the refused batch wrote nothing')
  })

  it('checks a patch as it merges with the stored record, and a replace whole', async () => {
    const trip = await service().create({ leaves: '2030-02-01T00:00:00.000Z', returns: '2030-02-05T00:00:00.000Z' })
    await refused(service().patch(trip._id, { leaves: '2030-02-06T00:00:00.000Z' }), 'returns')
    await refused(service().patch(null, { returns: '2000-01-01T00:00:00.000Z' }, { query: { _id: trip._id } }), 'returns')
    await refused(service().update(trip._id, { leaves: '2030-02-06T00:00:00.000Z', returns: '2030-02-05T00:00:00.000Z' }), 'returns')
    assert.equal((await service().patch(trip._id, { leaves: '2030-02-03T00:00:00.000Z' })).leaves, '2030-02-03T00:00:00.000Z')
    assert.equal((await service().get(trip._id)).returns, '2030-02-05T00:00:00.000Z')
  })

  it('names a range field that is no DateTime() field', () => {
    const bad = defineCollection({ name: 'bad', schema: Type.Object({ leaves: DateTime(), note: Type.String() }), ranges: [{ start: 'leaves', end: 'note' }] })
    assert.throws(() => blueprint([travellers, bad]), /ranges field "note" must be a DateTime\(\) field/)
  })
})
