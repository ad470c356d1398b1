// Start: read config, build the app for the chosen blueprint, listen.
import { pathToFileURL } from 'node:url'
import configuration from '@feathersjs/configuration'
import { createApp, type Settings } from './app.js'
import { loadBlueprint } from './blueprints/index.js'
import { parseOrigins } from './services/cors.js'

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
    authSecret: get<string>('authSecret') || undefined,
    encryptionKey: get<string>('encryptionKey') || undefined,
    adminEmail: get<string>('adminEmail') || undefined,
    adminPassword: get<string>('adminPassword') || undefined,
    adminCookieSecret: get<string>('adminCookieSecret') || undefined,
    demo: get<boolean>('demo'),
    bodyLimit: get<string>('bodyLimit'),
    jwtExpiresIn: get<string>('jwtExpiresIn'),
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
    jobWorker: get<boolean>('jobWorker') !== false
  }
}

/** Serves the configured blueprint until SIGINT/SIGTERM. */
export async function main() {
  const settings = readSettings()
  const blueprint = await loadBlueprint(settings.blueprint)
  const app = await createApp(blueprint, settings)
  const server = await app.listen(settings.port)
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : settings.port
  console.log(`quillbase: blueprint "${blueprint.name}" on ${app.store.kind} store at http://${settings.host}:${port}`)
  const stop = async () => {
    await app.shutdown()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

export const startOrExit = () =>
  main().catch((error) => {
    console.error(`quillbase: cannot start: ${error.message}`)
    process.exit(1)
  })

// `npm start` runs this file; `quillbase start` (src/cli.ts) imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) startOrExit()
