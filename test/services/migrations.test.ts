// Data migrations (umzug): the shipped rename on a store with the seed's spelling, up/down/status, one runner at a
// time across apps, MIGRATE at start, and the `quillbase migrate` command in a child process with its exit codes.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LOCK_COLLECTION, MIGRATIONS_LOCK, Migrator, executedCollection } from '../../src/services/migrations.js'
import { login, request, runCli, serverDatabase, serverStore, startServer, tempDir, type TestServer } from '../helpers.js'
import { fixtureRuns } from './migrations-fixture/runs.js'

const RENAME = '2026.12.01T00.00.00.rename-craeated-at.ts'
const FIXTURE = fileURLToPath(new URL('./migrations-fixture/', import.meta.url))
const quiet = { log: () => undefined }

describe('data migrations', function () {
  this.timeout(60_000)

  describe('the shipped CraeatedAt → CreatedAt rename (appointments)', () => {
    let server: TestServer
    before(async () => {
      server = await startServer('appointments')
    })
    after(async () => server?.close())

    it('renames the seed spelling on up, keeps records already right, reverts on down, and status says which ran', async () => {
      const appointments = server.app.service('appointments') as any
      const [maria] = await (server.app.service('users') as any)._find({ paginate: false, query: { email: 'maria@example.com' } })
      // Records as the seed application stored them: `CraeatedAt`, no `CreatedAt` (written under the hooks, as an import would).
      const old = await appointments._create([
        { ManagerId: maria._id, AppointedDate: '2030-01-01T09:00:00.000Z', Attendees: [], Status: 'Scheduled', CraeatedAt: new Date('2024-05-01T10:00:00Z') },
        { ManagerId: maria._id, AppointedDate: '2030-01-02T09:00:00.000Z', Attendees: [], Status: 'Scheduled', CraeatedAt: new Date('2024-05-02T10:00:00Z') }
      ])
      const migrator = new Migrator(server.app, quiet)
      assert.deepEqual((await migrator.status()).pending, [RENAME])

      assert.deepEqual(await migrator.up(), [RENAME])
      const { accessToken: token } = await login(server.url, 'admin@example.com', 'quillbase-demo')
      for (const [i, record] of old.entries()) {
        const res = await request(server.url, 'GET', `/appointments/${record._id}`, { token })
        assert.equal(res.status, 200)
        assert.equal(res.body.CreatedAt, `2024-05-0${i + 1}T10:00:00.000Z`)
        assert.equal('CraeatedAt' in res.body, false)
      }
      const untouched = await appointments._find({ paginate: false, query: { _id: { $nin: old.map((r: any) => r._id) } } })
      assert.ok(untouched.length > 0 && untouched.every((r: any) => typeof r.CreatedAt === 'string' && !('CraeatedAt' in r)))
      assert.deepEqual(await migrator.status(), { executed: [RENAME], pending: [], missing: [] })
      assert.deepEqual(await migrator.up(), [], 'an executed migration does not run again')

      assert.deepEqual(await migrator.down(), [RENAME])
      const reverted = await appointments._get(old[0]._id)
      assert.equal(new Date(reverted.CraeatedAt).toISOString(), '2024-05-01T10:00:00.000Z')
      assert.equal('CreatedAt' in reverted, false)
      assert.deepEqual(await migrator.status(), { executed: [], pending: [RENAME], missing: [] })
    })

    it('a null CraeatedAt becomes no field (not 1970); one that is no date stops the run naming its record, and up again finishes', async () => {
      const appointments = server.app.service('appointments') as any
      const [maria] = await (server.app.service('users') as any)._find({ paginate: false, query: { email: 'maria@example.com' } })
      const base = { ManagerId: maria._id, Attendees: [], Status: 'Scheduled' }
      const [none, bad] = await appointments._create([
        { ...base, AppointedDate: '2030-02-01T09:00:00.000Z', CraeatedAt: null },
        { ...base, AppointedDate: '2030-02-02T09:00:00.000Z', CraeatedAt: 'last tuesday' }
      ])
      const migrator = new Migrator(server.app, quiet)
      await assert.rejects(migrator.up(), (error: any) => String(error.message).includes(`appointment ${bad._id}: CraeatedAt "last tuesday" is not a date`))
      await appointments._patch(bad._id, { CraeatedAt: '2024-06-01T10:00:00.000Z' })
      assert.deepEqual(await migrator.up(), [RENAME])
      const renamed = await appointments._get(none._id)
      assert.equal('CraeatedAt' in renamed, false)
      assert.equal(renamed.CreatedAt, undefined, 'no time, no field')
      assert.equal(new Date((await appointments._get(bad._id)).CreatedAt).toISOString(), '2024-06-01T10:00:00.000Z')
      await migrator.down()
    })
  })

  describe('one runner at a time', () => {
    const servers: TestServer[] = []
    let database: Awaited<ReturnType<typeof serverDatabase>>
    before(async () => {
      // On MongoDB two instances on one database; the embedded store has one owner, so there two runners share its app.
      database = await serverDatabase()
      const options = database ? { demo: false, mongodbUrl: database.url } : { demo: false }
      servers.push(await startServer('appointments', options))
      if (database) servers.push(await startServer('appointments', options))
    })
    after(async () => {
      for (const server of servers) await server.close()
      await database?.stop()
    })
    const migrator = (server: TestServer, options = {}) => new Migrator(server.app, { ...quiet, folder: FIXTURE, ...options })

    it(`two runners started together run each migration once (${serverStore === 'embedded' ? 'one embedded store' : 'two apps on one MongoDB database'})`, async () => {
      fixtureRuns.length = 0
      const runners = [servers[0], servers[1] ?? servers[0]]
      const results = await Promise.all(runners.map((server) => migrator(server).up()))
      assert.deepEqual(results.flat().sort(), ['2026.01.01.step-1.ts', '2026.01.02.step-2.ts'])
      assert.deepEqual(results.map((run) => run.length).sort(), [0, 2], 'one runner ran both, the other waited and found none pending')
      assert.deepEqual(fixtureRuns, ['up 1', 'up 2'])
      assert.deepEqual(await migrator(runners[1]).status(), { executed: ['2026.01.01.step-1.ts', '2026.01.02.step-2.ts'], pending: [], missing: [] })
    })

    it('a live lock makes a runner wait and then give up with a 409; a stale one is taken over', async () => {
      const locks = await servers[0].app.store.createService(LOCK_COLLECTION)
      // Held by another runner of this process (on MongoDB, any owner's lock is live until it expires).
      const lock = { _id: MIGRATIONS_LOCK, owner: (migrator(servers[0]) as any)._owner, expiresAt: new Date(Date.now() + 60_000).toISOString() }
      await locks._create(lock)
      await assert.rejects(migrator(servers[0], { waitMs: 300 }).down(), { name: 'Conflict', message: /another process/ })
      assert.deepEqual((await migrator(servers[0]).status()).pending, [], 'nothing was reverted')
      await locks._patch(lock._id, { expiresAt: new Date(Date.now() - 1000).toISOString() })
      fixtureRuns.length = 0
      assert.deepEqual(await migrator(servers[0], { waitMs: 300 }).down(), ['2026.01.02.step-2.ts'])
      assert.deepEqual(fixtureRuns, ['down 2'])
      await assert.rejects(locks._get(lock._id), { name: 'NotFound' }, 'the lock is released after the run')
    })

    it('on the embedded store, a lock of another process is taken over at once: the store has one owner, so that runner is gone', async function () {
      if (serverStore !== 'embedded') return this.skip()
      const locks = await servers[0].app.store.createService(LOCK_COLLECTION)
      // What a `migrate up` interrupted by Ctrl-C leaves (before: every runner waited 5 minutes, then gave up, for 15).
      await locks._create({ _id: MIGRATIONS_LOCK, owner: '4242-a-process-that-ended', expiresAt: new Date(Date.now() + 15 * 60_000).toISOString() })
      fixtureRuns.length = 0
      assert.deepEqual(await migrator(servers[0], { waitMs: 300 }).up(), ['2026.01.02.step-2.ts'])
      assert.deepEqual(fixtureRuns, ['up 2'])
      await assert.rejects(locks._get(MIGRATIONS_LOCK), { name: 'NotFound' })
    })

    it('create refuses a name taken already (a second file of that name would be a second migration)', async () => {
      const folder = await tempDir()
      const runner = new Migrator(servers[0].app, { ...quiet, folder })
      const first = await runner.create('add-a-field')
      assert.match(first, /\.add-a-field\.ts$/)
      await assert.rejects(runner.create('add-a-field'), { name: 'Conflict', message: /add-a-field exists already/ })
    })

    it('a migration that fails leaves the ones before it run, and says so (they were run and recorded, and not said)', async () => {
      const folder = await tempDir()
      await writeFile(path.join(folder, '2026.01.01T00.00.00.first.js'), 'export async function up() {}\nexport async function down() {}\n')
      await writeFile(path.join(folder, '2026.01.02T00.00.00.boom.js'), "export async function up() { throw new Error('boom') }\n")
      const said: string[] = []
      const runner = new Migrator(servers[0].app, { log: (message) => said.push(message), folder })
      try {
        await assert.rejects(runner.up(), /boom/)
        assert.deepEqual(said, ['migrated up: 2026.01.01T00.00.00.first.js'])
        assert.deepEqual((await runner.status()).pending, ['2026.01.02T00.00.00.boom.js'])
      } finally {
        const records = await servers[0].app.store.createService(executedCollection)
        await records._remove(null, { query: { name: '2026.01.01T00.00.00.first.js' } })
      }
    })

    it('status names executed migrations without a file here, and down refuses to revert around them', async () => {
      const records = await servers[0].app.store.createService(executedCollection)
      await records._create({ name: '2026.02.01.from-a-newer-build.ts', executedAt: new Date().toISOString() })
      try {
        const status = await migrator(servers[0]).status()
        assert.deepEqual(status.missing, ['2026.02.01.from-a-newer-build.ts'])
        fixtureRuns.length = 0
        // Before: it reverted step 2, the last it had a file for, leaving the newer one recorded as run.
        await assert.rejects(migrator(servers[0]).down(), { name: 'Conflict', message: /without a file .*from-a-newer-build/ })
        assert.deepEqual(fixtureRuns, [])
      } finally {
        await records._remove(null, { query: { name: '2026.02.01.from-a-newer-build.ts' } })
      }
    })
  })

  it('MIGRATE=true runs the pending migrations at start, before the server is ready', async () => {
    const server = await startServer('appointments', { migrate: true, demo: false })
    try {
      assert.equal((await request(server.url, 'GET', '/health')).status, 200)
      assert.deepEqual(await new Migrator(server.app, quiet).status(), { executed: [RENAME], pending: [], missing: [] })
    } finally {
      await server.close()
    }
  })
  describe('the quillbase migrate command (child process, embedded store)', function () {
    before(function () {
      // The command's own behaviour is the same on both stores; the MongoDB pass covers the migrator above.
      if (serverStore !== 'embedded') this.skip()
    })
    const cli = runCli

    it('status, up, status, down: exit 0 with what it did; a failure exits 1 with the reason; a usage error exits 2', async () => {
      const dataDir = await tempDir()
      let run = await cli(dataDir, 'migrate', 'status')
      assert.equal(run.code, 0, run.err)
      assert.equal(run.out.trim(), `pending   ${RENAME}`)
      run = await cli(dataDir, 'migrate', 'up')
      assert.equal(run.code, 0, run.err)
      assert.match(run.out, new RegExp(`migrated up: ${RENAME.replace(/\./g, '\\.')}`))
      run = await cli(dataDir, 'migrate', 'status')
      assert.equal(run.out.trim(), `executed  ${RENAME}`)
      run = await cli(dataDir, 'migrate', 'down', '--to', 'no-such-migration')
      assert.equal(run.code, 1)
      assert.match(run.err, /^quillbase: .*no-such-migration/)
      // `--to` takes the name `create` took, as well as the file's.
      run = await cli(dataDir, 'migrate', 'down', '--to', 'rename-craeated-at')
      assert.equal(run.code, 0, run.err)
      assert.match(run.out, /migrated down: .*rename-craeated-at/)
      run = await cli(dataDir, 'migrate', 'up', '--to', 'rename-craeated-at')
      assert.equal(run.code, 0, run.err)
      assert.match(run.out, /migrated up: .*rename-craeated-at/)
      run = await cli(dataDir, 'migrate', 'sideways')
      assert.equal(run.code, 2)
      assert.match(run.err, /unknown command 'sideways'/)
      run = await cli(dataDir, 'migrate', 'down')
      assert.equal(run.code, 0, run.err)
      assert.match(run.out, /migrated down/)
    })

    it('refuses, exit 1, while a server owns the data folder', async () => {
      const server = await startServer('appointments', { demo: false })
      try {
        const run = await cli(server.dataDir, 'migrate', 'up')
        assert.equal(run.code, 1)
        assert.match(run.err, /in use by another quillbase process/)
      } finally {
        await server.close()
      }
    })
  })
})
