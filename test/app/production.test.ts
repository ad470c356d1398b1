// `npm run build`, then `NODE_ENV=production npm start`: the compiled server, AdminJS's production bundles under
// fingerprinted URLs kept a year, compressed (brotli or gzip, as the client accepts), pages and API answers revalidated.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { Browser } from 'playwright-core'
import { NPM_START, startServer, type ChildServer } from '../../bench/child.js'
import { fingerprintOf, IMMUTABLE } from '../../src/services/assets.js'
import { panelDriver } from '../admin/browser.js'
import { launchChromium, tempDir, type TestServer } from '../helpers.js'

const resolve = createRequire(import.meta.url).resolve
const APP_BUNDLE = 'node_modules/adminjs/lib/frontend/assets/scripts/app-bundle.production.js'
const SWAGGER_UI_BUNDLE = path.join(path.dirname(resolve('swagger-ui-dist/package.json')), 'swagger-ui-bundle.js')

/** A GET over node:http, which (unlike fetch) leaves the body as sent: compressed bytes and their Content-Encoding. */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((done, fail) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
      })
      .on('error', fail)
  })
}

const decoded = (response: { headers: http.IncomingHttpHeaders; body: Buffer }) =>
  response.headers['content-encoding'] === 'br'
    ? zlib.brotliDecompressSync(response.body)
    : response.headers['content-encoding'] === 'gzip'
      ? zlib.gunzipSync(response.body)
      : response.body

describe('production: npm run build, then NODE_ENV=production npm start', function () {
  this.timeout(60_000)
  let server: ChildServer
  let browser: Browser
  let scripts: Record<string, string>

  before(async function () {
    // The build compiles with tsc and compresses about 5 MB at the highest levels: most of this test's time.
    this.timeout(240_000)
    await promisify(execFile)('npm', ['run', '--silent', 'build'])
    server = await startServer(await tempDir(), 'appointments', { NODE_ENV: 'production', DEMO: 'true' }, NPM_START)
    const page = (await get(`${server.base}/admin/login`)).body.toString()
    scripts = Object.fromEntries([...page.matchAll(/src="(\/admin\/frontend\/assets\/[^"]+\/([\w.-]+\.js))"/g)].map((match) => [match[2], match[1]]))
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    if (server) {
      const exited = new Promise((done) => server.child.once('exit', done))
      server.child.kill('SIGTERM')
      assert.equal(await exited, 0, 'a graceful stop')
    }
  })

  it('prints where the API, the panel and the docs are, and the demo logins', () => {
    const port = new URL(server.base).port
    const output = server.output()
    assert.match(output, /production mode \(the build\)/)
    for (const url of [`API http://localhost:${port}/ `, `admin http://localhost:${port}/admin `, `docs http://localhost:${port}/docs`]) assert.ok(output.includes(url), `${url} in ${output}`)
    assert.match(output, /demo data .*password "quillbase-demo" for admin@example\.com \(Admin\), maria@example\.com \(Manager\)/)
  })

  it('answers /health, and revalidates pages and API answers (no-cache)', async () => {
    const health = await get(`${server.base}/health`)
    assert.equal(health.status, 200)
    assert.equal(health.headers['cache-control'], 'no-cache')
    const refused = await get(`${server.base}/appointments`)
    assert.equal(refused.status, 401)
    assert.equal(refused.headers['cache-control'], 'no-cache')
    const login = await get(`${server.base}/admin/login`, { 'accept-encoding': 'gzip, deflate, br' })
    assert.equal(login.headers['cache-control'], 'no-cache')
    assert.equal(login.headers['content-encoding'], 'br')
    assert.match(decoded(login).toString(), /<!DOCTYPE html>/)
  })

  it("links AdminJS's production bundles under content-hash URLs, kept a year and compressed", async () => {
    assert.deepEqual(Object.keys(scripts).sort(), ['app.bundle.js', 'components.bundle.js', 'design-system.bundle.js', 'global.bundle.js'])
    const production = readFileSync(APP_BUNDLE)
    assert.equal(scripts['app.bundle.js'], `/admin/frontend/assets/v-${fingerprintOf(production)}/app.bundle.js`)
    for (const [accept, encoding] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip'], ['', undefined]] as const) {
      const bundle = await get(`${server.base}${scripts['app.bundle.js']}`, accept ? { 'accept-encoding': accept } : {})
      assert.equal(bundle.status, 200)
      assert.equal(bundle.headers['cache-control'], IMMUTABLE)
      assert.equal(bundle.headers['content-encoding'], encoding, accept)
      assert.match(bundle.headers.vary ?? '', /Accept-Encoding/)
      assert.ok(decoded(bundle).equals(production), `the production bundle, ${accept || 'uncompressed'}`)
      if (encoding) assert.ok(bundle.body.length < production.length / 2, `${encoding}: ${bundle.body.length} of ${production.length} bytes`)
    }
    const components = await get(`${server.base}${scripts['components.bundle.js']}`)
    assert.equal(components.body.toString(), readFileSync('build/src/admin/components.bundle.js', 'utf8'), 'the bundle npm run build minified')
  })

  it('revalidates an asset asked for under an old hash or none', async () => {
    for (const url of ['/admin/frontend/assets/v-0000000000000000/app.bundle.js', '/admin/frontend/assets/app.bundle.js']) {
      const res = await get(`${server.base}${url}`)
      assert.equal(res.status, 200, url)
      assert.notEqual(res.headers['cache-control'], IMMUTABLE, url)
    }
  })

  it("serves /docs with Swagger UI's files under content-hash URLs, kept a year", async () => {
    const page = (await get(`${server.base}/docs/`)).body.toString()
    const bundle = /src="\.\/(v-[\w-]+\/swagger-ui-bundle\.js)"/.exec(page)?.[1]
    assert.ok(bundle, page)
    const res = await get(`${server.base}/docs/${bundle}`, { 'accept-encoding': 'br' })
    assert.equal(res.headers['cache-control'], IMMUTABLE)
    assert.equal(res.headers['content-encoding'], 'br')
    assert.ok(decoded(res).equals(readFileSync(SWAGGER_UI_BUNDLE)))
  })

  it('logs in to the panel and draws the dashboard in Chromium with the production bundles', async () => {
    const panel = panelDriver(() => ({ url: server.base }) as TestServer, () => browser)
    const page = await panel.logIn('admin@example.com')
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.locator('[data-testid="count-appointments"]').waitFor()
    assert.match(await page.locator('[data-testid="count-appointments"]').innerText(), /4\s*records/)
    assert.deepEqual(errors, [])
    await page.context().close()
  })
})
