// A real OpenID Connect provider (`oidc-provider`) on a local port, for the OAuth sign-in tests: discovery, its own
// sign-in and consent pages (devInteractions), the authorization code flow with PKCE, signed ID tokens, refresh tokens,
// userinfo. And a small cookie-keeping browser that walks through it over real HTTP.
import http, { type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { type ClientMetadata } from 'oidc-provider'

/** Claims of an account at the provider, `sub` included (its account id). */
export type AccountClaims = { sub: string } & Record<string, unknown>

export interface IdentityProvider {
  issuer: string
  /** Starts answering, with these clients and accounts (the clients' redirect URIs are known once our servers listen). */
  configure(clients: ClientMetadata[], accounts: AccountClaims[]): void
  /** Userinfo as the provider answers it for this access token: the proof that a token is live. */
  userinfo(accessToken: string): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  let handle: http.RequestListener = (_request, response) => response.writeHead(503).end()
  const server: Server = http.createServer((request, response) => handle(request, response))
  await new Promise<void>((resolve) => server.listen(0, resolve))
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`
  const signing = { ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), use: 'sig', alg: 'RS256', kid: 'test-signing-key' }
  return {
    issuer,
    configure(clients, accounts) {
      const minutes = (n: number) => n * 60
      const byId = new Map(accounts.map((account) => [account.sub, account]))
      const provider = new Provider(issuer, {
        clients: clients.map((client) => ({ grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post', ...client })),
        async findAccount(_ctx, sub) {
          const account = byId.get(sub)
          return account && { accountId: sub, claims: async () => account }
        },
        // Every claim the account has, under the scopes real providers put them (Microsoft's oid and tid, Google's email_verified).
        claims: { openid: ['sub', 'oid', 'tid'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
        scopes: ['openid', 'offline_access', 'email', 'profile', 'calendar'],
        // Real providers put the profile into the ID token of the code flow too.
        conformIdTokenClaims: false,
        issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
        pkce: { required: () => true },
        features: { devInteractions: { enabled: true }, userinfo: { enabled: true } },
        cookies: { keys: ['identity-provider-test-key'] },
        jwks: { keys: [signing] },
        ttl: { AccessToken: minutes(60), IdToken: minutes(60), RefreshToken: minutes(24 * 60), Interaction: minutes(10), Session: minutes(60), Grant: minutes(60), AuthorizationCode: minutes(1) }
      })
      handle = provider.callback()
    },
    async userinfo(accessToken) {
      const response = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } })
      return { status: response.status, body: await response.json().catch(() => undefined) }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** Cookies per host and manual redirects: what a browser does between our server and the provider. */
export class TestBrowser {
  private _cookies = new Map<string, Map<string, string>>()

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const { host } = new URL(url)
    const jar = this._cookies.get(host) ?? new Map<string, string>()
    this._cookies.set(host, jar)
    const headers: Record<string, string> = { accept: 'application/json, text/html' }
    if (jar.size) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const body = init.form ? new URLSearchParams(init.form) : undefined
    const response = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';')
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === ''
      if (expired) jar.delete(name.trim())
      else jar.set(name.trim(), value)
    }
    const location = response.headers.get('location')
    return { status: response.status, location: location ? new URL(location, url).toString() : undefined, text: await response.text() }
  }

  /** Follows redirects from `url` until one would leave for `stopAt` (returned, not followed) or a page answers. */
  async follow(url: string, stopAt?: string, init?: { form?: Record<string, string> }) {
    let next = await this.request(url, init)
    for (let hops = 0; next.location && hops < 20; hops++) {
      if (stopAt && next.location.startsWith(stopAt)) return next
      next = await this.request(next.location)
    }
    return next
  }

  /**
   * Starts a sign-in at our server and signs in at the provider as the account (its login, then its consent page).
   * Returns the provider's redirect back to our callback, not yet followed. With no account, the user cancels at the
   * provider's sign-in page instead (the provider then sends `error=access_denied` back).
   */
  async signInAtProvider(start: string, issuer: string, callback: string, accountId?: string) {
    const started = await this.request(start)
    if (!started.location?.startsWith(issuer)) throw new Error(`the sign-in did not redirect to the provider: ${started.status} ${started.text}`)
    let page = await this.follow(started.location, callback)
    for (let step = 0; !page.location?.startsWith(callback) && step < 3; step++) {
      const uid = /\/interaction\/([\w-]+)/.exec(page.text)?.[1]
      if (!uid) throw new Error(`no sign-in page at the provider: ${page.status} ${page.text.slice(0, 300)}`)
      if (!accountId) {
        page = await this.follow(`${issuer}/interaction/${uid}/abort`, callback)
        break
      }
      const prompt: Record<string, string> = page.text.includes('name="login"') ? { prompt: 'login', login: accountId, password: 'any' } : { prompt: 'consent' }
      page = await this.follow(`${issuer}/interaction/${uid}`, callback, { form: prompt })
    }
    if (!page.location?.startsWith(callback)) throw new Error(`the provider did not send the browser back: ${page.status} ${page.text.slice(0, 300)}`)
    return page.location
  }
}
