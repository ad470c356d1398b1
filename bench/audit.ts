// What the audit log costs a write: create and patch of appointments over HTTP (a Manager, 10 connections) on a
// server with the audit log and on one without (AUDIT=false), alternated three times; medians and the ratio.
// Goal: a write no more than 15% slower. Usage: npm run bench:audit [-- --seconds 5]
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { login, startServer, stopServer } from './child.js'

const index = process.argv.indexOf('--seconds')
const seconds = index > 0 ? Number(process.argv[index + 1]) : 5

async function measure(audit: boolean) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quillbase-audit-'))
  const server = await startServer(dataDir, 'appointments', { AUDIT: String(audit), DATA_SYNC: 'normal' })
  try {
    const token = await login(server.base, 'maria@example.com')
    const me = await (await fetch(`${server.base}/authentication`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ strategy: 'jwt', accessToken: token.slice(7) }) })).json()
    const body = JSON.stringify({ ManagerId: me.user._id, AppointedDate: '2031-01-01T09:00:00.000Z', Attendees: [] })
    const headers = { authorization: token, 'content-type': 'application/json' }
    const create = await autocannon({ url: `${server.base}/appointments`, method: 'POST', body, headers, connections: 10, duration: seconds })
    const [record] = (await (await fetch(`${server.base}/appointments?$limit=1`, { headers })).json()).data
    let n = 0
    const patch = await autocannon({
      url: `${server.base}/appointments/${record._id}`, connections: 10, duration: seconds,
      requests: [{ method: 'PATCH', headers, setupRequest: (request: any) => ({ ...request, body: JSON.stringify({ AppointedDate: new Date(Date.UTC(2031, 0, 1) + ++n * 60_000).toISOString() }) }) }]
    })
    for (const result of [create, patch]) if (result.non2xx) throw new Error(`${result.non2xx} non-2xx responses`)
    return { create: create.requests.average, patch: patch.requests.average }
  } finally {
    await stopServer(server.child)
    await rm(dataDir, { recursive: true, force: true })
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function main() {
  console.log(`quillbase bench:audit: ${seconds}s per route, DATA_SYNC=normal (so that fsync does not hide the difference)`)
  const runs: Record<'on' | 'off', { create: number; patch: number }[]> = { on: [], off: [] }
  for (let i = 0; i < 3; i++) {
    runs.on.push(await measure(true))
    runs.off.push(await measure(false))
  }
  console.log('route'.padEnd(10), 'audit on'.padStart(10), 'audit off'.padStart(10), 'on / off'.padStart(10))
  for (const route of ['create', 'patch'] as const) {
    const on = median(runs.on.map((r) => r[route]))
    const off = median(runs.off.map((r) => r[route]))
    console.log(route.padEnd(10), on.toFixed(0).padStart(10), off.toFixed(0).padStart(10), `${(on / off).toFixed(2)}×`.padStart(10))
  }
  console.log('goal: on / off ≥ 0.85× (a write at most 15% slower)')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
