// Start: read config, build the app for the chosen blueprint, listen.
import { pathToFileURL } from 'node:url'
import configuration from '@feathersjs/configuration'
import { once } from 'node:events'
import { createApp } from './app.js'
import type { Settings } from './engine.js'
import { loadBlueprint } from './blueprints/index.js'
import type { Blueprint } from './schemas/types.js'
import { parseOrigins } from './services/cors.js'
import type { TransactionMode } from './services/adapters/mongo-transactions.js'
import { oauthSettingsFromEnv } from './services/oauth-issuers.js'

export function readSettings(): Settings & { blueprint: string } {
  const config = configuration()() as any
  const get = <T>(key: string): T => config.get(key)
  return {
    blueprint: get<string>('blueprint'),
    host: get<string>('host'),
    port: Number(get('port')),
    dataDir: get<string>('dataDir') || undefined,
    dataSync: get<string>('dataSync') === 'normal' ? 'normal' : 'full',
    mongodbUrl: get<string>('mongodbUrl') || undefined,
    mongodbTransactions: get<TransactionMode>('mongodbTransactions') || 'auto',
    authSecret: get<string>('authSecret') || undefined,
    encryptionKey: get<string>('encryptionKey') || undefined,
    adminEmail: get<string>('adminEmail') || undefined,
    adminPassword: get<string>('adminPassword') || undefined,
    adminCookieSecret: get<string>('adminCookieSecret') || undefined,
    demo: get<boolean>('demo'),
    bodyLimit: get<string>('bodyLimit'),
    jwtExpiresIn: get<string>('jwtExpiresIn'),
    passwordHashCost: Number(get('passwordHashCost')),
    redisUrl: get<string>('redisUrl') || undefined,
    loginAttempts: Number(get('loginAttempts')),
    loginWindowSeconds: Number(get('loginWindowSeconds')),
    requestsPerUser: Number(get('requestsPerUser')),
    requestsPerIp: Number(get('requestsPerIp')),
    writesPerUser: Number(get('writesPerUser')),
    writesPerIp: Number(get('writesPerIp')),
    rateWindowSeconds: Number(get('rateWindowSeconds')),
    trustProxy: get<boolean>('trustProxy'),
    corsOrigins: parseOrigins(get<string>('corsOrigins')),
    migrate: get<boolean>('migrate') === true,
    audit: get<boolean>('audit') !== false,
    auditRetentionDays: Number(get('auditRetentionDays')),
    fileGraceHours: Number(get('fileGraceHours')),
    jobConcurrency: Number(get('jobConcurrency')),
    jobWorker: get<boolean>('jobWorker') !== false,
    jobSchedules: get<boolean>('jobSchedules') !== false,
    shutdownTimeoutSeconds: Number(get('shutdownTimeoutSeconds')),
    graphUrl: get<string>('graphUrl') || undefined,
    googleCalendarUrl: get<string>('googleCalendarUrl') || undefined,
    syncRetries: Number(get('syncRetries')),
    syncBackoffMs: Number(get('syncBackoffMs')),
    syncMaxRetryAfterSeconds: Number(get('syncMaxRetryAfterSeconds')),
    syncSchedule: get<string>('syncSchedule') || undefined,
    smtpUrl: get<string>('smtpUrl') || undefined,
    mailFrom: get<string>('mailFrom') || undefined,
    passwordResetUrl: get<string>('passwordResetUrl') || undefined,
    signUpsPerIp: Number(get('signUpsPerIp')),
    signUpWindowSeconds: Number(get('signUpWindowSeconds')),
    recoveryAttempts: Number(get('recoveryAttempts')),
    lookupsPerIp: Number(get('lookupsPerIp')),
    lookupWindowSeconds: Number(get('lookupWindowSeconds')),
    oauth: oauthSettingsFromEnv(process.env),
    oauthRedirect: get<string>('oauthRedirect') || undefined,
    publicUrl: get<string>('publicUrl') || undefined
  }
}

/** What a start prints: where the API, the admin panel and the docs are, and the demo logins when demo data is on. */
export function startupLines(blueprint: Blueprint, settings: Pick<Settings, 'host' | 'demo'>, port: number, store: string): string[] {
  // Listening on every interface: a browser on this machine reaches it as localhost.
  const host = ['0.0.0.0', '::', ''].includes(settings.host) ? 'localhost' : settings.host
  const base = `http://${host}:${port}`
  const mode = process.env.NODE_ENV === 'production' ? 'production' : process.env.NODE_ENV || 'development'
  const code = import.meta.url.endsWith('.js') ? 'the build' : 'the TypeScript sources'
  const lines = [
    `quillbase: blueprint "${blueprint.name}" ${blueprint.version} on the ${store} store, ${mode} mode (${code}): API ${base}/ · admin ${base}/admin · docs ${base}/docs`
  ]
  const demo = blueprint.demoLogins
  if (settings.demo && blueprint.demo && demo) {
    const users = demo.users.map((user) => `${user.email} (${user.role})`).join(', ')
    lines.push(`quillbase: demo data (DEMO=false turns it off; never in production): password "${demo.password}" for ${users}`)
  }
  return lines
}

/** Serves the configured blueprint until SIGINT/SIGTERM, then shuts down gracefully (see `EngineApp.shutdown`). */
export async function main() {
  const settings = readSettings()
  const blueprint = await loadBlueprint(settings.blueprint)
  const app = await createApp(blueprint, settings)
  const listening = app.listen(settings.port)
  // The server exists once `listen` is called (its setup follows): a port in use is this start's failure, said as
  // such, not an unhandled 'error' event and its stack.
  const bound = once((app as any).server, 'listening')
  bound.catch(() => undefined)
  const server = await listening
  await bound
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : settings.port
  for (const line of startupLines(blueprint, settings, port, app.store.kind)) console.log(line)
  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    // npm and tsx forward the terminal's signal to a process that got it already: one shutdown only, bounded by its timeout.
    if (stopping) return
    stopping = true
    const seconds = settings.shutdownTimeoutSeconds
    console.log(`quillbase: ${signal}: shutting down, waiting up to ${seconds} s for requests in flight`)
    const drained = await app.shutdown().catch((error) => {
      console.error(`quillbase: shutdown failed: ${error.message}`)
      return false
    })
    console.log(drained ? 'quillbase: stopped' : `quillbase: stopped; requests still in flight after ${seconds} s were cut`)
    process.exit(drained ? 0 : 1)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

export const startOrExit = () =>
  main().catch((error) => {
    console.error(`quillbase: cannot start: ${error.message}`)
    process.exit(1)
  })

// `npm start` runs this file; `quillbase start` (src/cli.ts) imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) startOrExit()
