// MongoDB through @feathersjs/mongodb with the engine's codec: the conformance suite and the appointments blueprint,
// run only when MONGODB_URL points at a server (none can be installed on the build machines); pending otherwise.
import assert from 'node:assert/strict'
import * as errors from '@feathersjs/errors'
import { feathers } from '@feathersjs/feathers'
import { MongoDBService } from '@feathersjs/mongodb'
import { MongoClient } from 'mongodb'
import { DEMO_PASSWORD } from '../../../src/blueprints/appointments/demo.js'
import { login, request, startServer, type TestServer } from '../../helpers.js'
import { testSuite } from './conformance.js'

const url = process.env.MONGODB_URL

describe('MongoDB store', function () {
  if (!url) {
    it('runs the conformance suite and the appointments blueprint (set MONGODB_URL to run)')
    return
  }
  const database = `quillbase_test_${process.pid}`
  const withDatabase = (name: string) => {
    const parsed = new URL(url)
    parsed.pathname = `/${name}`
    return parsed.toString()
  }
  let client: MongoClient
  const app = feathers<any>()

  before(async () => {
    client = await new MongoClient(withDatabase(database)).connect()
    const db = client.db()
    app.use('people', new MongoDBService({ Model: db.collection('people'), events: ['testing'] }))
    app.use('people-customid', new MongoDBService({ Model: db.collection('people-customid'), events: ['testing'], disableObjectify: true, id: 'customid' }))
  })
  after(async () => {
    await client.db().dropDatabase()
    await client.close()
  })

  testSuite(app, errors, 'people', '_id')
  testSuite(app, errors, 'people-customid', 'customid')

  describe('appointments blueprint on MongoDB', () => {
    let server: TestServer
    before(async () => (server = await startServer('appointments', { mongodbUrl: withDatabase(`${database}_app`) })))
    after(async () => {
      const admin = await new MongoClient(withDatabase(`${database}_app`)).connect()
      await admin.db().dropDatabase()
      await admin.close()
      await server.close()
    })

    it('stores ids and references as ObjectIds and serves them as strings, with permissions applied', async () => {
      const { accessToken, user } = await login(server.url, 'maria@example.com', DEMO_PASSWORD)
      const res = await request(server.url, 'GET', '/appointments', { token: accessToken })
      assert.equal(res.status, 200)
      assert.ok(res.body.data.length > 0)
      assert.ok(res.body.data.every((a: any) => a.ManagerId === user._id && /^[0-9a-f]{24}$/.test(a._id)))
      const raw = await (server.app.service('appointments') as any).Model
      const stored = await (await raw).findOne({})
      assert.equal(stored._id.constructor.name, 'ObjectId')
      assert.equal(stored.ManagerId.constructor.name, 'ObjectId')
      assert.ok(stored.AppointedDate instanceof Date)
    })

    it('answers 400 for a malformed ObjectId', async () => {
      const { accessToken } = await login(server.url, 'admin@example.com', DEMO_PASSWORD)
      const res = await request(server.url, 'GET', '/appointments?ManagerId=not-an-id', { token: accessToken })
      assert.equal(res.status, 400)
    })
  })
})
