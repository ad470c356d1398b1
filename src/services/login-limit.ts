// Failed logins are counted per email (rate-limiter-flexible): past the limit, even the right password waits (429).
// In memory per instance; in Redis, shared by every instance, when REDIS_URL is set.
import { TooManyRequests } from '@feathersjs/errors'
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible'

export interface LoginLimitOptions {
  /** Failed attempts allowed per email within the window. */
  attempts: number
  windowSeconds: number
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
      const base = { points: this._options.attempts, duration: this._options.windowSeconds, keyPrefix: 'quillbase:login' }
      const redis = this._redis()
      this._limiter = redis ? new RateLimiterRedis({ ...base, storeClient: redis, useRedisPackage: true }) : new RateLimiterMemory(base)
    }
    return this._limiter
  }

  /** Refuses when this email has used up its failed attempts. */
  async check(email: string) {
    const state = await this.limiter.get(email.toLowerCase())
    if (state && state.consumedPoints >= this._options.attempts) {
      const retryAfter = Math.ceil(state.msBeforeNext / 1000)
      throw new TooManyRequests(`Too many failed logins for this account; try again in ${retryAfter} s`, { retryAfter })
    }
  }

  async failed(email: string) {
    await this.limiter.penalty(email.toLowerCase(), 1)
  }

  async succeeded(email: string) {
    await this.limiter.delete(email.toLowerCase())
  }
}
