// The generated appointments client, used the way a frontend uses it: installed in its own TypeScript project.
import assert from 'node:assert/strict'
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { buildClientPackage } from '../../src/client/package.js'
import { loadBlueprint } from '../../src/blueprints/index.js'
import { launchChromium, startServer, tempDir, type TestServer } from '../helpers.js'
import { build } from 'esbuild'
import { app, browser, mistakes } from './consumer-sources.js'
import { compileErrors, createConsumer, type Consumer } from './consumer.js'

describe('the generated appointments client', function () {
  this.timeout(60_000)
  let root: string
  let packageDir: string
  let consumer: Consumer

  before(async () => {
    root = await tempDir('quillbase-client-')
    packageDir = path.join(root, 'build', 'appointments')
    await buildClientPackage(await loadBlueprint('appointments'), packageDir)
    consumer = await createConsumer(path.join(root, 'consumer'), packageDir)
    await consumer.write('app.ts', app)
    await consumer.write('browser.ts', browser)
    // The ten-line frontend of docs/client.md compiles too, so the docs cannot drift from the client.
    const docs = await readFile('docs/client.md', 'utf8')
    await consumer.write('docs-example.ts', /```ts\n([\s\S]*?)```/.exec(docs)![1])
  })
  after(() => rm(root, { recursive: true, force: true }))

  it('is an ESM package with types, its dependencies pinned to the versions we run', async () => {
    const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8'))
    assert.equal(manifest.name, '@quillbase/client-appointments')
    assert.equal(manifest.type, 'module')
    assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', default: './index.js' })
    for (const [name, version] of Object.entries(manifest.dependencies)) assert.equal(version, lock.packages[`node_modules/${name}`].version, name)
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), [
      '@feathersjs/authentication-client',
      '@feathersjs/feathers',
      '@feathersjs/rest-client',
      '@feathersjs/socketio-client',
      'socket.io-client'
    ])
  })

  it('compiles in a strict consumer project (tsc --noEmit, library declarations checked too)', async () => {
    const { code, output } = await consumer.typecheck()
    assert.equal(code, 0, output)
  })

  describe('a consumer that gets a type wrong', () => {
    let errors: ReturnType<typeof compileErrors>
    before(async () => {
      const wrong = await createConsumer(path.join(root, 'wrong'), packageDir, { skipLibCheck: true })
      for (const [name, { source }] of Object.entries(mistakes)) await wrong.write(name, source)
      const { code, output } = await wrong.typecheck()
      assert.notEqual(code, 0, 'the mistakes compiled')
      errors = compileErrors(output)
    })

    for (const [name, { code, text }] of Object.entries(mistakes)) {
      it(`fails to compile: ${name.replace(/\.ts$/, '').replace(/-/g, ' ')}`, () => {
        const found = errors.filter((e) => e.file === name)
        assert.equal(found.length, 1, `expected one error in ${name}, got: ${JSON.stringify(found, null, 2)}`)
        assert.equal(found[0].code, code, found[0].message)
        assert.match(found[0].message, text)
      })
    }
  })

  describe('at runtime, against a running server', () => {
    let server: TestServer
    let report: Record<string, any>
    before(async () => {
      server = await startServer('appointments')
      report = JSON.parse(await consumer.run('app.ts', { QUILLBASE_URL: server.url }))
    })
    after(() => server?.close())

    it('logs in over REST', () => assert.equal(report.restUser, 'Maria Manager'))
    it('creates, reads, finds with operators and patches over REST', () => {
      assert.deepEqual(report.restCreated, { status: 'Scheduled', attendees: 2 })
      assert.equal(report.restGet, true)
      assert.deepEqual(report.restFind, { total: 1, limit: 5, found: true })
      assert.equal(report.restPatch.moved, true)
    })
    it('patches only the fields it sends (defaults are for create)', () => assert.deepEqual(report.restPatch.attendees, ['Accepted']))
    it('receives a realtime event over Socket.io for a record created over REST', () => assert.equal(report.realtimeCreated.length, 2))
    it('calls a declared action over REST', () => assert.equal(report.restAction, 'Declined'))
    it("reads a record's history through the typed audit-log service", () => assert.deepEqual(report.auditHistory, { methods: ['create', 'respond', 'patch'], moved: true }))
    it('calls a declared action over Socket.io and hears the change', () => {
      assert.equal(report.socketAction, 'Accepted')
      assert.equal(report.realtimePatched, 'Accepted')
    })
    it('gets Feathers errors back', () => {
      assert.deepEqual(report.restRemove, { name: 'Forbidden', code: 403 })
      assert.deepEqual(report.restActionRefused, { name: 'Forbidden', code: 403 })
    })
    it('creates, patches, updates, finds and removes over Socket.io', () => {
      assert.deepEqual(report.socketCrud, { created: 'Scheduled', patched: 'Cancelled', updated: 'Scheduled', found: 2, gone: true })
      assert.equal(report.realtimeRemoved, true)
    })
    it('asks for a password recovery through the typed account service', () => assert.match(String(report.recovery), /If an account has this e-mail address/))
    it('re-authenticates with the stored token, and not after logout', () => {
      assert.equal(report.reAuthenticated, 'maria@example.com')
      assert.equal(report.afterLogout, 'NotAuthenticated')
    })
  })

  describe('in a browser', () => {
    let server: TestServer
    let result: Record<string, any>
    const requested: string[] = []
    before(async () => {
      server = await startServer('appointments')
      // Bundled as a frontend build would; esbuild is what tsx runs on, so it is already installed.
      const bundle = path.join(consumer.dir, 'browser.js')
      await build({ entryPoints: [path.join(consumer.dir, 'src', 'browser.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: bundle, logLevel: 'silent' })
      const chrome = await launchChromium()
      try {
        const page = await chrome.newPage()
        page.on('request', (req) => requested.push(req.url()))
        const errors: string[] = []
        page.on('pageerror', (error) => errors.push(error.message))
        // A page of the server's origin, as a frontend served beside the API would be.
        await page.route(`${server.url}/frontend`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>frontend</title>' }))
        await page.goto(`${server.url}/frontend`)
        await page.addScriptTag({ content: await readFile(bundle, 'utf8'), type: 'module' })
        await page.waitForFunction(() => (window as any).quillbaseResult || null, null, { timeout: 10_000 }).catch(() => {})
        result = await page.evaluate(() => (window as any).quillbaseResult)
        assert.ok(result, `the frontend did not finish: ${errors.join('; ')}`)
      } finally {
        await chrome.close()
      }
    })
    after(() => server?.close())

    it('logs in over fetch and keeps the token in localStorage', () => {
      assert.equal(result.user, 'Maria Manager')
      assert.equal(result.tokenStored, true)
      assert.equal(result.restFind, 1)
    })
    it('re-authenticates a Socket.io client with the stored token', () => {
      assert.equal(result.reAuthenticated, 'maria@example.com')
      assert.equal(result.socketFind, 2)
    })
    it('talks to nothing but its server', () => {
      assert.deepEqual(requested.filter((url) => !url.startsWith(server.url)), [])
    })
  })
})
