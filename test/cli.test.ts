// The `quillbase` command in child processes, as scripts run it: seed, export and import as a named user (their
// permissions apply) or as the engine, and the exit codes a script relies on.
import assert from 'node:assert/strict'
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { parse } from 'csv-parse/sync'
import { runCli, runCliWith, tempDir } from './helpers.js'

describe('the quillbase command', function () {
  this.timeout(180_000)
  let dataDir: string
  before(async () => {
    dataDir = await tempDir()
    const seeded = await runCli(dataDir, 'seed')
    assert.equal(seeded.code, 0, seeded.err)
    assert.match(seeded.out, /seeded: .*users 6.*appointments 4/)
  })
  after(() => rm(dataDir, { recursive: true, force: true }))

  it('exports as a named user only what they may read, and as the engine everything but secrets (CSV and NDJSON with a query)', async () => {
    const mine = path.join(dataDir, 'maria.csv')
    let run = await runCli(dataDir, 'export', 'appointments', '--out', mine, '--as', 'maria@example.com')
    assert.equal(run.code, 0, run.err)
    const rows = parse(await readFile(mine, 'utf8'), { columns: true }) as Record<string, string>[]
    assert.equal(rows.length, 2, "Maria's two appointments, not Omar's")
    assert.equal(new Set(rows.map((row) => row.ManagerId)).size, 1)
    assert.match(run.out, /2 records of appointments written/)

    const scheduled = path.join(dataDir, 'all.ndjson')
    run = await runCli(dataDir, 'export', 'appointments', '--out', scheduled, '--format', 'ndjson', '--query', '{"Status":"Scheduled"}')
    assert.equal(run.code, 0, run.err)
    const lines = (await readFile(scheduled, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line))
    assert.equal(lines.length, 3, 'three of the four demo appointments are scheduled')
    assert.ok(lines.every((line) => line.Status === 'Scheduled'))

    // As the engine, every record, but never a secret field: no password hash in a file.
    const people = path.join(dataDir, 'users.ndjson')
    run = await runCli(dataDir, 'export', 'users', '--out', people, '--format', 'ndjson')
    assert.equal(run.code, 0, run.err)
    const users = (await readFile(people, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line))
    assert.equal(users.length, 6)
    assert.ok(users.every((user) => typeof user.email === 'string' && !('password' in user)), 'no password in the export')
  })

  it('loads no optional part it does not use: no TypeScript compiler, MongoDB driver, BullMQ, feathers-sync or umzug to export on the embedded store', async () => {
    const optional = /\/node_modules\/(typescript|mongodb|@feathersjs\/mongodb|bullmq|ioredis|feathers-sync|umzug)\//
    const loaded = async (...args: string[]) => {
      const file = path.join(dataDir, 'loaded-modules.txt')
      const run = await runCliWith({ node: ['--require', path.resolve('test/loaded-modules.cjs')], env: { LOADED_MODULES_FILE: file } }, dataDir, ...args)
      assert.equal(run.code, 0, run.err)
      const paths = (await readFile(file, 'utf8')).split('\n')
      assert.ok(paths.some((p) => p.includes('/node_modules/better-sqlite3/')), 'the preload saw the modules')
      return [...new Set(paths.map((p) => optional.exec(p)?.[1]).filter(Boolean))].sort()
    }
    assert.deepEqual(await loaded('--help'), [])
    assert.deepEqual(await loaded('export', 'appointments', '--out', path.join(dataDir, 'light.csv')), [])
    // The migrate commands load umzug, and only umzug: the check sees what a command loads.
    assert.deepEqual(await loaded('migrate', 'status'), ['umzug'])
  })

  it('imports a CSV row by row through the service: exit 3 with each refused row named when some are refused; a dry run writes nothing', async () => {
    const file = path.join(dataDir, 'appointments.csv')
    const seeded = (await readFile(path.join(dataDir, 'maria.csv'), 'utf8')).split('\n')[1].split(',')
    const manager = seeded[1]
    await writeFile(file, ['ManagerId,AppointedDate', `${manager},2031-05-01T09:00:00.000Z`, `${manager},not a date`, `${manager},2031-05-02T09:00:00.000Z`].join('\n'))
    let run = await runCli(dataDir, 'import', file, '--into', 'appointments', '--dry-run', '--as', 'maria@example.com')
    assert.equal(run.code, 3, run.err)
    assert.match(run.out, /dry run: 3 rows, 2 would be imported, 1 refused/)
    run = await runCli(dataDir, 'import', file, '--into', 'appointments', '--as', 'omar@example.com')
    assert.equal(run.code, 3)
    assert.match(run.out, /3 rows, 0 imported, 3 refused/, "Omar may not create Maria's appointments")
    run = await runCli(dataDir, 'import', file, '--into', 'appointments', '--as', 'maria@example.com')
    assert.equal(run.code, 3)
    assert.match(run.out, /3 rows, 2 imported, 1 refused/)
    assert.match(run.err, /row 3: AppointedDate/)
    const after = path.join(dataDir, 'after.csv')
    await runCli(dataDir, 'export', 'appointments', '--out', after, '--as', 'maria@example.com')
    assert.equal((parse(await readFile(after, 'utf8'), { columns: true }) as unknown[]).length, 4, 'two more, none from the dry run')
  })

  it('exits 1 with the reason when the operation fails, 2 on a usage error', async () => {
    let run = await runCli(dataDir, 'export', 'nothing', '--out', path.join(dataDir, 'x.csv'))
    assert.equal(run.code, 1)
    assert.match(run.err, /^quillbase: No collection "nothing"/)
    run = await runCli(dataDir, 'import', path.join(dataDir, 'appointments.csv'), '--into', 'users', '--as', 'nobody@example.com')
    assert.equal(run.code, 1)
    assert.match(run.err, /No user with the email nobody@example.com/)
    run = await runCli(dataDir, 'export', 'appointments')
    assert.equal(run.code, 2)
    assert.match(run.err, /required option '--out <file>'/)
  })

  it("refuses what would harm the store or act as someone else: an --out onto the store's files, an empty --as, a filter on a secret", async () => {
    // Before: the export truncated the database (96 bytes left), and every command after it failed.
    for (const own of ['quillbase.sqlite', '.encryption-key']) {
      const run = await runCli(dataDir, 'export', 'users', '--out', path.join(dataDir, own))
      assert.equal(run.code, 1, own)
      assert.match(run.err, /is one of the store's own files/)
    }
    // Through a link to the data folder: before, the database was overwritten with the CSV (exit 0).
    const link = `${dataDir}-link`
    await symlink(dataDir, link)
    try {
      const run = await runCli(dataDir, 'export', 'users', '--out', path.join(link, 'quillbase.sqlite'))
      assert.equal(run.code, 1, run.out)
      assert.match(run.err, /is one of the store's own files/)
    } finally {
      await rm(link)
    }
    // An --out that is a folder, or in none, and a --query that is not an object: said before the store is opened.
    for (const [args, said] of [
      [['--out', dataDir], /is a folder: name a file in it/],
      [['--out', path.join(dataDir, 'no-such-folder', 'x.csv')], /there is no folder .*no-such-folder/],
      [['--out', path.join(dataDir, 'x.csv'), '--query', 'null'], /--query is a JSON object/],
      [['--out', path.join(dataDir, 'x.csv'), '--query', '[1,2]'], /--query is a JSON object/]
    ] as [string[], RegExp][]) {
      const run = await runCli(dataDir, 'export', 'users', ...args)
      assert.equal(run.code, 1, args.join(' '))
      assert.match(run.err, said)
    }
    const format = await runCli(dataDir, 'export', 'users', '--out', path.join(dataDir, 'x.xml'), '--format', 'xml')
    assert.equal(format.code, 2, 'a usage error')
    assert.match(format.err, /Allowed choices are csv, ndjson/)
    const still = await runCli(dataDir, 'export', 'users', '--out', path.join(dataDir, 'still.csv'))
    assert.equal(still.code, 0, still.err)
    assert.match(still.out, /records of users written/)
    // An empty `--as "$EMAIL"`: before, the engine's rights (every record).
    let run = await runCli(dataDir, 'export', 'appointments', '--out', path.join(dataDir, 'x.csv'), '--as', '')
    assert.equal(run.code, 1)
    assert.match(run.err, /--as names a user by email, and it is empty/)
    // The API's query for the engine too: no oracle on password hashes.
    run = await runCli(dataDir, 'export', 'users', '--out', path.join(dataDir, 'x.csv'), '--query', '{"password":{"$gt":"$2"}}')
    assert.equal(run.code, 1)
    assert.match(run.err, /^quillbase: Invalid query: password/)
    // `$select` makes the columns, as over the API.
    const names = path.join(dataDir, 'names.csv')
    run = await runCli(dataDir, 'export', 'users', '--out', names, '--query', '{"$select":["Name"]}')
    assert.equal(run.code, 0, run.err)
    assert.equal((await readFile(names, 'utf8')).split('\n')[0], '_id,Name')
  })

  it('says plainly what it did not do: a missing file, a store already seeded, a client package that failed; runs from any folder', async () => {
    let run = await runCli(dataDir, 'import', path.join(dataDir, 'no-such.csv'), '--into', 'appointments')
    assert.equal(run.code, 1)
    assert.match(run.err, /^quillbase: .*no-such\.csv: no such file\n$/, 'one line, no stack')
    await mkdir(path.join(dataDir, 'folder.csv'))
    run = await runCli(dataDir, 'import', path.join(dataDir, 'folder.csv'), '--into', 'appointments')
    assert.match(run.err, /is a folder, not a file/, 'not "no such file"')
    // A file that is not UTF-8 (Latin-1 here), refused before any row as an upload of it is (it was imported, é stored as U+FFFD).
    const latin = path.join(dataDir, 'latin1.csv')
    await writeFile(latin, Buffer.concat([Buffer.from('Name,email,password\nJos'), Buffer.from([0xe9]), Buffer.from(' Latin,latin1@example.com,long enough 1\n')]))
    run = await runCli(dataDir, 'import', latin, '--into', 'users')
    assert.equal(run.code, 1, run.out + run.err)
    assert.match(run.err, /latin1\.csv: not UTF-8 text/)
    assert.doesNotMatch(run.out, /imported/)
    run = await runCli(dataDir, 'seed')
    assert.equal(run.code, 0)
    assert.match(run.out, /^not seeded: the store has users already/)
    run = await runCli(dataDir, 'build:client', 'no-such-blueprint', '--out', path.join(dataDir, 'client'))
    assert.equal(run.code, 1)
    assert.match(run.err, /no-such-blueprint: failed/)
    assert.equal(run.out, '')
    // A port in use: the reason in one line (before: an unhandled 'error' event and its stack).
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      const port = String((taken.address() as AddressInfo).port)
      run = await runCliWith({ env: { PORT: port, HOST: '127.0.0.1' } }, dataDir, 'start')
      assert.equal(run.code, 1)
      assert.match(run.err, /^quillbase: cannot start: listen EADDRINUSE/m)
      assert.doesNotMatch(run.err, /Unhandled 'error' event|\n\s+at /)
    } finally {
      taken.close()
    }
    // The package's configuration from another folder (before: "Configuration property blueprint is not defined").
    run = await runCliWith({ cwd: dataDir }, dataDir, 'migrate', 'status')
    assert.equal(run.code, 0, run.err)
    assert.match(run.out, /rename-craeated-at/)
  })
})
