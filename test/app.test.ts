// The app as a whole: health, persistence across restarts, the administrator from env, permissions edited live.
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { DEMO_PASSWORD } from '../src/blueprints/appointments/demo.js'
import { login, request, serverStore, startServer, tempDir, type TestServer } from './helpers.js'

describe('the app', () => {
  describe('health', () => {
    let server: TestServer
    before(async () => (server = await startServer('appointments')))
    after(() => server.close())

    it('answers 200 with a small JSON body', async () => {
      const res = await request(server.url, 'GET', '/health')
      assert.equal(res.status, 200)
      assert.deepEqual(res.body, { status: 'ok', blueprint: 'appointments', version: '1.0.0', store: serverStore === 'embedded' ? 'embedded' : 'mongodb' })
    })
  })

  describe('password hashes', () => {
    it('are made at the configured bcrypt cost, and a hash of another cost still verifies', async () => {
      const dataDir = await tempDir()
      try {
        let server = await startServer('appointments', { dataDir, passwordHashCost: 5 })
        const [admin] = (await (server.app.service('users') as any)._find({ paginate: false, query: { email: 'admin@example.com' } })) as any[]
        assert.match(admin.password, /^\$2[aby]\$05\$/, 'the demo users hashed at cost 5')
        await server.close(false)
        server = await startServer('appointments', { dataDir, passwordHashCost: 6 })
        try {
          assert.ok((await login(server.url, 'admin@example.com', DEMO_PASSWORD)).accessToken, 'a cost-5 hash verifies under cost 6')
        } finally {
          await server.close(false)
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    })

    it('refuses a cost outside 4–15 at start, naming PASSWORD_HASH_COST', async () => {
      for (const passwordHashCost of [3, 16, 7.5, Number.NaN]) {
        await assert.rejects(startServer('appointments', { passwordHashCost }), /PASSWORD_HASH_COST\) must be a whole number from 4 to 15/)
      }
    })
  })

  describe('persistence in DATA_DIR', () => {
    it('keeps records, users and edited permissions across a restart', async () => {
      const dataDir = await tempDir()
      try {
        let server = await startServer('appointments', { dataDir })
        const token = (await login(server.url, 'admin@example.com', DEMO_PASSWORD)).accessToken
        const created = await request(server.url, 'POST', '/roles', { token, body: { RoleName: 'Auditor', Description: 'reads' } })
        assert.equal(created.status, 201)
        const before = await request(server.url, 'GET', '/appointments', { token })
        await server.close(false)

        server = await startServer('appointments', { dataDir })
        try {
          const again = (await login(server.url, 'admin@example.com', DEMO_PASSWORD)).accessToken
          const role = await request(server.url, 'GET', `/roles/${created.body._id}`, { token: again })
          assert.equal(role.status, 200)
          assert.equal(role.body.RoleName, 'Auditor')
          const after = await request(server.url, 'GET', '/appointments', { token: again })
          assert.equal(after.body.total, before.body.total, 'demo data is not seeded twice')
          const tokenStillValid = await request(server.url, 'GET', '/roles', { token })
          assert.equal(tokenStillValid.status, 200, 'the generated JWT secret was kept in DATA_DIR')
        } finally {
          await server.close(false)
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    })
  })

  describe('ADMIN_EMAIL and ADMIN_PASSWORD', () => {
    it('creates the administrator, then resets its password and role on the next start', async () => {
      const dataDir = await tempDir()
      try {
        let server = await startServer('appointments', { dataDir, demo: false, adminEmail: 'boss@example.com', adminPassword: 'first-password' })
        const { accessToken, user } = await login(server.url, 'boss@example.com', 'first-password')
        assert.equal((await request(server.url, 'GET', '/permissions', { token: accessToken })).status, 200)
        const developer = ((await server.app.service('roles').find({ paginate: false })) as any[]).find((r) => r.RoleName === 'Developer')
        await server.app.service('users').patch(user._id, { RoleId: developer._id })
        await server.close(false)

        server = await startServer('appointments', { dataDir, demo: false, adminEmail: 'boss@example.com', adminPassword: 'second-password' })
        try {
          await assert.rejects(login(server.url, 'boss@example.com', 'first-password'))
          const again = await login(server.url, 'boss@example.com', 'second-password')
          assert.equal((await request(server.url, 'GET', '/permissions', { token: again.accessToken })).status, 200)
          const users = (await server.app.service('users').find({ paginate: false })) as any[]
          assert.equal(users.length, 1, 'no demo data when DEMO is off')
        } finally {
          await server.close(false)
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    })
  })

  describe('failed logins', () => {
    let server: TestServer
    before(async () => (server = await startServer('appointments', { loginAttempts: 3, loginWindowSeconds: 60 })))
    after(() => server.close())
    const attempt = (email: string, password: string) => request(server.url, 'POST', '/authentication', { body: { strategy: 'local', email, password } })

    it('are limited per email: past the limit even the right password gets a 429', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await attempt('lin@example.com', 'wrong-password')).status, 401)
      const refused = await attempt('lin@example.com', DEMO_PASSWORD)
      assert.equal(refused.status, 429)
      assert.equal(refused.body.name, 'TooManyRequests')
      assert.ok(refused.body.data.retryAfter > 0)
      assert.equal((await attempt('sam@example.com', DEMO_PASSWORD)).status, 201, 'other accounts are not affected')
    })

    it('are counted alike by the admin panel’s login form and the API', async () => {
      const form = () =>
        fetch(`${server.url}/admin/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email: 'omar@example.com', password: 'wrong-password' }).toString()
        }).then((response) => response.text())
      for (let i = 0; i < 3; i++) await form()
      assert.equal((await attempt('omar@example.com', DEMO_PASSWORD)).status, 429)
    })

    it('start again from zero after a successful login', async () => {
      for (let i = 0; i < 2; i++) await attempt('dev@example.com', 'wrong-password')
      assert.equal((await attempt('dev@example.com', DEMO_PASSWORD)).status, 201)
      for (let i = 0; i < 2; i++) await attempt('dev@example.com', 'wrong-password')
      assert.equal((await attempt('dev@example.com', DEMO_PASSWORD)).status, 201)
    })
  })

  describe('permissions are data', () => {
    let server: TestServer
    let admin: string
    let manager: string
    before(async () => {
      server = await startServer('appointments')
      admin = (await login(server.url, 'admin@example.com', DEMO_PASSWORD)).accessToken
      manager = (await login(server.url, 'maria@example.com', DEMO_PASSWORD)).accessToken
    })
    after(() => server.close())

    const mappingOf = async (roleName: string) => {
      const role = (await request(server.url, 'GET', `/roles?RoleName=${roleName}`, { token: admin })).body.data[0]
      return (await request(server.url, 'GET', `/role-permission-mappings?RoleId=${role._id}`, { token: admin })).body.data[0]
    }

    it('takes away a right as soon as the mapping changes, with no restart', async () => {
      assert.equal((await request(server.url, 'GET', '/appointments', { token: manager })).status, 200)
      const mapping = await mappingOf('Manager')
      const readOwn = (await request(server.url, 'GET', '/permissions?PermissionName=read-own-appointments', { token: admin })).body.data[0]
      const without = mapping.Permission_ids.filter((id: string) => id !== readOwn._id)
      assert.equal((await request(server.url, 'PATCH', `/role-permission-mappings/${mapping._id}`, { token: admin, body: { Permission_ids: without } })).status, 200)
      assert.equal((await request(server.url, 'GET', '/appointments', { token: manager })).status, 403)
      await request(server.url, 'PATCH', `/role-permission-mappings/${mapping._id}`, { token: admin, body: { Permission_ids: mapping.Permission_ids } })
      assert.equal((await request(server.url, 'GET', '/appointments', { token: manager })).status, 200)
    })

    it('applies a new permission with conditions and a field list at once', async () => {
      const permission = await request(server.url, 'POST', '/permissions', {
        token: admin,
        body: { PermissionName: 'read-cancelled-dates', Action: 'read', Subject: 'appointments', Conditions: { Status: 'Cancelled' }, Fields: ['_id', 'AppointedDate', 'Status'] }
      })
      assert.equal(permission.status, 201)
      const mapping = await mappingOf('Manager')
      await request(server.url, 'PATCH', `/role-permission-mappings/${mapping._id}`, { token: admin, body: { Permission_ids: [...mapping.Permission_ids, permission.body._id] } })
      const res = await request(server.url, 'GET', '/appointments?Status=Cancelled', { token: manager })
      assert.equal(res.status, 200)
      const others = res.body.data.filter((a: any) => !('ManagerId' in a))
      assert.ok(others.length > 0, 'cancelled appointments of other managers are now visible')
      for (const appointment of others) assert.deepEqual(Object.keys(appointment).sort(), ['AppointedDate', 'Status', '_id'])
    })

    it('applies a cannot (inverted) rule to queries and single records', async () => {
      const permission = await request(server.url, 'POST', '/permissions', {
        token: admin,
        body: { PermissionName: 'not-cancelled', Action: 'read', Subject: 'appointments', Conditions: { Status: 'Cancelled' }, Inverted: true }
      })
      const mapping = await mappingOf('Manager')
      await request(server.url, 'PATCH', `/role-permission-mappings/${mapping._id}`, { token: admin, body: { Permission_ids: [...mapping.Permission_ids, permission.body._id] } })
      const res = await request(server.url, 'GET', '/appointments', { token: manager })
      assert.equal(res.status, 200)
      assert.ok(res.body.data.length > 0)
      assert.ok(res.body.data.every((a: any) => a.Status !== 'Cancelled'))
      const cancelled = ((await server.app.service('appointments').find({ paginate: false, query: { Status: 'Cancelled' } })) as any[])[0]
      assert.equal((await request(server.url, 'GET', `/appointments/${cancelled._id}`, { token: manager })).status, 403)
    })

    it('refuses a permission whose action or subject nothing checks (400 on the field), and stores nothing', async () => {
      const post = (body: Record<string, unknown>) => request(server.url, 'POST', '/permissions', { token: admin, body: { PermissionName: 'delete-own', Subject: 'appointments', ...body } })
      const method = await post({ Action: 'remove' })
      assert.equal(method.status, 400)
      assert.match(method.body.message, /Invalid permission Action: action "remove" is one nothing checks \("remove" is a service method: its action is "delete"\)/)
      assert.match(method.body.data.Action, /its action is "delete"/)
      const typo = await post({ Action: 'delete', Subject: 'appointment' })
      assert.equal(typo.status, 400)
      assert.match(typo.body.data.Subject, /subject "appointment" is not a collection/)
      assert.equal((await request(server.url, 'GET', '/permissions?PermissionName=delete-own', { token: admin })).body.total, 0)
      const readOwn = (await request(server.url, 'GET', '/permissions?PermissionName=read-own-appointments', { token: admin })).body.data[0]
      const patched = await request(server.url, 'PATCH', `/permissions/${readOwn._id}`, { token: admin, body: { Action: 'find' } })
      assert.equal(patched.status, 400)
      assert.match(patched.body.message, /its action is "read"/)
      assert.equal((await request(server.url, 'GET', `/permissions/${readOwn._id}`, { token: admin })).body.Action, 'read')
    })

    it('refuses to remove a role that users still hold', async () => {
      const role = (await request(server.url, 'GET', '/roles?RoleName=Developer', { token: admin })).body.data[0]
      const res = await request(server.url, 'DELETE', `/roles/${role._id}`, { token: admin })
      assert.equal(res.status, 409)
      assert.match(res.body.message, /users/)
    })
  })
})
