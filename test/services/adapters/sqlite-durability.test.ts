// Crash safety and one owner, with real processes: kill -9 mid-stream loses no acknowledged write; a second instance is refused.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { EmbeddedStore } from '../../../src/services/store.js'
import { login, request, startServer, tempDir } from '../../helpers.js'

interface Child {
  process: ChildProcess
  url: Promise<string>
  exited: Promise<{ code: number | null; signal: string | null; output: string }>
}

/** `npm start`'s entry in a child process on `dataDir`, on a free port. */
function spawnServer(dataDir: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', DATA_DIR: dataDir, DEMO: 'true' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk
      const found = output.match(/API (http:\/\/[^\s/]+)/)
      if (found) resolve(found[1].replace('localhost', '127.0.0.1'))
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.once('exit', () => reject(new Error(`the server exited before listening: ${output}`)))
  })
  const exited = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, output }))
  )
  url.catch(() => {})
  return { process: child, url, exited }
}

/** Waits until the first start's seeding is done (`/health` 200). */
async function ready(url: string) {
  for (;;) {
    const res = await fetch(`${url}/health`).catch(() => undefined)
    if (res?.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('the embedded store across processes', function () {
  this.timeout(120_000)

  it('a second instance on the same DATA_DIR refuses to start and says what to do; after the first stops, it starts', async () => {
    const dataDir = await tempDir()
    const first = spawnServer(dataDir)
    try {
      await ready(await first.url)
      const second = spawnServer(dataDir)
      const { code, output } = await second.exited
      assert.equal(code, 1)
      assert.match(output, /in use by another quillbase process\. Stop that process first, or give this one its own DATA_DIR/)
      assert.throws(() => new EmbeddedStore({ dataDir }), /in use by another quillbase process/, 'refused in the same way in-process')
    } finally {
      first.process.kill('SIGTERM')
      await first.exited
    }
    const store = new EmbeddedStore({ dataDir })
    await store.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('every acknowledged write survives kill -9 mid-stream; the next start needs no repair', async () => {
    const dataDir = await tempDir()
    const child = spawnServer(dataDir)
    const url = await child.url
    await ready(url)
    const { accessToken, user } = await login(url, 'admin@example.com', 'quillbase-demo')
    const acknowledged = new Set<string>()
    let killed = false
    const writer = async (lane: number) => {
      for (let i = 0; ; i++) {
        const body = { ManagerId: user._id, AppointedDate: new Date(Date.UTC(2031, 0, 1, lane, i)).toISOString(), Attendees: [] }
        const res = await request(url, 'POST', '/appointments', { token: accessToken, body }).catch(() => undefined)
        if (res && res.status >= 200 && res.status < 300) acknowledged.add(res.body._id)
        // Kill once enough writes are acknowledged, while the other lanes still have requests in flight.
        if (!killed && acknowledged.size >= 120) {
          killed = true
          child.process.kill('SIGKILL')
        }
        // After the kill every lane stops at its first refused request.
        if (killed && !res) return
      }
    }
    await Promise.all(Array.from({ length: 6 }, (_, lane) => writer(lane)))
    const { signal } = await child.exited
    assert.equal(signal, 'SIGKILL')
    assert.ok(acknowledged.size >= 120)

    const server = await startServer('appointments', { dataDir })
    try {
      const stored = (await (server.app.service('appointments') as any)._find({ paginate: false, query: { _id: { $in: [...acknowledged] } } })) as any[]
      assert.equal(stored.length, acknowledged.size, 'every acknowledged appointment is stored')
    } finally {
      await server.close()
    }
  })
})
