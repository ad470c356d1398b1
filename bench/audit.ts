// What the audit log costs a write: create and patch of appointments over HTTP (a Manager, 10 connections) on a
// server with the audit log and on one without (AUDIT=false). Both servers run side by side for the whole run and take
// turns: each round measures every route on both, in alternating order (on, off, then off, on), so a drift of the
// machine's load falls on both alike; the figure is the median of the rounds' on / off ratios, with their range.
// Goal: a write no more than 15% slower. Usage: npm run bench:audit [-- --seconds 3 --rounds 6]
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { cpuSeconds, login, startServer, stopServer, type ChildServer } from './child.js'

const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}
const seconds = option('seconds', 3)
const rounds = option('rounds', 6)

type Route = 'create' | 'patch'
const ROUTES: Route[] = ['create', 'patch']

interface Target {
  server: ChildServer
  dataDir: string
  headers: Record<string, string>
  body: string
  recordId: string
}

async function prepare(audit: boolean): Promise<Target> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quillbase-audit-'))
  const server = await startServer(dataDir, 'appointments', { AUDIT: String(audit), DATA_SYNC: 'normal' })
  const token = await login(server.base, 'maria@example.com')
  const me = await (await fetch(`${server.base}/authentication`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ strategy: 'jwt', accessToken: token.slice(7) }) })).json()
  const body = JSON.stringify({ ManagerId: me.user._id, AppointedDate: '2031-01-01T09:00:00.000Z', Attendees: [] })
  const headers = { authorization: token, 'content-type': 'application/json' }
  const record = await (await fetch(`${server.base}/appointments`, { method: 'POST', headers, body })).json()
  return { server, dataDir, headers, body, recordId: record._id }
}

let minute = 0
/** Requests per second of one route on one server for `duration` seconds, and the server's CPU time per request. */
async function measure(target: Target, route: Route, duration: number) {
  const { server, headers, body, recordId } = target
  const cpu = cpuSeconds(server.child.pid!)
  const result = route === 'create'
    ? await autocannon({ url: `${server.base}/appointments`, method: 'POST', body, headers, connections: 10, duration })
    : await autocannon({
      url: `${server.base}/appointments/${recordId}`, connections: 10, duration,
      requests: [{ method: 'PATCH', headers, setupRequest: (request: any) => ({ ...request, body: JSON.stringify({ AppointedDate: new Date(Date.UTC(2031, 0, 1) + ++minute * 60_000).toISOString() }) }) }]
    })
  if (result.non2xx || result.errors) throw new Error(`${route}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
  return { rate: result.requests.average, cpu: ((cpuSeconds(server.child.pid!) - cpu) / result.requests.total) * 1e6 }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

async function main() {
  console.log(`quillbase bench:audit: ${rounds} rounds of ${seconds}s per route and server, the two servers side by side, DATA_SYNC=normal (so that fsync does not hide the difference)`)
  const on = await prepare(true)
  const off = await prepare(false)
  try {
    // Warm-up on both (JIT, caches, the first pages of the tables), not counted.
    for (const target of [on, off]) for (const route of ROUTES) await measure(target, route, 1)
    type Sample = { rate: number; cpu: number }
    const samples: Record<Route, { on: Sample[]; off: Sample[] }> = { create: { on: [], off: [] }, patch: { on: [], off: [] } }
    for (let round = 0; round < rounds; round++) {
      for (const route of ROUTES) {
        const order: [boolean, Target][] = round % 2 ? [[false, off], [true, on]] : [[true, on], [false, off]]
        for (const [audited, target] of order) samples[route][audited ? 'on' : 'off'].push(await measure(target, route, seconds))
      }
    }
    const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}×`
    console.log('route'.padEnd(8), 'req/s on'.padStart(9), 'off'.padStart(6), 'on / off'.padStart(9), 'rounds'.padStart(11), '  server CPU µs/req on', 'off'.padStart(5), 'off / on'.padStart(9), 'rounds'.padStart(11))
    for (const route of ROUTES) {
      const { on: audited, off: plain } = samples[route]
      const rates = audited.map((sample, round) => sample.rate / plain[round].rate)
      // CPU per request, as a speed ratio (off / on): what the audit costs the server, whatever else the machine runs.
      const cpus = audited.map((sample, round) => plain[round].cpu / sample.cpu)
      console.log(
        route.padEnd(8),
        median(audited.map((s) => s.rate)).toFixed(0).padStart(9),
        median(plain.map((s) => s.rate)).toFixed(0).padStart(6),
        `${median(rates).toFixed(2)}×`.padStart(9),
        range(rates).padStart(11),
        median(audited.map((s) => s.cpu)).toFixed(0).padStart(23),
        median(plain.map((s) => s.cpu)).toFixed(0).padStart(5),
        `${median(cpus).toFixed(2)}×`.padStart(9),
        range(cpus).padStart(11)
      )
      console.log(`  per round, req/s on/off: ${audited.map((sample, round) => `${sample.rate.toFixed(0)}/${plain[round].rate.toFixed(0)}`).join(' ')}`)
    }
    console.log('ratios: medians of the rounds. Goal: on / off ≥ 0.85× (a write at most 15% slower)')
  } finally {
    for (const target of [on, off]) {
      await stopServer(target.server.child)
      await rm(target.dataDir, { recursive: true, force: true })
    }
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
