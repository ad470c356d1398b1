#!/usr/bin/env -S node --import tsx
// The `quillbase` command: serve, migrate, import, export, seed, build the typed clients. Configuration as for
// `npm start` (config/, env). Exit codes: 0 done, 1 the operation failed (the message says why), 2 a usage error,
// 3 an import in which some rows were refused (the others are in).
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Command, CommanderError } from 'commander'
import { SingleBar, Presets } from 'cli-progress'
import { BadRequest, NotFound } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import { permittedFieldsOf } from '@casl/ability/extra'
import { createApp, migratorOf, type EngineApp } from './app.js'
import { loadBlueprint } from './blueprints/index.js'
import { buildClients } from './client/build.js'
import { readSettings, startOrExit } from './index.js'
import { csvLine, csvRows } from './services/csv.js'
import { csvColumns, everyRecord, ndjsonLines } from './services/exports.js'
import { importRows, type ImportFormat } from './services/imports.js'

/** Exit code of an import in which some rows were refused. */
const ROWS_REFUSED = 3

/** The app on the configured store, without serving, seeding or the admin panel: what a one-off operation needs. */
async function withApp<T>(fn: (app: EngineApp) => Promise<T>, overrides: Record<string, unknown> = {}): Promise<T> {
  const settings = { ...readSettings(), adminPanel: false, ...overrides }
  const app = await createApp(await loadBlueprint(settings.blueprint), settings)
  try {
    return await fn(app)
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
  if (!email) return { audit: { actor: 'cli' } }
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

const FORMATS: Record<string, ImportFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' }

/** A progress bar on a terminal; nothing when the output is a pipe (scripts read the summary lines only). */
function progressBar(label: string, total: number) {
  if (!process.stderr.isTTY) return { update: (_n: number) => undefined, stop: () => undefined }
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr }, Presets.shades_classic)
  bar.start(total, 0)
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
    const { executed, pending } = await runner.status()
    for (const name of executed) console.log(`executed  ${name}`)
    for (const name of pending) console.log(`pending   ${name}`)
    if (!executed.length && !pending.length) console.log(`no migrations in ${runner.folder}`)
  }))
migrate
  .command('create <name>')
  .description('a new migration file from the template (name: lower-case letters, digits, dashes)')
  .action((name: string) => withApp(async (app) => {
    const runner = await migrator(app)
    console.log(`created ${await runner.create(name)}`)
  }))

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
    const params = await actingAs(app, options.as)
    const bar = progressBar(`import ${path.basename(file)}`, 0)
    const counts = await importRows(app, target, format, createReadStream(file), params, { dryRun: options.dryRun, every: 100, progress: (c) => bar.update(c.total) })
    bar.stop()
    for (const error of counts.errors) console.error(`row ${error.Row}: ${error.Error}`)
    console.log(`${options.dryRun ? 'dry run: ' : ''}${counts.total} rows, ${counts.succeeded} ${options.dryRun ? 'would be imported' : 'imported'}, ${counts.failed} refused`)
    if (counts.unreadable) throw new BadRequest(counts.errors[counts.errors.length - 1].Error)
    if (counts.failed) process.exitCode = ROWS_REFUSED
  }))

program
  .command('export <collection>')
  .description('write every record a query finds (as the acting user may read them) to a file, without pagination')
  .requiredOption('--out <file>', 'the file to write')
  .option('--format <format>', 'csv or ndjson', 'csv')
  .option('--query <json>', 'a query in the API dialect, e.g. \'{"Status":"Scheduled"}\'')
  .option('--as <email>', 'act as this user: their permissions and field rules apply (default: the engine, as the administrator)')
  .action((name: string, options: { out: string; format: string; query?: string; as?: string }) => withApp(async (app) => {
    const collection = collectionNamed(app, name)
    if (options.format !== 'csv' && options.format !== 'ndjson') throw new BadRequest(`--format is csv or ndjson, not ${options.format}`)
    let query: Record<string, unknown> = {}
    try {
      query = options.query ? JSON.parse(options.query) : {}
    } catch (error: any) {
      throw new BadRequest(`--query is not JSON: ${error.message}`)
    }
    const params: Params = { ...(await actingAs(app, options.as)), query }
    const total = ((await app.service(name).find({ ...params, query: { ...query, $limit: 0 } })) as { total: number }).total
    const bar = progressBar(`export ${name}`, total)
    let written = 0
    const ability = await app.permissions.abilityFor(params.user)
    const readable = params.provider ? new Set(permittedFieldsOf(ability, 'read', name, { fieldsFrom: (rule) => rule.fields || collection.fields })) : new Set(collection.fields)
    const columns = csvColumns(collection, readable)
    const text = options.format === 'csv' ? csvRows(columns) : ndjsonLines
    const lines = Readable.from((async function* () {
      if (options.format === 'csv') yield csvLine(columns)
      for await (const page of everyRecord(app, collection, params)) {
        written += page.length
        bar.update(written)
        yield text(page)
      }
    })(), { objectMode: false })
    const out = createWriteStream(options.out)
    await once(out, 'open')
    await pipeline(lines, out)
    bar.stop()
    console.log(`${written} records of ${name} written to ${options.out}`)
  }))

program
  .command('seed')
  .description("fill an empty store with the blueprint's access control and demo data (as the first start does)")
  .action(() => withApp(async (app) => {
    await app.setup()
    const counts = await Promise.all(app.blueprint.collections.map(async (c) => `${c.name} ${((await app.service(c.name).find({ query: { $limit: 0 } })) as any).total}`))
    console.log(`seeded: ${counts.join(', ')}`)
  }, { demo: true }))

program
  .command('build:client [blueprints...]')
  .description('the typed client package of each blueprint (all when none is named), in build/client/<blueprint>/')
  .option('--out <folder>', 'where the packages go')
  .action(async (names: string[], options: { out?: string }) => {
    const outcomes = await buildClients(names, options.out)
    for (const outcome of outcomes) console.log(outcome.error ? `${outcome.blueprint}: failed: ${outcome.error.message}` : `${outcome.blueprint}: ${outcome.folder}`)
    if (outcomes.some((outcome) => outcome.error)) process.exitCode = 1
  })

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2)
  console.error(`quillbase: ${(error as Error).message}`)
  process.exit(1)
})
