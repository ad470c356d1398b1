// Which browser origins may call the API: one rule for REST (Koa) and Socket.io, from `CORS_ORIGINS`.
import { cors } from '@feathersjs/koa'

/** `*` for any origin, else the exact origins allowed (`https://app.example.com`); an empty list allows none. */
export type AllowedOrigins = '*' | string[]

/** `CORS_ORIGINS`: `*`, or origins separated by commas or spaces; empty means same-origin only. */
export function parseOrigins(setting: string | undefined): AllowedOrigins {
  const text = (setting ?? '').trim()
  if (text === '*') return '*'
  const origins = text.split(/[\s,]+/).filter(Boolean)
  for (const origin of origins) {
    let parsed: URL
    try {
      parsed = new URL(origin)
    } catch {
      throw new Error(`CORS_ORIGINS: "${origin}" is not an origin; write it as scheme://host[:port], e.g. https://app.example.com`)
    }
    if (parsed.origin !== origin) throw new Error(`CORS_ORIGINS: "${origin}" is not an origin; write it as ${parsed.origin} (no path or trailing slash)`)
  }
  return origins
}

export const originAllowed = (allowed: AllowedOrigins, origin: string | undefined) => !!origin && (allowed === '*' || allowed.includes(origin))

/** Koa middleware: the allowed origin is echoed back, any other gets no CORS headers (the browser then refuses). */
export const restCors = (allowed: AllowedOrigins) =>
  cors({ origin: (ctx) => (originAllowed(allowed, ctx.get('Origin')) ? ctx.get('Origin') : ''), exposeHeaders: ['Retry-After'], maxAge: 600 })

/** Socket.io's `cors` option, so its polling handshake answers the same origins as REST. */
export const socketCors = (allowed: AllowedOrigins) => ({
  origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) => callback(null, originAllowed(allowed, origin))
})
