#!/usr/bin/env -S node --import tsx
// The `quillbase` command: start the server, run data migrations. Configuration as for `npm start` (config/, env).
// Exit codes: 0 done, 1 the operation failed (the message says why), 2 a usage error.
import { Command, CommanderError } from 'commander'
import { createApp } from './app.js'
import { loadBlueprint } from './blueprints/index.js'
import { readSettings, startOrExit } from './index.js'
import { Migrator } from './services/migrations.js'

/** The app on the configured store, without serving or seeding: what a one-off operation needs. */
async function withApp<T>(fn: (migrator: Migrator) => Promise<T>): Promise<T> {
  const settings = readSettings()
  const app = await createApp(await loadBlueprint(settings.blueprint), settings)
  try {
    return await fn(new Migrator(app, { log: (message) => console.log(message) }))
  } finally {
    await app.shutdown()
  }
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
  .action((options: { to?: string }) => withApp(async (migrator) => {
    const run = await migrator.up(options)
    if (!run.length) console.log('no pending migrations')
  }))
migrate
  .command('down')
  .description('revert the last migration')
  .option('--to <name>', "revert back to and including this one ('0': all)")
  .action((options: { to?: string }) => withApp(async (migrator) => {
    const run = await migrator.down({ to: options.to === '0' ? 0 : options.to })
    if (!run.length) console.log('no executed migrations')
  }))
migrate
  .command('status')
  .description('list executed and pending migrations')
  .action(() => withApp(async (migrator) => {
    const { executed, pending } = await migrator.status()
    for (const name of executed) console.log(`executed  ${name}`)
    for (const name of pending) console.log(`pending   ${name}`)
    if (!executed.length && !pending.length) console.log(`no migrations in ${migrator.folder}`)
  }))
migrate
  .command('create <name>')
  .description('a new migration file from the template (name: lower-case letters, digits, dashes)')
  .action((name: string) => withApp(async (migrator) => console.log(`created ${await migrator.create(name)}`)))

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2)
  console.error(`quillbase: ${(error as Error).message}`)
  process.exit(1)
})
