// How cost grows with data: the appointments routes at 1k, 100k and 1M records (50 managers, 200 developers),
// each beside the same SQL run on better-sqlite3 directly (the floor), plus start-up time and memory.
// The server runs as a child process (`src/index.ts`, as `npm start` runs it) on a data folder seeded here.
// Usage: npm run bench:scale [-- --sizes 1000,100000,1000000 --seconds 5 --connections 10 --sql (print each route's SQL)]
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import { createApp, type EngineApp } from '../src/app.js'
import { loadBlueprint } from '../src/blueprints/index.js'
import { roleValue } from '../src/services/bootstrap.js'
import { DATABASE_FILE } from '../src/services/store.js'
import { login, rss, startServer, stopServer } from './child.js'

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? process.argv[index + 1] : fallback
}
const sizes = argument('sizes', '1000,100000,1000000').split(',').map(Number)
const seconds = Number(argument('seconds', '5'))
const connections = Number(argument('connections', '10'))
const MANAGERS = 50
const DEVELOPERS = 200
const CHUNK = 5000

interface Route {
  title: string
  role: 'admin' | 'manager' | 'developer'
  method?: 'GET' | 'POST'
  /** Path and query; `:id` takes a different record of the role each request, `:skip` the records before the page. */
  url: string
  body?: (id: string) => unknown
  headers?: Record<string, string>
}

interface Seeded {
  dataDir: string
  emails: Record<Route['role'], string>
  developerRecords: string[]
  managerId: string
  developerId: string
}

const routes: Route[] = [
  { title: 'Admin list ($limit=20, total)', role: 'admin', url: '/appointments?$limit=20' },
  { title: 'Manager list (ManagerId = me)', role: 'manager', url: '/appointments?$limit=20' },
  { title: 'Developer list (Attendees.DeveloperId = me)', role: 'developer', url: '/appointments?$limit=20' },
  { title: 'Admin list by AppointedDate', role: 'admin', url: '/appointments?$limit=20&$sort[AppointedDate]=1' },
  { title: 'Admin list, $skip=5000', role: 'admin', url: '/appointments?$limit=20&$skip=5000' },
  // Like work at every size: the 20 records up to the 5000th, or the last 20 where there are fewer (at 1k, $skip=5000
  // above is an empty page, which is cheaper to answer than any page of records).
  { title: 'Admin list, 20 up to the 5000th', role: 'admin', url: '/appointments?$limit=20&$skip=:skip' },
  { title: 'Developer get by id', role: 'developer', url: '/appointments/:id' },
  { title: 'Manager create', role: 'manager', method: 'POST', url: '/appointments', body: () => null },
  { title: 'Developer respond (action)', role: 'developer', method: 'POST', url: '/appointments', body: (id) => ({ id, Status: 'Accepted' }), headers: { 'x-service-method': 'respond' } }
]

/** The collection's size in the current measurement, for `:skip`. */
let records = 0
const pathOf = (route: Route, id: string) => route.url.replace(':id', id).replace(':skip', String(Math.min(5000, records) - 20))

const day = 24 * 3600 * 1000
const START = Date.UTC(2027, 0, 1)

/** A data folder with the demo data, 50 managers, 200 developers and `count` appointments, written through the adapter. */
async function seed(count: number): Promise<Seeded> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `quillbase-scale-${count}-`))
  const app = await createApp(await loadBlueprint('appointments'), {
    host: 'localhost', port: 0, dataDir, demo: true, bodyLimit: '1mb', jwtExpiresIn: '1h',
    // Off, as in the served child (UNLIMITED): the floor queries time the route, not the limiter.
    requestsPerUser: 0, requestsPerIp: 0, writesPerUser: 0, writesPerIp: 0
  })
  const server = await app.listen(0)
  const users = app.service('users') as any
  const [maria] = await users._find({ paginate: false, query: { email: 'maria@example.com' } })
  const people = async (prefix: string, role: string, n: number) => {
    const RoleId = await roleValue(app, app.blueprint, role)
    const at = new Date(START).toISOString()
    // The same bcrypt hash as the demo users (DEMO_PASSWORD): hashing 250 passwords would dominate seeding.
    const list = Array.from({ length: n }, (_, i) => ({
      Name: `${prefix} ${i}`, email: `${prefix.toLowerCase()}${i}@scale.example`, password: maria.password, RoleId, CreatedAt: at, updatedAt: at
    }))
    return (await users._create(list)) as any[]
  }
  const managers = await people('Manager', 'Manager', MANAGERS)
  const developers = await people('Developer', 'Developer', DEVELOPERS)

  const appointments = app.service('appointments') as any
  const developerRecords: string[] = []
  for (let from = 0; from < count; from += CHUNK) {
    const batch = Array.from({ length: Math.min(CHUNK, count - from) }, (_, k) => {
      const i = from + k
      const created = new Date(START + i * 1000).toISOString()
      return {
        ManagerId: managers[i % MANAGERS]._id,
        AppointedDate: new Date(START + ((i * 7919) % 3650) * day + (i % 10) * 3600_000).toISOString(),
        Attendees: [{ DeveloperId: developers[i % DEVELOPERS]._id }],
        Status: 'Scheduled',
        CreatedAt: created,
        UpdatedAt: created
      }
    })
    const stored = (await appointments._create(batch)) as any[]
    stored.forEach((record, k) => (from + k) % DEVELOPERS === 0 && developerRecords.length < 2000 && developerRecords.push(record._id))
    if (count >= 100_000 && (from / CHUNK) % 40 === 0) process.stdout.write(`  seeding ${count}: ${from + batch.length}\r`)
  }
  const floors = await floorQueries(app, server.address() as AddressInfo, { manager: managers[0].email, developer: developers[0].email }, developerRecords[0])
  await app.shutdown()
  floorsBySize.set(count, floors)
  return {
    dataDir,
    emails: { admin: 'admin@example.com', manager: managers[0].email, developer: developers[0].email },
    developerRecords,
    managerId: managers[0]._id,
    developerId: developers[0]._id
  }
}

interface Floor { sql: string; params: unknown[]; count?: { sql: string; params: unknown[] } }
const floorsBySize = new Map<number, Map<string, Floor>>()

/**
 * The SQL each read route runs, captured from the adapter while the route is called once over HTTP, so that
 * the floor is the same statement (permission conditions included) run directly on better-sqlite3.
 */
async function floorQueries(app: EngineApp, address: AddressInfo, emails: { manager: string; developer: string }, recordId: string) {
  const base = `http://127.0.0.1:${address.port}`
  const model = (app.service('appointments') as any).getModel()
  const captured: Floor[] = []
  const all = model.all.bind(model)
  const count = model.count.bind(model)
  model.all = (sql: string, params: unknown[]) => (captured.push({ sql, params }), all(sql, params))
  model.count = (where: string, params: unknown[], sole?: unknown) => {
    const last = captured[captured.length - 1]
    if (last) last.count = model.countQuery(where, params, sole)
    return count(where, params, sole)
  }
  const floors = new Map<string, Floor>()
  const tokens = { admin: await login(base, 'admin@example.com'), manager: await login(base, emails.manager), developer: await login(base, emails.developer) }
  for (const route of routes.filter((r) => (r.method ?? 'GET') === 'GET')) {
    captured.length = 0
    const res = await fetch(base + pathOf(route, recordId), { headers: { authorization: tokens[route.role] } })
    if (!res.ok) throw new Error(`${route.title}: ${res.status} ${await res.text()}`)
    // The route's own statement is the one on the appointments table that returned its page (the last one).
    const statement = captured.filter((c) => c.sql.includes(model.table)).pop()
    if (statement) floors.set(route.title, statement)
    if (statement && process.argv.includes('--sql')) console.log(`${route.title}:\n  ${statement.sql}\n  ${statement.count?.sql ?? ''}\n  ${JSON.stringify(statement.params)}`)
  }
  model.all = all
  model.count = count
  return floors
}

/** Runs the captured statement on the same file with better-sqlite3 alone: requests per second and p99 in ms. */
function floor(dataDir: string, statement: Floor | undefined) {
  if (!statement) return undefined
  const db = openDatabase(dataDir)
  try {
    const select = db.prepare(statement.sql)
    const count = statement.count && db.prepare(statement.count.sql)
    const times: number[] = []
    const until = performance.now() + Math.min(seconds, 2) * 1000
    while (performance.now() < until) {
      const start = performance.now()
      select.all(...statement.params)
      count?.get(...statement.count!.params)
      times.push(performance.now() - start)
    }
    times.sort((a, b) => a - b)
    const total = times.reduce((sum, t) => sum + t, 0)
    return { rps: (times.length / total) * 1000, p99: times[Math.floor(times.length * 0.99)] }
  } finally {
    db.close()
  }
}

const openDatabase = (dataDir: string) => new Database(path.join(dataDir, DATABASE_FILE), { readonly: true })


interface Start { startup: number; rss: number }
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const medianStart = (starts: Start[]): Start => ({ startup: median(starts.map((s) => s.startup)), rss: median(starts.map((s) => s.rss)) })

/**
 * Start-up and RSS after start on `dataDir` beside the empty store's, in alternate starts (three each), so that a
 * machine whose speed drifts by seconds over a run (tsx compiles the sources at each start) slows both alike.
 */
async function startMedian(dataDir: string, emptyDir: string) {
  const starts: { data: Start[]; empty: Start[] } = { data: [], empty: [] }
  for (let i = 0; i < 3; i++) {
    for (const [dir, list] of [[dataDir, starts.data], [emptyDir, starts.empty]] as const) {
      const server = await startServer(dir)
      await stopServer(server.child)
      list.push({ startup: server.startup, rss: server.rss })
    }
  }
  return { ...medianStart(starts.data), empty: medianStart(starts.empty) }
}

async function load(base: string, route: Route, token: string, ids: string[], pid: number, duration = seconds) {
  let next = 0
  const id = () => ids[next++ % ids.length]
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 200)
  const result = await autocannon({
    url: base,
    connections,
    duration,
    requests: [{
      method: route.method ?? 'GET',
      setupRequest: (request: any) => {
        const target = id()
        request.path = pathOf(route, target)
        request.headers = { ...request.headers, authorization: token, 'content-type': 'application/json', ...route.headers }
        if (route.body) request.body = JSON.stringify(route.body(target) ?? createBody)
        return request
      }
    }]
  })
  clearInterval(sampler)
  if (result.non2xx || result['2xx'] === 0) throw new Error(`${route.title}: ${result.non2xx} non-2xx of ${result.requests.total}`)
  return { rps: result.requests.average, p99: result.latency.p99, peak }
}

let createBody: unknown

async function measure(count: number, emptyDir: string) {
  console.log(`\n${count.toLocaleString('en')} appointments`)
  records = count
  const seeded = await seed(count)
  // The floors first, on the data as seeded (the create and respond routes below add to it).
  const floors = new Map(routes.map((route) => [route.title, floor(seeded.dataDir, floorsBySize.get(count)?.get(route.title))]))
  const server = await startServer(seeded.dataDir)
  const tokens = {
    admin: await login(server.base, seeded.emails.admin),
    manager: await login(server.base, seeded.emails.manager),
    developer: await login(server.base, seeded.emails.developer)
  }
  createBody = { ManagerId: seeded.managerId, AppointedDate: new Date(START).toISOString(), Attendees: [{ DeveloperId: seeded.developerId }] }
  const rows: Record<string, { rps: number; p99: number; floor?: { rps: number; p99: number } }> = {}
  let peak = server.rss
  console.log('route'.padEnd(48), 'req/s'.padStart(8), 'p99 ms'.padStart(8), 'floor req/s'.padStart(12), 'floor p99'.padStart(10))
  for (const route of routes) {
    await load(server.base, route, tokens[route.role], seeded.developerRecords, server.child.pid!, 1) // warm-up, not counted
    const result = await load(server.base, route, tokens[route.role], seeded.developerRecords, server.child.pid!)
    peak = Math.max(peak, result.peak)
    rows[route.title] = { rps: result.rps, p99: result.p99 }
  }
  await stopServer(server.child)
  for (const route of routes) {
    const row = rows[route.title]
    row.floor = floors.get(route.title)
    console.log(route.title.padEnd(48), row.rps.toFixed(0).padStart(8), String(row.p99).padStart(8),
      (row.floor ? row.floor.rps.toFixed(0) : '—').padStart(12), (row.floor ? row.floor.p99.toFixed(2) : '—').padStart(10))
  }
  const start = await startMedian(seeded.dataDir, emptyDir)
  console.log(`start-up ${start.startup.toFixed(0)} ms (empty store, started alternately: ${start.empty.startup.toFixed(0)} ms); RSS after start ${start.rss.toFixed(0)} MB (empty store: ${start.empty.rss.toFixed(0)} MB), under load up to ${peak.toFixed(0)} MB`)
  await rm(seeded.dataDir, { recursive: true, force: true })
  return { rows, startup: start.startup, rss: start.rss, empty: start.empty, peak }
}

const signed = (value: number) => `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(0)}`

async function main() {
  console.log(`quillbase bench:scale: ${connections} connections, ${seconds}s per route; floor = the same SQL on better-sqlite3 directly, in process`)
  // The empty store: the demo data only, started once to seed it, then measured on its second start.
  // The empty store: the demo data only, seeded by a first start; each size's start-ups alternate with its own.
  const empty = await mkdtemp(path.join(os.tmpdir(), 'quillbase-scale-empty-'))
  await stopServer((await startServer(empty)).child)

  const results = new Map<number, Awaited<ReturnType<typeof measure>>>()
  for (const count of sizes) results.set(count, await measure(count, empty))
  await rm(empty, { recursive: true, force: true })

  const smallest = sizes[0]
  const first = results.get(smallest)!
  console.log(`\nratios against ${smallest.toLocaleString('en')} records (req/s; goal: the largest size within 2×, i.e. ≥ 0.50)`)
  console.log('route'.padEnd(48), ...sizes.slice(1).map((size) => size.toLocaleString('en').padStart(12)))
  for (const route of routes) {
    console.log(route.title.padEnd(48), ...sizes.slice(1).map((size) => `${(results.get(size)!.rows[route.title].rps / first.rows[route.title].rps).toFixed(2)}×`.padStart(12)))
  }
  for (const size of sizes) {
    const result = results.get(size)!
    console.log(`${size.toLocaleString('en').padStart(10)}: start-up ${signed(result.startup - result.empty.startup)} ms against the empty store (goal ≤ +1000), RSS after start ${signed(result.rss - result.empty.rss)} MB (goal < +100)`)
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
