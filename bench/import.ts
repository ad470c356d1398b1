// Import throughput and memory: a CSV of appointments imported by a Manager through the whole service (validation,
// permissions, references, audit, events), next to raw inserts of the same rows on better-sqlite3; peak RSS of the server.
// Usage: npm run bench:import [-- --rows 100000]
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { login, rss, startServer, stopServer } from './child.js'

const index = process.argv.indexOf('--rows')
const ROWS = index > 0 ? Number(process.argv[index + 1]) : 100_000

function csvOf(managerId: string, developerId: string) {
  const lines = ['ManagerId,AppointedDate,Attendees']
  for (let i = 0; i < ROWS; i++) {
    lines.push(`${managerId},${new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString()},"[{""DeveloperId"":""${developerId}""}]"`)
  }
  return `${lines.join('\n')}\n`
}

/** The same rows as JSON documents inserted in one transaction: the floor. */
function rawInserts(csv: string) {
  const db = new Database(':memory:')
  db.exec('CREATE TABLE t (rid INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT)')
  const insert = db.prepare('INSERT INTO t (id, doc) VALUES (?, ?)')
  const started = performance.now()
  db.transaction(() => {
    let n = 0
    for (const line of csv.split('\n').slice(1)) {
      if (!line) continue
      const [ManagerId, AppointedDate] = line.split(',')
      insert.run(String(n++), JSON.stringify({ ManagerId, AppointedDate, Attendees: [], Status: 'Scheduled' }))
    }
  })()
  const seconds = (performance.now() - started) / 1000
  db.close()
  return ROWS / seconds
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quillbase-import-'))
  const server = await startServer(dataDir, 'appointments', { DATA_SYNC: 'normal' })
  try {
    const token = await login(server.base, 'maria@example.com')
    const headers = { authorization: token }
    const me = (await (await fetch(`${server.base}/users?email=maria@example.com`, { headers })).json()).data[0]
    const dev = (await (await fetch(`${server.base}/users?email=dev@example.com`, { headers })).json()).data[0]
    const csv = csvOf(me._id, dev._id)
    const idle = server.rss
    const form = new FormData()
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'appointments.csv')
    const uploaded = await (await fetch(`${server.base}/files?collection=bulk-uploads&field=file_url`, { method: 'POST', body: form, headers })).json()
    let peak = rss(server.child.pid!)
    const sampler = setInterval(() => (peak = Math.max(peak, rss(server.child.pid!))), 200)
    const started = performance.now()
    const created = await (await fetch(`${server.base}/bulk-uploads`, {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ UploadedBy: me._id, FileName: 'appointments.csv', Target: 'appointments', file_url: uploaded.url })
    })).json()
    let record = created
    while (record.Status !== 'Done' && record.Status !== 'Failed') {
      await new Promise((resolve) => setTimeout(resolve, 500))
      record = await (await fetch(`${server.base}/bulk-uploads/${created._id}`, { headers })).json()
    }
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    const floor = rawInserts(csv)
    const rate = record.SuccessRecords / seconds
    console.log(`quillbase bench:import: ${ROWS.toLocaleString('en')} CSV rows of appointments, imported by a Manager (DATA_SYNC=normal)`)
    console.log(`status ${record.Status}: ${record.SuccessRecords} imported, ${record.ErrorRecords} refused, in ${seconds.toFixed(1)} s`)
    console.log(`through the service: ${rate.toFixed(0)} rows/s; raw better-sqlite3 inserts: ${floor.toFixed(0)} rows/s; ratio ${(rate / floor).toFixed(3)}× (goal ≥ 0.5×)`)
    console.log(`RSS: idle ${idle.toFixed(0)} MB, peak during the import ${peak.toFixed(0)} MB (+${(peak - idle).toFixed(0)} MB; goal < 150 MB above idle)`)
  } finally {
    await stopServer(server.child)
    await rm(dataDir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
