#!/usr/bin/env -S node --import tsx
// The `quillbase` command: serve, migrate, import, export, seed, build the typed clients. Configuration as for
// `npm start` (config/, env). Exit codes: 0 done, 1 the operation failed (the message says why), 2 a usage error,
// 3 an import in which some rows were refused (the others are in).
import './config-dir.js'
import { createReadStream, createWriteStream } from 'node:fs'
import { realpath, rename, rm, stat } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Command, CommanderError, Option } from 'commander'
import { SingleBar, Presets } from 'cli-progress'
import { BadRequest, NotFound } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import { createApp, migratorOf, seedStore, type EngineApp } from './app.js'
import { loadBlueprint } from './blueprints/index.js'
import { buildClients } from './client/build.js'
import { readSettings, startOrExit } from './index.js'
import { csvLine, csvRows } from './services/csv.js'
import { callerColumns, everyRecord, ndjsonLines, validQuery } from './services/exports.js'
import { importRows, type ImportFormat } from './services/imports.js'
import { TextCheck } from './services/files.js'
import { isEmpty } from './services/bootstrap.js'
import { DATABASE_FILE } from './services/store.js'
import { isPlainObject } from './schemas/paths.js'

/** Exit code of an import in which some rows were refused. */
const ROWS_REFUSED = 3

/** The app on the configured store, without serving, seeding or the admin panel: what a one-off operation needs. */
async function withApp<T>(fn: (app: EngineApp, settings: ReturnType<typeof readSettings>) => Promise<T>, overrides: Record<string, unknown> = {}): Promise<T> {
  const settings = { ...readSettings(), adminPanel: false, ...overrides }
  const app = await createApp(await loadBlueprint(settings.blueprint), settings)
  try {
    return await fn(app, settings)
  } finally {
    await app.shutdown()
  }
}

const migrator = (app: EngineApp) => migratorOf(app, { log: (message) => console.log(message) })

/**
 * Who a command acts as: `--as <email>`, a user of the blueprint, whose permissions apply to every call (as over REST);
 * without it the engine itself, as the administrator (internal calls). Both are marked `cli` in the audit log.
 */
async function actingAs(app: EngineApp, email?: string): Promise<Params> {
  if (email === undefined) return { audit: { actor: 'cli' } }
  // An empty `--as "$EMAIL"` is a script's mistake, not a request to act as the administrator.
  if (!email.trim()) throw new BadRequest('--as names a user by email, and it is empty')
  const users = app.blueprint.users
  const [user] = (await app.service(users.name).find({ paginate: false, query: { email: email.trim().toLowerCase() } })) as any[]
  if (!user) throw new NotFound(`No user with the email ${email}`)
  return { provider: 'cli', user, counted: true, audit: { transport: 'cli' } }
}

const collectionNamed = (app: EngineApp, name: string) => {
  const collection = app.blueprint.collections.find((c) => c.name === name)
  if (!collection) throw new BadRequest(`No collection "${name}" in the ${app.blueprint.name} blueprint (${app.blueprint.collections.map((c) => c.name).join(', ')})`)
  return collection
}

/** A path as the system resolves it, links followed: the file's own if it exists, else its folder's and its name. */
async function realPath(file: string): Promise<string> {
  const absolute = path.resolve(file)
  return realpath(absolute).catch(() => realpath(path.dirname(absolute)).then((folder) => path.join(folder, path.basename(absolute)), () => absolute))
}

/** An `--out` a file can be written to (its folder exists, it is no folder), and none of the store's own files. */
async function checkOut(dataDir: string | undefined, out: string) {
  if ((await stat(out).catch(() => undefined))?.isDirectory()) throw new BadRequest(`--out ${out} is a folder: name a file in it`)
  const folder = path.dirname(path.resolve(out))
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) throw new BadRequest(`--out ${out}: there is no folder ${folder}`)
  if (await ownedByStore(dataDir, out)) throw new BadRequest(`--out ${out} is one of the store's own files in ${dataDir}: name another file`)
}

/**
 * Whether `file` is one of the store's own files in the data folder (the database and its journal, WAL and lock, the
 * secrets, the uploads): an export written there would destroy the store. Other files of the folder are the caller's.
 */
async function ownedByStore(dataDir: string | undefined, file: string): Promise<boolean> {
  if (!dataDir) return false
  // Symbolic links followed: a link to the data folder (or to its database) is that folder.
  const relative = path.relative(await realPath(dataDir), await realPath(file))
  // The folder itself is the store's; a file outside it is not.
  if (!relative) return true
  if (relative.startsWith('..') || path.isAbsolute(relative)) return false
  const [first] = relative.split(path.sep)
  return first.startsWith(DATABASE_FILE) || first.startsWith('.') || first === 'files'
}

const FORMATS: Record<string, ImportFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' }

/** A progress bar on a terminal (a count alone when the total is not known); nothing when the output is a pipe (scripts read the summary lines only). */
function progressBar(label: string, total?: number, unit = 'records') {
  if (!process.stderr.isTTY) return { update: (_n: number) => undefined, stop: () => undefined }
  const format = total === undefined ? `${label}: {value} ${unit}` : `${label} [{bar}] {value}/{total}`
  const bar = new SingleBar({ format, stream: process.stderr }, Presets.shades_classic)
  bar.start(total ?? 0, 0)
  return { update: (n: number) => bar.update(n), stop: () => bar.stop() }
}

const program = new Command('quillbase')
  .description('quillbase: a declarative backend (configuration: config/*.json and environment variables, see README)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) })

program.command('start').description('serve the configured blueprint (as npm start)').action(() => startOrExit())

const migrate = program.command('migrate').description(`data migrations of the blueprint (files in migrations/<blueprint>/)`)
migrate
  .command('up')
  .description('run the pending migrations')
  .option('--to <name>', 'stop after this migration')
  .action((options: { to?: string }) => withApp(async (app) => {
    const runner = await migrator(app)
    const run = await runner.up(options)
    if (!run.length) console.log('no pending migrations')
  }))
migrate
  .command('down')
  .description('revert the last migration')
  .option('--to <name>', "revert back to and including this one ('0': all)")
  .action((options: { to?: string }) => withApp(async (app) => {
    const runner = await migrator(app)
    const run = await runner.down({ to: options.to === '0' ? 0 : options.to })
    if (!run.length) console.log('no executed migrations')
  }))
migrate
  .command('status')
  .description('list executed and pending migrations')
  .action(() => withApp(async (app) => {
    const runner = await migrator(app)
    const { executed, pending, missing } = await runner.status()
    for (const name of executed) console.log(`executed  ${name}`)
    for (const name of missing) console.log(`executed  ${name} (no file here)`)
    for (const name of pending) console.log(`pending   ${name}`)
    if (!executed.length && !pending.length && !missing.length) console.log(`no migrations in ${runner.folder}`)
  }))
migrate
  .command('create <name>')
  .description('a new migration file from the template (name: lower-case letters, digits, dashes)')
  .action((name: string) => withApp(async (app) => {
    const runner = await migrator(app)
    console.log(`created ${await runner.create(name)}`)
  }))

/** Whether the file is text as an upload of it is checked (`TextCheck`: UTF-8, no NUL), read once, up to its first fault. */
async function isText(file: string) {
  const check = new TextCheck()
  for await (const chunk of createReadStream(file)) if (!check.add(chunk as Buffer)) return false
  return check.add()
}

program
  .command('import <file>')
  .description('import a CSV, JSON or NDJSON file into a collection, each row through its service (docs/imports.md)')
  .requiredOption('--into <collection>', 'the collection (one that declares `import`)')
  .option('--dry-run', 'check every row, write nothing (embedded store)')
  .option('--as <email>', 'act as this user: their permissions apply (default: the engine, as the administrator)')
  .action((file: string, options: { into: string; dryRun?: boolean; as?: string }) => withApp(async (app) => {
    const target = collectionNamed(app, options.into)
    if (!target.import) throw new BadRequest(`${target.name} does not declare import`)
    const format = FORMATS[path.extname(file).toLowerCase()]
    if (!format) throw new BadRequest(`${file}: name a .csv, .json or .ndjson file`)
    if (options.dryRun && !app.store.transactions) throw new BadRequest('A dry run needs transactions to undo every row: the embedded store, or MongoDB as a replica set or mongos')
    const info = await stat(file).catch(() => undefined)
    if (info?.isDirectory()) throw new BadRequest(`${file} is a folder, not a file`)
    if (!info?.isFile()) throw new BadRequest(`${file}: no such file`)
    // As an upload of it is checked: bytes that are not UTF-8 would be stored as U+FFFD, and no row has run yet.
    if (!(await isText(file))) throw new BadRequest(`${file}: not UTF-8 text (save it as UTF-8 and import it again)`)
    const params = await actingAs(app, options.as)
    const bar = progressBar(`import ${path.basename(file)}`, undefined, 'rows')
    const counts = await importRows(app, target, format, createReadStream(file), params, { dryRun: options.dryRun, every: 100, progress: (c) => bar.update(c.total) })
    bar.stop()
    // The reason the reading stopped, if it did, is the last error: said once, as the command's own failure.
    const refused = counts.unreadable ? counts.errors.slice(0, -1) : counts.errors
    for (const error of refused) console.error(`row ${error.Row}: ${error.Error}`)
    if (counts.failed > refused.length) console.error(`… and ${counts.failed - refused.length} more refused rows, not listed (the first ${refused.length} are)`)
    console.log(`${options.dryRun ? 'dry run: ' : ''}${counts.total} rows, ${counts.succeeded} ${options.dryRun ? 'would be imported' : 'imported'}, ${counts.failed} refused`)
    if (counts.unreadable) throw new BadRequest(counts.errors[counts.errors.length - 1].Error)
    if (counts.failed) process.exitCode = ROWS_REFUSED
  }))

program
  .command('export <collection>')
  .description('write every record a query finds (as the acting user may read them) to a file, without pagination')
  .requiredOption('--out <file>', 'the file to write')
  .addOption(new Option('--format <format>', 'the file format').choices(['csv', 'ndjson']).default('csv'))
  .option('--query <json>', 'a query in the API dialect, e.g. \'{"Status":"Scheduled"}\'')
  .option('--as <email>', 'act as this user: their permissions and field rules apply (default: the engine, as the administrator)')
  .action(async (name: string, options: { out: string; format: string; query?: string; as?: string }) => {
    // What the command line says is checked before the store is opened.
    let parsed: unknown = {}
    try {
      parsed = options.query === undefined ? {} : JSON.parse(options.query)
    } catch (error: any) {
      throw new BadRequest(`--query is not JSON: ${error.message}`)
    }
    // `null` (a script's empty variable) would have exported every record; `"x"` and `[1]` were read as fields 0, 1…
    if (!isPlainObject(parsed)) throw new BadRequest(`--query is a JSON object, e.g. '{"Status":"Scheduled"}', not ${options.query}`)
    await checkOut(readSettings().dataDir, options.out)
    return withApp((app) => exportTo(app, name, options, parsed as Record<string, unknown>))
  })

/** `quillbase export`: every record the query finds, as the acting user may read them, into `options.out`. */
async function exportTo(app: EngineApp, name: string, options: { out: string; format: string; as?: string }, parsed: Record<string, unknown>) {
  const collection = collectionNamed(app, name)
  // The API's query, as the API reads it, whoever acts (the engine too: no filter on a secret, `$select` as a list).
  const acting = await actingAs(app, options.as)
  const query: Record<string, unknown> = (await validQuery(collection, { ...acting, query: parsed }, { always: true })).query ?? {}
  const params: Params = { ...acting, query }
  const total = ((await app.service(name).find({ ...params, query: { ...query, $limit: 0 } })) as { total: number }).total
  const bar = progressBar(`export ${name}`, total)
  let written = 0
  const columns = await callerColumns(app, collection, params, query.$select as string[] | undefined)
  const text = options.format === 'csv' ? csvRows(columns) : ndjsonLines
  const lines = Readable.from((async function* () {
    if (options.format === 'csv') yield csvLine(columns)
    for await (const page of everyRecord(app, collection, params)) {
      written += page.length
      bar.update(written)
      yield text(page)
    }
  })(), { objectMode: false })
  // Written beside it, then renamed: an export that fails or is interrupted leaves the file there was, never half of one.
  const partial = path.join(path.dirname(options.out), `.${path.basename(options.out)}.${process.pid}.partial`)
  const out = createWriteStream(partial, { flags: 'wx' })
  try {
    await once(out, 'open')
    await pipeline(lines, out)
    await rename(partial, options.out)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  bar.stop()
  console.log(`${written} records of ${name} written to ${options.out}`)
}

program
  .command('seed')
  .description("fill an empty store with the blueprint's access control and demo data (as the first start does)")
  .action(() => withApp(async (app, settings) => {
    const empty = await isEmpty(app, app.blueprint)
    // The seeding of a start, and nothing else a start begins: a queued import resumed here would have been cut off
    // as the command ended (and marked Interrupted at the next start), a worker on REDIS_URL would have taken jobs.
    await seedStore(app, settings)
    const counts = await Promise.all(app.blueprint.collections.map(async (c) => `${c.name} ${((await app.service(c.name).find({ query: { $limit: 0 } })) as any).total}`))
    // Seeding fills an empty store only (as a first start does): one with users already is left as it is.
    console.log(empty ? `seeded: ${counts.join(', ')}` : `not seeded: the store has users already (it holds ${counts.join(', ')})`)
  }, { demo: true }))

program
  .command('build:client [blueprints...]')
  .description('the typed client package of each blueprint (all when none is named), in build/client/<blueprint>/')
  .option('--out <folder>', 'where the packages go')
  .action(async (names: string[], options: { out?: string }) => {
    const outcomes = await buildClients(names, options.out)
    for (const outcome of outcomes) {
      if (outcome.error) console.error(`quillbase: ${outcome.blueprint}: failed: ${outcome.error.message}`)
      else console.log(`${outcome.blueprint}: ${outcome.folder}`)
    }
    if (outcomes.some((outcome) => outcome.error)) process.exitCode = 1
  })

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2)
  console.error(`quillbase: ${(error as Error).message}`)
  process.exit(1)
})
