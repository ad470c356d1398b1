// Graceful shutdown of `npm start` on SIGTERM: new connections are refused, a request in flight completes, the realtime
// connections are closed, and the process exits 0 within SHUTDOWN_TIMEOUT_SECONDS (or 1 once it had to cut a request).
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import { NPM_START, startServer, type ChildServer } from '../../bench/child.js'
import { DEMO_PASSWORD } from '../../src/blueprints/appointments/demo.js'
import { connect, tempDir, wait } from '../helpers.js'

const exitOf = (server: ChildServer) =>
  new Promise<number | null>((resolve) => (server.child.exitCode !== null ? resolve(server.child.exitCode) : server.child.once('exit', resolve)))

/** A login whose body is not sent yet: the server has answered `100 Continue`, so its handler is running. */
async function loginInFlight(base: string) {
  const body = JSON.stringify({ strategy: 'local', email: 'maria@example.com', password: DEMO_PASSWORD })
  const url = new URL('/authentication', base)
  const request = http.request(url, {
    method: 'POST',
    agent: new http.Agent({ keepAlive: true }),
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' }
  })
  const response = new Promise<{ status: number; connection?: string; body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }))
    })
    request.on('error', reject)
  })
  await new Promise<void>((resolve) => request.once('continue', resolve))
  return { finish: () => request.end(body), response }
}

/** Resolves once a new TCP connection to the port is refused (the listening socket is closed). */
async function refusedWithin(port: number, ms: number) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(false)))
      socket.once('error', (error: any) => resolve(error.code === 'ECONNREFUSED'))
    })
    if (refused) return true
    await wait(20)
  }
  return false
}

describe('graceful shutdown (npm start, SIGTERM)', function () {
  this.timeout(60_000)
  let server: ChildServer | undefined
  afterEach(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL')
  })

  it('refuses new connections, lets the request in flight finish with its answer, closes sockets, exits 0 in time', async () => {
    const dir = await tempDir()
    server = await startServer(dir, 'appointments', { NODE_ENV: 'development', SHUTDOWN_TIMEOUT_SECONDS: '8' }, NPM_START)
    const port = Number(new URL(server.base).port)
    const { socket } = await connect(server.base)
    let disconnected = false
    socket.on('disconnect', () => (disconnected = true))
    const slow = await loginInFlight(server.base)
    const exited = exitOf(server)

    const signalled = Date.now()
    server.child.kill('SIGTERM')
    assert.ok(await refusedWithin(port, 5000), 'new connections are refused while a request is in flight')
    slow.finish()
    const answer = await slow.response
    assert.equal(answer.status, 201, answer.body)
    assert.ok(JSON.parse(answer.body).accessToken, 'the login completed')
    assert.equal(answer.connection, 'close', 'the draining server tells keep-alive clients to go')
    assert.equal(await exited, 0)
    assert.ok(Date.now() - signalled < 8000, `exited within the timeout (${Date.now() - signalled} ms)`)
    assert.ok(disconnected, 'the Socket.io connection was closed')
    socket.close()
    assert.match(server.output(), /SIGTERM: shutting down, waiting up to 8 s/)
    assert.match(server.output(), /quillbase: stopped\n/)
  })

  it('cuts a request still in flight after SHUTDOWN_TIMEOUT_SECONDS, and exits 1', async () => {
    const dir = await tempDir()
    server = await startServer(dir, 'appointments', { NODE_ENV: 'development', SHUTDOWN_TIMEOUT_SECONDS: '1' }, NPM_START)
    const stuck = await loginInFlight(server.base)
    const cut = stuck.response.then(
      () => 'answered',
      (error) => error.code
    )
    const exited = exitOf(server)
    const signalled = Date.now()
    server.child.kill('SIGTERM')
    assert.equal(await exited, 1)
    const took = Date.now() - signalled
    assert.ok(took >= 1000 && took < 6000, `cut after the timeout (${took} ms)`)
    assert.equal(await cut, 'ECONNRESET')
    assert.match(server.output(), /requests still in flight after 1 s were cut/)
  })
})
