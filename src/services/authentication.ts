// Local + JWT authentication on the blueprint's user collection, with the two costs of every request made cheap:
// the JWT secret is a prepared KeyObject, and the user lookup is cached until that user changes.
import { createSecretKey, type KeyObject } from 'node:crypto'
import { AuthenticationService, JWTStrategy } from '@feathersjs/authentication'
import { NotAuthenticated } from '@feathersjs/errors'
import { LocalStrategy } from '@feathersjs/authentication-local'
import type { Application, Id, Params } from '@feathersjs/feathers'
import { withoutSecrets } from '../hooks/secrets.js'
import { LoginLimiter, type LoginLimitOptions } from './login-limit.js'
import { CREDENTIALS_CHANGED_AT } from '../schemas/sanitize.js'
import type { Collection } from '../schemas/types.js'

/** Signs and verifies with a KeyObject: jsonwebtoken re-derives a key from a string secret on every call (~50× slower). */
class QuillAuthenticationService extends AuthenticationService {
  private _key?: KeyObject

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
    private _users: Collection
  ) {
    super()
  }

  /** A token of a deactivated account, or issued before the password last changed, is refused. */
  async authenticate(authentication: any, params: Params) {
    const result = await super.authenticate(authentication, params)
    const ended = sessionEnded(this._users, (result as any).user, tokenStartedAt(result.authentication?.payload?.iat))
    if (ended) throw new NotAuthenticated(ended)
    return result
  }

  async getEntity(id: Id, params: Params) {
    const key = String(id)
    let user = this._cache.get(key)
    if (!user) {
      const { provider, ...internal } = params
      user = withoutSecrets(this._users, await this.entityService.get(id, { ...internal, query: {} }))
      this._cache.set(key, user)
    }
    return user
  }
}

class SafeLocalStrategy extends LocalStrategy {
  constructor(
    private _users: Collection,
    private _limiter: LoginLimiter
  ) {
    super()
  }

  /** Counts failures per email: the API and the admin panel both log in through here. */
  async authenticate(data: any, params: Params) {
    const email = typeof data?.email === 'string' ? data.email : ''
    await this._limiter.check(email)
    try {
      const result = await super.authenticate(data, params)
      await this._limiter.succeeded(email)
      return result
    } catch (error: any) {
      if (error?.code === 401 && email) await this._limiter.failed(email)
      throw error
    }
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

export function setupAuthentication(app: Application, users: Collection, cache: UserCache, limits: LoginLimitOptions) {
  const authentication = new QuillAuthenticationService(app)
  const limiter = new LoginLimiter(limits, () => (app as any).sync?.pub)
  authentication.register('jwt', new CachedJWTStrategy(cache, users))
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
}
