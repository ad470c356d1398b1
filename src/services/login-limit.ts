// Logins are limited per email (rate-limiter-flexible): each attempt takes a point *before* its password is checked,
// atomically, so at most `attempts` passwords per window are ever evaluated, however many arrive at once and on
// however many instances. A successful login gives the points back. In memory per instance; in Redis with REDIS_URL.
import { TooManyRequests } from '@feathersjs/errors'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

export interface LoginLimitOptions {
  /** Password checks allowed per email within the window; reset by a successful login. */
  attempts: number
  windowSeconds: number
  /** Prefix of the Redis keys shared by the instances serving the same data. */
  sharedKey: string
}

export class LoginLimiter {
  private _limiter?: RateLimiterAbstract

  constructor(
    private _options: LoginLimitOptions,
    /** A connected node-redis client, looked up at first use (the sync link connects during setup). */
    private _redis: () => unknown
  ) {}

  private get limiter() {
    if (!this._limiter) {
      const base = { points: this._options.attempts, duration: this._options.windowSeconds, keyPrefix: `${this._options.sharedKey}:login` }
      const redis = this._redis()
      this._limiter = redis ? new RateLimiterRedis({ ...base, storeClient: redis, useRedisPackage: true }) : new RateLimiterMemory(base)
    }
    return this._limiter
  }

  /**
   * Runs one login attempt for this (normalised) email once it has taken a point, else refuses with a 429.
   * A success resets the count; a failure other than a wrong login (401) gives its point back.
   */
  async attempt<T>(email: string, check: () => Promise<T>): Promise<T> {
    try {
      await this.limiter.consume(email)
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection
      const retryAfter = Math.ceil(rejection.msBeforeNext / 1000)
      throw new TooManyRequests(`Too many failed logins for this account; try again in ${retryAfter} s`, { retryAfter })
    }
    let result: T
    try {
      result = await check()
    } catch (error: any) {
      if (error?.code !== 401) await this.limiter.reward(email, 1)
      throw error
    }
    await this.limiter.delete(email)
    return result
  }
}
