// CORS_ORIGINS in a real browser: a page served from another origin logs in over REST, then authenticates a
// Socket.io connection (its polling handshake is cross-origin too) and hears an event; an origin not listed gets nothing.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { DEMO_PASSWORD } from '../../src/blueprints/appointments/demo.js'
import { parseOrigins } from '../../src/services/cors.js'
import { launchChromium, request, startServer, type TestServer } from '../helpers.js'

/** A page on its own origin that talks to the API the way a frontend does: fetch for REST, the Socket.io client for realtime. */
function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body><script>
    window.tryApi = async (api, email, password) => {
      const steps = {}
      try {
        const res = await fetch(api + '/authentication', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ strategy: 'local', email, password }) })
        const { accessToken } = await res.json()
        steps.rest = res.status
        const list = await fetch(api + '/appointments', { headers: { authorization: 'Bearer ' + accessToken } })
        steps.authorized = list.status
        await new Promise((resolve, reject) => {
          const script = document.createElement('script')
          script.src = api + '/socket.io/socket.io.js'
          script.onload = resolve
          script.onerror = () => reject(new Error('no socket.io client'))
          document.head.append(script)
        })
        // Polling first, as the client does by default: the handshake is a cross-origin XHR.
        const socket = io(api, { transports: ['polling'], reconnection: false, timeout: 5000 })
        window.heard = []
        socket.onAny((name, data) => window.heard.push(name))
        await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject) })
        await new Promise((resolve, reject) => socket.emit('create', 'authentication', { strategy: 'jwt', accessToken }, (error) => (error ? reject(error) : resolve())))
        steps.socket = 'authenticated'
      } catch (error) {
        steps.error = String(error && error.message || error)
      }
      return steps
    }
  </script></body></html>`
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html))
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      // `localhost` and `127.0.0.1` are different origins; the API is reached on 127.0.0.1.
      resolve({ origin: `http://localhost:${port}`, close: () => new Promise((done) => server.close(() => done())) })
    })
  )
}

describe('CORS_ORIGINS', function () {
  this.timeout(60_000)
  let browser: Browser
  let page: Awaited<ReturnType<typeof pageServer>>

  before(async () => {
    page = await pageServer()
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await page?.close()
  })

  const visit = async (server: TestServer) => {
    const tab = await browser.newPage()
    await tab.goto(page.origin)
    const steps = await tab.evaluate(([api, password]) => (window as any).tryApi(api, 'maria@example.com', password), [server.url, DEMO_PASSWORD])
    return { tab, steps }
  }

  describe('with the page origin listed', () => {
    let server: TestServer
    before(async () => (server = await startServer('appointments', { corsOrigins: ['https://other.example.com', page.origin] })))
    after(async () => server?.close())

    it('lets a page on that origin log in, call REST with its token and authenticate a polling Socket.io connection that hears events', async () => {
      const { tab, steps } = await visit(server)
      assert.deepEqual(steps, { rest: 201, authorized: 200, socket: 'authenticated' })
      const { user } = (await request(server.url, 'POST', '/authentication', { body: { strategy: 'local', email: 'maria@example.com', password: DEMO_PASSWORD } })).body
      await server.app.service('appointments').create({ ManagerId: user._id, AppointedDate: '2031-05-01T09:00:00.000Z', Attendees: [] })
      await tab.waitForFunction(() => (window as any).heard.includes('appointments created'), undefined, { timeout: 10_000 })
      await tab.close()
    })
  })

  describe('with only other origins listed', () => {
    let server: TestServer
    before(async () => (server = await startServer('appointments', { corsOrigins: ['https://other.example.com'] })))
    after(async () => server?.close())

    it('gives a page on an unlisted origin neither REST nor realtime', async () => {
      const { tab, steps } = await visit(server)
      assert.equal(steps.rest, undefined)
      assert.match(steps.error, /fetch/i)
      await tab.close()
    })

    it('answers no CORS headers to an unlisted origin, on REST and on the Socket.io handshake', async () => {
      const rest = await fetch(`${server.url}/appointments`, { method: 'OPTIONS', headers: { origin: page.origin, 'access-control-request-method': 'GET' } })
      assert.equal(rest.headers.get('access-control-allow-origin'), null)
      const handshake = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: page.origin } })
      assert.equal(handshake.headers.get('access-control-allow-origin'), null)
      const listed = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://other.example.com' } })
      assert.equal(listed.headers.get('access-control-allow-origin'), 'https://other.example.com')
    })
  })

  it('reads a list, `*` or nothing, and names a value that is not an origin', () => {
    assert.deepEqual(parseOrigins('https://a.example.com, http://localhost:5173'), ['https://a.example.com', 'http://localhost:5173'])
    assert.equal(parseOrigins(' * '), '*')
    assert.deepEqual(parseOrigins(''), [])
    assert.throws(() => parseOrigins('https://a.example.com/'), /write it as https:\/\/a\.example\.com/)
    assert.throws(() => parseOrigins('a.example.com'), /not an origin/)
  })
})
