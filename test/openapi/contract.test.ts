// What the OpenAPI document promises third-party tools: which operations need a token (from the live anonymous
// role, checked against real anonymous requests), which request fields may be left out, and every status they answer.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { Ajv } from '@feathersjs/schema'
import { createApp, type EngineApp } from '../../src/app.js'
import { loadBlueprint } from '../../src/blueprints/index.js'
import { openApiDocument } from '../../src/openapi/document.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import { Email, Enum, Password, Type, defineCollection } from '../../src/schemas/fields.js'
import { login, request, startServer, tempDir, testSettings, type TestServer } from '../helpers.js'
import { responseValidator } from './responses.js'

const BEARER_ONLY = [{ bearerAuth: [] }]
const OPTIONAL_TOKEN = [{ bearerAuth: [] }, {}]

const library = sanitizeBlueprint({
  name: 'library',
  version: '0.0.1',
  description: 'test blueprint',
  collections: [
    ...rbacCollections,
    defineCollection({ name: 'members', schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Librarian', 'Guest']) }), auth: { roleField: 'role', roleBy: 'name' } }),
    defineCollection({ name: 'books', schema: Type.Object({ title: Type.String(), status: Enum(['shelved', 'lent'], { default: 'shelved' }), tags: Type.Array(Type.String(), { default: [] }) }) }),
    defineCollection({ name: 'shelves', schema: Type.Object({ label: Type.String() }) })
  ],
  permissions: [
    { PermissionName: 'all', Action: 'manage', Subject: 'all' },
    { PermissionName: 'browse-books', Action: 'read', Subject: 'books' },
    { PermissionName: 'browse-shelves', Action: 'read', Subject: 'shelves' }
  ],
  roles: [
    { RoleName: 'Librarian', permissions: ['all'] },
    { RoleName: 'Guest', permissions: ['browse-books'] }
  ],
  adminRole: 'Librarian',
  anonymousRole: 'Guest'
})

const operations = (document: any, path: string) =>
  Object.entries<any>(document.paths[path]).filter(([verb]) => ['get', 'post', 'put', 'patch', 'delete'].includes(verb))

describe('the OpenAPI contract', () => {
  describe('security per operation', () => {
    let app: EngineApp
    let url: string
    let dataDir: string
    const documentNow = async () => (await request(url, 'GET', '/openapi.json')).body

    before(async () => {
      dataDir = await tempDir()
      app = await createApp(library, testSettings({ dataDir, demo: false }))
      url = `http://127.0.0.1:${((await app.listen(0)).address() as AddressInfo).port}`
      await app.service('books').create({ title: 'Dune' })
    })
    after(async () => {
      await app.shutdown()
      await rm(dataDir, { recursive: true, force: true })
    })

    it('lets anonymous callers do what the anonymous role may, and says every other operation needs a token', async () => {
      const document = await documentNow()
      assert.deepEqual(document.security, BEARER_ONLY)
      assert.deepEqual(document.paths['/books'].get.security, OPTIONAL_TOKEN)
      assert.deepEqual(document.paths['/books/{id}'].get.security, OPTIONAL_TOKEN)
      for (const [verb, operation] of [...operations(document, '/books'), ...operations(document, '/books/{id}')]) {
        if (verb !== 'get') assert.deepEqual(operation.security, BEARER_ONLY, `books ${verb}`)
      }
      for (const [verb, operation] of [...operations(document, '/shelves'), ...operations(document, '/shelves/{id}')]) {
        assert.deepEqual(operation.security, BEARER_ONLY, `shelves ${verb}`)
      }
      assert.deepEqual(document.paths['/authentication'].post.security, [])
    })

    it('tells the truth about real anonymous requests', async () => {
      const document = await documentNow()
      for (const collection of ['books', 'shelves', 'members', 'roles']) {
        const res = await request(url, 'GET', `/${collection}`)
        const anonymous = document.paths[`/${collection}`].get.security.some((s: object) => Object.keys(s).length === 0)
        assert.equal(res.status, anonymous ? 200 : 401, collection)
        assert.ok(document.paths[`/${collection}`].get.responses[String(res.status)], `${collection}: ${res.status} documented`)
      }
    })

    it('follows an edit of the anonymous role at once', async () => {
      const [guest] = await app.service('roles').find({ paginate: false, query: { RoleName: 'Guest' } })
      const [mapping] = await app.service('role-permission-mappings').find({ paginate: false, query: { RoleId: guest._id } })
      const [shelves] = await app.service('permissions').find({ paginate: false, query: { PermissionName: 'browse-shelves' } })
      await app.service('role-permission-mappings').patch(mapping._id, { Permission_ids: [...mapping.Permission_ids, shelves._id] })
      assert.equal((await request(url, 'GET', '/shelves')).status, 200)
      const document = await documentNow()
      assert.deepEqual(document.paths['/shelves'].get.security, OPTIONAL_TOKEN)
    })
  })

  describe('request schemas', () => {
    it('do not require a field the server fills with its default', () => {
      const document = openApiDocument(library)
      assert.deepEqual(document.components.schemas.BookData.required, ['title'])
      assert.deepEqual(document.components.schemas.BookPatch.required, undefined)
    })

    it('accept the README example and every blueprint body sent without its defaulted fields', async () => {
      const ajv = new Ajv({ strict: false })
      for (const [name, schemaName, body] of [
        ['appointments', 'AppointmentData', { ManagerId: 'abc', AppointedDate: '2030-01-07T09:00:00Z', Attendees: [] }],
        ['appointments', 'AppointmentData', { ManagerId: 'abc', AppointedDate: '2030-01-07T09:00:00Z' }]
      ] as const) {
        const document = openApiDocument(await loadBlueprint(name))
        const validate = ajv.compile({ ...document.components.schemas[schemaName], $id: undefined })
        assert.ok(validate(body), `${schemaName}: ${ajv.errorsText(validate.errors)}`)
      }
      const society = openApiDocument(await loadBlueprint('society'))
      assert.ok(!society.components.schemas.VisitorEntryData.required.includes('approvalStatus'))
    })
  })

  describe('documented statuses', () => {
    it('include 429 on every operation and 405 for an unknown action', async () => {
      const document = openApiDocument(await loadBlueprint('appointments'))
      for (const [path, item] of Object.entries<any>(document.paths)) {
        if (path === '/health') continue
        for (const [verb, operation] of Object.entries<any>(item)) {
          if (operation?.responses) assert.ok(operation.responses['429'], `${verb} ${path}: 429`)
        }
      }
      assert.ok(document.paths['/appointments'].post.responses['405'])
    })
  })

  describe('every response of a run of real requests', function () {
    this.timeout(60_000)
    let server: TestServer
    let validate: ReturnType<typeof responseValidator>
    const seen = new Map<number, string[]>()

    /** A real request whose response must be one the document describes, body and all. */
    async function call(method: string, pathname: string, options: Parameters<typeof request>[3] = {}) {
      const res = await request(server.url, method, pathname, options)
      validate.response(method, pathname, res)
      seen.set(res.status, [...(seen.get(res.status) ?? []), `${method} ${pathname}`])
      return res
    }

    before(async () => {
      server = await startServer('appointments', { demo: true, loginAttempts: 3, loginWindowSeconds: 60 })
      validate = responseValidator((await request(server.url, 'GET', '/openapi.json')).body)
    })
    after(() => server?.close())

    it('answers every method, role and error status as the document says', async () => {
      const as = async (email: string) => (await call('POST', '/authentication', { body: { strategy: 'local', email, password: 'quillbase-demo' } })).body
      const admin = await as('admin@example.com')
      const maria = await as('maria@example.com')
      const dev = await as('dev@example.com')
      const [lin] = (await call('GET', '/users?email=lin@example.com', { token: admin.accessToken })).body.data

      for (const token of [undefined, admin.accessToken, maria.accessToken, dev.accessToken]) {
        for (const collection of ['appointments', 'users', 'roles', 'permissions', 'bulk-uploads', 'reports']) {
          const page = await call('GET', `/${collection}?$limit=3`, { token })
          if (page.status !== 200) continue
          await call('GET', `/${collection}?$select=_id&$sort[_id]=-1`, { token })
          for (const record of page.body.data) await call('GET', `/${collection}/${record._id}?$select=_id`, { token })
          if (page.body.data[0]) await call('GET', `/${collection}/${page.body.data[0]._id}`, { token })
        }
      }

      // Appointments: every method, as the roles that may and may not.
      const created = await call('POST', '/appointments', { token: maria.accessToken, body: { ManagerId: maria.user._id, AppointedDate: '2031-01-06T09:00:00Z', Attendees: [{ DeveloperId: dev.user._id }] } })
      assert.equal(created.status, 201)
      const id = created.body._id
      await call('POST', '/appointments?$select=Status', { token: maria.accessToken, body: [{ ManagerId: maria.user._id, AppointedDate: '2031-01-07T09:00:00Z' }] })
      await call('POST', '/appointments', { token: dev.accessToken, body: { ManagerId: dev.user._id, AppointedDate: '2031-01-06T09:00:00Z' } })
      await call('POST', '/appointments', { token: maria.accessToken, body: { ManagerId: maria.user._id } })
      await call('POST', '/appointments', { token: admin.accessToken, body: { ManagerId: '000000000000000000000000', AppointedDate: '2031-01-06T09:00:00Z' } })
      await call('PUT', `/appointments/${id}`, { token: maria.accessToken, body: { ManagerId: maria.user._id, AppointedDate: '2031-01-08T09:00:00Z', Attendees: [{ DeveloperId: dev.user._id }] } })
      await call('PATCH', `/appointments/${id}?$select=AppointedDate`, { token: maria.accessToken, body: { AppointedDate: '2031-01-09T09:00:00Z' } })
      await call('PATCH', `/appointments/${id}`, { token: dev.accessToken, body: { AppointedDate: '2031-01-09T09:00:00Z' } })
      await call('POST', '/appointments', { token: dev.accessToken, headers: { 'X-Service-Method': 'respond' }, body: { id, Status: 'Accepted' } })
      await call('POST', '/appointments', { token: dev.accessToken, headers: { 'X-Service-Method': 'teleport' }, body: { id } })
      await call('PATCH', `/appointments?_id=${id}`, { token: maria.accessToken, body: { Status: 'Cancelled' } })
      await call('POST', '/appointments', { token: dev.accessToken, headers: { 'X-Service-Method': 'respond' }, body: { id, Status: 'Declined' } })
      await call('DELETE', `/appointments/${id}`, { token: dev.accessToken })
      await call('DELETE', `/appointments/${id}`, { token: admin.accessToken })
      await call('DELETE', `/appointments/${id}`, { token: admin.accessToken })
      await call('DELETE', `/appointments?Status=Cancelled&ManagerId=${maria.user._id}`, { token: admin.accessToken })
      await call('GET', '/appointments?notAField=1', { token: admin.accessToken })

      // Users: a duplicate, a profile edit, a role change refused, a record still referenced.
      await call('POST', '/users', { token: admin.accessToken, body: { Name: 'Copy', email: 'lin@example.com', password: 'a-long-password', RoleId: lin.RoleId } })
      await call('PATCH', `/users/${dev.user._id}`, { token: dev.accessToken, body: { Name: 'Dev P.' } })
      await call('PATCH', `/users/${dev.user._id}`, { token: dev.accessToken, body: { RoleId: lin.RoleId } })
      await call('DELETE', `/users/${maria.user._id}`, { token: admin.accessToken })
      // Past the collection's record size (64 kB): 413 before validation.
      await call('POST', '/reports', { token: maria.accessToken, raw: JSON.stringify({ padding: 'x'.repeat(70_000) }) })

      // Logging in and out; failed logins until the limit.
      for (let i = 0; i < 4; i++) await call('POST', '/authentication', { body: { strategy: 'local', email: 'sam@example.com', password: 'wrong-password' } })
      await call('POST', '/authentication', { body: { strategy: 'local' } })
      await call('DELETE', '/authentication', { token: dev.accessToken })
      await call('GET', '/appointments', { token: dev.accessToken })
      await call('GET', '/health')

      const statuses = [...seen.keys()].sort()
      for (const status of [200, 201, 400, 401, 403, 404, 405, 409, 413, 422, 429]) {
        assert.ok(seen.has(status), `no request answered ${status}; seen ${JSON.stringify(Object.fromEntries(seen))}`)
      }
      console.log(`      ${[...seen.values()].flat().length} responses validated, statuses ${statuses.join(' ')}`)
    })
  })
})
