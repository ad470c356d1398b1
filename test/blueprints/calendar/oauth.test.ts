// Seed 002 "Authentication": users sign in with Microsoft (their Outlook account) and connect Google, against a real
// OpenID Connect provider running locally in place of both; the tokens are kept encrypted with their expiry and the
// sync gets a fresh Microsoft access token. Administrators keep their e-mail and password login.
import assert from 'node:assert/strict'
import { decrypt, encryptionKey } from '../../../src/hooks/secrets.js'
import { request, testSettings } from '../../helpers.js'
import { TestBrowser } from '../../identity-provider.js'
import { calendarWorld, GOOGLE_CAROL, MICROSOFT_BOB, MICROSOFT_CAROL, type World } from './world.js'

const key = encryptionKey(testSettings().encryptionKey!)
const TOKENS = ['access_token', 'refresh_token', 'google_access_token', 'google_refresh_token']

describe('calendar sign-in with Microsoft and Google', () => {
  let world: World
  let carol: { accessToken: string; user: any }
  before(async () => {
    world = await calendarWorld()
  })

  const local = () => world.url.replace('127.0.0.1', 'localhost')
  async function signIn(name: 'microsoft' | 'google', account: { sub: string }, query = '') {
    const browser = new TestBrowser()
    const back = await browser.signInAtProvider(`${local()}/oauth/${name}${query}`, world.idp.issuer, `${local()}/oauth/${name}/callback`, account.sub)
    const answer = await browser.request(back)
    assert.equal(answer.status, 200, answer.text)
    for (const field of TOKENS) assert.ok(!answer.text.includes(`"${field}"`), `${field} answered`)
    return JSON.parse(answer.text) as { accessToken: string; user: any }
  }
  const stored = (id: string) => (world.server.app.service('users') as any)._get(id)

  it('creates a new Outlook user at their first Microsoft sign-in: outlook_user_id from oid, tokens encrypted with token_expires_at', async () => {
    carol = await signIn('microsoft', MICROSOFT_CAROL)
    const { user } = carol
    assert.deepEqual([user.email, user.display_name, user.role, user.outlook_user_id, user.google_connected], [MICROSOFT_CAROL.email, 'Carol Diaz', 'user', MICROSOFT_CAROL.oid, false])
    const record = await stored(user._id)
    for (const field of ['access_token', 'refresh_token']) assert.match(record[field], /^v1:/, field)
    assert.ok(Date.parse(record.token_expires_at) > Date.now())
    assert.ok(Date.parse(record.last_login) > Date.now() - 60_000)
    assert.equal((await world.idp.userinfo(decrypt(record.access_token, key))).body.oid, MICROSOFT_CAROL.oid, 'the provider’s own token, stored')

    const calendars = await request(world.url, 'GET', '/calendars', { token: carol.accessToken })
    assert.equal(calendars.status, 200, 'our JWT works: her own (no) calendars')
    assert.equal(calendars.body.total, 0)
    const admin = await world.as('admin')
    const seen = await admin.get(`/users/${user._id}`)
    for (const field of TOKENS) assert.equal(seen.body[field], undefined, `${field} shown to the admin`)
  })

  it('signs an existing Outlook user in by outlook_user_id, their stored tokens replaced', async () => {
    const [bob] = await world.find('users', { email: 'bob@example.com' })
    const before = await stored(bob._id)
    const signedIn = await signIn('microsoft', MICROSOFT_BOB)
    assert.equal(signedIn.user._id, bob._id)
    assert.equal(signedIn.user.display_name, bob.display_name, 'the profile is not overwritten')
    const after = await stored(bob._id)
    assert.notEqual(decrypt(after.access_token, key), decrypt(before.access_token, key))
  })

  it('connects Google to the signed-in account: google_connected, Google tokens encrypted', async () => {
    const connected = await signIn('google', GOOGLE_CAROL, `?feathers_token=${carol.accessToken}`)
    assert.equal(connected.user._id, carol.user._id)
    assert.equal(connected.user.google_connected, true)
    const record = await stored(carol.user._id)
    assert.equal(record.google_user_id, GOOGLE_CAROL.sub)
    for (const field of ['google_access_token', 'google_refresh_token']) assert.match(record[field], /^v1:/, field)
    assert.ok(Date.parse(record.google_token_expires_at) > Date.now())
    assert.equal(record.email, MICROSOFT_CAROL.email, 'her Microsoft e-mail kept')
  })

  it('gives the sync a fresh Microsoft access token, refreshing an expired one at the token endpoint', async () => {
    const id = carol.user._id
    const before = await stored(id)
    await world.server.app.service('users').patch(id, { token_expires_at: new Date(Date.now() - 60_000).toISOString() })
    const fresh = await world.server.app.oauth.accessToken(id, 'microsoft')
    assert.notEqual(fresh.accessToken, decrypt(before.access_token, key))
    assert.equal((await world.idp.userinfo(fresh.accessToken)).status, 200)
    const after = await stored(id)
    assert.equal(decrypt(after.access_token, key), fresh.accessToken)
    assert.ok(Date.parse(after.token_expires_at) > Date.now() + 60_000)
    const google = await world.server.app.oauth.accessToken(id, 'google')
    assert.equal(google.accessToken, decrypt(after.google_access_token, key), 'Google’s, still valid, as stored')
  })

  it('keeps e-mail and password login for administrators', async () => {
    const admin = await world.as('admin')
    assert.equal(admin.user.role, 'admin')
    assert.equal((await admin.get('/users')).status, 200)
  })
})
