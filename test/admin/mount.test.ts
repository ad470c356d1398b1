// Mounting the panel on the Feathers Koa app, over plain HTTP: routes, login, session, and revocation taking effect at once.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { Filter } from 'adminjs'
import { adminFor } from '../../src/admin/caller.js'
import { FeathersResource } from '../../src/admin/resource.js'
import { login, request, startServer, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

/** Posts the panel's login form (the body is read, so no connection stays busy when the server closes). */
async function postLogin(url: string, email: string, password = PASSWORD) {
  const response = await fetch(`${url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString()
  })
  await response.text()
  return response
}

/** Logs in through the panel's form; resolves with the session cookie, or `undefined` when refused. */
async function panelLogin(url: string, email: string, password = PASSWORD): Promise<string | undefined> {
  const response = await postLogin(url, email, password)
  if (response.status !== 302) return undefined
  return response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ')
}

/** A GET with the panel's cookie; the body is always read, so no connection stays busy when the server closes. */
async function panelGet(url: string, path: string, cookie?: string) {
  const response = await fetch(`${url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

describe('the admin panel mounted on the app', function () {
  this.timeout(20000)
  let server: TestServer

  before(async () => {
    server = await startServer('appointments')
  })
  after(() => server.close())

  it('sends visitors without a session to the login page, and serves it', async () => {
    const response = await panelGet(server.url, '/admin')
    assert.equal(response.status, 302)
    assert.equal(response.headers.get('location'), '/admin/login')
    const page = await panelGet(server.url, '/admin/login')
    assert.equal(page.status, 200)
    assert.match(page.text, /quillbase · appointments/)
  })

  it('serves the frontend bundles without building anything or writing into the working directory', async () => {
    const components = await panelGet(server.url, '/admin/frontend/assets/components.bundle.js')
    assert.equal(components.status, 200)
    assert.match(components.headers.get('content-type') ?? '', /javascript/)
    assert.match(components.text, /AdminJS\.UserComponents\.QuillbaseDashboard = /)
    for (const asset of ['app.bundle.js', 'global.bundle.js', 'design-system.bundle.js']) {
      assert.equal((await panelGet(server.url, `/admin/frontend/assets/${asset}`)).status, 200, asset)
    }
    assert.equal(existsSync('.adminjs'), false)
  })

  it('leaves the API, health and unknown paths as they were', async () => {
    assert.equal((await request(server.url, 'GET', '/health')).status, 200)
    assert.equal((await request(server.url, 'GET', '/appointments')).status, 401)
    const { accessToken } = await login(server.url, 'maria@example.com', PASSWORD)
    const own = await request(server.url, 'GET', '/appointments', { token: accessToken })
    assert.equal(own.status, 200)
    assert.equal(own.body.total, 2)
    const missing = await request(server.url, 'GET', '/admin-not-here')
    assert.equal(missing.status, 404)
    assert.equal(missing.body.name, 'NotFound')
  })

  it('logs in with the same users, with a signed, http-only cookie scoped to the panel', async () => {
    const response = await postLogin(server.url, 'admin@example.com')
    assert.equal(response.status, 302)
    assert.equal(response.headers.get('location'), '/admin')
    const cookies = response.headers.getSetCookie()
    assert.ok(cookies.some((c) => /^quillbase\.admin=/.test(c) && /path=\/admin/.test(c) && /httponly/i.test(c) && /samesite=lax/i.test(c)))
    assert.ok(cookies.some((c) => /^quillbase\.admin\.sig=/.test(c)), 'signed')
    assert.ok(!cookies.join().includes(PASSWORD))
  })

  it('refuses wrong passwords and users without the `access admin` permission', async () => {
    assert.equal(await panelLogin(server.url, 'admin@example.com', 'wrong-password'), undefined)
    assert.equal(await panelLogin(server.url, 'dev@example.com'), undefined)
    assert.equal(await panelLogin(server.url, 'nobody@example.com'), undefined)
    assert.ok(await panelLogin(server.url, 'omar@example.com'), 'managers may enter')
  })

  it('refuses a forged session cookie', async () => {
    const forged = `quillbase.admin=${Buffer.from(JSON.stringify({ adminUser: { id: 'x', email: 'admin@example.com' } })).toString('base64')}`
    const response = await panelGet(server.url, '/admin/api/resources/users/actions/list', forged)
    assert.equal(response.status, 302)
  })

  it('answers panel API calls through the services, as the logged-in user', async () => {
    const cookie = await panelLogin(server.url, 'omar@example.com')
    const response = await panelGet(server.url, '/admin/api/resources/appointments/actions/list', cookie)
    assert.equal(response.status, 200)
    const body: any = response.json()
    assert.equal(body.meta.total, 2)
    const omar = (await server.app.service('users').find({ paginate: false, query: { email: 'omar@example.com' } })) as any[]
    assert.ok(body.records.every((record: any) => record.params.ManagerId === omar[0]._id))
    const dashboard: any = (await panelGet(server.url, '/admin/api/dashboard', cookie)).json()
    assert.deepEqual(dashboard.collections.map((c: any) => c.name), ['users', 'appointments', 'bulk-uploads', 'reports'])
  })

  it('ends open panel sessions when the password changes, as it ends API tokens', async () => {
    const cookie = await panelLogin(server.url, 'maria@example.com')
    assert.equal((await panelGet(server.url, '/admin/api/resources/appointments/actions/list', cookie)).status, 200)
    const [maria] = (await server.app.service('users').find({ paginate: false, query: { email: 'maria@example.com' } })) as any[]
    await server.app.service('users').patch(maria._id, { password: 'maria-new-password' })
    assert.equal((await panelGet(server.url, '/admin/api/resources/appointments/actions/list', cookie)).status, 302)
    const again = await panelLogin(server.url, 'maria@example.com', 'maria-new-password')
    assert.equal((await panelGet(server.url, '/admin/api/resources/appointments/actions/list', again)).status, 200)
    await server.app.service('users').patch(maria._id, { password: PASSWORD })
  })

  it('applies permission changes made in the panel at once, to the API and to open panel sessions', async () => {
    const app = server.app
    const cookie = await panelLogin(server.url, 'maria@example.com')
    assert.equal((await panelGet(server.url, '/admin/api/resources/appointments/actions/list', cookie)).status, 200)
    const maria = await login(server.url, 'maria@example.com', PASSWORD)
    assert.equal((await request(server.url, 'GET', '/appointments', { token: maria.accessToken })).body.total, 2)

    // The admin edits the Manager mapping in the panel: no more "enter-admin", no more "read-own-appointments".
    const [admin] = (await app.service('users').find({ paginate: false, query: { email: 'admin@example.com' } })) as any[]
    const currentAdmin = adminFor(admin, await app.permissions.abilityFor(admin))
    const mappings = new FeathersResource({ app, collection: app.blueprint.collections.find((c) => c.name === 'role-permission-mappings')! })
    const [manager] = await mappings.find(new Filter({ RoleId: maria.user.RoleId }, mappings), {}, { currentAdmin } as any)
    const permissions = (await app.service('permissions').find({ paginate: false })) as any[]
    const revoked = new Set(permissions.filter((p) => ['enter-admin', 'read-own-appointments'].includes(p.PermissionName)).map((p) => p._id))
    const before = manager.get('Permission_ids') as string[]
    const params = { ...manager.params }
    for (const key of Object.keys(params)) if (key.startsWith('Permission_ids.')) delete params[key]
    before.filter((id) => !revoked.has(id)).forEach((id, index) => (params[`Permission_ids.${index}`] = id))
    await mappings.update(manager.id(), params, { currentAdmin } as any)

    // Managers have no other rule to read appointments: the API refuses at once.
    const api = await request(server.url, 'GET', '/appointments', { token: maria.accessToken })
    assert.equal(api.status, 403)
    const panel = await panelGet(server.url, '/admin/api/resources/appointments/actions/list', cookie)
    assert.equal(panel.status, 302, 'the open panel session is sent back to the login page')
    assert.equal(await panelLogin(server.url, 'maria@example.com'), undefined)

    await app.service('role-permission-mappings').patch(manager.id(), { Permission_ids: before })
    assert.ok(await panelLogin(server.url, 'maria@example.com'))
  })
})
