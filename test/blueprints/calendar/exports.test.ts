// Seed 002 §7, admin exports: an admin's export runs as a job (pending → completed | error) and writes its file (JSON or
// CSV; a full backup of every collection without a secret), which downloads only for admins; progress reaches the admin.
import assert from 'node:assert/strict'
import { eventually } from '../../helpers.js'
import { calendarWorld, type World } from './world.js'

const TOKENS = ['access_token', 'refresh_token', 'google_access_token', 'google_refresh_token']

describe('calendar admin exports', function () {
  this.timeout(60_000)
  let world: World

  before(async () => {
    world = await calendarWorld()
  })

  async function finished(id: string) {
    const admin = await world.as('admin')
    for (let end = Date.now() + 30_000; Date.now() < end; ) {
      const record = (await admin.get(`/admin-exports/${id}`)).body
      if (record.status !== 'pending') return record
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`export ${id} still pending`)
  }

  const download = async (path: string, token: string) => {
    const response = await fetch(world.url + path, { headers: { authorization: `Bearer ${token}` } })
    return { status: response.status, text: await response.text() }
  }

  it("an admin's events export with filters: the matching events, counted, sized, stamped; progress reaches the admin's socket", async () => {
    const admin = await world.as('admin')
    const [alice] = await world.find('users', { email: 'alice@example.com' })
    const socket = await world.socket('admin')
    try {
      const created = await admin.post('/admin-exports', { export_type: 'events', filters: { user_ids: [alice._id] } })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      assert.equal(created.body.status, 'pending')
      const record = await finished(created.body._id)
      assert.equal(record.status, 'completed', record.error_message)
      const expected = await world.find('events', { user_id: alice._id })
      assert.ok(expected.length > 0)
      assert.equal(record.record_count, expected.length)
      assert.ok(record.completed_at && record.file_size > 0)
      const file = await download(record.file_path, admin.token)
      assert.equal(file.status, 200)
      assert.equal(Buffer.byteLength(file.text), record.file_size)
      const json = JSON.parse(file.text)
      assert.deepEqual(json.collections.events.map((event: any) => event._id).sort(), expected.map((event) => event._id).sort())
      const heard = () => socket.events.some((e) => e.name === 'admin-exports patched' && e.data._id === record._id && e.data.status === 'completed')
      assert.ok(await eventually(heard), 'the admin hears the export finish')
    } finally {
      socket.close()
    }
  })

  it('a full backup holds every collection and never a token; a CSV of users has no token column', async () => {
    const admin = await world.as('admin')
    const backup = await finished((await admin.post('/admin-exports', { export_type: 'full_backup' })).body._id)
    assert.equal(backup.status, 'completed', backup.error_message)
    const text = (await download(backup.file_path, admin.token)).text
    const json = JSON.parse(text)
    for (const name of ['users', 'calendars', 'events', 'categories', 'locations', 'sync-logs', 'admin-exports']) assert.ok(Array.isArray(json.collections[name]), name)
    for (const field of TOKENS) assert.ok(!text.includes(`"${field}"`), `${field} in the backup`)
    assert.ok(!text.includes('demo-outlook'), 'no token value in the backup')

    const csv = await finished((await admin.post('/admin-exports', { export_type: 'users', format: 'csv' })).body._id)
    assert.equal(csv.status, 'completed', csv.error_message)
    const header = (await download(csv.file_path, admin.token)).text.split('\n')[0].split(',')
    assert.ok(header.includes('email'))
    for (const field of TOKENS) assert.ok(!header.includes(field), field)
    assert.equal((await admin.post('/admin-exports', { export_type: 'full_backup', format: 'csv' })).status, 422)
  })

  it('only admins export and download: a user may neither create an export nor fetch its file', async () => {
    const admin = await world.as('admin')
    const alice = await world.as('alice')
    assert.equal((await alice.post('/admin-exports', { export_type: 'events' })).status, 403)
    const record = await finished((await admin.post('/admin-exports', { export_type: 'events' })).body._id)
    assert.ok([403, 404].includes((await download(record.file_path, alice.token)).status))
  })
})
