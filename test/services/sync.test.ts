// Scale-out through a real Redis (127.0.0.1:6379, or REDIS_URL): two app instances, an event made on one
// reaches the permitted Socket.io listeners of the other.
import assert from 'node:assert/strict'
import { createClient } from 'redis'
import { DEMO_PASSWORD } from '../../src/blueprints/appointments/demo.js'
import { connect, eventually, login, redisAvailable, redisUrl, request, startInstancesOnRedis, startServer, wait, type TestServer } from '../helpers.js'

describe('two instances sharing events through Redis', function () {
  let first: TestServer
  let second: TestServer

  before(async function () {
    if (!(await redisAvailable())) return this.skip()
    ;[first, second] = await startInstancesOnRedis('appointments', { loginAttempts: 2, loginWindowSeconds: 30 })
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
      assert.ok(await eventually(() => admin.events.some((e) => e.name === 'roles created' && e.data._id === role._id)))
      await wait(100)
      // Developers may read roles too; but a new permission record is readable only by admins.
      const permission = await first.app.service('permissions').create({ PermissionName: 'observe', Action: 'read', Subject: 'roles' })
      assert.ok(await eventually(() => admin.events.some((e) => e.name === 'permissions created' && e.data._id === permission._id)))
      await wait(100)
      assert.ok(!developer.events.some((e) => e.name === 'permissions created'))
    } finally {
      admin.close()
      developer.close()
    }
  })

  it('publishes no credential on the channel: no token, no password hash, no secret field, nothing from authentication', async () => {
    const messages: string[] = []
    const subscriber = createClient({ url: redisUrl })
    await subscriber.connect()
    await subscriber.subscribe('quillbase:appointments', (message) => messages.push(message))
    try {
      const sam = await login(first.url, 'sam@example.com', DEMO_PASSWORD)
      const socket = await connect(second.url)
      const overSocket = await socket.call<any>('create', 'authentication', { strategy: 'local', email: 'lin@example.com', password: DEMO_PASSWORD })
      socket.close()
      const admin = await login(first.url, 'admin@example.com', DEMO_PASSWORD)
      const newPassword = 'a-new-password-for-sam'
      const changed = await request(first.url, 'PATCH', `/users/${sam.user._id}`, { token: sam.accessToken, body: { password: newPassword } })
      assert.equal(changed.status, 200, JSON.stringify(changed.body))
      // Each test instance has its own embedded store: the edits happen on the first, the socket login on the second.
      const edited = await request(first.url, 'PATCH', `/users/${sam.user._id}`, {
        token: admin.accessToken,
        body: { Name: 'Sam Edited', password: DEMO_PASSWORD }
      })
      assert.equal(edited.status, 200, JSON.stringify(edited.body))
      // The reset token is the engine's (read-only to every caller): written here as the recovery flow writes it.
      await first.app.service('users').patch(sam.user._id, { resetPasswordToken: 'internal-reset-token' })
      // Other runs may share this Redis: only messages about this run's users count.
      const ids = [sam.user._id, overSocket.user._id, admin.user._id]
      const ours = () => messages.filter((message) => ids.some((id) => message.includes(id)))
      assert.ok(await eventually(() => ours().some((message) => message.includes('Sam Edited'))), 'the user edit was shared')
      await wait(100)
      const stored: any = await first.app.service('users').get(sam.user._id)
      for (const message of ours()) {
        const parsed = JSON.parse(message)
        assert.deepEqual(Object.keys(parsed).sort(), ['context', 'data', 'event', 'path'])
        assert.notEqual(parsed.path, 'authentication')
        for (const leak of ['accessToken', sam.accessToken, admin.accessToken, overSocket.accessToken, '$2a$', '$2b$', 'password', 'internal-reset-token', stored.resetPasswordToken, 'resetPasswordToken']) {
          assert.ok(!message.includes(leak), `a message carries ${leak}: ${message}`)
        }
      }
    } finally {
      await subscriber.quit()
    }
  })
})
