// Local + JWT authentication on the blueprint's user collection, with the two costs of every request made cheap:
// the JWT secret is a prepared KeyObject, and the user lookup is cached until that user changes.
// Logins take strings only, are limited per email before any password is checked, and cost the same for unknown
// emails; logout revokes the token.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import { AuthenticationService, JWTStrategy } from '@feathersjs/authentication'
import { BadRequest, NotAuthenticated } from '@feathersjs/errors'
import { LocalStrategy } from '@feathersjs/authentication-local'
import type { Application, Id, Params } from '@feathersjs/feathers'
import { normalizeEmail } from '../hooks/emails.js'
import { withoutSecrets } from '../hooks/secrets.js'
import { LoginLimiter, type LoginLimitOptions } from './login-limit.js'
import { Revocations } from './revocations.js'
import { CREDENTIALS_CHANGED_AT } from '../schemas/sanitize.js'
import type { Collection } from '../schemas/types.js'

/**
 * A credential of a login request: absent (the strategy answers 401 as for a wrong one) or a string. Anything else,
 * such as a query operator (`{ "$in": [...] }`) that would reach the user lookup, is a 400.
 */
export function credential(data: any, field: string, what = 'login'): string | undefined {
  const value = data?.[field]
  if (value === undefined || typeof value === 'string') return value
  throw new BadRequest(`Invalid ${what}: ${field} must be a string`, { [field]: 'must be a string' })
}

/**
 * Signs and verifies with a KeyObject: jsonwebtoken re-derives a key from a string secret on every call (~50× slower).
 * Every token carries a `jti` (Feathers adds one), which logout revokes.
 */
class QuillAuthenticationService extends AuthenticationService {
  private _key?: KeyObject

  constructor(
    app: Application,
    readonly revocations: Revocations
  ) {
    super(app)
  }

  private get key() {
    this._key ??= createSecretKey(Buffer.from(this.configuration.secret, 'utf8'))
    return this._key
  }
  async createAccessToken(payload: any, options?: any, secret?: string) {
    return super.createAccessToken(payload, options, secret ?? (this.key as any))
  }
  async verifyAccessToken(accessToken: string, options?: any, secret?: string) {
    return super.verifyAccessToken(accessToken, options, secret ?? (this.key as any))
  }

  async setup() {
    await super.setup()
    await this.revocations.listen()
  }

  /** Logout: the token is refused from now on, on every transport and instance, until it would have expired. */
  async remove(id: string | null, params?: Params) {
    if (!params?.authentication) throw new NotAuthenticated('No access token')
    const result = await super.remove(id, params)
    await this.revocations.revoke(result.authentication?.payload ?? {})
    return result
  }
}

const USER_TTL_MS = 60_000

/**
 * Why a session that began at `startedAtMs` may no longer act for this user: the account is deactivated
 * (`auth.activeField` false), or the password changed since. One rule for logins, tokens, sockets and the admin panel.
 */
export function sessionEnded(users: Collection, user: any, startedAtMs?: number): string | undefined {
  const active = users.auth?.activeField
  if (active && user?.[active] === false) return 'This account is deactivated'
  const changed = Date.parse(user?.[CREDENTIALS_CHANGED_AT] ?? '')
  if (startedAtMs !== undefined && changed > startedAtMs) return 'The password changed since this session began; log in again'
  return undefined
}

/** JWT `iat` counts whole seconds: a token is taken as issued at the end of its second, so one from the second of a change still passes. */
export const tokenStartedAt = (iat: unknown) => (typeof iat === 'number' ? iat * 1000 + 999 : undefined)

/** Users by id, kept until the record changes (service events) or a minute passes (changes made by other instances). */
export class UserCache {
  private _users = new Map<string, { user: any; expires: number }>()
  get(id: string) {
    const entry = this._users.get(id)
    return entry && entry.expires > Date.now() ? entry.user : undefined
  }
  set(id: string, user: any) {
    if (this._users.size > 10_000) this._users.clear()
    this._users.set(id, { user, expires: Date.now() + USER_TTL_MS })
  }
  forget(id: string) {
    this._users.delete(id)
  }
}

class CachedJWTStrategy extends JWTStrategy {
  constructor(
    private _cache: UserCache,
    private _users: Collection,
    private _revocations: Revocations
  ) {
    super()
  }

  /** A logged-out token, or one of a deactivated account or issued before the password last changed, is refused. */
  async authenticate(authentication: any, params: Params) {
    credential(authentication, 'accessToken')
    const result = await super.authenticate(authentication, params)
    if (await this._revocations.isRevoked(result.authentication?.payload?.jti)) throw new NotAuthenticated('This token was logged out; log in again')
    const ended = sessionEnded(this._users, (result as any).user, tokenStartedAt(result.authentication?.payload?.iat))
    if (ended) throw new NotAuthenticated(ended)
    return result
  }

  async getEntity(id: Id, params: Params) {
    const key = String(id)
    let user = this._cache.get(key)
    if (!user) {
      const { provider, ...internal } = params
      user = withoutSecrets(this._users, await this.entityService.get(id, { ...internal, query: {} }).catch(noSuchUser))
      this._cache.set(key, user)
    }
    return user
  }
}

/** A validly signed token whose user was removed (or never existed here) authenticates no one: 401, not the store's 404. */
function noSuchUser(error: any): never {
  if (error?.code === 404 || error?.code === 400) throw new NotAuthenticated('The user of this token does not exist')
  throw error
}

/** Stands for an unknown email: its password is checked against a dummy hash, so the answer takes as long. */
const UNKNOWN_USER = Object.freeze({})

export class SafeLocalStrategy extends LocalStrategy {
  private _dummyHash?: Promise<string>

  constructor(
    private _users: Collection,
    private _limiter: LoginLimiter
  ) {
    super()
  }

  /** A hash of a random password at the cost of stored ones (the strategy's own `hashPassword`). */
  private dummyHash() {
    this._dummyHash ??= this.hashPassword(randomBytes(24).toString('base64'), {})
    return this._dummyHash
  }

  /** Hashed at start, so the first unknown email costs what the others do. */
  async setup() {
    this.dummyHash().catch(() => undefined)
  }

  /** Strings only; the email as stored (normalised); one point of the email's limit taken before the password is checked. The API and the admin panel both log in through here. */
  async authenticate(data: any, params: Params) {
    const email = credential(data, 'email')
    const password = credential(data, 'password')
    if (!email || !password) throw new NotAuthenticated(this.configuration.errorMessage)
    const normalized = normalizeEmail(email)
    return this._limiter.attempt(normalized, () => super.authenticate({ ...data, email: normalized, password }, params))
  }

  async findEntity(username: string, params: Params) {
    try {
      return await super.findEntity(username, params)
    } catch (error: any) {
      if (error?.code === 401) return UNKNOWN_USER
      throw error
    }
  }

  /** An unknown email, or an account without a password, costs one bcrypt comparison too: timing tells no accounts apart. */
  async comparePassword(entity: any, password: string) {
    const field = this.configuration.entityPasswordField
    if (entity !== UNKNOWN_USER && entity?.[field]) return super.comparePassword(entity, password)
    await super.comparePassword({ [field]: await this.dummyHash() }, password).catch(() => undefined)
    throw new NotAuthenticated(this.configuration.errorMessage)
  }

  /**
   * Another secret (a security answer, a reset token) checked against its bcrypt hash at the cost of a password, a missing
   * hash included, so timing tells nothing; a mismatch is a 401 with `message`.
   */
  async verifyHash(hash: unknown, value: string, message: string) {
    const field = this.configuration.entityPasswordField
    await this.comparePassword(typeof hash === 'string' && hash ? { [field]: hash } : UNKNOWN_USER, value).catch((error) => {
      throw error?.code === 401 ? new NotAuthenticated(message) : error
    })
  }

  /** The logged-in user as returned to the client: never the password hash. */
  async getEntity(entity: any, params: Params) {
    // Read internally: logging in must not depend on a role's permission to read its own user record.
    const user = withoutSecrets(this._users, await super.getEntity(entity, { ...params, provider: undefined }))
    const ended = sessionEnded(this._users, user)
    if (ended) throw new NotAuthenticated(ended)
    return user
  }
}

/** Registers `authentication`; returns the revocations, which realtime channels follow. */
export function setupAuthentication(app: Application, users: Collection, cache: UserCache, options: LoginLimitOptions) {
  const revocations = new Revocations(app, options.sharedKey)
  const authentication = new QuillAuthenticationService(app, revocations)
  const limiter = new LoginLimiter(options, () => (app as any).sync?.pub)
  authentication.register('jwt', new CachedJWTStrategy(cache, users, revocations))
  authentication.register('local', new SafeLocalStrategy(users, limiter))
  app.use('authentication', authentication)
  // The engine stamps every password change; the data schema refuses the field from callers.
  const stampPasswordChange = (context: any) => {
    for (const item of [context.data].flat()) if (item && typeof item.password === 'string') item[CREDENTIALS_CHANGED_AT] = new Date().toISOString()
  }
  app.service(users.name).hooks({ before: { update: [stampPasswordChange], patch: [stampPasswordChange] } })
  // A changed user is forgotten at once here (after hook) and, through the events, on other instances.
  const forget = (user: any) => cache.forget(String(user._id))
  const forgetResult = (context: any) => [context.result].flat().forEach((user: any) => user && forget(user))
  app.service(users.name).hooks({ after: { update: [forgetResult], patch: [forgetResult], remove: [forgetResult] } })
  for (const event of ['patched', 'updated', 'removed']) app.service(users.name).on(event, forget)
  return revocations
}
