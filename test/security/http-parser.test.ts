// Requests that Node's HTTP parser refuses before any middleware runs: a Feathers error in JSON, like every other
// refusal of the API, and the server goes on serving.
import assert from 'node:assert/strict'
import net from 'node:net'
import { request, startServer, type TestServer } from '../helpers.js'

/** Sends raw bytes and reads the whole answer (the server closes the connection after a refusal). */
function raw(url: string, bytes: string): Promise<{ status: number; type: string; body: any }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes))
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head, body] = text.split('\r\n\r\n')
      resolve({ status: Number(head.split(' ')[1]), type: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '', body: body ? JSON.parse(body) : undefined })
    })
  })
}

describe('requests the HTTP parser refuses', function () {
  this.timeout(30_000)
  let server: TestServer
  before(async () => {
    server = await startServer('appointments')
  })
  after(() => server?.close())

  it('a request line over the header limit is a 431 Feathers error in JSON, saying what to do', async () => {
    const statuses = Array.from({ length: 1500 }, (_, i) => `Status[$in][]=S${i}`).join('&')
    const res = await fetch(`${server.url}/appointments?${statuses}`)
    assert.equal(res.status, 431)
    assert.match(res.headers.get('content-type') ?? '', /application\/json/)
    const body = await res.json()
    assert.deepEqual([body.name, body.code, body.className], ['RequestHeaderFieldsTooLarge', 431, 'request-header-fields-too-large'])
    assert.match(body.message, /over 16 kB/)
  })

  it('a malformed request is a 400 Feathers error in JSON', async () => {
    const answer = await raw(server.url, 'GET /appointments HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n')
    assert.equal(answer.status, 400)
    assert.match(answer.type, /application\/json/)
    assert.deepEqual([answer.body.name, answer.body.code], ['BadRequest', 400])
  })

  it('the server goes on answering', async () => {
    assert.equal((await request(server.url, 'GET', '/appointments')).status, 401)
  })
})
