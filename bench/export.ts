// Export throughput and memory: 100,000 appointments streamed as CSV and NDJSON through the whole service (an Admin
// and a Manager, permissions and masks applied) next to a raw scan of the same table on better-sqlite3 (parse each row).
// Each role first makes one JSON list request: the first request after a start compiles the collection's query
// validator (once, ~0.1–0.2 s), which is not the export's throughput. The client accepts gzip as fetch does (both formats
// are then gzipped); each is also read uncompressed, to tell the encoder's cost from gzip's. On a
// shared machine the load comes and goes within seconds: each export runs REPEAT times, each time just after a raw
// scan, and the ratio is of the best of each (peak RSS: the highest of all). The CPU time per row (the server's, all
// its threads, and the raw scan's) moves much less with the load: their ratio is printed too.
// Usage: npm run bench:export [-- --records 100000 --repeat 3]
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { createApp } from '../src/app.js'
import { loadBlueprint } from '../src/blueprints/index.js'
import { DATABASE_FILE } from '../src/services/store.js'
import { pathLiteral } from '../src/services/adapters/sqlite-json.js'
import { cpuSeconds, login, rss, startServer, stopServer } from './child.js'

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? process.argv[index + 1] : fallback
}
const RECORDS = Number(argument('records', '100000'))
const REPEAT = Number(argument('repeat', '3'))
const CHUNK = 5000

/** A data folder with the demo data and RECORDS appointments of Maria and Omar, written through the adapter. */
async function seed() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quillbase-export-'))
  const app = await createApp(await loadBlueprint('appointments'), { host: 'localhost', port: 0, dataDir, demo: true, bodyLimit: '1mb', jwtExpiresIn: '1h' })
  await app.listen(0)
  const users = (await (app.service('users') as any)._find({ paginate: false })) as any[]
  const byEmail = (email: string) => users.find((user) => user.email === email)._id
  const managers = [byEmail('maria@example.com'), byEmail('omar@example.com')]
  const developers = [byEmail('dev@example.com'), byEmail('lin@example.com')]
  for (let from = 0; from < RECORDS; from += CHUNK) {
    const batch = Array.from({ length: Math.min(CHUNK, RECORDS - from) }, (_, k) => {
      const i = from + k
      const at = new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString()
      return { ManagerId: managers[i % 2], AppointedDate: at, Attendees: [{ DeveloperId: developers[i % 2] }], Status: 'Scheduled', CreatedAt: at, UpdatedAt: at }
    })
    await (app.service('appointments') as any)._create(batch)
  }
  await app.shutdown()
  return dataDir
}

/** What a download asks for: the format, and the encodings it accepts (fetch's own unless said). */
const EXPORTS = [
  { accept: 'text/csv', encoding: undefined },
  { accept: 'text/csv', encoding: 'identity' },
  { accept: 'application/x-ndjson', encoding: undefined },
  { accept: 'application/x-ndjson', encoding: 'identity' }
]

/** Streams one export to its end, counting lines (line feeds in the bytes: no text decoded, the client stays light) and sampling the server's memory. */
async function download(base: string, accept: string, token: string, pid: number, encoding?: string) {
  let peak = 0
  const cpuBefore = cpuSeconds(pid)
  const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 100)
  const started = performance.now()
  const res = await fetch(`${base}/appointments`, { headers: { accept, authorization: token, ...(encoding ? { 'accept-encoding': encoding } : {}) } })
  if (!res.ok) throw new Error(`${accept}: ${res.status} ${await res.text()}`)
  let lines = 0
  for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++
  }
  clearInterval(sampler)
  peak = Math.max(peak, rss(pid))
  const seconds = (performance.now() - started) / 1000
  const rows = accept === 'text/csv' ? lines - 1 : lines
  const cpuPerRow = ((cpuSeconds(pid) - cpuBefore) * 1e6) / rows
  return { rows, perSecond: rows / seconds, cpuPerRow, peak, encoding: res.headers.get('content-encoding') ?? 'none' }
}

/**
 * A raw scan: every appointment in storage order (the goal's baseline), or with `managerId` only that Manager's, through
 * the store's index on ManagerId (what her export reads: the same rows, found the same way).
 */
function rawScan(dataDir: string, managerId?: string) {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true })
  try {
    const sql = managerId ? `SELECT doc FROM "appointments" WHERE json_extract(doc, ${pathLiteral('ManagerId')}) = ?` : 'SELECT doc FROM "appointments"'
    if (managerId) {
      const plan = JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(managerId))
      if (!plan.includes('USING INDEX')) throw new Error(`the same-rows scan does not use the ManagerId index: ${plan}`)
    }
    const statement = managerId ? db.prepare(sql).bind(managerId) : db.prepare(sql)
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    let rows = 0
    for (const row of statement.iterate() as Iterable<{ doc: string }>) {
      JSON.parse(row.doc)
      rows++
    }
    const cpu = process.cpuUsage(cpuBefore)
    return { rows, perSecond: rows / ((performance.now() - started) / 1000), cpuPerRow: (cpu.user + cpu.system) / rows }
  } finally {
    db.close()
  }
}

/** A user's id, read from the data folder. */
function managerIdOf(dataDir: string, email: string): string {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true })
  try {
    const row = db.prepare(`SELECT id FROM "users" WHERE json_extract(doc, '$.email') = ?`).get(email) as { id: string } | undefined
    if (!row) throw new Error(`no user ${email}`)
    return row.id
  } finally {
    db.close()
  }
}

async function main() {
  console.log(`quillbase bench:export: ${RECORDS.toLocaleString('en')} appointments`)
  const dataDir = await seed()
  const server = await startServer(dataDir)
  const idle = server.rss
  const tokens = { Admin: await login(server.base, 'admin@example.com'), Manager: await login(server.base, 'maria@example.com') }
  console.log(`raw scan: better-sqlite3, JSON.parse per row, of every appointment, just before each export; best of ${REPEAT}`)
  console.log('same rows: a raw scan of the rows the role exports, found as its export finds them (a Manager\'s through the ManagerId index)')
  console.log('export'.padEnd(30), 'encoding'.padStart(8), 'rows'.padStart(8), 'rows/s'.padStart(9), 'raw rows/s'.padStart(11), 'ratio'.padStart(7),
    'CPU µs/row'.padStart(11), 'raw'.padStart(5), 'ratio'.padStart(6), 'peak RSS'.padStart(10), 'above idle'.padStart(11), 'same rows/s'.padStart(12), 'ratio'.padStart(7))
  const maria = managerIdOf(dataDir, 'maria@example.com')
  for (const [role, token] of Object.entries(tokens)) {
    const scope = role === 'Manager' ? maria : undefined
    const warmUp = await fetch(`${server.base}/appointments?$limit=1`, { headers: { authorization: token } })
    if (!warmUp.ok) throw new Error(`warm-up: ${warmUp.status} ${await warmUp.text()}`)
    for (const { accept, encoding } of EXPORTS) {
      let raw = { perSecond: 0, cpuPerRow: Infinity }
      let same = 0
      let result = { rows: 0, perSecond: 0, cpuPerRow: Infinity, peak: 0, encoding: '' }
      for (let run = 0; run < REPEAT; run++) {
        const scan = rawScan(dataDir)
        same = Math.max(same, scope ? rawScan(dataDir, scope).perSecond : scan.perSecond)
        const got = await download(server.base, accept, token, server.child.pid!, encoding)
        if (run && got.rows !== result.rows) throw new Error(`${accept}: ${got.rows} rows, then ${result.rows}`)
        raw = { perSecond: Math.max(raw.perSecond, scan.perSecond), cpuPerRow: Math.min(raw.cpuPerRow, scan.cpuPerRow) }
        result = { ...got, perSecond: Math.max(result.perSecond, got.perSecond), cpuPerRow: Math.min(result.cpuPerRow, got.cpuPerRow), peak: Math.max(result.peak, got.peak) }
      }
      console.log(`${role}, ${accept}`.padEnd(30), result.encoding.padStart(8), String(result.rows).padStart(8), result.perSecond.toFixed(0).padStart(9), raw.perSecond.toFixed(0).padStart(11),
        `${(result.perSecond / raw.perSecond).toFixed(2)}×`.padStart(7), result.cpuPerRow.toFixed(2).padStart(11), raw.cpuPerRow.toFixed(2).padStart(5),
        `${(raw.cpuPerRow / result.cpuPerRow).toFixed(2)}×`.padStart(6), `${result.peak.toFixed(0)} MB`.padStart(10), `+${(result.peak - idle).toFixed(0)} MB`.padStart(11),
        same.toFixed(0).padStart(12), `${(result.perSecond / same).toFixed(2)}×`.padStart(7))
    }
  }
  console.log(`idle RSS after start: ${idle.toFixed(0)} MB; goals: ratio ≥ 0.50×, peak under idle + 150 MB`)
  await stopServer(server.child)
  await rm(dataDir, { recursive: true, force: true })
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
