// Logged-out tokens: each token's `jti` is kept until the token would have expired, and refused on every transport.
// In memory on each instance; with REDIS_URL also in Redis (read by every instance) and announced on a channel,
// so the other instances' open sockets of that token stop at once.
import type { Application } from '@feathersjs/feathers'

/** The node-redis clients of the feathers-sync link (`app.sync`), present with REDIS_URL. */
interface RedisLink {
  pub: { set(key: string, value: string, options: object): Promise<unknown>; exists(key: string): Promise<number>; publish(channel: string, message: string): Promise<unknown> }
  sub: { subscribe(channel: string, listener: (message: string) => void): Promise<unknown> }
  ready?: Promise<unknown>
}

export interface RevokedToken {
  jti?: unknown
  /** Expiry, in seconds since the epoch (the JWT `exp` claim). */
  exp?: unknown
}

type Listener = (jti: string) => void

export class Revocations {
  private _revoked = new Map<string, number>()
  private _sweepAt = 1000
  private _listeners: Listener[] = []

  constructor(
    private _app: Application,
    /** Prefix of the Redis key and channel, shared by the instances serving the same data. */
    private _key: string
  ) {}

  private get redis(): RedisLink | undefined {
    return (this._app as any).sync?.pub ? (this._app as any).sync : undefined
  }

  private get channel() {
    return `${this._key}:revoked`
  }

  /** Called with the `jti` of every token revoked, here or (with Redis) on another instance. */
  onRevoked(listener: Listener) {
    this._listeners.push(listener)
  }

  /** With Redis: hears the other instances' revocations (once the sync link is connected). */
  async listen() {
    const redis = this.redis
    if (!redis) return
    await redis.ready
    await redis.sub.subscribe(this.channel, (message) => {
      try {
        const { jti, exp } = JSON.parse(message)
        this._remember(jti, exp)
      } catch {}
    })
  }

  /** Refuses this token from now until it expires; a token without `jti` or already expired needs nothing. */
  async revoke({ jti, exp }: RevokedToken) {
    if (!this._remember(jti, exp)) return
    const redis = this.redis
    if (!redis) return
    await redis.pub.set(`${this.channel}:${jti}`, '1', { expiration: { type: 'PXAT', value: (exp as number) * 1000 } })
    await redis.pub.publish(this.channel, JSON.stringify({ jti, exp }))
  }

  async isRevoked(jti: unknown) {
    if (typeof jti !== 'string') return false
    const expires = this._revoked.get(jti)
    if (expires !== undefined && expires > Date.now()) return true
    const redis = this.redis
    return redis ? (await redis.pub.exists(`${this.channel}:${jti}`)) > 0 : false
  }

  private _remember(jti: unknown, exp: unknown): jti is string {
    if (typeof jti !== 'string' || typeof exp !== 'number') return false
    const expires = exp * 1000
    if (expires <= Date.now()) return false
    if (this._revoked.has(jti)) return true
    if (this._revoked.size >= this._sweepAt) this._sweep()
    this._revoked.set(jti, expires)
    for (const listener of this._listeners) listener(jti)
    return true
  }

  /** Forgets tokens that have expired anyway; the threshold grows so sweeping stays rare. */
  private _sweep() {
    const now = Date.now()
    for (const [jti, expires] of this._revoked) if (expires <= now) this._revoked.delete(jti)
    this._sweepAt = Math.max(1000, this._revoked.size * 2)
  }
}
