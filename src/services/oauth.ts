// Sign-in with the OpenID Connect providers the user collection declares (`auth.oauth`), through
// @feathersjs/authentication-oauth (Grant): `GET /oauth/<name>` redirects to the provider (state, nonce, PKCE kept in a
// signed session cookie), `/oauth/<name>/callback` exchanges the code, verifies the ID token against the issuer's keys,
// finds, links or creates the user, stores the provider's tokens encrypted and answers with (or redirects carrying) our
// access token. `app.oauth.accessToken(userId, name)` gives server code (a sync job) a fresh provider access token.
import { Conflict, NotAuthenticated } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import { OAuthService, OAuthStrategy } from '@feathersjs/authentication-oauth'
import { OAuthCallbackService, redirectHook, type GrantResponse, type OAuthParams } from '@feathersjs/authentication-oauth/lib/service.js'
import type { Middleware } from '@feathersjs/koa'
import type { JWTPayload } from 'jose'
import type { EngineApp, Settings } from '../engine.js'
import { decrypt, withoutSecrets } from '../hooks/secrets.js'
import { OAUTH_PREFIX } from '../schemas/sanitize.js'
import type { Collection, OAuthProvider } from '../schemas/types.js'
import { sessionEnded } from './authentication.js'
import { checkProviderSettings, Issuer, issuerFor, type TokenResponse } from './oauth-issuers.js'

/** An access token this close to its expiry is refreshed first: a sync started with it must not see it expire. */
const EXPIRY_MARGIN_MS = 60_000
/** How long a started sign-in may take at the provider. */
const SIGN_IN_MINUTES = 15

/**
 * Grant's session (state, nonce, PKCE verifier, the linking token) between the redirect and the callback: a signed,
 * http-only cookie under the prefix, cleared once a callback used it, even a failed one (so it cannot be replayed).
 * Not koa-session: one Koa app takes one of it, and the admin panel's is there.
 */
function signInCookie(path: string): Middleware {
  const name = 'quillbase.oauth'
  const options = { signed: true, httpOnly: true, sameSite: 'lax' as const, path, maxAge: SIGN_IN_MINUTES * 60_000, overwrite: true }
  return async (ctx, next) => {
    let session: Record<string, any> = {}
    try {
      const parsed = JSON.parse(Buffer.from(ctx.cookies.get(name, { signed: true }) ?? '', 'base64url').toString('utf8'))
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) session = parsed
    } catch {}
    let destroyed = false
    session.destroy = () => {
      destroyed = true
    }
    ctx.feathers = { ...ctx.feathers, session, state: ctx.state } as any
    try {
      await next()
    } finally {
      if (destroyed) ctx.cookies.set(name, null, options)
      else ctx.cookies.set(name, Buffer.from(JSON.stringify(session)).toString('base64url'), options)
    }
  }
}

/** Grant's own words for a failed callback, as a caller can act on them. */
function callbackFailure(name: string, payload: any): string {
  const again = `start again at /${OAUTH_PREFIX}/${name}`
  const error = payload?.error
  if (error && typeof error === 'object') {
    return `${name} refused to exchange the code for tokens (${[error.error, error.error_description].filter(Boolean).join(': ') || 'no reason given'}): ${again}`
  }
  const text = String(error)
  if (text === 'Grant: OAuth2 state mismatch') return `The callback's state is not the one this browser's sign-in sent (forged, replayed or from another sign-in): ${again}`
  if (text.startsWith('Grant: missing session')) return `No sign-in with ${name} was started in this browser, or it expired: ${again}`
  if (text === 'Grant: OAuth2 missing code parameter') return `The callback carries no authorization code: ${again}`
  if (text.startsWith('Grant: OpenID Connect')) return `The ID token from ${name} is not valid (${text.replace('Grant: OpenID Connect ', '')}): ${again}`
  const description = typeof payload?.error_description === 'string' ? ` (${payload.error_description})` : ''
  return `${name} refused the sign-in: ${text}${description}`
}

/** Grant's service with the provider's endpoints and callback URL filled in before each step, and failures said clearly. */
class OidcService extends OAuthService {
  constructor(
    authentication: any,
    private _prepare: (name: unknown, grantConfig: any) => Promise<void>
  ) {
    super(authentication, { linkStrategy: 'jwt' })
  }

  async handler(method: string, params: OAuthParams, body?: any, override?: string): Promise<GrantResponse> {
    await this._prepare(params.route?.provider, this.grant.config)
    return super.handler(method, params, body, override)
  }

  async authenticate(params: OAuthParams, result: GrantResponse) {
    // Without a session of this browser, Grant leaves no response at all.
    const payload = result?.state?.response ?? { error: 'Grant: missing session' }
    if (payload.error) result.state = { ...result?.state, response: { error: callbackFailure(params.route.provider, payload) } }
    return super.authenticate(params, result)
  }
}

/** A provider's sign-in: the ID token verified, then the user found, linked or created by `OAuthAccounts`. */
class OidcStrategy extends OAuthStrategy {
  constructor(
    private _provider: OAuthProvider,
    private _issuer: Issuer,
    private _accounts: OAuthAccounts
  ) {
    super()
  }

  async authenticate(authentication: any, originalParams: Params) {
    const { provider: _transport, ...params } = originalParams
    const claims = await this._issuer.verifyIdToken(authentication.id_token)
    // A signed-in caller who started the flow with `?feathers_token=` connects this provider to their account.
    const current = await this.getCurrentEntity(params)
    const user = await this._accounts.signIn(this._provider, claims, authentication, current)
    return { authentication: { strategy: this._provider.name }, user }
  }
}

export class OAuthAccounts {
  private _refreshing = new Map<string, Promise<{ accessToken: string; expiresAt?: string }>>()

  constructor(
    private _app: EngineApp,
    private _users: Collection,
    readonly issuers: Map<string, Issuer>,
    private _key: Buffer
  ) {}

  private provider(name: string): OAuthProvider {
    issuerFor(this.issuers, name)
    return this._users.auth!.oauth!.find((provider) => provider.name === name)!
  }

  private service() {
    return this._app.service(this._users.name)
  }

  private async findOne(query: Record<string, unknown>) {
    return ((await this.service().find({ paginate: false, query: { ...query, $limit: 1 } })) as any[])[0]
  }

  /** The declared token fields as a token endpoint's answer fills them (a refresh token only when one is given). */
  private tokenFields(provider: OAuthProvider, answer: TokenResponse): Record<string, unknown> {
    const { tokens } = provider
    if (!tokens) return {}
    const data: Record<string, unknown> = {}
    if (typeof answer.access_token === 'string') data[tokens.access] = answer.access_token
    if (tokens.refresh && typeof answer.refresh_token === 'string') data[tokens.refresh] = answer.refresh_token
    const seconds = Number(answer.expires_in)
    if (tokens.expiresAt && seconds > 0) data[tokens.expiresAt] = new Date(Date.now() + seconds * 1000).toISOString()
    return data
  }

  /**
   * The user of a verified sign-in: the one holding this provider id; else the signed-in caller linking it; else the
   * account of its e-mail address, or a new one, when the provider vouches for that address. Tokens stored, encrypted.
   */
  async signIn(provider: OAuthProvider, claims: JWTPayload, answer: { raw?: TokenResponse } & TokenResponse, current?: any) {
    const { name, idField, idClaim, emailVerifiedClaim } = provider
    const id = claims[idClaim]
    if ((typeof id !== 'string' && typeof id !== 'number') || id === '') throw new NotAuthenticated(`The ID token from ${name} has no "${idClaim}" claim`)
    const now = new Date().toISOString()
    const data: Record<string, unknown> = {
      [idField]: String(id),
      ...this.tokenFields(provider, { ...answer.raw, ...answer }),
      ...(provider.connectedField && { [provider.connectedField]: true }),
      ...(provider.lastLoginField && { [provider.lastLoginField]: now })
    }
    let user = await this.findOne({ [idField]: String(id) })
    if (user && current && String(user._id) !== String(current._id)) throw new Conflict(`This ${name} account is already linked to another user`)
    user ??= current
    if (!user) {
      const email = typeof claims.email === 'string' ? claims.email : undefined
      if (!email) throw new NotAuthenticated(`${name} gave no e-mail address for this account (is the email scope granted?)`)
      if (claims[emailVerifiedClaim] !== true && claims[emailVerifiedClaim] !== 'true') {
        throw new NotAuthenticated(`${name} does not confirm that ${email} belongs to this account (claim ${emailVerifiedClaim}); sign in another way and connect ${name} from there`)
      }
      user = await this.findOne({ email })
      if (!user) return this.finish(await this.service().create({ email, ...(await this.newUserFields(provider, claims)), ...data }))
      if (user[idField] !== undefined) throw new Conflict(`The account of ${email} is linked to another ${name} account`)
    }
    return this.finish(await this.service().patch(user._id, data))
  }

  /** The profile fields from claims, and the declared role, of a user a sign-in creates. */
  private async newUserFields(provider: OAuthProvider, claims: JWTPayload) {
    const fields: Record<string, unknown> = {}
    for (const [field, names] of Object.entries(provider.profile)) {
      const value = names.map((claim) => claims[claim]).find((v) => typeof v === 'string' && v)
      if (value !== undefined) fields[field] = value
    }
    const { roleField, roleBy } = this._users.auth!
    if (provider.role) {
      fields[roleField] = roleBy === 'name' ? provider.role : (await this._app.service('roles').find({ paginate: false, query: { RoleName: provider.role, $limit: 1 } }))[0]?._id
    }
    return fields
  }

  /** The user as a login returns it (no secrets); a deactivated account signs in no more than with a password. */
  private finish(user: any) {
    const ended = sessionEnded(this._users, user)
    if (ended) throw new NotAuthenticated(ended)
    return withoutSecrets(this._users, user)
  }

  /**
   * A provider access token of the user that is valid for at least another minute: the stored one, or, when it has
   * expired, a new one from the provider's token endpoint (the refresh token grant), stored encrypted with its expiry
   * (and the new refresh token, when the provider rotates it) before it is returned. Concurrent calls share one refresh.
   * No stored refresh token, or the provider refusing it, is a 401: the user must sign in with the provider again.
   */
  accessToken(userId: string, name: string): Promise<{ accessToken: string; expiresAt?: string }> {
    const key = `${name}:${userId}`
    const pending = this._refreshing.get(key)
    if (pending) return pending
    const run = Promise.resolve()
      .then(() => this.fresh(userId, this.provider(name)))
      .finally(() => this._refreshing.delete(key))
    this._refreshing.set(key, run)
    return run
  }

  private async fresh(userId: string, provider: OAuthProvider) {
    const { tokens, name } = provider
    if (!tokens) throw new NotAuthenticated(`Sign-in with ${name} keeps no tokens (declare \`tokens\`)`)
    // Read past the hooks: the stored record, its secrets still encrypted.
    const stored = await (this.service() as any)._get(userId)
    const plain = (field?: string) => (field && typeof stored[field] === 'string' ? decrypt(stored[field], this._key) : undefined)
    const current = plain(tokens.access)
    const expiresAt: string | undefined = tokens.expiresAt ? stored[tokens.expiresAt] : undefined
    const expiresMs = expiresAt ? Date.parse(expiresAt) : NaN
    if (current && (!tokens.expiresAt || expiresMs - Date.now() > EXPIRY_MARGIN_MS)) return { accessToken: current, expiresAt }
    const refreshToken = plain(tokens.refresh)
    if (!refreshToken) throw new NotAuthenticated(`No ${name} refresh token is kept for this user: they must sign in with ${name} again`)
    const answer = await this.issuers.get(name)!.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken })
    const data = this.tokenFields(provider, answer)
    await this.service().patch(userId, data)
    return { accessToken: answer.access_token!, expiresAt: tokens.expiresAt ? (data[tokens.expiresAt] as string | undefined) : undefined }
  }
}

/**
 * The issuer of every declared provider that `settings.oauth` configures, checked before anything starts: a configured
 * provider the blueprint does not declare, or a missing or malformed setting, stops the start with a message naming it.
 */
export function configureIssuers(users: Collection, settings: Settings): Map<string, Issuer> {
  const declared = users.auth?.oauth ?? []
  const issuers = new Map<string, Issuer>()
  for (const [name, given] of Object.entries(settings.oauth ?? {})) {
    if (!declared.some((provider) => provider.name === name)) {
      throw new Error(`OAUTH_${name.toUpperCase()}_… is set, but the blueprint declares no sign-in with "${name}"${declared.length ? ` (it declares ${declared.map((p) => p.name).join(', ')})` : ''}`)
    }
    issuers.set(name, new Issuer(name, checkProviderSettings(name, given)))
  }
  if (issuers.size && !settings.publicUrl && ['0.0.0.0', '::', ''].includes(settings.host)) {
    throw new Error('PUBLIC_URL must be set with OAuth sign-in when listening on every interface: the providers send browsers back to <PUBLIC_URL>/oauth/<name>/callback')
  }
  return issuers
}

/** Registers a strategy and the `oauth/:provider` services for every configured provider; returns the accounts (`app.oauth`). */
export function setupOAuth(app: EngineApp, users: Collection, issuers: Map<string, Issuer>, settings: Settings, key: Buffer): OAuthAccounts {
  const declared = users.auth?.oauth ?? []
  const accounts = new OAuthAccounts(app, users, issuers, key)
  if (!issuers.size) return accounts

  const providers = Object.fromEntries(
    declared
      .filter((provider) => issuers.has(provider.name))
      .map((provider) => {
        const { clientId, clientSecret } = issuers.get(provider.name)!.settings
        const grant = { oauth: 2, key: clientId, secret: clientSecret, scope: provider.scope, scope_delimiter: ' ', state: true, nonce: true, pkce: true, custom_params: provider.authorizeParams }
        return [provider.name, grant]
      })
  )
  const prefix = `/${OAUTH_PREFIX}`
  app.set('authentication', {
    ...app.get('authentication'),
    oauth: { redirect: settings.oauthRedirect, defaults: { prefix, transport: 'state', response: ['tokens', 'raw'] }, ...providers }
  })
  const authentication: any = app.service('authentication')
  for (const provider of declared) if (issuers.has(provider.name)) authentication.register(provider.name, new OidcStrategy(provider, issuers.get(provider.name)!, accounts))

  // The callback URL the provider sends browsers to: PUBLIC_URL, else this server's own address.
  const origin = () => settings.publicUrl?.replace(/\/$/, '') ?? `http://${settings.host}:${(app as any).server?.address()?.port ?? app.get('port')}`
  const prepare = async (name: unknown, grantConfig: any) => {
    const issuer = issuerFor(issuers, name)
    const endpoints = await issuer.endpoints()
    Object.assign(grantConfig[issuer.name], { authorize_url: endpoints.authorization, access_url: endpoints.token, redirect_uri: `${origin()}${prefix}/${issuer.name}/callback` })
  }
  const service = new OidcService(authentication, prepare)
  // Signed with the app's keys (the admin panel's cookie secret).
  ;(app as any).keys ??= [app.get('authentication').secret]
  const options = { methods: ['find', 'get', 'create'], events: [], koa: { before: [signInCookie(prefix)] } }
  app.use(`${OAUTH_PREFIX}/:provider`, service as any, options)
  app.use(`${OAUTH_PREFIX}/:provider/callback`, new OAuthCallbackService(service) as any, { ...options, methods: ['find', 'create'] })
  // The start answers its redirect only (Grant's result also holds the session's state, nonce and PKCE verifier).
  const onlyLocation = async (context: any, next: () => Promise<void>) => {
    await next()
    context.result = { location: context.result?.location }
  }
  app.service(`${OAUTH_PREFIX}/:provider`).hooks({ around: { all: [redirectHook(), onlyLocation] } })
  app.service(`${OAUTH_PREFIX}/:provider/callback`).hooks({ around: { all: [redirectHook()] } })
  return accounts
}
