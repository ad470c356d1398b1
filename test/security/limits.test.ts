// Issue 8 item 6, memory exhaustion by a signed-in user: every record is bounded (413), strings and arrays without a
// declared bound get one (400), and requests and writes are rate-limited per user and per anonymous address (429).
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { io } from 'socket.io-client'
import { createApp, type EngineApp } from '../../src/app.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import { Email, Enum, Password, Secret, Type, defineCollection } from '../../src/schemas/fields.js'
import { connect, login, redisAvailable, request, startInstancesOnRedis, startServer, tempDir, testSettings, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

/** A fixture with fields that declare no bounds, and one collection that declares a larger record size. */
const archive = sanitizeBlueprint({
  name: 'archive',
  version: '0.0.1',
  description: 'test blueprint',
  collections: [
    ...rbacCollections,
    defineCollection({ name: 'members', schema: Type.Object({ name: Type.Optional(Type.String({ maxLength: 100 })), email: Email(), password: Password(), apiKey: Type.Optional(Secret()), role: Enum(['Keeper']) }), auth: { roleField: 'role', roleBy: 'name' } }),
    defineCollection({ name: 'notes', schema: Type.Object({ title: Type.String(), body: Type.Optional(Type.String()), tags: Type.Array(Type.String(), { default: [] }) }) }),
    defineCollection({ name: 'scans', schema: Type.Object({ pages: Type.Array(Type.String()) }), maxRecordBytes: 200_000 })
  ],
  permissions: [{ PermissionName: 'all', Action: 'manage', Subject: 'all' }],
  roles: [{ RoleName: 'Keeper', permissions: ['all'] }],
  adminRole: 'Keeper'
})

const KEEPER = { email: 'keeper@example.com', password: 'keeper-password' }
const text = (length: number) => 'x'.repeat(length)
/** `count` strings of the longest default length: about `count` × 10 kB of JSON. */
const longTags = (count: number) => Array.from({ length: count }, () => text(10_000))

describe('record size and default bounds', function () {
  this.timeout(30000)
  let app: EngineApp
  let url: string
  let dataDir: string
  let token: string
  const post = (path: string, body: unknown) => request(url, 'POST', path, { token, body })
  const stored = async (name: string) => (await app.service(name).find({ paginate: false })) as any[]

  before(async () => {
    dataDir = await tempDir()
    app = await createApp(archive, testSettings({ dataDir, demo: false, adminEmail: KEEPER.email, adminPassword: KEEPER.password }))
    url = `http://127.0.0.1:${((await app.listen(0)).address() as AddressInfo).port}`
    token = (await login(url, KEEPER.email, KEEPER.password)).accessToken
  })
  after(async () => {
    await app?.shutdown()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses a record over 64 kB of JSON by default with a 413 naming the collection, its size and the limit, and stores nothing', async () => {
    const before = await stored('notes')
    const response = await post('/notes', { title: 'big', tags: longTags(7) })
    assert.equal(response.status, 413)
    assert.equal(response.body.name, 'PayloadTooLarge')
    assert.match(response.body.message, /notes may hold at most 65536 bytes of JSON; this one would hold \d+/)
    assert.equal(response.body.data.limit, 65536)
    assert.ok(response.body.data.size > 65536)
    assert.deepEqual(await stored('notes'), before)
  })

  it('refuses it over Socket.io too', async () => {
    const client = await connect(url, token)
    try {
      const error: any = await client.call('create', 'notes', { title: 'big', tags: longTags(7) }).catch((e) => e)
      assert.equal(error.code, 413)
      assert.equal(error.data.collection, 'notes')
    } finally {
      client.close()
    }
    assert.equal((await stored('notes')).filter((n) => n.title === 'big').length, 0)
  })

  it('refuses a multi create with one item too big, and stores none of its items', async () => {
    const before = await stored('notes')
    const response = await post('/notes', [{ title: 'small one' }, { title: 'big', tags: longTags(7) }, { title: 'small two' }])
    assert.equal(response.status, 413)
    assert.deepEqual(await stored('notes'), before)
  })

  it('refuses a patch that grows a stored record past the limit, by id and by query, and leaves the record as it was', async () => {
    const created = await post('/notes', { title: 'grows', tags: longTags(6) })
    assert.equal(created.status, 201)
    // The patch alone is small; the record it would make is not.
    const byId = await request(url, 'PATCH', `/notes/${created.body._id}`, { token, body: { body: text(9000) } })
    assert.equal(byId.status, 413)
    assert.match(byId.body.message, /notes may hold at most 65536 bytes/)
    const byQuery = await request(url, 'PATCH', '/notes?title=grows', { token, body: { body: text(9000) } })
    assert.equal(byQuery.status, 413)
    assert.deepEqual(await app.service('notes').get(created.body._id), created.body)
    // A patch that keeps it under the limit passes.
    assert.equal((await request(url, 'PATCH', `/notes/${created.body._id}`, { token, body: { body: 'short' } })).status, 200)
  })

  it('lets a collection declare a larger maximum (maxRecordBytes), and holds it to that one', async () => {
    assert.equal((await post('/scans', { pages: longTags(15) })).status, 201)
    const over = await post('/scans', { pages: longTags(21) })
    assert.equal(over.status, 413)
    assert.equal(over.body.data.limit, 200_000)
  })

  it('refuses a string longer than 10000 characters where the declaration gives no bound, with a 400', async () => {
    const response = await post('/notes', { title: text(10_001) })
    assert.equal(response.status, 400)
    assert.match(response.body.data.title, /10000/)
    assert.equal((await post('/notes', { title: text(10_000) })).status, 201)
  })

  it('refuses an array of more than 1000 items where the declaration gives no bound, with a 400', async () => {
    const response = await post('/notes', { title: 'many tags', tags: Array.from({ length: 1001 }, () => 'a') })
    assert.equal(response.status, 400)
    assert.match(response.body.data.tags, /1000/)
    assert.equal((await post('/notes', { title: 'many tags', tags: Array.from({ length: 1000 }, () => 'a') })).status, 201)
  })

  it('keeps declared bounds, bounds secrets too, and shows every bound in the OpenAPI document', async () => {
    const members = archive.collections.find((c) => c.name === 'members')!
    assert.equal(members.dataSchema.properties.name.maxLength, 100)
    assert.equal(members.dataSchema.properties.password.maxLength, 128)
    assert.equal(members.dataSchema.properties.apiKey.maxLength, 10_000)
    const { body: document } = await request(url, 'GET', '/openapi.json')
    const note = document.components.schemas.NoteData
    assert.equal(note.properties.title.maxLength, 10_000)
    assert.equal(note.properties.tags.maxItems, 1000)
    assert.equal(note.properties.tags.items.maxLength, 10_000)
  })

  it('refuses to start when a collection allows records the body limit could not carry', async () => {
    await assert.rejects(createApp(archive, testSettings({ dataDir: '', demo: false, bodyLimit: '100kb' })), /collection "scans" allows records of 200000 bytes but bodyLimit \(BODY_LIMIT\) is 100kb: raise it/)
  })
})

describe('record size in the blueprints (the attack: ~1 MB bulk uploads by a Manager)', function () {
  this.timeout(30000)
  let appointments: TestServer
  let society: TestServer
  before(async () => {
    appointments = await startServer('appointments')
    society = await startServer('society')
  })
  after(async () => {
    await appointments?.close()
    await society?.close()
  })

  /** An upload whose error report holds `rows` rows of 1000 characters: about `rows` kB. */
  const upload = (by: string, rows: number) => ({
    UploadedBy: by,
    FileName: 'huge.csv',
    TotalRecords: rows,
    SuccessRecords: 0,
    ErrorRecords: rows,
    ErrorDetails: Array.from({ length: rows }, (_, Row) => ({ Row, Error: text(1000) }))
  })

  it('refuses a Manager’s ~1 MB bulk upload with a 413 over REST and Socket.io, and stores none', async () => {
    const maria = await login(appointments.url, 'maria@example.com', PASSWORD)
    const uploads = appointments.app.service('bulk-uploads')
    const before = ((await uploads.find({ paginate: false })) as any[]).length
    const rest = await request(appointments.url, 'POST', '/bulk-uploads', { token: maria.accessToken, body: upload(maria.user._id, 950) })
    assert.equal(rest.status, 413)
    assert.match(rest.body.message, /bulk-uploads may hold at most 524288 bytes/)
    const client = await connect(appointments.url, maria.accessToken)
    try {
      const error: any = await client.call('create', 'bulk-uploads', upload(maria.user._id, 950)).catch((e) => e)
      assert.equal(error.code, 413)
    } finally {
      client.close()
    }
    assert.equal(((await uploads.find({ paginate: false })) as any[]).length, before)
    // The report fields are the engine's (read-only for callers); the error report of an ordinary import still fits.
    assert.ok((await uploads.create(upload(maria.user._id, 300)))._id)
  })

  it('still lets the engine repair an old record over the limit: removing a user detaches them from it', async () => {
    const app = appointments.app
    const [maria, dev, lin] = await Promise.all(['maria', 'dev', 'lin'].map(async (name) => ((await app.service('users').find({ paginate: false, query: { email: `${name}@example.com` } })) as any[])[0]))
    // As an older version could store it: through the adapter, past today's checks.
    const Attendees = [{ DeveloperId: dev._id }, ...Array.from({ length: 2000 }, () => ({ DeveloperId: lin._id, Status: 'Accepted', ResponseTime: '2030-01-01T00:00:00.000Z' }))]
    const old = await (app.service('appointments') as any)._create({ ManagerId: maria._id, AppointedDate: '2030-01-02T09:00:00.000Z', Attendees, Status: 'Scheduled' })
    await app.service('users').remove(dev._id)
    const after = await app.service('appointments').get(old._id)
    assert.equal(after.Attendees.length, 2000)
    assert.ok(after.Attendees.every((a: any) => a.DeveloperId === lin._id))
  })

  it('refuses a resident’s complaint carrying ~800 kB of comments (each within its declared bounds) with a 413', async () => {
    const asha = await login(society.url, 'asha@example.com', PASSWORD)
    const [resident] = (await society.app.service('residents').find({ paginate: false, query: { userId: asha.user._id } })) as any[]
    const comments = Array.from({ length: 400 }, () => ({ text: text(2000) }))
    const body = { societyId: resident.societyId, flatId: resident.flatId, residentId: resident._id, title: 'Noise', category: 'Other', comments }
    const response = await request(society.url, 'POST', '/complaints', { token: asha.accessToken, body })
    assert.equal(response.status, 413)
    assert.equal(response.body.data.collection, 'complaints')
  })
})

/** An address no other test (nor an earlier run sharing Redis) uses: the limits below are per address and per user. */
const freshAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`
const from = (address: string) => ({ 'x-forwarded-for': address })

/** Logs in from its own address, so logins (anonymous writes) do not use up the address limits under test. */
async function loginFrom(url: string, email: string) {
  const response = await request(url, 'POST', '/authentication', { headers: from(freshAddress()), body: { strategy: 'local', email, password: PASSWORD } })
  assert.equal(response.status, 201, JSON.stringify(response.body))
  return response.body as { accessToken: string; user: any }
}

const LIMITS = { requestsPerUser: 8, writesPerUser: 3, requestsPerIp: 6, writesPerIp: 4, rateWindowSeconds: 60, trustProxy: true, loginAttempts: 2 }

describe('request and write rate limits', function () {
  this.timeout(30000)
  let server: TestServer
  before(async () => {
    server = await startServer('appointments', LIMITS)
  })
  after(() => server?.close())

  const get = (path: string, token?: string, address = freshAddress()) => request(server.url, 'GET', path, { token, headers: from(address) })

  function assertTooMany(response: { status: number; body: any; headers: Headers }, what: string) {
    assert.equal(response.status, 429, JSON.stringify(response.body))
    assert.equal(response.body.name, 'TooManyRequests')
    assert.match(response.body.message, new RegExp(`Too many ${what}; try again in \\d+ s`))
    const retryAfter = Number(response.headers.get('retry-after'))
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${response.headers.get('retry-after')}`)
    assert.equal(response.body.data.retryAfter, retryAfter)
  }

  it('refuses a signed-in user’s requests past the limit with 429 and Retry-After over REST, whatever address they come from; others are not affected', async () => {
    const maria = await loginFrom(server.url, 'maria@example.com')
    for (let i = 0; i < LIMITS.requestsPerUser; i++) assert.equal((await get('/appointments', maria.accessToken)).status, 200)
    assertTooMany(await get('/appointments', maria.accessToken), 'requests')
    const dev = await loginFrom(server.url, 'dev@example.com')
    assert.equal((await get('/appointments', dev.accessToken)).status, 200)
    // Internal calls are never limited.
    assert.ok(((await server.app.service('appointments').find({ paginate: false })) as any[]).length > 0)
  })

  it('counts a user’s Socket.io calls with their REST requests, and answers past the limit with a 429 error carrying retryAfter', async () => {
    const omar = await loginFrom(server.url, 'omar@example.com')
    const client = await connect(server.url, omar.accessToken)
    try {
      for (let i = 0; i < LIMITS.requestsPerUser / 2; i++) await client.call('find', 'appointments', {})
      for (let i = 0; i < LIMITS.requestsPerUser / 2; i++) assert.equal((await get('/appointments', omar.accessToken)).status, 200)
      const error: any = await client.call('find', 'appointments', {}).catch((e) => e)
      assert.equal(error.code, 429)
      assert.equal(error.name, 'TooManyRequests')
      assert.ok(error.data.retryAfter >= 1 && error.data.retryAfter <= 60)
    } finally {
      client.close()
    }
  })

  it('limits writes separately: past the write limit a user may still read', async () => {
    const admin = await loginFrom(server.url, 'admin@example.com')
    const rename = () => request(server.url, 'PATCH', `/users/${admin.user._id}`, { token: admin.accessToken, headers: from(freshAddress()), body: { Name: 'Admin' } })
    for (let i = 0; i < LIMITS.writesPerUser; i++) assert.equal((await rename()).status, 200)
    assertTooMany(await rename(), 'writes')
    assert.equal((await get('/appointments', admin.accessToken)).status, 200)
  })

  it('limits anonymous callers per address, logins included, and not signed-in callers from that address; /health is never limited', async () => {
    const address = freshAddress()
    for (let i = 0; i < LIMITS.requestsPerIp; i++) assert.equal((await get('/appointments', undefined, address)).status, 401)
    assertTooMany(await get('/appointments', undefined, address), 'requests')
    assert.equal((await get('/appointments', undefined, freshAddress())).status, 401, 'another address is not limited')
    assert.equal((await get('/health', undefined, address)).status, 200)
    const lin = await loginFrom(server.url, 'lin@example.com')
    assert.equal((await get('/appointments', lin.accessToken, address)).status, 200)
    // A forged or expired token counts as anonymous: it cannot move a flood onto someone else's account.
    assertTooMany(await get('/appointments', 'not-a-token', address), 'requests')

    const sprayer = freshAddress()
    const attempt = (email: string) => request(server.url, 'POST', '/authentication', { headers: from(sprayer), body: { strategy: 'local', email, password: 'guess-1234' } })
    for (const email of ['maria@example.com', 'omar@example.com', 'dev@example.com', 'lin@example.com']) assert.equal((await attempt(email)).status, 401)
    assertTooMany(await attempt('sam@example.com'), 'writes')
  })

  it('limits anonymous Socket.io calls per address too', async () => {
    const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: from(freshAddress()) })
    try {
      await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)))
      const find = () => new Promise<any>((resolve) => socket.emit('find', 'appointments', {}, (error: any) => resolve(error)))
      for (let i = 0; i < LIMITS.requestsPerIp; i++) assert.equal((await find())?.code, 401)
      const refused = await find()
      assert.equal(refused?.code, 429)
      assert.ok(refused.data.retryAfter >= 1)
    } finally {
      socket.close()
    }
  })

  it('gives the failed-login limit’s 429 a Retry-After header too', async () => {
    const attempt = () => request(server.url, 'POST', '/authentication', { headers: from(freshAddress()), body: { strategy: 'local', email: 'sam@example.com', password: 'guess-1234' } })
    for (let i = 0; i < LIMITS.loginAttempts; i++) assert.equal((await attempt()).status, 401)
    const refused = await attempt()
    assert.equal(refused.status, 429)
    assert.match(refused.body.message, /Too many failed logins/)
    assert.equal(Number(refused.headers.get('retry-after')), refused.body.data.retryAfter)
  })
})

describe('rate limits across two instances sharing Redis', function () {
  this.timeout(30000)
  let first: TestServer
  let second: TestServer
  before(async function () {
    if (!(await redisAvailable())) return this.skip()
    ;[first, second] = await startInstancesOnRedis('appointments', { requestsPerIp: 5, rateWindowSeconds: 60, trustProxy: true })
  })
  after(async () => {
    await first?.close()
    await second?.close()
  })

  it('counts an address’s requests on both instances together', async () => {
    const address = freshAddress()
    const get = (server: TestServer) => request(server.url, 'GET', '/appointments', { headers: from(address) })
    for (const server of [first, second, first, second, first]) assert.equal((await get(server)).status, 401)
    assert.equal((await get(second)).status, 429)
    assert.equal((await get(first)).status, 429)
  })
})
