// Engine features on a small blueprint declared here: references on delete, encrypted secrets, indexes,
// role names as the role field, and anonymous permissions.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { createApp, type EngineApp } from '../../src/app.js'
import { decrypt, encryptionKey } from '../../src/hooks/secrets.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import { DateTime, Email, Enum, Password, Ref, Secret, Type, defineCollection } from '../../src/schemas/fields.js'
import { connect, eventually, login, request, serverDatabase, serverStore, tempDir, testSettings, wait } from '../helpers.js'
import { EMULATOR_GAPS, itUnlessEmulator, type MongoTarget } from './adapters/mongo-target.js'

const members = defineCollection({
  name: 'members',
  schema: Type.Object({
    name: Type.String(),
    email: Email(),
    password: Password(),
    role: Enum(['Librarian', 'Reader']),
    apiToken: Type.Optional(Secret()),
    active: Type.Boolean({ default: true })
  }),
  auth: { roleField: 'role', roleBy: 'name', activeField: 'active' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})
const shelves = defineCollection({ name: 'shelves', schema: Type.Object({ label: Type.String(), room: Type.String() }), indexes: [{ fields: { room: 1, label: 1 }, unique: true }] })
const books = defineCollection({
  name: 'books',
  schema: Type.Object({
    title: Type.String(),
    shelfId: Ref('shelves', { onDelete: 'cascade' }),
    borrowerId: Type.Optional(Type.Union([Ref('members', { onDelete: 'nullify' }), Type.Null()])),
    editorId: Type.Optional(Ref('members', { onDelete: 'nullify' })),
    readers: Type.Array(Ref('members', { onDelete: 'nullify' }), { default: [] }),
    note: Type.Optional(Type.String()),
    rating: Type.Optional(Type.Integer()),
    sequelOf: Type.Optional(Ref('books', { onDelete: 'cascade' }))
  })
})
const sessions = defineCollection({
  name: 'sessions',
  schema: Type.Object({ memberId: Ref('members', { onDelete: 'cascade' }), expiresAt: DateTime() }),
  indexes: [{ fields: { expiresAt: 1 }, expireAfterSeconds: 0 }]
})

const blueprint = sanitizeBlueprint({
  name: 'library',
  version: '0.0.1',
  description: 'test blueprint',
  collections: [...rbacCollections, members, shelves, books, sessions],
  permissions: [
    { PermissionName: 'all', Action: 'manage', Subject: 'all' },
    { PermissionName: 'browse-books', Action: 'read', Subject: 'books', Fields: ['_id', 'title', 'shelfId'] },
    { PermissionName: 'read-shelves', Action: 'read', Subject: 'shelves' },
    { PermissionName: 'retitle-books', Action: 'update', Subject: 'books', Fields: ['title'] }
  ],
  roles: [
    { RoleName: 'Librarian', permissions: ['all'] },
    { RoleName: 'Reader', permissions: ['read-shelves', 'browse-books', 'retitle-books'] },
    { RoleName: 'Guest', permissions: ['browse-books'] }
  ],
  adminRole: 'Librarian',
  adminDefaults: { name: 'Head Librarian' },
  anonymousRole: 'Guest'
})

describe('engine features on a declared blueprint', () => {
  let app: EngineApp
  let url: string
  let dataDir: string
  let shelf: any
  let reader: any
  let database: MongoTarget | undefined

  before(async () => {
    dataDir = await tempDir()
    database = await serverDatabase()
    app = await createApp(blueprint, testSettings({ dataDir, mongodbUrl: database?.url, demo: false, adminEmail: 'head@example.com', adminPassword: 'head-password' }))
    url = `http://127.0.0.1:${((await app.listen(0)).address() as AddressInfo).port}`
    shelf = await app.service('shelves').create({ label: 'A1', room: 'North' })
    reader = await app.service('members').create({ name: 'Rita', email: 'rita@example.com', password: 'rita-password', role: 'Reader', apiToken: 'tok-123' })
  })
  after(async () => {
    await app.shutdown()
    await database?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('takes the role from a role-name field', async () => {
    const { accessToken } = await login(url, 'rita@example.com', 'rita-password')
    assert.equal((await request(url, 'GET', '/shelves', { token: accessToken })).status, 200)
    assert.equal((await request(url, 'GET', '/members', { token: accessToken })).status, 403)
    const head = await login(url, 'head@example.com', 'head-password')
    assert.equal(head.user.role, 'Librarian')
  })

  it('lets anonymous callers do what the anonymous role allows, masked, and nothing else', async () => {
    const book = await app.service('books').create({ title: 'Dune', shelfId: shelf._id, readers: [reader._id] })
    const listed = await request(url, 'GET', '/books')
    assert.equal(listed.status, 200)
    assert.deepEqual(Object.keys(listed.body.data[0]).sort(), ['_id', 'shelfId', 'title'])
    assert.equal((await request(url, 'GET', '/shelves')).status, 401)
    assert.equal((await request(url, 'POST', '/books', { body: { title: 'x', shelfId: shelf._id } })).status, 401)
    const anonymous = await connect(url)
    try {
      await app.service('books').patch(book._id, { title: 'Dune (2nd ed.)' })
      assert.ok(await eventually(() => anonymous.events.some((e) => e.name === 'books patched')))
      const event = anonymous.events.find((e) => e.name === 'books patched')!.data
      assert.deepEqual(Object.keys(event).sort(), ['_id', 'shelfId', 'title'])
      await app.service('shelves').patch(shelf._id, { room: 'North' })
      await wait(100)
      assert.ok(!anonymous.events.some((e) => e.name === 'shelves patched'), 'no shelf events without a shelf permission')
    } finally {
      anonymous.close()
    }
  })

  it('refuses a deactivated account at login, its tokens at once, and stops its events', async () => {
    const member = await app.service('members').create({ name: 'Ivy', email: 'ivy@example.com', password: 'ivy-password', role: 'Reader' })
    const { accessToken } = await login(url, 'ivy@example.com', 'ivy-password')
    const socket = await connect(url, accessToken)
    try {
      assert.equal((await request(url, 'GET', '/shelves', { token: accessToken })).status, 200)
      await app.service('members').patch(member._id, { active: false })
      const refused = await request(url, 'GET', '/shelves', { token: accessToken })
      assert.equal(refused.status, 401)
      assert.match(refused.body.message, /deactivated/)
      await assert.rejects(login(url, 'ivy@example.com', 'ivy-password'), /deactivated/)
      await app.service('shelves').create({ label: 'Z9', room: 'Attic' })
      await wait(150)
      assert.ok(!socket.events.some((e) => e.name === 'shelves created'), 'no events after deactivation')
    } finally {
      socket.close()
    }
  })

  it('logs other sessions out when the password changes: old tokens and their sockets stop', async () => {
    const member = await app.service('members').create({ name: 'Jo', email: 'jo@example.com', password: 'jo-password-1', role: 'Reader' })
    const { accessToken } = await login(url, 'jo@example.com', 'jo-password-1')
    const socket = await connect(url, accessToken)
    try {
      await wait(1100) // JWT iat counts whole seconds
      const head = await login(url, 'head@example.com', 'head-password')
      const forged = await request(url, 'PATCH', `/members/${member._id}`, { token: head.accessToken, body: { credentialsChangedAt: new Date().toISOString() } })
      assert.equal(forged.status, 400, 'the stamp is the engine’s')
      await app.service('members').patch(member._id, { password: 'jo-password-2' })
      const old = await request(url, 'GET', '/shelves', { token: accessToken })
      assert.equal(old.status, 401)
      assert.match(old.body.message, /password changed/)
      const fresh = await login(url, 'jo@example.com', 'jo-password-2')
      assert.equal((await request(url, 'GET', '/shelves', { token: fresh.accessToken })).status, 200)
      await app.service('shelves').create({ label: 'Y8', room: 'Cellar' })
      await wait(150)
      assert.ok(!socket.events.some((e) => e.name === 'shelves created'), 'the old session’s socket hears nothing more')
    } finally {
      socket.close()
    }
  })

  it('encrypts Secret fields at rest and never returns them', async () => {
    const raw = await (app.service('members') as any)._get(reader._id)
    assert.notEqual(raw.apiToken, 'tok-123')
    assert.match(raw.apiToken, /^v1:/)
    assert.equal(decrypt(raw.apiToken, encryptionKey('test-encryption-key')), 'tok-123')
    const head = await login(url, 'head@example.com', 'head-password')
    const res = await request(url, 'GET', `/members/${reader._id}`, { token: head.accessToken })
    assert.ok(!('apiToken' in res.body) && !('password' in res.body))
  })

  it('nullifies single references (removes an optional one that cannot be null) and drops removed ids from lists', async () => {
    const member = await app.service('members').create({ name: 'Tom', email: 'tom@example.com', password: 'tom-password', role: 'Reader' })
    const book = await app.service('books').create({ title: 'Emma', shelfId: shelf._id, borrowerId: member._id, editorId: member._id, readers: [member._id, reader._id] })
    await app.service('members').remove(member._id)
    const after = await app.service('books').get(book._id)
    assert.equal(after.borrowerId, null)
    assert.ok(!('editorId' in after), JSON.stringify(after))
    assert.deepEqual(after.readers, [reader._id])
  })

  it('removes an optional field patched to null, refuses null for a required one, and checks the removal as a write', async () => {
    const book = await app.service('books').create({ title: 'Ulysses', shelfId: shelf._id, borrowerId: reader._id, note: 'signed', rating: 4 })
    const head = await login(url, 'head@example.com', 'head-password')
    const cleared = await request(url, 'PATCH', `/books/${book._id}`, { token: head.accessToken, body: { note: null, borrowerId: null } })
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body))
    assert.ok(!('note' in cleared.body), JSON.stringify(cleared.body))
    assert.equal(cleared.body.rating, 4)
    assert.equal(cleared.body.borrowerId, null, 'a field whose schema takes null keeps null')
    const stored = await (app.service('books') as any)._get(book._id)
    assert.ok(!('note' in stored) && stored.borrowerId === null, `removed in the store: ${JSON.stringify(stored)}`)

    const required = await request(url, 'PATCH', `/books/${book._id}`, { token: head.accessToken, body: { title: null } })
    assert.equal(required.status, 400, JSON.stringify(required.body))
    assert.ok('title' in required.body.data, JSON.stringify(required.body))
    const missing = await request(url, 'POST', '/books', { token: head.accessToken, body: { shelfId: book.shelfId } })
    assert.equal(missing.status, 400, JSON.stringify(missing.body))
    assert.equal(missing.body.message, 'Invalid data: title is required')
    assert.deepEqual(missing.body.data, { title: 'is required' })

    // Rita may change titles only: removing the rating is a change of that field.
    const rita = await login(url, 'rita@example.com', 'rita-password')
    const refused = await request(url, 'PATCH', `/books/${book._id}`, { token: rita.accessToken, body: { rating: null } })
    assert.equal(refused.status, 403, JSON.stringify(refused.body))
    assert.equal(refused.body.data.field, 'rating')
    assert.equal((await app.service('books').get(book._id)).rating, 4)
    assert.equal((await request(url, 'PATCH', `/books/${book._id}`, { token: rita.accessToken, body: { title: 'Ulysses (signed)' } })).status, 200)
  })

  it('cascades removal to referencing records, and emits their events', async () => {
    const doomed = await app.service('shelves').create({ label: 'B2', room: 'South' })
    const book = await app.service('books').create({ title: 'Ulysses', shelfId: doomed._id })
    const removed: string[] = []
    const listener = (b: any) => removed.push(b._id)
    app.service('books').on('removed', listener)
    await app.service('shelves').remove(doomed._id)
    app.service('books').off('removed', listener)
    assert.deepEqual(removed, [book._id])
    await assert.rejects(app.service('books').get(book._id), { code: 404 })
  })

  it('cascades through a reference to its own collection, down a chain, and stops where nothing refers', async () => {
    const shelf = await app.service('shelves').create({ label: 'C3', room: 'West' })
    const first = await app.service('books').create({ title: 'Dune', shelfId: shelf._id })
    const second = await app.service('books').create({ title: 'Dune Messiah', shelfId: shelf._id, sequelOf: first._id })
    const third = await app.service('books').create({ title: 'Children of Dune', shelfId: shelf._id, sequelOf: second._id })
    const standalone = await app.service('books').create({ title: 'The Dosadi Experiment', shelfId: shelf._id })
    await app.service('books').remove(standalone._id)
    await app.service('books').remove(first._id)
    for (const book of [second, third]) await assert.rejects(app.service('books').get(book._id), { code: 404 })
    await app.service('shelves').remove(shelf._id)
  })

  itUnlessEmulator('enforces a compound unique index with 409', EMULATOR_GAPS.unique, async () => {
    const head = await login(url, 'head@example.com', 'head-password')
    const res = await request(url, 'POST', '/shelves', { token: head.accessToken, body: { label: 'A1', room: 'North' } })
    assert.equal(res.status, 409)
    assert.equal((await request(url, 'POST', '/shelves', { token: head.accessToken, body: { label: 'A1', room: 'East' } })).status, 201)
  }, serverStore === 'emulator')

  if (serverStore === 'embedded') {
    it('expires records of a TTL index', async () => {
      await app.service('sessions').create({ memberId: reader._id, expiresAt: new Date(Date.now() - 1000).toISOString() })
      await app.service('sessions').create({ memberId: reader._id, expiresAt: new Date(Date.now() + 3_600_000).toISOString() })
      const left = (await app.service('sessions').find({ paginate: false })) as any[]
      assert.equal(left.length, 1)
    })

    it('keeps the embedded files in DATA_DIR', async () => {
      const { readdir } = await import('node:fs/promises')
      const files = await readdir(dataDir)
      assert.ok(files.includes('quillbase.sqlite'), 'one SQLite file holds every collection')
      assert.ok(!files.includes('.auth-secret'), 'a configured secret is not written to disk')
    })
  } else {
    // MongoDB's TTL monitor deletes expired records about once a minute: waiting for it would make a slow, timing-bound test.
    it('creates the TTL index on MongoDB, which expires records itself', async () => {
      const indexes = await (await (app.service('sessions') as any).getModel()).listIndexes().toArray()
      assert.ok(indexes.some((index: any) => index.key.expiresAt === 1 && index.expireAfterSeconds === 0))
    })
  }
})
