// GET /appointments (authenticated, CASL-filtered, validated) next to a bare Feathers service on the same data, same run.
// Usage: npm run bench [-- --seconds 5 --connections 10]
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import { feathers } from '@feathersjs/feathers'
import { koa, rest, errorHandler } from '@feathersjs/koa'
import { createApp } from '../src/app.js'
import { loadBlueprint } from '../src/blueprints/index.js'
import { DEMO_PASSWORD } from '../src/blueprints/appointments/demo.js'
import { SqliteService } from '../src/services/adapters/sqlite.js'
import { SqliteDatabase } from '../src/services/adapters/sqlite-database.js'

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}
const seconds = arg('seconds', 5)
const connections = arg('connections', 10)
const RECORDS = 500

async function run(title: string, url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections, duration: seconds, headers })
  const ok = result['2xx']
  if (result.non2xx || ok === 0) throw new Error(`${title}: ${result.non2xx} non-2xx responses`)
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quillbase-bench-'))
  const app = await createApp(await loadBlueprint('appointments'), {
    host: 'localhost', port: 0, dataDir, demo: true, bodyLimit: '1mb', jwtExpiresIn: '1h',
    // Off: the bench sends far more than a user would, and measures the route, not the limiter.
    requestsPerUser: 0, requestsPerIp: 0, writesPerUser: 0, writesPerIp: 0
  })
  const server = await app.listen(0)
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const users = (await app.service('users').find({ paginate: false })) as any[]
  const maria = users.find((u) => u.email === 'maria@example.com')
  const dev = users.find((u) => u.email === 'dev@example.com')
  const records = Array.from({ length: RECORDS }, (_, i) => ({
    ManagerId: i % 2 ? maria._id : users.find((u) => u.email === 'omar@example.com')._id,
    AppointedDate: new Date(Date.UTC(2030, 0, 1 + (i % 300))).toISOString(),
    Attendees: [{ DeveloperId: dev._id }]
  }))
  await app.service('appointments').create(records)

  // The bare service: the same stored records, same adapter, no hooks, no authentication.
  const bare = koa(feathers())
  bare.use(errorHandler())
  bare.configure(rest())
  const stored = (await app.service('appointments').find({ paginate: false })) as any[]
  const model = new SqliteDatabase().collection('appointments')
  await model.write(() => stored.forEach((record) => model.insert(record)))
  bare.use('appointments', new SqliteService({ Model: model, paginate: { default: 20, max: 200 } }))
  const bareServer = await bare.listen(0)
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/appointments`

  const login = async (email: string) => {
    const res = await fetch(`${base}/authentication`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ strategy: 'local', email, password: DEMO_PASSWORD })
    })
    return `Bearer ${(await res.json()).accessToken}`
  }

  console.log(`quillbase bench: ${stored.length} appointments, ${connections} connections, ${seconds}s per route\n`)
  const rows = [
    await run('bare Feathers service (no auth)', bareUrl),
    await run('quillbase, Admin (no conditions)', `${base}/appointments`, { authorization: await login('admin@example.com') }),
    await run('quillbase, Manager (ManagerId = me)', `${base}/appointments`, { authorization: await login('maria@example.com') }),
    await run('quillbase, Developer (Attendees.DeveloperId = me)', `${base}/appointments`, { authorization: await login('dev@example.com') })
  ]
  const reference = rows[0].rps
  console.log('route'.padEnd(52), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'ratio'.padStart(7))
  for (const row of rows) {
    console.log(row.title.padEnd(52), row.rps.toFixed(0).padStart(9), String(row.p50).padStart(8), String(row.p99).padStart(8), `${(row.rps / reference).toFixed(2)}×`.padStart(7))
  }
  await new Promise((resolve) => bareServer.close(resolve))
  await app.shutdown()
  await rm(dataDir, { recursive: true, force: true })
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
