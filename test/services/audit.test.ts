// The audit log: an entry per changed record from REST, Socket.io, the admin panel's calls, actions and internal calls;
// secrets redacted; append-only on every transport; reading limited to records (and fields) the caller may read.
import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import { DEMO_USERS, connect, login, loginAll, request, serverStore, startServer, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

describe('the audit log', function () {
  this.timeout(60_000)
  let server: TestServer
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}
  const entries = async (query: Record<string, unknown>) =>
    (await server.app.service('audit-log').find({ paginate: false, query: { ...query, $sort: { at: 1 } } })) as any[]

  before(async () => {
    server = await startServer('appointments')
    await loginAll(server.url, DEMO_USERS, tokens, ids)
  })
  after(async () => server?.close())

  it('records a REST create, patch and remove with who, how and each changed field before → after', async () => {
    const created = await request(server.url, 'POST', '/appointments', { token: tokens.maria, body: { ManagerId: ids.maria, AppointedDate: '2031-03-01T09:00:00.000Z', Attendees: [{ DeveloperId: ids.dev }] } })
    assert.equal(created.status, 201)
    const id = created.body._id
    const patched = await request(server.url, 'PATCH', `/appointments/${id}`, { token: tokens.maria, body: { AppointedDate: '2031-03-02T09:00:00.000Z' } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal((await request(server.url, 'DELETE', `/appointments/${id}`, { token: tokens.admin })).status, 200)

    const [create, patch, remove] = await entries({ collection: 'appointments', recordId: id })
    for (const entry of [create, patch, remove]) {
      assert.equal(entry.actor, 'user')
      assert.equal(entry.actorId, entry === remove ? ids.admin : ids.maria)
      assert.equal(entry.transport, 'rest')
    }
    assert.deepEqual([create.method, patch.method, remove.method], ['create', 'patch', 'remove'])
    const field = (entry: any, name: string) => entry.changes.find((change: any) => change.field === name)
    assert.deepEqual(field(create, 'AppointedDate'), { field: 'AppointedDate', after: '"2031-03-01T09:00:00.000Z"' })
    assert.deepEqual(field(patch, 'AppointedDate'), { field: 'AppointedDate', before: '"2031-03-01T09:00:00.000Z"', after: '"2031-03-02T09:00:00.000Z"' })
    assert.ok(field(patch, 'UpdatedAt'), 'the engine-stamped time changed too')
    assert.equal(field(patch, 'ManagerId'), undefined, 'unchanged fields are not listed')
    assert.deepEqual(JSON.parse(field(remove, 'Attendees').before), [{ DeveloperId: ids.dev }])
    assert.equal(field(remove, 'Attendees').after, undefined)
  })

  it('records Socket.io calls, the admin panel, a declared action and internal calls as such; secrets are redacted', async () => {
    const [appointment] = (await server.app.service('appointments').find({ paginate: false, query: { 'Attendees.DeveloperId': ids.dev, Status: 'Scheduled' } })) as any[]
    const dev = await connect(server.url, tokens.dev)
    try {
      await dev.call('respond', 'appointments', { id: appointment._id, Status: 'Accepted' })
      await dev.call('patch', 'users', ids.dev, { password: 'a new password 123' })
    } finally {
      dev.close()
    }
    // The password change ended Dev's other sessions: a new login for the tests below.
    tokens.dev = (await login(server.url, 'dev@example.com', 'a new password 123')).accessToken
    await server.app.service('appointments').patch(appointment._id, { Status: 'Cancelled' }, { provider: 'admin', user: await server.app.service('users').get(ids.admin) } as any)
    await server.app.service('appointments').patch(appointment._id, { Status: 'Scheduled' })

    const history = await entries({ collection: 'appointments', recordId: appointment._id })
    const [respond, admin, internal] = history.slice(-3)
    assert.deepEqual([respond.method, respond.transport, respond.actorId], ['respond', 'socketio', ids.dev])
    assert.ok(respond.changes.some((change: any) => change.field === 'Attendees' && change.after.includes('Accepted')))
    assert.deepEqual([admin.method, admin.transport, admin.actorId], ['patch', 'admin', ids.admin])
    assert.deepEqual([internal.transport, internal.actor, internal.actorId], ['internal', 'engine', undefined])

    const [password] = (await entries({ collection: 'users', recordId: ids.dev })).slice(-1)
    assert.equal(password.transport, 'socketio')
    const change = password.changes.find((c: any) => c.field === 'password')
    assert.deepEqual(change, { field: 'password', before: '"[redacted]"', after: '"[redacted]"' })
    assert.ok(!JSON.stringify(password).includes('$2'), 'no bcrypt hash anywhere in the entry')
  })

  it('a refused or failed write leaves no entry', async () => {
    const before = (await entries({})).length
    const missing = await request(server.url, 'POST', '/appointments', { token: tokens.admin, body: { ManagerId: '0123456789abcdef01234567', AppointedDate: '2031-03-01T09:00:00.000Z' } })
    assert.equal(missing.status, 422)
    const forbidden = await request(server.url, 'POST', '/appointments', { token: tokens.maria, body: { ManagerId: ids.omar, AppointedDate: '2031-03-01T09:00:00.000Z' } })
    assert.equal(forbidden.status, 403)
    assert.equal((await entries({})).length, before)
  })

  it('on MongoDB, stores `at` as a BSON date (the TTL index and time filters need it), not as text', async function () {
    if (serverStore === 'embedded') this.skip()
    const service = server.app.service('audit-log') as any
    const [someone] = (await server.app.service('users').find({ paginate: false, query: { $limit: 1 } })) as any[]
    await server.app.service('users').patch(someone._id, { Name: `${someone.Name} (typed)` })
    const [latest] = await (await service.getModel()).find({}).sort({ _id: -1 }).limit(1).toArray()
    assert.ok(latest.at instanceof Date, `at is ${typeof latest.at}: ${latest.at}`)
  })

  it('is append-only on every transport, internal calls included', async () => {
    const [entry] = await entries({})
    assert.equal((await request(server.url, 'POST', '/audit-log', { token: tokens.admin, body: { collection: 'x' } })).status, 405)
    assert.equal((await request(server.url, 'PATCH', `/audit-log/${entry._id}`, { token: tokens.admin, body: { actor: 'engine' } })).status, 405)
    assert.equal((await request(server.url, 'DELETE', `/audit-log/${entry._id}`, { token: tokens.admin })).status, 405)
    const socket = await connect(server.url, tokens.admin)
    try {
      await assert.rejects(socket.call('remove', 'audit-log', entry._id), (error: any) => error.code === 405 || error.name === 'MethodNotAllowed')
    } finally {
      socket.close()
    }
    await assert.rejects(server.app.service('audit-log').remove(entry._id), { name: 'MethodNotAllowed' })
    await assert.rejects(server.app.service('audit-log').patch(entry._id, { actor: 'engine' }), { name: 'MethodNotAllowed' })
    assert.deepEqual(await server.app.service('audit-log').get(entry._id), entry)
  })

  it('reading follows permissions: an Admin reads everything; others only the history of a record they may read, its readable fields', async () => {
    const all = await request(server.url, 'GET', '/audit-log?$limit=200', { token: tokens.admin })
    assert.equal(all.status, 200)
    assert.ok(all.body.total > 0)
    assert.equal((await request(server.url, 'GET', '/audit-log', { token: tokens.maria })).status, 403)
    assert.equal((await request(server.url, 'GET', '/audit-log')).status, 401)

    const [mine] = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: ids.maria } })) as any[]
    const [omars] = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: ids.omar, 'Attendees.DeveloperId': { $ne: ids.dev } } })) as any[]
    const own = await request(server.url, 'GET', `/audit-log?collection=appointments&recordId=${mine._id}`, { token: tokens.maria })
    assert.equal(own.status, 200)
    assert.ok(own.body.data.length > 0 && own.body.data.every((entry: any) => entry.recordId === mine._id))
    // Fields of the entries only, without their changes (a 500 before: the changes were limited to readable fields).
    const selected = await request(server.url, 'GET', `/audit-log?collection=appointments&recordId=${mine._id}&$select[]=at&$select[]=method`, { token: tokens.maria })
    assert.equal(selected.status, 200, JSON.stringify(selected.body))
    assert.equal(selected.body.total, own.body.total)
    assert.ok(selected.body.data.every((entry: any) => entry.method && entry.at && entry.changes === undefined))
    const refused = (await request(server.url, 'GET', `/appointments/${omars._id}`, { token: tokens.maria })).status
    assert.ok(refused === 403 || refused === 404)
    assert.equal((await request(server.url, 'GET', `/audit-log?collection=appointments&recordId=${omars._id}`, { token: tokens.maria })).status, refused, 'as the record itself')

    // Sam's record as Dev may read it: public fields only, so the change of Sam's block list is not shown to Dev.
    const sam = (await server.app.service('users').find({ paginate: false, query: { email: 'sam@example.com' } }))[0] as any
    await server.app.service('users').patch(sam._id, { BlockedUser: [ids.omar, ids.maria], Name: 'Sam O.' })
    const seen = await request(server.url, 'GET', `/audit-log?collection=users&recordId=${sam._id}&$sort[at]=-1`, { token: tokens.dev })
    assert.equal(seen.status, 200)
    const last = seen.body.data[0]
    assert.equal(last.method, 'patch')
    assert.deepEqual(last.changes.map((change: any) => change.field), ['Name'])
    const full = (await entries({ collection: 'users', recordId: sam._id })).pop()
    assert.deepEqual(full.changes.map((change: any) => change.field).sort(), ['BlockedUser', 'Name', 'updatedAt'])

    // As CSV, as every list (it was JSON whatever the Accept said): the same entries, the same limits.
    const csv = async (path: string, token?: string) => {
      const response = await fetch(server.url + path, { headers: { accept: 'text/csv', ...(token && { authorization: `Bearer ${token}` }) } })
      return { status: response.status, type: response.headers.get('content-type') ?? '', rows: response.status === 200 ? (parse(await response.text(), { columns: true }) as Record<string, string>[]) : [] }
    }
    const everything = await csv('/audit-log?$sort[at]=-1', tokens.admin)
    assert.equal(everything.status, 200)
    assert.match(everything.type, /^text\/csv/)
    assert.equal(everything.rows.length, (await entries({})).length)
    assert.deepEqual(Object.keys(everything.rows[0]), ['_id', 'collection', 'recordId', 'method', 'transport', 'actor', 'actorId', 'at', 'changes'])
    const devs = await csv(`/audit-log?collection=users&recordId=${sam._id}&$sort[at]=-1`, tokens.dev)
    assert.equal(devs.status, 200)
    assert.equal(devs.rows.length, seen.body.total)
    assert.deepEqual(JSON.parse(devs.rows[0].changes).map((change: any) => change.field), ['Name'], 'the fields Dev may read only')
    assert.equal((await csv('/audit-log', tokens.maria)).status, 403)
    assert.equal((await csv('/audit-log')).status, 401)
  })

  it("a record's history is filtered by the entries' own facts only: never by their changes, which would tell hidden values", async () => {
    const sam = (await server.app.service('users').find({ paginate: false, query: { email: 'sam@example.com' } }))[0] as any
    await server.app.service('users').patch(sam._id, { BlockedUser: [ids.omar] })
    // A change Dev may read, so that Sam's history lists a patch to Dev (the block list's alone is not listed to him).
    await server.app.service('users').patch(sam._id, { Name: `${sam.Name} ` })
    await server.app.service('users').patch(sam._id, { Name: sam.Name })
    const history = `/audit-log?collection=users&recordId=${sam._id}`
    const as = (query: string) => request(server.url, 'GET', `${history}&${query}`, { token: tokens.dev })
    // Before: `changes.after=["<omar>"]` found the entry (total 1) and another value none: Sam's hidden block list, guessed.
    for (const query of [`changes.after=${encodeURIComponent(JSON.stringify([ids.omar]))}`, 'changes.field=BlockedUser', `$or[0][changes.field]=BlockedUser`]) {
      const refused = await as(query)
      assert.equal(refused.status, 400, query)
      assert.match(refused.body.message, /history is filtered and sorted by method, transport, actor, actorId, at only/)
    }
    // The same over Socket.io.
    const socket = await connect(server.url, tokens.dev)
    try {
      await assert.rejects(socket.call('find', 'audit-log', { collection: 'users', recordId: sam._id, 'changes.field': 'BlockedUser' }), (error: any) => error.code === 400)
    } finally {
      socket.close()
    }
    // Its own facts still filter and sort it; an Admin, who reads every entry whole, may filter on changes.
    const patches = await as('method=patch&$sort[at]=-1')
    assert.equal(patches.status, 200)
    assert.ok(patches.body.total > 0 && patches.body.data.every((entry: any) => entry.method === 'patch'))
    assert.equal((await as(`actorId=${ids.admin}`)).status, 200)
    const admin = await request(server.url, 'GET', `${history}&changes.field=BlockedUser`, { token: tokens.admin })
    assert.equal(admin.status, 200)
    assert.ok(admin.body.total > 0)
  })

  it('a restricted reader gets only the entries that changed a field they may read: hidden changes alone tell nothing, not even who and when', async () => {
    const lin = (await server.app.service('users').find({ paginate: false, query: { email: 'lin@example.com' } }))[0] as any
    await server.app.service('users').patch(lin._id, { BlockedUser: [ids.omar] })
    await server.app.service('users').patch(lin._id, { Name: 'Lin Renamed' })
    await server.app.service('users').patch(lin._id, { Name: lin.Name, BlockedUser: [] })
    const history = `/audit-log?collection=users&recordId=${lin._id}&method=patch&$sort[at]=1`
    const all = (await request(server.url, 'GET', history, { token: tokens.admin })).body
    // Found by what they changed (three patches may share a millisecond, so not by their order).
    const changed = (entry: any, field: string) => entry.changes.find((c: any) => c.field === field)
    const hidden = all.data.find((entry: any) => changed(entry, 'BlockedUser')?.after === JSON.stringify([ids.omar]) && !changed(entry, 'Name'))
    const renamed = all.data.find((entry: any) => changed(entry, 'Name')?.after === '"Lin Renamed"')
    const restored = all.data.find((entry: any) => changed(entry, 'Name')?.before === '"Lin Renamed"')
    assert.ok(hidden && renamed && restored, JSON.stringify(all.data))
    const dev = (await request(server.url, 'GET', history, { token: tokens.dev })).body
    const seen = dev.data.map((entry: any) => entry._id)
    assert.ok(!seen.includes(hidden._id), 'the entry of the block list alone is not listed')
    assert.ok(seen.includes(renamed._id) && seen.includes(restored._id), 'the entries that changed the Name are')
    assert.equal(dev.total, seen.length, 'the total counts the listed entries only')
    assert.ok(dev.data.every((entry: any) => entry.changes.every((c: any) => c.field !== 'BlockedUser')))
  })

  it('keeps entries for the retention (365 days by default): older ones are left out of lists and totals, and purged', async function () {
    // MongoDB's own TTL monitor purges there (the emulator never does): the embedded store's filter and purge are ours.
    if (server.app.store.kind !== 'embedded') this.skip()
    const log = server.app.service('audit-log') as any
    const listed = async () => (await request(server.url, 'GET', '/audit-log?collection=retention&$limit=50', { token: tokens.admin })).body
    const entry = (days: number, recordId: string) => ({
      collection: 'retention', recordId, method: 'patch', transport: 'internal', actor: 'engine', changes: [], at: new Date(Date.now() - days * 86400_000)
    })
    const [kept, expired] = await log._create([entry(364, 'kept'), entry(366, 'expired')])
    const before = await listed()
    assert.deepEqual(before.data.map((e: any) => e.recordId), ['kept'])
    assert.equal(before.total, 1, 'the total leaves the expired one out too')
    assert.equal((await request(server.url, 'GET', `/audit-log/${expired._id}`, { token: tokens.admin })).status, 404)
    await log.getModel().purge()
    const stored = (server.app.store as any).database.db.prepare(`SELECT id FROM "audit-log" WHERE id IN (?, ?)`).all(kept._id, expired._id) as { id: string }[]
    assert.deepEqual(stored.map((row) => row.id), [kept._id], 'the purge deleted the expired entry only')
  })
})
