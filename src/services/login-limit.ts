// Attempts at a credential (a login's password, a security answer, a reset token) are limited per account, and sign-ups
// per IP address (rate-limiter-flexible): each attempt takes a point *before* its credential is checked, atomically, so
// at most `attempts` are ever evaluated per window, however many arrive at once and on however many instances. In
// memory per instance; in Redis with REDIS_URL.
import { TooManyRequests } from '@feathersjs/errors'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

export interface LoginLimitOptions {
  /** Password checks allowed per email within the window; reset by a successful login. */
  attempts: number
  windowSeconds: number
  /** Prefix of the Redis keys shared by the instances serving the same data. */
  sharedKey: string
}

export interface AttemptLimitOptions extends LoginLimitOptions {
  /** What is limited: the key's suffix (`login`, `sign-up`…). */
  name: string
  /** The 429's message, before "; try again in N s". */
  refusal: string
  /** Logins and recoveries: a success gives every point back, a failure other than a wrong credential (401) its own. Sign-ups: every attempt counts. */
  forgiving: boolean
}

export class AttemptLimiter {
  private _limiter?: RateLimiterAbstract

  constructor(
    private _options: AttemptLimitOptions,
    /** A connected node-redis client, looked up at first use (the sync link connects during setup). */
    private _redis: () => unknown
  ) {}

  private get limiter() {
    if (!this._limiter) {
      const base = { points: this._options.attempts, duration: this._options.windowSeconds, keyPrefix: `${this._options.sharedKey}:${this._options.name}` }
      const redis = this._redis()
      this._limiter = redis ? new RateLimiterRedis({ ...base, storeClient: redis, useRedisPackage: true }) : new RateLimiterMemory(base)
    }
    return this._limiter
  }

  /** Runs one attempt for this key (a normalised email, an IP) once it has taken a point, else refuses with a 429. */
  async attempt<T>(key: string, check: () => Promise<T>): Promise<T> {
    try {
      await this.limiter.consume(key)
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
      throw new TooManyRequests(`${this._options.refusal}; try again in ${retryAfter} s`, { retryAfter })
    }
    if (!this._options.forgiving) return check()
    let result: T
    try {
      result = await check()
    } catch (error: any) {
      if (error?.code !== 401) await this.limiter.reward(key, 1)
      throw error
    }
    await this.limiter.delete(key)
    return result
  }
}

/** Logins per email: a success resets the count. */
export class LoginLimiter extends AttemptLimiter {
  constructor(options: LoginLimitOptions, redis: () => unknown) {
    super({ ...options, name: 'login', refusal: 'Too many failed logins for this account', forgiving: true }, redis)
  }
}
