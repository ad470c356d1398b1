// Requests and writes are limited per signed-in user, and per IP address for anonymous callers (rate-limiter-flexible):
// every service call from outside (REST, Socket.io, admin panel) takes a point of its caller's request limit, and every
// call that is not a read one of its write limit too. In memory per instance; in Redis with REDIS_URL, shared by the
// instances behind a load balancer. Internal calls are never limited.
import { TooManyRequests } from '@feathersjs/errors'
import type { HookContext, NextFunction, Params } from '@feathersjs/feathers'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

declare module '@feathersjs/feathers' {
  interface Params {
    /** Part of a request that was counted already (an export's pages after the first): not counted again. */
    counted?: boolean
    /** The caller's IP address, set by the REST and Socket.io transports. */
    ip?: string
  }
}

export interface RateLimitOptions {
  /** Service calls per signed-in user within the window; 0 for no limit. */
  requestsPerUser: number
  /** Service calls per IP address of anonymous callers (a login is one) within the window; 0 for no limit. */
  requestsPerIp: number
  /** Calls other than find and get (create, update, patch, remove, actions, logins) per signed-in user; 0 for no limit. */
  writesPerUser: number
  /** The same per IP address of anonymous callers; 0 for no limit. */
  writesPerIp: number
  windowSeconds: number
}

/** Production defaults, per minute: far above what a person in a browser or the admin panel does, far below a flood. */
export const RATE_LIMIT_DEFAULTS: RateLimitOptions = { requestsPerUser: 600, requestsPerIp: 1200, writesPerUser: 120, writesPerIp: 120, windowSeconds: 60 }

const READS = new Set(['find', 'get'])
type Limit = Exclude<keyof RateLimitOptions, 'windowSeconds'>

/**
 * The address a call comes from: the peer's, or with `trustProxy` the one the (single) proxy in front added last to
 * `X-Forwarded-For` (entries before it are whatever the client sent).
 */
export function clientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean) {
  const forwarded = trustProxy ? [forwardedFor ?? []].flat().join(',').split(',').map((entry) => entry.trim()).filter(Boolean).pop() : undefined
  return forwarded ?? remoteAddress
}

export class RateLimits {
  private _limiters = new Map<Limit, RateLimiterAbstract | undefined>()

  constructor(
    private _options: RateLimitOptions & { sharedKey: string },
    /** A connected node-redis client, looked up at first use (the sync link connects during setup). */
    private _redis: () => unknown,
    /** The user id (`sub`) of a validly signed access token, else undefined. */
    private _tokenSubject: (accessToken: string) => Promise<string | undefined>
  ) {}

  private limiter(limit: Limit) {
    if (!this._limiters.has(limit)) {
      const points = this._options[limit]
      const base = { points, duration: this._options.windowSeconds, keyPrefix: `${this._options.sharedKey}:${limit}` }
      const redis = points > 0 ? this._redis() : undefined
      // If Redis fails, each instance counts on its own rather than refusing every call.
      const limiter = !(points > 0) ? undefined : redis ? new RateLimiterRedis({ ...base, storeClient: redis, useRedisPackage: true, insuranceLimiter: new RateLimiterMemory(base) }) : new RateLimiterMemory(base)
      this._limiters.set(limit, limiter)
    }
    return this._limiters.get(limit)
  }

  /** Who a call counts against: its signed-in user (a socket's, or a valid token's), else its IP address. */
  private async callerKey(params: Params): Promise<{ key: string; user: boolean } | undefined> {
    const userId = params.user?._id
    if (userId !== undefined) return { key: String(userId), user: true }
    const token = params.authentication?.accessToken
    const subject = typeof token === 'string' ? await this._tokenSubject(token) : undefined
    if (subject) return { key: subject, user: true }
    return params.ip ? { key: params.ip, user: false } : undefined
  }

  private async take(limit: Limit, key: string, what: string) {
    try {
      await this.limiter(limit)?.consume(key)
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
      throw new TooManyRequests(`Too many ${what}; try again in ${retryAfter} s`, { retryAfter })
    }
  }

  /** App-level around hook: every call from outside takes its points before anything else runs. */
  hook() {
    const { requestsPerUser, requestsPerIp, writesPerUser, writesPerIp } = this._options
    const enabled = [requestsPerUser, requestsPerIp, writesPerUser, writesPerIp].some((points) => points > 0)
    return async (context: HookContext, next: NextFunction) => {
      if (!enabled || !context.params.provider || context.params.counted) return next()
      const caller = await this.callerKey(context.params)
      if (caller) {
        const [requests, writes]: Limit[] = caller.user ? ['requestsPerUser', 'writesPerUser'] : ['requestsPerIp', 'writesPerIp']
        await this.take(requests, caller.key, 'requests')
        if (!READS.has(context.method)) await this.take(writes, caller.key, 'writes')
      }
      return next()
    }
  }
}
