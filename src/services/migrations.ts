// Data migrations: umzug over the files of `migrations/<blueprint>/`, the executed ones kept in the store
// (`quillbase-migrations`), and one runner at a time across processes (a lock record in `quillbase-locks`).
import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Conflict, NotFound } from '@feathersjs/errors'
import { Umzug, type MigrationMeta, type UmzugStorage } from 'umzug'
import type { EngineApp } from '../engine.js'
import { DateTime, Type } from '../schemas/fields.js'
import { sanitizeCollection } from '../schemas/sanitize.js'
import type { Blueprint } from '../schemas/types.js'
import type { Store } from './store.js'

/** What every migration's `up` and `down` receive. */
export interface MigrationContext {
  /** The app, services set up: internal calls (`app.service(x)._find(...)` skips the hooks, `find` runs them). */
  app: EngineApp
  /** The raw store (`kind` says which; the embedded one has `database.db`, a better-sqlite3 handle). */
  store: Store
  blueprint: Blueprint
  log: (message: string) => void
}

/** A migration file exports these. */
export interface MigrationModule {
  up(context: MigrationContext): Promise<void>
  down?(context: MigrationContext): Promise<void>
}

export const MIGRATIONS_ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url))

/**
 * Running compiled (the build, where MIGRATIONS_ROOT is build/migrations/), each migration is the `.js` tsc made of a
 * `.ts`: it keeps its source's name, so a store migrated in development is not migrated again in production.
 */
const sourceName = (name: string) => (import.meta.url.endsWith('.js') ? name.replace(/\.js$/, '.ts') : name)

export const executedCollection = sanitizeCollection({
  name: 'quillbase-migrations',
  schema: Type.Object({ name: Type.String({ maxLength: 500 }), executedAt: DateTime() }),
  timestamps: false
})

export const LOCK_COLLECTION = sanitizeCollection({
  name: 'quillbase-locks',
  schema: Type.Object({ owner: Type.String({ maxLength: 200 }), expiresAt: DateTime() }),
  timestamps: false
})

/** The lock record's id: ObjectId-shaped, so it is the same record on both stores. */
export const MIGRATIONS_LOCK = '000000000000000000000001'

export interface MigratorOptions {
  /** Folder of the migration files (default `migrations/<blueprint>/`). */
  folder?: string
  /** How long a runner waits for another one to finish (default 5 minutes). */
  waitMs?: number
  /** A lock older than this was left by a runner that died (default 15 minutes). */
  staleMs?: number
  log?: (message: string) => void
}

export interface MigrationStatus {
  executed: string[]
  pending: string[]
  /** Recorded as executed, but without a file here (an older build on a newer store): they cannot be reverted here. */
  missing: string[]
}

/** This process, in a lock's owner: on the embedded store, which one process owns, a lock of another process is stale. */
const PROCESS = randomUUID()

/** The migration file of a name as `create` took it (`rename-craeated-at` → `2026.12.01T00.00.00.rename-craeated-at.ts`). */
const fileOf = (name: string, files: string[]) => files.find((file) => file.endsWith(`.${name}.ts`) || file.endsWith(`.${name}.js`))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export class Migrator {
  readonly folder: string
  private _services?: Promise<{ executed: any; locks: any }>
  private _owner = `${process.pid}-${PROCESS}-${Math.random().toString(36).slice(2)}`

  constructor(private _app: EngineApp, private _options: MigratorOptions = {}) {
    this.folder = _options.folder ?? path.join(MIGRATIONS_ROOT, _app.blueprint.name)
  }

  private get _log() {
    return this._options.log ?? ((message: string) => console.log(`quillbase: ${message}`))
  }

  /** The two engine collections, straight on the store (no hooks: no caller can reach them). */
  private _stores() {
    this._services ??= (async () => {
      const { store } = this._app
      const [executed, locks] = await Promise.all([store.createService(executedCollection), store.createService(LOCK_COLLECTION)])
      return { executed, locks }
    })()
    return this._services
  }

  private _umzug() {
    const context: MigrationContext = { app: this._app, store: this._app.store, blueprint: this._app.blueprint, log: this._log }
    const storage: UmzugStorage<MigrationContext> = {
      executed: async () => {
        const { executed } = await this._stores()
        const records = (await executed._find({ paginate: false, query: { $sort: { name: 1 } } })) as { name: string }[]
        return records.map((record) => record.name)
      },
      // Said as each is recorded: a later migration that fails leaves the ones before it run, and said so.
      logMigration: async ({ name }) => {
        const { executed } = await this._stores()
        await executed._create({ name, executedAt: new Date().toISOString() })
        this._log(`migrated up: ${name}`)
      },
      unlogMigration: async ({ name }) => {
        const { executed } = await this._stores()
        await executed._remove(null, { query: { name } })
        this._log(`migrated down: ${name}`)
      }
    }
    return new Umzug<MigrationContext>({
      migrations: {
        glob: ['[0-9]*.{ts,js}', { cwd: this.folder, ignore: ['*.d.ts'] }],
        resolve: ({ name: fileName, path: file }) => {
          const name = sourceName(fileName)
          const load = async () => (await import(pathToFileURL(file!).href)) as MigrationModule
          return {
            name,
            path: file,
            up: async () => (await load()).up(context),
            down: async () => {
              const migration = await load()
              if (!migration.down) throw new Conflict(`Migration ${name} has no down step`)
              await migration.down(context)
            }
          }
        }
      },
      context,
      storage,
      logger: undefined,
      create: { folder: this.folder, template: (file) => [[file.replace(/\.js$/, '.ts'), TEMPLATE]] }
    })
  }

  async status(): Promise<MigrationStatus> {
    const umzug = this._umzug()
    const names = (list: MigrationMeta[]) => list.map((migration) => migration.name)
    const executed = names(await umzug.executed())
    // umzug lists only the executed migrations it has a file for; the store's records say what ran.
    const { executed: records } = await this._stores()
    const recorded = ((await records._find({ paginate: false, query: { $sort: { name: 1 } } })) as { name: string }[]).map((record) => record.name)
    return { executed, pending: names(await umzug.pending()), missing: recorded.filter((name) => !executed.includes(name)) }
  }

  /** A migration's file name from its name as `create` took it (`rename-craeated-at`) or as `status` lists it. */
  private _named(name: string, { executed, pending }: MigrationStatus): string {
    const found = [...executed, ...pending].find((file) => file === name) ?? fileOf(name, [...executed, ...pending])
    if (!found) throw new NotFound(`No migration ${name} in ${this.folder}`)
    return found
  }

  /** Runs the pending migrations (up to and including `to`), one runner at a time; returns the names run. */
  async up(options: { to?: string } = {}): Promise<string[]> {
    return this._locked(async () => {
      const run = await this._umzug().up(options.to ? { to: this._named(options.to, await this.status()) } : {})
      return run.map((migration) => migration.name)
    })
  }

  /** Reverts the last executed migration, or every one back to and including `to` (`0`: all). */
  async down(options: { to?: string | 0 } = {}): Promise<string[]> {
    return this._locked(async () => {
      // Reverting around a migration this build does not have would undo the wrong one first (umzug skips it).
      const status = await this.status()
      if (status.missing.length) throw new Conflict(`Executed migrations without a file in ${this.folder}: ${status.missing.join(', ')}; revert them with the build that has them`)
      const to = options.to === 0 || options.to === undefined ? options.to : this._named(options.to, status)
      const run = await this._umzug().down(to !== undefined ? { to: to as any } : {})
      return run.map((migration) => migration.name)
    })
  }

  /** A new migration file from the template; returns its path. */
  async create(name: string): Promise<string> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Conflict(`A migration name is lower-case letters, digits and dashes: '${name}'`)
    const known = await this.status().catch(() => ({ executed: [], pending: [] }))
    const taken = fileOf(name, [...known.executed, ...known.pending])
    if (taken) throw new Conflict(`A migration named ${name} exists already: ${taken}`)
    await mkdir(this.folder, { recursive: true })
    await this._umzug().create({ name: `${name}.ts`, prefix: 'TIMESTAMP', allowExtension: '.ts', skipVerify: true })
    const { pending } = await this.status()
    const created = pending.filter((file) => file.endsWith(`.${name}.ts`)).pop()
    if (!created) throw new NotFound(`The migration ${name} was not created in ${this.folder}`)
    return path.join(this.folder, created)
  }

  /**
   * `fn` while holding the migrations lock: a record with a fixed id, created atomically (a second create is a
   * 409 on both stores), removed after; a runner that died leaves it to expire after `staleMs`.
   */
  private async _locked<T>(fn: () => Promise<T>): Promise<T> {
    const { locks } = await this._stores()
    const staleMs = this._options.staleMs ?? 15 * 60_000
    const deadline = Date.now() + (this._options.waitMs ?? 5 * 60_000)
    for (let waited = false; ; waited = true) {
      try {
        await locks._create({ _id: MIGRATIONS_LOCK, owner: this._owner, expiresAt: new Date(Date.now() + staleMs).toISOString() })
        break
      } catch (error: any) {
        if (error?.name !== 'Conflict') throw error
        const current = await locks._get(MIGRATIONS_LOCK).catch(() => undefined)
        // The embedded store has one owner, this process: another process's lock outlived it (a runner interrupted).
        const orphaned = this._app.store.kind === 'embedded' && !String(current?.owner).includes(PROCESS)
        if (current && (orphaned || Date.parse(current.expiresAt) < Date.now())) {
          this._log(`migrations: removing a stale lock of ${current.owner}`)
          await locks._remove(MIGRATIONS_LOCK, { query: { owner: current.owner } }).catch(() => undefined)
          continue
        }
        if (Date.now() > deadline) throw new Conflict('Migrations are being run by another process; try again when it has finished')
        if (!waited) this._log('migrations: waiting for another runner to finish')
        await sleep(200)
      }
    }
    try {
      return await fn()
    } finally {
      await locks._remove(MIGRATIONS_LOCK, { query: { owner: this._owner } }).catch(() => undefined)
    }
  }
}

const TEMPLATE = `// A data migration: \`up\` applies it, \`down\` reverts it (see docs/migrations.md).
import type { MigrationContext } from '../../src/services/migrations.js'

export async function up({ app, log }: MigrationContext) {
}

export async function down({ app, log }: MigrationContext) {
}
`
