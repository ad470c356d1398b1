// /docs: Swagger UI from the installed swagger-ui-dist, loading in a real browser without a request leaving this machine.
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, login, request, startServer, type TestServer } from '../helpers.js'

const DEMO_PASSWORD = 'quillbase-demo'

/** Opens an operation, presses "Try it out" and "Execute" as Swagger UI offers them, and answers the status it shows. */
async function tryItOut(page: Page, tag: string, operationId: string, path: Record<string, string> = {}) {
  const operation = page.locator(`#operations-${tag}-${operationId}`)
  await operation.locator('.opblock-summary').click()
  await operation.locator('.try-out__btn').click()
  for (const [name, value] of Object.entries(path)) await operation.locator(`tr[data-param-name="${name}"] input`).fill(value)
  await operation.locator('.execute').click()
  const status = operation.locator('.live-responses-table .response .response-col_status')
  await status.waitFor({ timeout: 15_000 })
  const url = await operation.locator('.request-url pre').textContent()
  return { status: Number((await status.textContent())?.trim()), url: decodeURIComponent(url ?? '') }
}

/** Swagger UI's "Authorize" dialog, with a bearer token. */
async function authorize(page: Page, token: string) {
  await page.locator('.auth-wrapper .authorize').click()
  await page.locator('#auth-bearer-value').fill(token)
  await page.locator('.modal-ux .auth-btn-wrapper .authorize').click()
  await page.locator('.modal-ux .btn-done').click()
}

describe('the API docs at /docs', function () {
  this.timeout(30_000)
  let server: TestServer
  let browser: Browser

  before(async () => {
    server = await startServer('appointments', { demo: true })
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
    const started = Date.now()
    await page.goto(`${server.url}/docs`)
    await page.waitForSelector('.opblock-summary', { timeout: 15_000 })
    // Printed, not asserted: wall-clock time depends on the machine's load.
    console.log(`      /docs: operations painted after ${Date.now() - started} ms (document ${(await request(server.url, 'GET', '/openapi.json')).headers.get('content-length') ?? '?'} bytes)`)
    await page.waitForLoadState('networkidle')
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
    const expected = Object.values<any>(document.paths).reduce((n, item) => n + Object.keys(item).filter((k) => ['get', 'head', 'put', 'post', 'patch', 'delete'].includes(k)).length, 0)
    assert.equal(operations, expected)
  })

  it('answers "Try it out" with what Swagger UI pre-fills, never a 400', async function () {
    this.timeout(90_000)
    const document = (await request(server.url, 'GET', '/openapi.json')).body
    const admin = await login(server.url, 'admin@example.com', DEMO_PASSWORD)
    const [appointment] = (await request(server.url, 'GET', '/appointments?$limit=1', { token: admin.accessToken })).body.data
    const open = async () => {
      const page = await browser.newPage()
      await page.goto(`${server.url}/docs/`)
      await page.waitForSelector('.opblock-summary', { timeout: 15_000 })
      return page
    }

    // Anonymous first: a refusal, not a complaint about the query Swagger UI built.
    const visitor = await open()
    const anonymous = await tryItOut(visitor, 'appointments', 'Appointment_find')
    assert.equal(anonymous.status, 401, anonymous.url)
    await visitor.close()

    const page = await open()
    await authorize(page, admin.accessToken)
    for (const collection of ['appointments', 'users', 'roles', 'bulk-uploads']) {
      const operationId = document.paths[`/${collection}`].get.operationId
      const answer = await tryItOut(page, collection, operationId)
      assert.equal(answer.status, 200, `${operationId}: ${answer.url}`)
      assert.match(answer.url, /\$sort\[_id\]=-1/)
    }
    const get = await tryItOut(page, 'appointments', 'Appointment_get', { id: appointment._id })
    assert.equal(get.status, 200, get.url)
    await page.close()
  })
})
