// Export jobs (`exporter`) on a small library blueprint, over real HTTP and sockets: the file is written as the creator
// (their records, their fields, never a secret), in CSV or JSON, with progress, size, count and errors on the record.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { GeneralError } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import { createApp, type EngineApp } from '../../src/app.js'
import { DateTime, Email, Enum, File, Password, Ref, Secret, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import type { BlueprintInput } from '../../src/schemas/types.js'
import { checkExporters } from '../../src/services/export-jobs.js'
import { connect, eventually, finished, login, request, tempDir, testSettings } from '../helpers.js'

const PASSWORD = 'library-pass'
const me = '{{user._id}}'

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Librarian', 'Reader']) }),
  auth: { roleField: 'role', roleBy: 'name' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const books = defineCollection({
  name: 'books',
  schema: Type.Object({ title: Type.String(), year: Type.Integer(), ownerId: Ref('users'), price: Type.Optional(Type.Number()), note: Type.Optional(Secret()) }),
  indexes: [{ fields: { ownerId: 1 } }],
  // Small pages: an export of the fixture's books takes several, so progress has steps to show.
  pagination: { default: 10, max: 10 }
})

/** A collection whose lists of the shelf `fall` fail: an export of them must end in `failed`, with the reason. */
const fragile = defineCollection({
  name: 'fragile',
  schema: Type.Object({ name: Type.String() }),
  before: {
    find: [
      (context: HookContext) => {
        if (context.params.query?.name === 'fall') throw new GeneralError('the shelf fell over')
      }
    ]
  }
})

const exportsCollection = defineCollection({
  name: 'exports',
  schema: Type.Object({
    by: Type.Optional(Ref('users', { readOnly: true })),
    kind: Enum(['books', 'backup', 'fragile']),
    format: Type.Optional(Enum(['csv', 'json'])),
    filters: Type.Optional(Type.Object({ shelf: Type.Optional(Type.String()), fromYear: Type.Optional(Type.Integer()), owners: Type.Optional(Type.Array(Ref('users'), { maxItems: 10 })) })),
    file: Type.Optional(File({ readOnly: true })),
    status: Enum(['pending', 'running', 'done', 'failed'], { default: 'pending', readOnly: true }),
    count: Type.Optional(Type.Integer({ readOnly: true })),
    size: Type.Optional(Type.Integer({ readOnly: true })),
    finishedAt: Type.Optional(DateTime({ readOnly: true })),
    error: Type.Optional(Type.String({ readOnly: true }))
  }),
  generate: { by: { kind: 'value', value: me, overwrite: true } },
  exporter: {
    file: 'file',
    kind: 'kind',
    format: 'format',
    targets: { books: ['books'], backup: '*', fragile: ['fragile'] },
    filters: { books: [{ year: { $gte: '{{data.filters.fromYear}}' } }, { ownerId: { $in: '{{data.filters.owners}}' } }], fragile: [{ name: '{{data.filters.shelf}}' }] },
    report: { status: 'status', count: 'count', size: 'size', completedAt: 'finishedAt', error: 'error' },
    statuses: { running: 'running', done: 'done', failed: 'failed' },
    schedules: [{ name: 'nightly-backup', cron: '0 3 * * *', record: { kind: 'backup' } }]
  }
})

const names = ['users', 'books', 'fragile', 'exports']

const library: BlueprintInput = {
  name: 'library',
  version: '0.0.1',
  description: 'Books, their owners, and exports of them.',
  collections: [...rbacCollections, users, books, fragile, exportsCollection],
  roles: [
    { RoleName: 'Librarian', permissions: names.map((name) => `librarian-${name}`) },
    { RoleName: 'Reader', permissions: ['reader-self', 'reader-books', 'reader-export', 'reader-exports'] }
  ],
  permissions: [
    ...names.map((name) => ({ PermissionName: `librarian-${name}`, Action: 'manage', Subject: name })),
    { PermissionName: 'reader-self', Action: 'read', Subject: 'users', Conditions: { _id: me }, Fields: ['_id', 'name', 'email', 'role'] },
    { PermissionName: 'reader-books', Action: 'read', Subject: 'books', Conditions: { ownerId: me }, Fields: ['_id', 'title', 'year', 'ownerId'] },
    { PermissionName: 'reader-export', Action: 'create', Subject: 'exports' },
    { PermissionName: 'reader-exports', Action: 'read', Subject: 'exports', Conditions: { by: me } }
  ],
  adminRole: 'Librarian',
  async demo(app: any) {
    const [librarian, ada, bob] = await app.service('users').create([
      { name: 'Librarian', email: 'librarian@library.example.com', password: PASSWORD, role: 'Librarian' },
      { name: 'Ada', email: 'ada@library.example.com', password: PASSWORD, role: 'Reader' },
      { name: 'Bob', email: 'bob@library.example.com', password: PASSWORD, role: 'Reader' }
    ])
    void librarian
    const shelf = Array.from({ length: 45 }, (_, i) => ({ title: `Book ${i}`, year: 1990 + (i % 30), ownerId: i % 3 ? ada._id : bob._id, price: i, note: `secret ${i}` }))
    await app.service('books').create(shelf)
  }
}

describe('export jobs (`exporter`)', function () {
  this.timeout(60_000)
  let app: EngineApp
  let url: string
  let dataDir: string
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}

  before(async () => {
    dataDir = await tempDir('quillbase-library-')
    app = await createApp(sanitizeBlueprint(library), testSettings({ dataDir }))
    const server = await app.listen(0)
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    for (const name of ['librarian', 'ada', 'bob']) {
      const { accessToken, user } = await login(url, `${name}@library.example.com`, PASSWORD)
      tokens[name] = accessToken
      ids[name] = user._id
    }
  })
  after(async () => {
    await app?.shutdown()
    await rm(dataDir, { recursive: true, force: true })
  })

  /** Creates an export as `who` and waits until the job has finished it. */
  async function exported(who: string, body: Record<string, unknown>) {
    const created = await request(url, 'POST', '/exports', { token: tokens[who], body })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.status, 'pending')
    let record = created.body
    const end = Date.now() + 30_000
    while (!['done', 'failed'].includes(record.status) && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      record = (await request(url, 'GET', `/exports/${created.body._id}`, { token: tokens[who] })).body
    }
    assert.ok(['done', 'failed'].includes(record.status), `finished: ${JSON.stringify(record)}`)
    return record
  }

  const download = async (record: any, who: string) => {
    const response = await fetch(url + record.file, { headers: { authorization: `Bearer ${tokens[who]}` } })
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type') }
  }

  const stored = async (query: Record<string, unknown>) => (await app.service('books').find({ paginate: false, query })) as any[]

  it("a Librarian's CSV of books follows the filters the record fills; size, count and file say what was written; no secret column", async () => {
    const record = await exported('librarian', { kind: 'books', format: 'csv', filters: { fromYear: 2010 } })
    assert.equal(record.status, 'done', record.error)
    const expected = await stored({ year: { $gte: 2010 } })
    assert.equal(record.count, expected.length)
    assert.ok(record.finishedAt)
    const file = await download(record, 'librarian')
    assert.equal(file.status, 200)
    assert.match(file.type ?? '', /text\/csv/)
    assert.equal(Buffer.byteLength(file.text), record.size)
    const [header, ...rows] = file.text.trimEnd().split('\n')
    assert.equal(rows.length, expected.length)
    assert.deepEqual(header.split(',').sort(), ['_id', 'createdAt', 'ownerId', 'price', 'title', 'updatedAt', 'year'])
    assert.ok(!file.text.includes('secret '), 'a secret field is never exported')
  })

  it('an empty optional filter filters nothing; a filled list narrows', async () => {
    const all = await exported('librarian', { kind: 'books' })
    assert.equal(all.count, 45)
    // Left empty (a multi-select with nothing chosen): before, `$in: []` exported no book and said done.
    const none = await exported('librarian', { kind: 'books', filters: { owners: [] } })
    assert.deepEqual([none.status, none.count], ['done', 45])
    const bobs = await exported('librarian', { kind: 'books', filters: { owners: [ids.bob] } })
    assert.equal(bobs.count, (await stored({ ownerId: ids.bob })).length)
  })

  it("a Reader's export holds only the records and fields they may read; its progress reaches only them", async () => {
    const ada = await connect(url, tokens.ada)
    const bob = await connect(url, tokens.bob)
    try {
      const record = await exported('ada', { kind: 'books' })
      assert.equal(record.status, 'done', record.error)
      const mine = await stored({ ownerId: ids.ada })
      const json = JSON.parse((await download(record, 'ada')).text)
      assert.deepEqual(json.collections.books.map((book: any) => book._id).sort(), mine.map((book) => book._id).sort())
      assert.ok(json.collections.books.every((book: any) => book.price === undefined && book.note === undefined), 'field rules hold')
      const counts = () => ada.events.filter((e) => e.name === 'exports patched' && e.data._id === record._id).map((e) => e.data.count)
      assert.ok(await eventually(() => counts().at(-1) === mine.length), `progress: ${counts()}`)
      assert.ok(counts().filter((count) => count > 0 && count < mine.length).length >= 1, `steps between: ${counts()}`)
      assert.equal(bob.events.filter((e) => e.name.startsWith('exports')).length, 0, "Bob may not read Ada's export: no events")
      assert.ok([403, 404].includes((await download(record, 'bob')).status), 'the file downloads only for who may read the record')
    } finally {
      ada.close()
      bob.close()
    }
  })

  it('a backup is every collection as the creator reads it: secrets and passwords never; collections they may not read are named as refused', async () => {
    const record = await exported('librarian', { kind: 'backup' })
    assert.equal(record.status, 'done', record.error)
    const json = JSON.parse((await download(record, 'librarian')).text)
    assert.equal(json.collections.books.length, 45)
    assert.ok(json.collections.books.every((book: any) => book.note === undefined && typeof book.price === 'number'))
    assert.ok(json.collections.users.length >= 3 && json.collections.users.every((user: any) => user.password === undefined))
    assert.ok(json.collections.exports.length >= 1)
    assert.equal(record.count, Object.values<any[]>(json.collections).reduce((sum, list) => sum + list.length, 0))

    const readers = await exported('ada', { kind: 'backup' })
    assert.equal(readers.status, 'done', readers.error)
    const own = JSON.parse((await download(readers, 'ada')).text)
    assert.deepEqual(own.collections.users.map((user: any) => user._id), [ids.ada])
    assert.ok(own.refused.includes('fragile'), `refused: ${own.refused}`)
    assert.equal(own.collections.fragile, undefined)
  })

  it('refuses a CSV of several collections when the record is made (422); a failing read ends in `failed` with the reason', async () => {
    const refused = await request(url, 'POST', '/exports', { token: tokens.librarian, body: { kind: 'backup', format: 'csv' } })
    assert.equal(refused.status, 422)
    const failed = await exported('librarian', { kind: 'fragile', filters: { shelf: 'fall' } })
    assert.equal(failed.status, 'failed')
    assert.match(failed.error, /the shelf fell over/)
    assert.equal(failed.file, undefined)
    assert.ok(failed.finishedAt)
  })

  it('a run that never began (its creator gone before it) ends the record `failed` with the reason, not pending forever', async () => {
    // The record as the hook stores it, and its job, as the creator who was then removed (here: one who never was).
    const record = await (app.service('exports') as any)._create({ kind: 'books', format: 'csv', status: 'pending' })
    await app.jobs.enqueue('export', { operation: 'exports', id: String(record._id) }, { userId: '0123456789abcdef01234567' })
    let stored: any = record
    const end = Date.now() + 20_000
    while (stored.status === 'pending' && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      stored = await (app.service('exports') as any)._get(record._id)
    }
    assert.equal(stored.status, 'failed')
    assert.match(stored.error, /^The export stopped: .*no longer exists/)
    assert.ok(stored.finishedAt)
  })

  it('a scheduled export creates its record at each tick, as the engine: every record, never a secret; its file for who may read the record', async () => {
    const before = (await app.service('exports').find({ paginate: false, query: { kind: 'backup' } })) as any[]
    const tick = await finished(app, await app.jobs.runNow('nightly-backup'))
    assert.equal(tick.state, 'completed', JSON.stringify(tick))
    const id = (tick.result as any).created
    let record: any
    for (const end = Date.now() + 30_000; !['done', 'failed'].includes(record?.status) && Date.now() < end; ) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      record = await app.service('exports').get(id)
    }
    assert.equal(record.status, 'done', record.error)
    assert.equal(record.by, undefined, 'made by no user')
    assert.equal(((await app.service('exports').find({ paginate: false, query: { kind: 'backup' } })) as any[]).length, before.length + 1)
    const json = JSON.parse((await download(record, 'librarian')).text)
    assert.equal(json.collections.books.length, 45, "the engine reads every reader's books")
    assert.ok(json.collections.books.every((book: any) => book.note === undefined && typeof book.price === 'number'), 'no secret')
    assert.ok(json.collections.users.every((user: any) => user.password === undefined))
    assert.ok([403, 404].includes((await download(record, 'ada')).status), 'a Reader may not read the record, nor its file')
    const audit = (await app.service('audit-log').find({ paginate: false, query: { collection: 'exports', recordId: id } })) as any[]
    assert.equal(audit.find((entry) => entry.method === 'create')?.actor, 'job', 'the audit log names the job')
  })

  it('names the mistakes of a scheduled export declaration', () => {
    const check = (schedule: any, message: RegExp) => {
      const declared = sanitizeBlueprint({ ...library, collections: library.collections.map((c) => (c.name === 'exports' ? { ...c, exporter: { ...c.exporter!, schedules: [schedule] } } : c)) })
      assert.throws(() => checkExporters(declared.collections), message)
    }
    check({ name: 'weekly', cron: '0 3 * * 0', record: { kind: 'magazines' } }, /schedule "weekly".*record.kind must be one of books, backup, fragile/)
    check({ name: 'weekly', cron: '0 3 * * 0', record: { kind: 'books', colour: 'red' } }, /record names unknown field "colour"/)
    check({ name: 'weekly', cron: '0 3 * * 0', record: { kind: 'books', status: 'done' } }, /record.status is the engine's to fill/)
    check({ name: 'weekly', cron: '0 3 * * 0' }, /`record` must be an object/)
  })

  it('the report fields are the engine’s: a caller cannot set them (400)', async () => {
    const res = await request(url, 'POST', '/exports', { token: tokens.librarian, body: { kind: 'books', status: 'done', count: 3 } })
    assert.equal(res.status, 400)
  })

  it('what an export was made of (kind, format, filters) cannot change under its file: a patch or replace of them is a 400', async () => {
    const done = await exported('librarian', { kind: 'books', format: 'csv', filters: { fromYear: 2010 } })
    assert.equal(done.status, 'done')
    for (const [method, body] of [['PATCH', { kind: 'backup' }], ['PATCH', { format: 'json' }], ['PATCH', { filters: { fromYear: 1990 } }], ['PUT', { kind: 'books', format: 'json' }]] as const) {
      const refused = await request(url, method, `/exports/${done._id}`, { token: tokens.librarian, body })
      assert.equal(refused.status, 400, `${method} ${JSON.stringify(body)}: ${JSON.stringify(refused.body)}`)
      assert.match(refused.body.message, /is what this export was made of/)
    }
    // The same values sent back change nothing and pass.
    const same = await request(url, 'PATCH', `/exports/${done._id}`, { token: tokens.librarian, body: { kind: 'books', filters: { fromYear: 2010 } } })
    assert.equal(same.status, 200, JSON.stringify(same.body))
    const stored = await (app.service('exports') as any)._get(done._id)
    assert.deepEqual([stored.kind, stored.format, stored.file, stored.count], ['books', 'csv', done.file, done.count])
  })
})

describe('export jobs a stopped server left behind (in-process queue, embedded store)', function () {
  this.timeout(60_000)

  it('at the next start, marks an unfinished export failed, saying why, and leaves finished ones alone', async () => {
    const dataDir = await tempDir('quillbase-library-')
    try {
      const first = await createApp(sanitizeBlueprint(library), testSettings({ dataDir }))
      await first.listen(0)
      const exports = first.service('exports') as any
      // What a process killed at that moment leaves in the store (written beneath the hooks: no job is queued here).
      const pending = await exports._create({ kind: 'books', status: 'pending' })
      const running = await exports._create({ kind: 'books', status: 'running', count: 200 })
      const done = await exports._create({ kind: 'books', status: 'done', count: 45, finishedAt: '2026-01-01T00:00:00.000Z' })
      await first.shutdown()

      const second = await createApp(sanitizeBlueprint(library), testSettings({ dataDir }))
      await second.listen(0)
      try {
        const after = second.service('exports') as any
        for (const record of [pending, running]) {
          const stopped = await after.get(record._id)
          assert.equal(stopped.status, 'failed')
          assert.match(stopped.error, /^Interrupted: the server stopped before this export finished/)
          assert.ok(stopped.finishedAt)
        }
        assert.equal((await after.get(running._id)).count, 200, 'what it counted is kept')
        assert.equal((await after.get(done._id)).finishedAt, '2026-01-01T00:00:00.000Z')
      } finally {
        await second.shutdown()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
