// Graceful shutdown of the HTTP server: stop accepting, let in-flight requests finish, then cut what is left.
import type { Server } from 'node:http'
import type { Context, Next } from 'koa'

export const SHUTDOWN_TIMEOUT_SECONDS = 10

/** How often idle keep-alive connections are closed while draining (a busy one becomes idle when its response ends). */
const IDLE_SWEEP_MS = 50

export interface Draining {
  draining: boolean
}

/** While draining, every response says `Connection: close`: a keep-alive client sends no further request on it. */
export const closeConnectionsWhenDraining = (state: Draining) => async (ctx: Context, next: Next) => {
  try {
    await next()
  } finally {
    if (state.draining && !ctx.headerSent) ctx.set('Connection', 'close')
  }
}

/**
 * Closes the listening socket (new connections are refused), closes keep-alive connections as soon as they are idle,
 * and resolves `true` once every connection has ended, or `false` after `timeoutMs`, when the remaining ones are cut.
 */
export function drainServer(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    const done = (drained: boolean) => {
      clearInterval(sweep)
      clearTimeout(timer)
      resolve(drained)
    }
    // Node's own close() ends idle connections once, then waits for the busy ones to end.
    server.close(() => done(true))
    timer = setTimeout(() => {
      server.closeAllConnections()
      done(false)
    }, timeoutMs)
  })
}
