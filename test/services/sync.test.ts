// Scale-out through a real Redis (127.0.0.1:6379, or REDIS_URL): two app instances, an event made on one
// reaches the permitted Socket.io listeners of the other.
import assert from 'node:assert/strict'
import { DEMO_PASSWORD } from '../../src/blueprints/appointments/demo.js'
import { connect, eventually, login, redisAvailable, redisUrl, request, startServer, wait, type TestServer } from '../helpers.js'

describe('two instances sharing events through Redis', function () {
  let first: TestServer
  let second: TestServer

  before(async function () {
    if (!(await redisAvailable())) return this.skip()
    first = await startServer('appointments', { redisUrl, loginAttempts: 2, loginWindowSeconds: 30 })
    second = await startServer('appointments', { redisUrl, loginAttempts: 2, loginWindowSeconds: 30 })
  })
  after(async () => {
    await first?.close()
    await second?.close()
  })

  it('counts failed logins across instances', async () => {
    // A fresh email per run: the count lives in the shared Redis.
    const email = `nobody-${process.pid}-${Date.now()}@example.com`
    const attempt = (server: TestServer) => request(server.url, 'POST', '/authentication', { body: { strategy: 'local', email, password: 'wrong-password' } })
    assert.equal((await attempt(first)).status, 401)
    assert.equal((await attempt(second)).status, 401)
    assert.equal((await attempt(first)).status, 429)
  })

  it('delivers an event created on one instance to a permitted listener on the other, and not to others', async () => {
    const admin = await connect(second.url, (await login(second.url, 'admin@example.com', DEMO_PASSWORD)).accessToken)
    const developer = await connect(second.url, (await login(second.url, 'lin@example.com', DEMO_PASSWORD)).accessToken)
    try {
      const role = await first.app.service('roles').create({ RoleName: 'Observer', Description: 'made on the first instance' })
      assert.ok(await eventually(() => admin.events.some((e) => e.name === 'roles created' && e.data._id === role._id), 3000))
      await wait(100)
      // Developers may read roles too; but a new permission record is readable only by admins.
      const permission = await first.app.service('permissions').create({ PermissionName: 'observe', Action: 'read', Subject: 'roles' })
      assert.ok(await eventually(() => admin.events.some((e) => e.name === 'permissions created' && e.data._id === permission._id), 3000))
      await wait(100)
      assert.ok(!developer.events.some((e) => e.name === 'permissions created'))
    } finally {
      admin.close()
      developer.close()
    }
  })
})
