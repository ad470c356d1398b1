// Seed 002 "Token Security": OAuth tokens are encrypted at rest and never leave the server, not even to the admin:
// not over REST, Socket.io events, CSV exports, nor in an error.
import assert from 'node:assert/strict'
import { decrypt, encryptionKey } from '../../../src/hooks/secrets.js'
import { eventually, request, testSettings } from '../../helpers.js'
import { calendarWorld, type World } from './world.js'

const TOKENS = ['access_token', 'refresh_token', 'google_access_token', 'google_refresh_token'] as const
const PLAIN = 'demo-outlook-access-alice'

describe('calendar secrets', () => {
  let world: World
  let alice: any
  before(async () => {
    world = await calendarWorld()
    ;[alice] = await world.find('users', { email: 'alice@example.com' })
  })

  it('stores the tokens encrypted (AES-256-GCM), readable only by server code', async () => {
    const stored = await (world.server.app.service('users') as any)._get(alice._id)
    for (const field of TOKENS) {
      assert.match(stored[field], /^v1:/, `${field} is stored encrypted`)
      assert.ok(!stored[field].includes('demo-'), field)
    }
    assert.equal(decrypt(stored.access_token, encryptionKey(testSettings().encryptionKey!)), PLAIN)
  })

  it('never returns them over REST, to the admin or their owner, even after a write', async () => {
    const admin = await world.as('admin')
    const own = await world.as('alice')
    const responses = [
      await admin.get(`/users/${alice._id}`),
      await admin.get('/users', { $limit: 50 }),
      await own.get(`/users/${alice._id}`),
      await admin.patch(`/users/${alice._id}`, { refresh_token: 'rotated-refresh' }),
      await admin.get('/users', { $select: ['access_token', 'email'] })
    ]
    for (const response of responses) {
      const text = JSON.stringify(response.body)
      for (const field of TOKENS) assert.ok(!text.includes(`"${field}"`), `${field} in ${text.slice(0, 200)}`)
      assert.ok(!text.includes('demo-') && !text.includes('rotated-refresh') && !text.includes('v1:'), text.slice(0, 200))
    }
  })

  it('refuses a search by a token (nothing to probe)', async () => {
    const admin = await world.as('admin')
    const probe = await admin.get('/users', { access_token: PLAIN })
    assert.equal(probe.status, 400)
    assert.ok(!JSON.stringify(probe.body).includes('v1:'))
  })

  it('never sends them in realtime events', async () => {
    const socket = await world.socket('admin')
    try {
      await world.server.app.service('users').patch(alice._id, { google_access_token: 'fresh-google-token', display_name: 'Alice Martin' })
      await eventually(() => socket.events.some((e) => e.name === 'users patched' && e.data._id === alice._id))
      const text = JSON.stringify(socket.events)
      for (const field of TOKENS) assert.ok(!text.includes(field), field)
      assert.ok(!text.includes('fresh-google-token') && !text.includes('v1:'))
    } finally {
      socket.close()
    }
  })

  it('leaves them out of CSV and NDJSON exports', async () => {
    const admin = await world.as('admin')
    for (const accept of ['text/csv', 'application/x-ndjson']) {
      const response = await fetch(`${world.url}/users`, { headers: { accept, authorization: `Bearer ${admin.token}` } })
      assert.equal(response.status, 200)
      const text = await response.text()
      assert.ok(text.includes('alice@example.com'), `${accept} lists the users`)
      for (const field of TOKENS) assert.ok(!text.includes(field), `${accept}: ${field}`)
      assert.ok(!text.includes('demo-') && !text.includes('v1:'), accept)
    }
  })

  it('keeps them out of error answers', async () => {
    const admin = await world.as('admin')
    const bad = await request(world.url, 'PATCH', `/users/${alice._id}`, { token: admin.token, body: { access_token: 42, email: 'not an email' } })
    assert.equal(bad.status, 400)
    assert.ok(!JSON.stringify(bad.body).includes('v1:'))
  })
})
