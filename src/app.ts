// Builds a Feathers app (REST over Koa, Socket.io, authentication, permissions) from a blueprint's declarations.
import { MethodNotAllowed } from '@feathersjs/errors'
import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import type { Context } from 'koa'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { feathers } from '@feathersjs/feathers'
import bytes from 'bytes'
import { koa, rest, bodyParser, parseAuthentication } from '@feathersjs/koa'
import socketio from '@feathersjs/socketio'
import { callerErrors, koaErrors, unreadableBody } from './hooks/errors.js'
import { markBodyless } from './hooks/validate.js'
import { mountOpenApi } from './openapi/index.js'
import { referrersOf } from './hooks/references.js'
import { encryptionKey } from './hooks/secrets.js'
import { Permissions } from './permissions/abilities.js'
import { setupChannels } from './permissions/channels.js'
import { setupSignals } from './services/signals.js'
import { RBAC_COLLECTIONS } from './schemas/rbac.js'
import type { Blueprint } from './schemas/types.js'
import type { EngineApp, Settings } from './engine.js'
import { setupAuthentication, UserCache } from './services/authentication.js'
import { setupAccounts } from './services/accounts.js'
import { configureIssuers, setupOAuth } from './services/oauth.js'
import { ensureAdministrator, isEmpty, normalizeStoredEmails, seedAccessControl } from './services/bootstrap.js'
import { createCollectionService } from './services/collection.js'
import { restCors, socketCors } from './services/cors.js'
import { parseQueryStrings } from './services/query-string.js'
import { clientAddress, RATE_LIMIT_DEFAULTS, RateLimits } from './services/rate-limit.js'
import { createStore } from './services/store.js'
import { closeSync, setupSync, syncReady } from './services/sync.js'
import type { MigratorOptions } from './services/migrations.js'
import { exportMiddleware } from './services/exports.js'
import { Files, filesMiddleware } from './services/files.js'
import { ExportJobs, checkExporters } from './services/export-jobs.js'
import { Documents } from './services/documents.js'
import { setupPublicLookups } from './services/lookups.js'
import { Imports, checkImports } from './services/imports.js'
import { Reports, checkAggregates } from './services/reports.js'
import { AUDIT_PATH, auditCollection, setupAudit } from './services/audit.js'
import { Jobs } from './services/jobs.js'
import { Connectors, checkConnectors, connectorSettings } from './services/connectors/index.js'
import { rollRecurrences } from './hooks/workflows/recurrence.js'
import { compression, revalidateByDefault } from './services/assets.js'
import { answerClientErrors } from './services/client-errors.js'
import { closeConnectionsWhenDraining, drainServer, SHUTDOWN_TIMEOUT_SECONDS, type Draining } from './services/shutdown.js'

export type { EngineApp, Settings } from './engine.js'

/** A secret from settings, else one kept in the data folder so tokens and encrypted fields survive restarts. */
async function persistentSecret(settings: Settings, file: string, given?: string) {
  if (given) return given
  if (settings.mongodbUrl) throw new Error(`${file} must be configured (AUTH_SECRET / ENCRYPTION_KEY) when running on MongoDB`)
  if (!settings.dataDir) return randomBytes(32).toString('hex')
  const location = path.join(settings.dataDir, file)
  try {
    return (await readFile(location, 'utf8')).trim()
  } catch {
    const secret = randomBytes(32).toString('hex')
    await writeFile(location, secret, { mode: 0o600 })
    return secret
  }
}

/** Errors of a connection the client closed under its response (an aborted download): no fault of the server. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED'])

/** bcrypt's cost factor unless `passwordHashCost` says otherwise (@feathersjs/authentication-local's own default). */
const DEFAULT_HASH_COST = 10

/** The app's migration runner (`services/migrations.ts`): umzug and its command-line parser are loaded only then. */
export async function migratorOf(app: EngineApp, options?: MigratorOptions) {
  const { Migrator } = await import('./services/migrations.js')
  return new Migrator(app, options)
}

/**
 * What a start writes into the store before serving: stored emails as the service spells them, the blueprint's access
 * control, the demo data on an empty store (`settings.demo`), the administrator of `ADMIN_EMAIL`. Also `quillbase
 * seed`, which starts nothing else (no jobs, no schedules, no resumed imports).
 */
export async function seedStore(app: EngineApp, settings: Settings) {
  const blueprint = app.blueprint
  await normalizeStoredEmails(app, blueprint)
  const empty = await isEmpty(app, blueprint)
  await seedAccessControl(app, blueprint)
  if (empty && settings.demo && blueprint.demo) await blueprint.demo(app)
  if (settings.adminEmail && settings.adminPassword) await ensureAdministrator(app, blueprint, settings.adminEmail, settings.adminPassword)
}

export async function createApp(blueprint: Blueprint, settings: Settings): Promise<EngineApp> {
  if (settings.dataDir) await mkdir(settings.dataDir, { recursive: true })
  const bodyBytes = bytes.parse(settings.bodyLimit) ?? 0
  if (!(bodyBytes > 0)) throw new Error(`bodyLimit (BODY_LIMIT) must be a size such as 1mb, not "${settings.bodyLimit}"`)
  const shutdownSeconds = settings.shutdownTimeoutSeconds ?? SHUTDOWN_TIMEOUT_SECONDS
  const hashCost = settings.passwordHashCost ?? DEFAULT_HASH_COST
  if (!Number.isInteger(hashCost) || hashCost < 4 || hashCost > 15) throw new Error(`passwordHashCost (PASSWORD_HASH_COST) must be a whole number from 4 to 15, not "${settings.passwordHashCost}"`)
  if (!(shutdownSeconds >= 0)) throw new Error(`shutdownTimeoutSeconds (SHUTDOWN_TIMEOUT_SECONDS) must be a number of seconds, not "${settings.shutdownTimeoutSeconds}"`)
  for (const collection of blueprint.collections) {
    // A record the body limit refuses to carry could never be written.
    if (collection.maxRecordBytes > bodyBytes) throw new Error(`collection "${collection.name}" allows records of ${collection.maxRecordBytes} bytes but bodyLimit (BODY_LIMIT) is ${settings.bodyLimit}: raise it`)
  }
  const issuers = configureIssuers(blueprint.users, settings)
  const app = koa(feathers()) as unknown as EngineApp
  // Before the store opens: a bad job setting fails with nothing to close.
  const jobs = await Jobs.create(app, { redisUrl: settings.redisUrl, prefix: settings.jobsPrefix ?? `quillbase:${blueprint.name}`, concurrency: settings.jobConcurrency, worker: settings.jobWorker, schedules: settings.jobSchedules })
  const store = await createStore({ dataDir: settings.dataDir, dataSync: settings.dataSync, mongodbUrl: settings.mongodbUrl, mongodbTransactions: settings.mongodbTransactions })
  const users = blueprint.users
  const permissions = new Permissions(app, { ...users.auth!, anonymousRole: blueprint.anonymousRole })
  Object.assign(app, { blueprint, store, permissions, jobs, ready: false })

  app.set('host', settings.host)
  app.set('port', settings.port)
  app.set('authentication', {
    secret: await persistentSecret(settings, '.auth-secret', settings.authSecret),
    entity: 'user',
    service: users.name,
    authStrategies: ['jwt', 'local'],
    jwtOptions: { header: { typ: 'access' }, audience: 'quillbase', algorithm: 'HS256', expiresIn: settings.jwtExpiresIn },
    local: { usernameField: 'email', passwordField: 'password', hashSize: hashCost }
  })

  // Koa's own handler logs every error it hears, a client that went away too: not those.
  app.on('error', (error: any, ctx?: Context) => {
    if (!(CLIENT_GONE.has(error?.code) && ctx?.req.socket?.destroyed)) app.onerror(error)
  })
  const drain: Draining = { draining: false }
  app.use(closeConnectionsWhenDraining(drain))
  app.use(compression())
  app.use(revalidateByDefault())
  app.use(koaErrors())
  const trustProxy = settings.trustProxy ?? false
  app.use((ctx, next) => {
    ctx.feathers = { ...ctx.feathers, ip: clientAddress(ctx.socket.remoteAddress, ctx.get('x-forwarded-for'), trustProxy) }
    return next()
  })
  parseQueryStrings(app)
  app.use(restCors(settings.corsOrigins ?? []))
  app.use(async (ctx, next) => {
    if (ctx.path !== '/health' || ctx.method !== 'GET') return next()
    ctx.status = app.ready ? 200 : 503
    ctx.body = { status: app.ready ? 'ok' : 'starting', blueprint: blueprint.name, version: blueprint.version, store: store.kind }
  })
  mountOpenApi(app)
  if (settings.adminPanel !== false) {
    // Loaded when mounted: AdminJS and its React bundles are most of the engine's module graph.
    const { mountAdmin } = await import('./admin/index.js')
    await mountAdmin(app, settings)
  }
  app.use(parseAuthentication())
  app.use(bodyParser({ jsonLimit: settings.bodyLimit, formLimit: settings.bodyLimit, textLimit: settings.bodyLimit, onError: unreadableBody }))
  app.use(markBodyless())
  const files = new Files(app, store, { graceHours: settings.fileGraceHours ?? 24 })
  app.files = files
  const documents = new Documents(app, files)
  app.documents = documents
  app.use(filesMiddleware(app, files))
  const auditLog = settings.audit === false ? undefined : auditCollection(settings.auditRetentionDays ?? 365)
  app.use(exportMiddleware(app, auditLog ? [auditLog] : []))
  app.configure(rest())
  app.configure(
    socketio({ maxHttpBufferSize: bodyBytes, cors: socketCors(settings.corsOrigins ?? []) }, (io) => {
      io.use((socket, next) => {
        ;(socket as any).feathers.ip = clientAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], trustProxy)
        next()
      })
      // Feathers listens for service method names only: a call of any other name, acknowledgement awaited, gets a 405, not silence.
      io.on('connection', (socket) =>
        socket.onAny((event: string, ...args: unknown[]) => {
          const ack = args[args.length - 1]
          if (typeof ack === 'function' && !socket.listeners(event).length) ack(new MethodNotAllowed(`Method '${event}' is not a service method`).toJSON())
        })
      )
    }) as any
  )
  const sharedKey = `quillbase:${blueprint.name}`
  const rateLimits = new RateLimits(
    {
      requestsPerUser: settings.requestsPerUser ?? RATE_LIMIT_DEFAULTS.requestsPerUser,
      requestsPerIp: settings.requestsPerIp ?? RATE_LIMIT_DEFAULTS.requestsPerIp,
      writesPerUser: settings.writesPerUser ?? RATE_LIMIT_DEFAULTS.writesPerUser,
      writesPerIp: settings.writesPerIp ?? RATE_LIMIT_DEFAULTS.writesPerIp,
      windowSeconds: settings.rateWindowSeconds ?? RATE_LIMIT_DEFAULTS.windowSeconds,
      sharedKey
    },
    () => (app as any).sync?.pub,
    async (token) => (await (app.service('authentication') as any).verifyAccessToken(token).catch(() => undefined))?.sub
  )
  app.hooks({ around: { all: [callerErrors(), rateLimits.hook()] } })
  // Before any service exists: feathers-sync wraps each service's event emitter.
  if (settings.redisUrl) await setupSync(app, { url: settings.redisUrl, key: sharedKey, collections: blueprint.collections })

  if (blueprint.collections.some((collection) => collection.name === AUDIT_PATH)) throw new Error(`The collection name '${AUDIT_PATH}' is the engine's audit log`)
  const imports = new Imports(app)
  const exportJobs = new ExportJobs(app, files)
  const parts = {
    store,
    permissions,
    referrers: referrersOf(blueprint.collections),
    encryptionKey: encryptionKey(await persistentSecret(settings, '.encryption-key', settings.encryptionKey)),
    audit: auditLog && (await setupAudit(app, store, permissions, auditLog)),
    files,
    imports,
    reports: new Reports(app, files),
    exportJobs,
    documents
  }
  checkImports(blueprint.collections)
  checkExporters(blueprint.collections)
  checkAggregates(blueprint.collections)
  checkConnectors(blueprint.collections, (users.auth?.oauth ?? []).map((provider) => provider.name))
  const connectors = new Connectors(app, connectorSettings(settings))
  app.connectors = connectors
  for (const schedule of connectors.schedules()) await app.jobs.schedule(schedule)
  for (const schedule of exportJobs.schedules()) await app.jobs.schedule(schedule)
  await files.setup()
  await documents.setup()
  if (blueprint.collections.some((collection) => collection.recurrence)) await app.jobs.schedule(rollRecurrences(app, blueprint.collections))
  for (const collection of blueprint.collections) await createCollectionService(app, collection, parts)
  for (const collection of blueprint.collections) setupSignals(app, collection, permissions, sharedKey)
  connectors.setup()
  const cache = new UserCache()
  const revocations = setupAuthentication(app, users, cache, { attempts: settings.loginAttempts ?? 10, windowSeconds: settings.loginWindowSeconds ?? 900, sharedKey })
  setupAccounts(app, users, settings, { sharedKey, secret: app.get('authentication').secret })
  setupPublicLookups(app, settings, sharedKey)
  app.oauth = setupOAuth(app, users, issuers, settings, parts.encryptionKey)
  setupChannels(app, users, revocations)
  // Editing roles, permissions or mappings (API, admin or internal) takes effect on the next call:
  // at once on this instance (after hook), and through their events on every other instance.
  const invalidate = () => permissions.invalidate()
  for (const name of RBAC_COLLECTIONS) {
    app.service(name).hooks({ after: { create: [invalidate], update: [invalidate], patch: [invalidate], remove: [invalidate] } })
    for (const event of ['created', 'updated', 'patched', 'removed']) app.service(name).on(event, invalidate)
  }

  // Seeding runs once services are set up: `app.listen()` (or `app.setup()` for tools that do not serve) triggers it.
  app.hooks({
    setup: [
      async (_context: unknown, next: () => Promise<void>) => {
        // `app.listen()` sets the server before setup; tools that only call `app.setup()` have none.
        const server: Server | undefined = (app as any).server
        if (server) answerClientErrors(server)
        await next()
        await syncReady(app)
        if (settings.migrate) {
          const migrator = await migratorOf(app)
          await migrator.up()
        }
        // Operations a stopped process left behind, before anything here queues new ones: queued imports are queued
        // again, running imports and unfinished exports are marked failed, saying why.
        await imports.resume()
        await exportJobs.resume()
        await seedStore(app, settings)
        // Jobs may read and write records: they start once the store is migrated and seeded.
        await app.jobs.start()
        // Records left waiting for their document (a queue in memory loses its jobs with the process) are queued again.
        await documents.resume()
        app.ready = true
      }
    ]
  } as any)

  app.shutdown = async () => {
    app.ready = false
    let drained = true
    const server: Server | undefined = (app as any).server
    if (server?.listening) {
      drain.draining = true
      const closed = drainServer(server, shutdownSeconds * 1000)
      // Ends every Socket.io connection (and its pending long-polls), which the server would otherwise wait for.
      ;(app as any).io?.close()
      drained = await closed
      // Closed already: Feathers' Koa teardown would close it again, and fail.
      ;(app as any).server = undefined
    }
    // Running jobs finish while the store is still open; no new one starts.
    await app.jobs.close()
    if ((app as any)._isSetup) await app.teardown()
    await closeSync(app)
    await store.close()
    return drained
  }
  return app
}
