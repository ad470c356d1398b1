// The engine's MongoDB adapter (@feathersjs/mongodb behind the codec): the conformance suite, ids, and what is stored.
// Runs on a real MongoDB with MONGODB_URL, else on the CongoDB emulator when installed; pending otherwise.
import assert from 'node:assert/strict'
import * as errors from '@feathersjs/errors'
import { feathers } from '@feathersjs/feathers'
import { MongoClient, MongoServerError } from 'mongodb'
import { DEMO_PASSWORD } from '../../../src/blueprints/appointments/demo.js'
import { MongoStore, createMongoService } from '../../../src/services/store-mongo.js'
import { querySemantics } from '../query-semantics.js'
import { login, request, startServer, type TestServer } from '../../helpers.js'
import { testSuite } from './conformance.js'
import { EMULATOR_GAPS, describeOnMongo, itUnlessEmulator, mongoKind, mongoTarget, type MongoTarget } from './mongo-target.js'

// The conformance suite's people have no dates, references or free-form objects: only `_id` is converted.
const NO_PATHS = { dates: [], references: [], freeform: [] }

describe('MongoDB adapter errors (no server needed)', () => {
  const failingWith = (error: Error) => {
    const fail = async () => {
      throw error
    }
    return { insertOne: fail, findOneAndReplace: fail, find: () => ({ toArray: fail }) } as any
  }

  it('turns a duplicate key into a 409 Conflict naming the index', async () => {
    const duplicate = new MongoServerError({ message: 'E11000 duplicate key error collection: q.users index: email_1 dup key: { email: "a@b.c" }', code: 11000 })
    const service = createMongoService({ Model: failingWith(duplicate) }, NO_PATHS)
    await assert.rejects(service._create({ email: 'a@b.c' }), (error: any) => error.name === 'Conflict' && error.code === 409 && error.data.index === 'email_1')
  })

  it('leaves other driver errors as they are', async () => {
    const service = createMongoService({ Model: failingWith(new MongoServerError({ message: 'not primary', code: 10107 })) }, NO_PATHS)
    await assert.rejects(service._create({ email: 'a@b.c' }), (error: any) => error.name === 'GeneralError')
  })
})

describeOnMongo('MongoDB store', function () {
  let target: MongoTarget
  let client: MongoClient
  const app = feathers<any>()

  before(async () => {
    target = (await mongoTarget())!
    client = await new MongoClient(target.url).connect()
    const db = client.db()
    app.use('people', createMongoService({ Model: db.collection('people'), events: ['testing'] }, NO_PATHS))
    app.use('people-customid', createMongoService({ Model: db.collection('people-customid'), events: ['testing'], id: 'customid' }, NO_PATHS))
  })
  after(async () => {
    await client?.close()
    await target?.stop()
  })

  testSuite(app, errors, 'people', '_id')
  testSuite(app, errors, 'people-customid', 'customid')

  if (mongoKind === 'emulator') {
    it('keeps the emulator’s connections through the driver’s heartbeats (its URL asks for polling ones)', async () => {
      const url = new URL(target.url)
      url.searchParams.set('heartbeatFrequencyMS', '500')
      const watched = new MongoClient(url.toString())
      // Three heartbeats in a row, or the first failure (which would clear the pool and fail the queries in flight).
      const outcome = new Promise<string>((resolve) => {
        let succeeded = 0
        watched.on('serverHeartbeatSucceeded', () => ++succeeded === 3 && resolve('ok'))
        watched.on('serverHeartbeatFailed', (event) => resolve(event.failure.message))
      })
      await watched.connect()
      try {
        assert.equal(await outcome, 'ok')
      } finally {
        await watched.close()
      }
    })
  }

  describe('ids that are not ObjectIds', () => {
    for (const id of [123, -1, 1.5, 'abcdefghijkl', 'not-an-id']) {
      it(`answers NotFound for ${JSON.stringify(id)} on get, patch, update and remove`, async () => {
        const people = app.service('people')
        const calls = [() => people.get(id), () => people.patch(id, { name: 'x' }), () => people.update(id, { name: 'x' }), () => people.remove(id)]
        for (const call of calls) await assert.rejects(call(), (error: any) => error.name === 'NotFound')
      })
    }
  })

  itUnlessEmulator('sorts strings by code point, as the embedded store does', EMULATOR_GAPS.stringOrder, async () => {
    const names = createMongoService({ Model: client.db().collection('names'), multi: true }, NO_PATHS)
    await names._create([{ name: 'b' }, { name: 'B' }, { name: 'a' }, { name: 'A' }])
    const sorted = (await names._find({ paginate: false, query: { $sort: { name: 1 } } })) as any[]
    assert.deepEqual(sorted.map((record) => record.name), ['A', 'B', 'a', 'b'])
  })

  describe('appointments blueprint on MongoDB', () => {
    let server: TestServer
    let database: MongoTarget
    before(async () => {
      database = (await mongoTarget())!
      server = await startServer('appointments', { mongodbUrl: database.url })
    })
    after(async () => {
      await server?.close()
      await database?.stop()
    })

    it('stores ids and references as ObjectIds and serves them as strings, with permissions applied', async () => {
      const { accessToken, user } = await login(server.url, 'maria@example.com', DEMO_PASSWORD)
      const res = await request(server.url, 'GET', '/appointments', { token: accessToken })
      assert.equal(res.status, 200)
      assert.ok(res.body.data.length > 0)
      assert.ok(res.body.data.every((a: any) => a.ManagerId === user._id && /^[0-9a-f]{24}$/.test(a._id)))
      const model = await (server.app.service('appointments') as any).getModel()
      const stored = await model.findOne({})
      assert.equal(stored._id.constructor.name, 'ObjectId')
      assert.equal(stored.ManagerId.constructor.name, 'ObjectId')
      assert.ok(stored.AppointedDate instanceof Date)
    })

    it('ensures the declared indexes, unique ones as unique', async () => {
      const model = await (server.app.service('users') as any).getModel()
      const indexes = await model.listIndexes().toArray()
      const email = indexes.find((index: any) => index.key.email === 1)
      assert.ok(email, 'an index on email')
      assert.equal(email.unique, true)
      assert.ok(indexes.some((index: any) => index.key.RoleId === 1))
    })

    itUnlessEmulator('refuses a second user with the same email, with 409', EMULATOR_GAPS.unique, async () => {
      const { accessToken } = await login(server.url, 'admin@example.com', DEMO_PASSWORD)
      const [role] = await server.app.service('roles').find({ paginate: false })
      const res = await request(server.url, 'POST', '/users', { token: accessToken, body: { Name: 'Twin', email: 'maria@example.com', password: 'long-enough-1', RoleId: role._id } })
      assert.equal(res.status, 409)
      assert.equal(res.body.name, 'Conflict')
    })


    it('answers 400 for a malformed ObjectId in a query', async () => {
      const { accessToken } = await login(server.url, 'admin@example.com', DEMO_PASSWORD)
      const res = await request(server.url, 'GET', '/appointments?ManagerId=not-an-id', { token: accessToken })
      assert.equal(res.status, 400)
    })

    it('answers 404 for an id in the path that is not an ObjectId', async () => {
      const { accessToken } = await login(server.url, 'admin@example.com', DEMO_PASSWORD)
      for (const id of ['123', 'abcdefghijkl', 'not-an-id']) {
        for (const method of ['GET', 'PATCH', 'DELETE']) {
          const res = await request(server.url, method, `/appointments/${id}`, { token: accessToken, body: method === 'PATCH' ? { Status: 'Cancelled' } : undefined })
          assert.equal(res.status, 404, `${method} ${id}`)
          assert.equal(res.body.name, 'NotFound')
        }
      }
    })
  })
})

// The same table of queries as on SQLite, through the engine's MongoDB store (codec, operators, `$icontains` as `$regex`).
// Skipped on the emulator only: its string order (EMULATOR_GAPS.stringOrder) and its ascending sort of null before missing.
if (mongoKind) {
  querySemantics(mongoKind === 'emulator' ? 'MongoDB (the CongoDB emulator)' : 'MongoDB', async () => {
    const target = (await mongoTarget())!
    const store = new MongoStore(target.url)
    return { store, cleanup: async () => (await store.close(), await target.stop()) }
  }, mongoKind === 'emulator' ? { skip: ['sort strings by code point, missing first', 'total counts every match, not the page'] } : {})
}
