// OAuth / OpenID Connect sign-in declared on the user collection, on the club fixture, against a real OpenID Connect
// provider running locally (oidc-provider): the redirect, the provider's own sign-in and consent pages, the callback,
// the code exchange, the ID token checked against the provider's keys, users created or linked, our JWT, the provider's
// tokens stored encrypted, and refreshing them for server code. Failed or tampered callbacks are 401s, never 500s.
import assert from 'node:assert/strict'
import { SignJWT, generateKeyPair } from 'jose'
import { decrypt, encryptionKey } from '../../src/hooks/secrets.js'
import { createApp } from '../../src/app.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import { Issuer, oauthSettingsFromEnv } from '../../src/services/oauth-issuers.js'
import { login, request, startServer, testSettings, type TestServer } from '../helpers.js'
import { startIdentityProvider, TestBrowser, type IdentityProvider } from '../identity-provider.js'
import { club, PASSWORD, STAFF } from './club.js'

const ADA = { sub: 'ada-0001', email: 'ada@club.example.com', email_verified: true, name: 'Ada Lovelace' }
const STAFF_AT_PROVIDER = { sub: 'staff-0002', email: STAFF, email_verified: true, name: 'Staff Member' }
const MALLORY = { sub: 'mallory-0003', email: 'someone@club.example.com', email_verified: false, name: 'Mallory' }
const STAFF_AGAIN = { sub: 'staff-0005', email: STAFF, email_verified: true, name: 'Staff, second account' }
const GRACE = { sub: 'grace-0004', email: 'grace@partner.example.com', email_verified: true, name: 'Grace' }
const SECRET = 'club-client-secret'
const key = encryptionKey(testSettings().encryptionKey!)

describe('OAuth sign-in with a local OpenID Connect provider (club fixture)', function () {
  let idp: IdentityProvider
  let server: TestServer
  let redirecting: TestServer
  /** Our servers as the provider sends browsers back to them (the host the engine puts in its callback URLs). */
  const local = (url: string) => url.replace('127.0.0.1', 'localhost')
  const callback = (base: string, name: string) => `${local(base)}/oauth/${name}/callback`

  before(async () => {
    idp = await startIdentityProvider()
    const oauth = (clientId: string) => ({ clientId, clientSecret: SECRET, issuer: idp.issuer })
    server = await startServer(club, { oauth: { sso: oauth('club-sso'), partner: oauth('club-partner') } })
    redirecting = await startServer(club, { oauth: { sso: oauth('club-sso') }, oauthRedirect: 'http://frontend.example.com/signed-in' })
    idp.configure(
      [
        { client_id: 'club-sso', client_secret: SECRET, redirect_uris: [callback(server.url, 'sso'), callback(redirecting.url, 'sso')] },
        { client_id: 'club-partner', client_secret: SECRET, redirect_uris: [callback(server.url, 'partner')] }
      ],
      [ADA, STAFF_AT_PROVIDER, MALLORY, GRACE, STAFF_AGAIN]
    )
  })
  after(async () => {
    await server?.close()
    await redirecting?.close()
    await idp?.close()
  })

  /** A whole sign-in in a fresh browser: the provider's redirect back, followed. */
  async function signIn(account: { sub: string }, name = 'sso', query = '', target = server) {
    const browser = new TestBrowser()
    const back = await browser.signInAtProvider(`${local(target.url)}/oauth/${name}${query}`, idp.issuer, callback(target.url, name), account.sub)
    return { browser, back, answer: await browser.request(back) }
  }
  const body = (answer: { text: string }) => JSON.parse(answer.text)
  const stored = (id: string) => (server.app.service('members') as any)._get(id)
  const membersByEmail = async (email: string) => (await server.app.service('members').find({ paginate: false, query: { email } })) as any[]

  it('redirects to the provider with the client, the callback URL, state, nonce and a PKCE challenge', async () => {
    const started = await new TestBrowser().request(`${local(server.url)}/oauth/sso`)
    assert.equal(started.status, 303)
    const location = new URL(started.location!)
    assert.equal(location.origin, idp.issuer)
    const params = Object.fromEntries(location.searchParams)
    assert.equal(params.client_id, 'club-sso')
    assert.equal(params.redirect_uri, callback(server.url, 'sso'))
    assert.equal(params.scope, 'openid email profile offline_access')
    assert.equal(params.code_challenge_method, 'S256')
    for (const param of ['state', 'nonce', 'code_challenge']) assert.ok(params[param]?.length >= 20, param)
    assert.deepEqual(Object.keys(JSON.parse(started.text)), ['location'], 'the answer carries no session secrets (the PKCE verifier)')
  })

  it('creates the user at their first sign-in, answers our access token and keeps the provider tokens encrypted', async () => {
    const { answer } = await signIn(ADA)
    assert.equal(answer.status, 200, answer.text)
    const { accessToken, user } = body(answer)
    assert.deepEqual([user.email, user.fullName, user.role, user.ssoId], [ADA.email, ADA.name, 'climber', ADA.sub])
    for (const secret of ['ssoAccess', 'ssoRefresh', 'password']) assert.equal(user[secret], undefined, secret)
    assert.ok(!answer.text.includes('v1:'))
    const own = await request(server.url, 'GET', `/members/${user._id}`, { token: accessToken })
    assert.equal(own.status, 200, 'our JWT works')
    assert.equal(own.body.ssoAccess, undefined)

    const record = await stored(user._id)
    assert.match(record.ssoAccess, /^v1:/)
    assert.match(record.ssoRefresh, /^v1:/)
    assert.ok(Date.parse(record.ssoExpires) > Date.now(), 'token_expires_at-like field in the future')
    assert.ok(Date.parse(record.lastSeen) > Date.now() - 60_000)
    const info = await idp.userinfo(decrypt(record.ssoAccess, key))
    assert.equal(info.status, 200, 'the stored access token is the provider’s own, live')
    assert.equal(info.body.sub, ADA.sub)
  })

  it('signs the same account in again as the same user, by its provider id', async () => {
    const first = body((await signIn(ADA)).answer)
    const again = body((await signIn(ADA)).answer)
    assert.equal(again.user._id, first.user._id)
    assert.equal((await membersByEmail(ADA.email)).length, 1)
  })

  it('links an existing account by its verified e-mail address; its password login keeps working', async () => {
    const { answer } = await signIn(STAFF_AT_PROVIDER)
    assert.equal(answer.status, 200, answer.text)
    const { user } = body(answer)
    const [staff] = await membersByEmail(STAFF)
    assert.equal(user._id, staff._id)
    assert.deepEqual([staff.ssoId, staff.role, staff.fullName], [STAFF_AT_PROVIDER.sub, 'staff', 'Staff'], 'linked, role and profile kept')
    const local = await login(server.url, STAFF, PASSWORD)
    assert.equal(local.user._id, staff._id)

    const other = (await signIn(STAFF_AGAIN)).answer
    assert.equal(other.status, 401, 'a second provider account with the same address takes nothing over')
    assert.match(body(other).message, /The account of staff@club\.example\.com is linked to another sso account/)
    assert.equal((await membersByEmail(STAFF))[0].ssoId, STAFF_AT_PROVIDER.sub)
  })

  it('neither creates nor links an account by an e-mail address the provider does not confirm', async () => {
    const { answer } = await signIn(MALLORY)
    assert.equal(answer.status, 401, answer.text)
    assert.match(body(answer).message, /does not confirm that someone@club\.example\.com belongs to this account \(claim email_verified\)/)
    assert.equal((await membersByEmail(MALLORY.email)).length, 0)
  })

  it('connects a second provider to the signed-in user, and to no one else', async () => {
    const ada = body((await signIn(ADA)).answer)
    const { answer } = await signIn(GRACE, 'partner', `?feathers_token=${ada.accessToken}`)
    assert.equal(answer.status, 200, answer.text)
    assert.equal(body(answer).user._id, ada.user._id)
    const record = await stored(ada.user._id)
    assert.deepEqual([record.partnerId, record.partnerLinked], [GRACE.sub, true])
    assert.match(record.partnerAccess, /^v1:/)

    const staff = await login(server.url, STAFF, PASSWORD)
    const taken = (await signIn(GRACE, 'partner', `?feathers_token=${staff.accessToken}`)).answer
    assert.equal(taken.status, 401, taken.text)
    assert.match(body(taken).message, /already linked to another user/)
  })

  it('redirects to OAUTH_REDIRECT with our token in the fragment, or the error', async () => {
    const { answer } = await signIn(ADA, 'sso', '', redirecting)
    assert.equal(answer.status, 303)
    const location = new URL(answer.location!)
    assert.equal(`${location.origin}${location.pathname}`, 'http://frontend.example.com/signed-in')
    const token = new URLSearchParams(location.hash.slice(1)).get('access_token')!
    assert.equal((await request(redirecting.url, 'GET', '/members', { token })).status, 200)

    const refused = (await signIn(MALLORY, 'sso', '', redirecting)).answer
    assert.equal(refused.status, 303)
    assert.match(new URLSearchParams(new URL(refused.location!).hash.slice(1)).get('error')!, /does not confirm/)
  })

  describe('a failed or tampered callback', () => {
    const assertRefused = (answer: { status: number; text: string }, message: RegExp) => {
      assert.equal(answer.status, 401, answer.text)
      const error = body(answer)
      assert.equal(error.name, 'NotAuthenticated')
      assert.match(error.message, message)
      assert.equal(error.stack, undefined)
    }

    it('refuses a changed state, and the same callback replayed afterwards', async () => {
      const browser = new TestBrowser()
      const back = await browser.signInAtProvider(`${local(server.url)}/oauth/sso`, idp.issuer, callback(server.url, 'sso'), ADA.sub)
      const forged = new URL(back)
      forged.searchParams.set('state', 'f'.repeat(40))
      assertRefused(await browser.request(forged.toString()), /state is not the one this browser's sign-in sent/)
      assertRefused(await browser.request(back), /No sign-in with sso was started in this browser/)
    })

    it('refuses a forged code: the provider does not exchange it', async () => {
      const browser = new TestBrowser()
      const back = new URL(await browser.signInAtProvider(`${local(server.url)}/oauth/sso`, idp.issuer, callback(server.url, 'sso'), ADA.sub))
      back.searchParams.set('code', 'forged-code')
      assertRefused(await browser.request(back.toString()), /sso refused to exchange the code for tokens \(invalid_grant/)
    })

    it('refuses a callback this browser did not start', async () => {
      const back = await new TestBrowser().signInAtProvider(`${local(server.url)}/oauth/sso`, idp.issuer, callback(server.url, 'sso'), ADA.sub)
      assertRefused(await new TestBrowser().request(back), /No sign-in with sso was started in this browser/)
    })

    it('says the provider refused when the user cancels there', async () => {
      const browser = new TestBrowser()
      const back = await browser.signInAtProvider(`${local(server.url)}/oauth/sso`, idp.issuer, callback(server.url, 'sso'))
      assert.match(back, /error=access_denied/)
      assertRefused(await browser.request(back), /sso refused the sign-in: access_denied \(End-User aborted interaction\)/)
    })

    it('takes only ID tokens signed with the issuer’s published keys, for our client', async () => {
      const issuer = new Issuer('sso', { clientId: 'club-sso', clientSecret: SECRET, issuer: idp.issuer })
      const { privateKey } = await generateKeyPair('RS256')
      const forged = await new SignJWT({ ...ADA }).setProtectedHeader({ alg: 'RS256', kid: 'test-signing-key' }).setIssuer(idp.issuer).setAudience('club-sso').setIssuedAt().setExpirationTime('5m').sign(privateKey)
      await assert.rejects(issuer.verifyIdToken(forged), { code: 401, message: /The ID token from sso is not valid: signature verification failed/ })
      // A real one, from the provider's token endpoint (a refresh of Ada's grant): ours, not another client's.
      const ada = await stored(body((await signIn(ADA)).answer).user._id)
      const { id_token } = await issuer.tokenRequest({ grant_type: 'refresh_token', refresh_token: decrypt(ada.ssoRefresh, key) })
      assert.equal((await issuer.verifyIdToken(id_token)).sub, ADA.sub)
      const elsewhere = new Issuer('sso', { clientId: 'another-client', clientSecret: SECRET, issuer: idp.issuer })
      await assert.rejects(elsewhere.verifyIdToken(id_token), { code: 401, message: /unexpected "aud" claim value/ })
    })

    it('refuses a provider strategy at POST /authentication: only the callback signs in with it', async () => {
      const answer = await request(server.url, 'POST', '/authentication', { body: { strategy: 'sso', id_token: 'x', access_token: 'y' } })
      assert.equal(answer.status, 401)
      assert.match(answer.body.message, /Invalid authentication information \(strategy not allowed in authStrategies\)/)
    })

    it('answers 404 for a provider that is not declared or not configured', async () => {
      for (const path of ['/oauth/nowhere', '/oauth/nowhere/callback?code=x&state=y']) {
        const answer = await request(redirecting.url, 'GET', path)
        assert.equal(answer.status, 404, path)
        assert.match(answer.body.message, /No sign-in with "nowhere" here \(offered: sso\)/)
      }
      assert.equal((await request(redirecting.url, 'GET', '/oauth/partner')).status, 404, 'declared, but not configured there')
    })
  })

  describe('settings', () => {
    it('are read from OAUTH_<NAME>_… variables', () => {
      const env = { OAUTH_SSO_CLIENT_ID: 'id', OAUTH_SSO_CLIENT_SECRET: 's', OAUTH_SSO_ISSUER: 'https://idp.example.com', OAUTH_SSO_TOKEN_URL: 'https://idp.example.com/t', OAUTH_REDIRECT: 'x', OAUTH_PARTNER_CLIENT_ID: '' }
      assert.deepEqual(oauthSettingsFromEnv(env), { sso: { clientId: 'id', clientSecret: 's', issuer: 'https://idp.example.com', tokenUrl: 'https://idp.example.com/t' } })
    })

    it('stop the start when a provider is not declared, or a setting is missing or no URL', async () => {
      const declared = sanitizeBlueprint(club)
      const start = (oauth: any, extra = {}) => createApp(declared, testSettings({ oauth, ...extra }))
      const given = { clientId: 'id', clientSecret: 's', issuer: 'https://idp.example.com' }
      await assert.rejects(start({ ghost: given }), /OAUTH_GHOST_… is set, but the blueprint declares no sign-in with "ghost" \(it declares sso, partner\)/)
      await assert.rejects(start({ sso: { ...given, clientSecret: undefined } }), /Sign-in with sso: OAUTH_SSO_CLIENT_SECRET must be set too/)
      await assert.rejects(start({ sso: { ...given, tokenUrl: 'not a url' } }), /OAUTH_SSO_TOKEN_URL must be a URL/)
      await assert.rejects(start({ sso: given }, { host: '0.0.0.0' }), /PUBLIC_URL must be set/)
    })
  })

  describe('a fresh provider access token for server code (app.oauth.accessToken)', () => {
    let id: string
    before(async () => {
      id = body((await signIn(ADA)).answer).user._id
    })

    it('gives the stored token while it is valid, without calling the provider', async () => {
      const record = await stored(id)
      const fresh = await server.app.oauth.accessToken(id, 'sso')
      assert.equal(fresh.accessToken, decrypt(record.ssoAccess, key))
      assert.equal(fresh.expiresAt, record.ssoExpires)
    })

    it('refreshes an expired one at the token endpoint, once for concurrent calls, and stores the new tokens encrypted', async () => {
      const before = await stored(id)
      await server.app.service('members').patch(id, { ssoExpires: new Date(Date.now() - 1000).toISOString() })
      const [fresh, same] = await Promise.all([server.app.oauth.accessToken(id, 'sso'), server.app.oauth.accessToken(id, 'sso')])
      assert.equal(same.accessToken, fresh.accessToken, 'one refresh for both')
      assert.notEqual(fresh.accessToken, decrypt(before.ssoAccess, key))
      assert.equal((await idp.userinfo(fresh.accessToken)).status, 200, 'the new token is live at the provider')
      const after = await stored(id)
      assert.match(after.ssoAccess, /^v1:/)
      assert.equal(decrypt(after.ssoAccess, key), fresh.accessToken)
      assert.ok(Date.parse(after.ssoExpires) > Date.now() + 60_000)
      assert.equal(fresh.expiresAt, after.ssoExpires)
      assert.equal((await server.app.oauth.accessToken(id, 'sso')).accessToken, fresh.accessToken, 'kept until it expires')
    })

    it('is a 401 saying the user must sign in again when the provider refuses the refresh token', async () => {
      await server.app.service('members').patch(id, { ssoRefresh: 'revoked-refresh-token', ssoExpires: new Date(Date.now() - 1000).toISOString() })
      await assert.rejects(server.app.oauth.accessToken(id, 'sso'), (error: any) => {
        assert.equal(error.code, 401)
        assert.match(error.message, /sso refused the refresh_token grant \(invalid_grant.*the user must sign in with sso again/)
        return true
      })
    })

    it('is a 401 without a refresh token, and a 404 for a provider not configured', async () => {
      await server.app.service('members').patch(id, { ssoRefresh: null, ssoExpires: new Date(Date.now() - 1000).toISOString() })
      await assert.rejects(server.app.oauth.accessToken(id, 'sso'), { code: 401, message: /No sso refresh token is kept for this user: they must sign in with sso again/ })
      await assert.rejects(redirecting.app.oauth.accessToken(id, 'partner'), { code: 404 })
    })
  })
})
