// /docs: Swagger UI from the installed swagger-ui-dist, loading in a real browser without a request leaving this machine.
import assert from 'node:assert/strict'
import type { Browser } from 'playwright-core'
import { launchChromium, request, startServer, type TestServer } from '../helpers.js'

describe('the API docs at /docs', function () {
  this.timeout(30_000)
  let server: TestServer
  let browser: Browser

  before(async () => {
    server = await startServer('appointments', { demo: false })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('redirects /docs to /docs/ so relative asset paths work behind a path prefix', async () => {
    const res = await fetch(`${server.url}/docs`, { redirect: 'manual' })
    assert.equal(res.status, 302)
    assert.equal(res.headers.get('location'), 'docs/')
  })

  it('serves only its own files from swagger-ui-dist', async () => {
    assert.equal((await request(server.url, 'GET', '/docs/swagger-ui.css')).status, 200)
    assert.equal((await request(server.url, 'GET', '/docs/package.json')).status, 404)
    assert.equal((await request(server.url, 'GET', '/docs/..%2Fpackage.json')).status, 404)
  })

  it('renders every operation in headless Chromium with no request leaving localhost', async () => {
    const page = await browser.newPage()
    const requested: string[] = []
    page.on('request', (req) => requested.push(req.url()))
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}/docs`, { waitUntil: 'networkidle' })
    await page.waitForSelector('.opblock-summary', { timeout: 15_000 })
    const title = await page.textContent('.info .title')
    const operations = await page.locator('.opblock').count()
    await page.close()

    const origin = new URL(server.url).origin
    const outside = requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))
    assert.deepEqual(outside, [], 'requests leaving localhost')
    assert.ok(requested.includes(`${origin}/openapi.json`), `the document was loaded: ${requested.join(', ')}`)
    assert.deepEqual(errors, [])
    assert.match(title ?? '', /quillbase: appointments/)
    const document = (await request(server.url, 'GET', '/openapi.json')).body
    const expected = Object.values<any>(document.paths).reduce((n, item) => n + Object.keys(item).filter((k) => ['get', 'put', 'post', 'patch', 'delete'].includes(k)).length, 0)
    assert.equal(operations, expected)
  })
})
