// Realtime fan-out: time from a service call until every receiver has the event, with per-receiver permission
// filtering and field masking (quillbase) next to a bare Feathers app broadcasting to everybody, same run.
// Usage: npm run bench:realtime [-- --sockets 300 --events 40]
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { feathers } from '@feathersjs/feathers'
import { koa } from '@feathersjs/koa'
import socketio from '@feathersjs/socketio'
import { io, type Socket } from 'socket.io-client'
import { createApp } from '../src/app.js'
import { loadBlueprint } from '../src/blueprints/index.js'
import { DEMO_PASSWORD } from '../src/blueprints/appointments/demo.js'
import { SqliteService } from '../src/services/adapters/sqlite.js'
import { SqliteDatabase } from '../src/services/adapters/sqlite-database.js'

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}
const SOCKETS = arg('sockets', 300)
const EVENTS = arg('events', 40)
const EMAILS = ['admin', 'maria', 'omar', 'dev', 'lin', 'sam'].map((name) => `${name}@example.com`)

async function openSockets(url: string, tokens: string[]) {
  return Promise.all(
    Array.from({ length: SOCKETS }, async (_, i) => {
      const socket: Socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false })
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
      const token = tokens[i % tokens.length]
      if (token) await new Promise((resolve) => socket.emit('create', 'authentication', { strategy: 'jwt', accessToken: token }, resolve))
      return socket
    })
  )
}

/** Creates records one at a time; each is timed until `expected` sockets have it. */
async function measure(sockets: Socket[], create: (i: number) => Promise<any>, expected: number) {
  const times: number[] = []
  for (let i = 0; i < EVENTS; i++) {
    let received = 0
    let done!: () => void
    const all = new Promise<void>((resolve) => (done = resolve))
    const listener = () => ++received === expected && done()
    for (const socket of sockets) socket.on('appointments created', listener)
    const start = performance.now()
    await create(i)
    await all
    times.push(performance.now() - start)
    for (const socket of sockets) socket.off('appointments created', listener)
  }
  times.sort((a, b) => a - b)
  return { p50: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)] }
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quillbase-bench-'))
  const app = await createApp(await loadBlueprint('appointments'), {
    host: 'localhost', port: 0, dataDir, demo: true, bodyLimit: '1mb', jwtExpiresIn: '1h',
    // Off: the bench sends far more than a user would, and measures the fan-out, not the limiter.
    requestsPerUser: 0, requestsPerIp: 0, writesPerUser: 0, writesPerIp: 0
  })
  const server = await app.listen(0)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const users = (await app.service('users').find({ paginate: false })) as any[]
  const id = (email: string) => users.find((u) => u.email === email)._id
  const tokens = await Promise.all(
    EMAILS.map(async (email) => {
      const res = await fetch(`${url}/authentication`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ strategy: 'local', email, password: DEMO_PASSWORD }) })
      return (await res.json()).accessToken as string
    })
  )
  // Maria's appointment with Dev: Admin, Maria and Dev receive it (3 of the 6 users), each masked for themselves.
  const record = (i: number) => ({ ManagerId: id('maria@example.com'), AppointedDate: new Date(Date.UTC(2031, 0, 1 + i)).toISOString(), Attendees: [{ DeveloperId: id('dev@example.com') }] })
  const engineSockets = await openSockets(url, tokens)
  const receivers = engineSockets.filter((_, i) => [0, 1, 3].includes(i % EMAILS.length)).length
  const engine = await measure(engineSockets, (i) => app.service('appointments').create(record(i)), receivers)
  engineSockets.forEach((s) => s.close())

  const bare = koa(feathers())
  bare.configure(socketio())
  bare.use('appointments', new SqliteService({ Model: new SqliteDatabase().collection('appointments') }))
  bare.on('connection', (connection: any) => bare.channel('everybody').join(connection))
  bare.publish(() => bare.channel('everybody'))
  const bareServer = await bare.listen(0)
  const bareSockets = await openSockets(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`, [])
  const reference = await measure(bareSockets, (i) => bare.service('appointments').create(record(i)), SOCKETS)
  bareSockets.forEach((s) => s.close())

  console.log(`quillbase realtime bench: ${SOCKETS} sockets, ${EVENTS} events each\n`)
  console.log('publisher'.padEnd(58), 'receivers'.padStart(9), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8))
  console.log('bare Feathers, broadcast to everybody'.padEnd(58), String(SOCKETS).padStart(9), reference.p50.toFixed(1).padStart(8), reference.p95.toFixed(1).padStart(8))
  console.log('quillbase, per-receiver permission check and field mask'.padEnd(58), String(receivers).padStart(9), engine.p50.toFixed(1).padStart(8), engine.p95.toFixed(1).padStart(8))
  console.log(`\nper-socket cost of filtering (p50): ${(((engine.p50 - reference.p50 * (receivers / SOCKETS)) / SOCKETS) * 1000).toFixed(1)} µs per connected socket (estimate)`)
  await new Promise((resolve) => bareServer.close(resolve))
  await app.shutdown()
  await rm(dataDir, { recursive: true, force: true })
  process.exit(0)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
