import assert from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FILTERS } from '@feathersjs/adapter-commons'
import * as errors from '@feathersjs/errors'
import { feathers } from '@feathersjs/feathers'

import {
  Datastore,
  NeDBService,
  closeDatastore,
  ensureIndex,
  openDatastore
} from '../../../src/services/adapters/nedb.js'

import { testSuite } from './conformance.js'

const events = ['testing']

describe('NeDB adapter: conformance (in-memory)', () => {
  const app = feathers<{ people: NeDBService; 'people-customid': NeDBService }>()
  app.use('people', new NeDBService({ Model: new Datastore({ inMemoryOnly: true }), events }))
  app.use(
    'people-customid',
    new NeDBService({ Model: new Datastore({ inMemoryOnly: true }), events, id: 'customid' })
  )

  testSuite(app, errors, 'people', '_id')
  testSuite(app, errors, 'people-customid', 'customid')
})

describe('NeDB adapter: conformance (persistent file)', () => {
  const app = feathers<{ 'people-file': NeDBService }>()
  let dir: string
  let model: Datastore

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quillbase-nedb-'))
    model = await openDatastore({ filename: join(dir, 'people.db') })
    app.use('people-file', new NeDBService({ Model: model, events }))
  })

  after(async () => {
    await closeDatastore(model)
    await rm(dir, { recursive: true, force: true })
  })

  // `app` is read lazily by the suite (in hooks/tests), so registering in `before` is fine
  testSuite(app, errors, 'people-file', '_id')
})

describe('NeDB adapter: own behaviour', () => {
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quillbase-nedb-'))
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('ids are NeDB string ids', async () => {
    const service = new NeDBService({ Model: await openDatastore({ inMemoryOnly: true }) })
    const doc = await service.create({ name: 'x' })
    assert.strictEqual(typeof doc._id, 'string')
    assert.match(doc._id, /^[a-zA-Z0-9]{16}$/)
  })

  it('unique index violation is a 409 Conflict (create, multi create rolled back, patch, update)', async () => {
    const Model = await openDatastore({ inMemoryOnly: true })
    await ensureIndex(Model, { fieldName: 'email', unique: true })
    const service = new NeDBService({ Model, multi: true })
    const a = await service.create({ email: 'a@x.io' })
    const b = await service.create({ email: 'b@x.io' })

    await assert.rejects(service.create({ email: 'a@x.io' }), (error: any) => {
      assert.ok(error instanceof errors.Conflict)
      assert.strictEqual(error.code, 409)
      return true
    })

    await assert.rejects(
      service.create([{ email: 'c@x.io' }, { email: 'd@x.io' }, { email: 'a@x.io' }]),
      { name: 'Conflict', code: 409 }
    )
    assert.strictEqual((await service.find({ paginate: false })).length, 2, 'multi create rolled back')

    await assert.rejects(service.patch(b._id, { email: 'a@x.io' }), { name: 'Conflict', code: 409 })
    await assert.rejects(service.update(b._id, { email: 'a@x.io' }), { name: 'Conflict', code: 409 })
    assert.strictEqual((await service.get(b._id)).email, 'b@x.io', 'failed patch/update left the doc alone')
    assert.strictEqual((await service.get(a._id)).email, 'a@x.io')
  })

  it('NeDB validation errors are BadRequest; $ keys in data are rejected', async () => {
    const service = new NeDBService({ Model: await openDatastore({ inMemoryOnly: true }), operators: ['$size'] })
    const doc = await service.create({ name: 'x', tags: ['a'] })
    await assert.rejects(service.create({ nested: { $bad: 1 } }), { name: 'BadRequest' })
    await assert.rejects(service.patch(doc._id, { $set: { name: 'y' } } as any), { name: 'BadRequest' })
    await assert.rejects(service.update(doc._id, { $unset: { name: true } } as any), { name: 'BadRequest' })
    await assert.rejects(service.patch(doc._id, { 'a.b': 1 } as any), { name: 'BadRequest' })
    await assert.rejects(service.find({ query: { tags: { $size: 1.5 } } }), { name: 'BadRequest' })
    await assert.rejects(service.find({ query: { name: { $where: 'x' } } }), { name: 'BadRequest' })
    assert.strictEqual((await service.get(doc._id)).name, 'x')
  })

  it('get + $select on a missing id is NotFound', async () => {
    const service = new NeDBService({ Model: await openDatastore({ inMemoryOnly: true }) })
    await assert.rejects(service.get('nope', { query: { $select: ['name'] } }), { name: 'NotFound' })
  })

  it('persists across close and reopen of a file datastore', async () => {
    const filename = join(dir, 'persist.db')
    let Model = await openDatastore({ filename })
    await ensureIndex(Model, { fieldName: 'slug', unique: true })
    let service = new NeDBService({ Model })
    const created = await service.create({ slug: 'one', nested: { a: 1 }, at: new Date('2024-01-02T03:04:05Z') })
    await service.patch(created._id, { title: 'Patched' })
    const gone = await service.create({ slug: 'two' })
    await service.remove(gone._id)
    await closeDatastore(Model)

    Model = await openDatastore({ filename })
    service = new NeDBService({ Model })
    const all = await service.find({ paginate: false })
    assert.strictEqual(all.length, 1)
    assert.deepStrictEqual(all[0], {
      _id: created._id,
      slug: 'one',
      nested: { a: 1 },
      at: new Date('2024-01-02T03:04:05Z'),
      title: 'Patched'
    })
    // the unique index was persisted too
    await assert.rejects(service.create({ slug: 'one' }), { name: 'Conflict' })
    await closeDatastore(Model)
  })

  it('dotted queries into arrays of sub-documents, nested $sort and $select', async () => {
    const service = new NeDBService({
      Model: await openDatastore({ inMemoryOnly: true }),
      paginate: { default: 10, max: 50 }
    })
    await service.create({ title: 'A', meta: { rank: 2 }, Attendees: [{ DeveloperId: 'x' }, { DeveloperId: 'y' }] })
    await service.create({ title: 'B', meta: { rank: 1 }, Attendees: [{ DeveloperId: 'y' }] })
    await service.create({ title: 'C', meta: { rank: 3 }, Attendees: [] })

    const page = await service.find({ query: { 'Attendees.DeveloperId': 'x' } })
    assert.strictEqual(page.total, 1)
    assert.strictEqual(page.data[0].title, 'A')

    const y = await service.find({
      query: { 'Attendees.DeveloperId': { $in: ['y'] }, $sort: { 'meta.rank': -1 }, $select: ['title', 'meta.rank'] }
    })
    assert.strictEqual(y.total, 2)
    assert.deepStrictEqual(
      y.data.map((doc: any) => ({ title: doc.title, meta: doc.meta, hasAttendees: 'Attendees' in doc })),
      [
        { title: 'A', meta: { rank: 2 }, hasAttendees: false },
        { title: 'B', meta: { rank: 1 }, hasAttendees: false }
      ]
    )

    // NeDB quirk (differs from MongoDB): on arrays, $ne / $nin match when ANY element differs,
    // and never match an empty array
    const ne = await service.find({ query: { 'Attendees.DeveloperId': { $ne: 'x' }, $sort: { title: 1 } } })
    assert.deepStrictEqual(
      ne.data.map((doc: any) => doc.title),
      ['A', 'B']
    )
  })

  it('"no element matches" via an opt-in $not filter', async () => {
    const service = new NeDBService({
      Model: await openDatastore({ inMemoryOnly: true }),
      filters: { $not: FILTERS.$and }
    })
    await service.create({ title: 'A', Attendees: [{ DeveloperId: 'x' }, { DeveloperId: 'y' }] })
    await service.create({ title: 'B', Attendees: [{ DeveloperId: 'y' }] })
    await service.create({ title: 'C', Attendees: [] })
    const docs = await service.find({
      paginate: false,
      query: { $not: { 'Attendees.DeveloperId': 'x' }, $sort: { title: 1 } }
    })
    assert.deepStrictEqual(
      docs.map((doc: any) => doc.title),
      ['B', 'C']
    )
    await assert.rejects(service.find({ query: { $not: { title: { $exists: true } } } }), { name: 'BadRequest' })
  })

  it('patch $sets top-level keys (nested objects replaced whole, other keys kept)', async () => {
    const service = new NeDBService({ Model: await openDatastore({ inMemoryOnly: true }) })
    const doc = await service.create({ name: 'n', profile: { a: 1, b: 2 }, keep: true })
    const patched = await service.patch(doc._id, { profile: { a: 5 }, _id: 'ignored' })
    assert.deepStrictEqual(patched, { _id: doc._id, name: 'n', profile: { a: 5 }, keep: true })
  })

  it('paginated total respects the query, $limit and $skip', async () => {
    const service = new NeDBService({
      Model: await openDatastore({ inMemoryOnly: true }),
      multi: true,
      paginate: { default: 2, max: 3 }
    })
    await service.create(Array.from({ length: 7 }, (_, i) => ({ i, even: i % 2 === 0 })))
    const page = await service.find({ query: { even: true, $skip: 1, $limit: 10, $sort: { i: 1 } } })
    assert.strictEqual(page.total, 4)
    assert.strictEqual(page.limit, 3)
    assert.strictEqual(page.skip, 1)
    assert.deepStrictEqual(
      page.data.map((doc: any) => doc.i),
      [2, 4, 6]
    )
  })
})
