// The providers' HTTP client: got, retrying throttled and unavailable answers (429, 503, and 500/502/504 for reads)
// after the server's Retry-After, else with exponential back-off from `backoffMs`; the JSON answer, or a ProviderError.
import got, { HTTPError, type Got, type Method } from 'got'

export interface HttpOptions {
  /** Tries after the first (default 4). */
  retries: number
  /** Wait before the first retry when the answer names none (Retry-After), doubled before each further one. */
  backoffMs: number
  /** A longer Retry-After is not waited for: the call fails (and the run's log says so). */
  maxRetryAfterSeconds: number
}

export const HTTP_DEFAULTS: HttpOptions = { retries: 4, backoffMs: 1000, maxRetryAfterSeconds: 300 }

/** A provider's refusal: its status, and the error code its body names (Graph `error.code`, Google `error.errors[0].reason`). */
export class ProviderError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message)
    this.name = 'ProviderError'
  }
}

const READ_ONLY_RETRIES = [500, 502, 504]

export function providerClient(baseUrl: string, accessToken: string, options: HttpOptions, headers: Record<string, string> = {}) {
  const client: Got = got.extend({
    prefixUrl: baseUrl.replace(/\/$/, '') + '/',
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...headers },
    timeout: { request: 30_000 },
    retry: {
      limit: options.retries,
      methods: ['GET', 'PUT', 'PATCH', 'DELETE', 'POST'],
      statusCodes: [429, 503, ...READ_ONLY_RETRIES],
      errorCodes: ['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN'],
      maxRetryAfter: options.maxRetryAfterSeconds * 1000,
      calculateDelay: ({ attemptCount, error, computedValue, retryAfter }) => {
        // got says 0 when the limit is reached, the method or status is not retried, or Retry-After is too long.
        if (computedValue === 0) return 0
        const status = error.response?.statusCode
        // A write that failed inside the server may have been applied: only throttling (nothing done) is retried.
        if (status && READ_ONLY_RETRIES.includes(status) && error.options.method !== 'GET') return 0
        return retryAfter ?? options.backoffMs * 2 ** (attemptCount - 1)
      }
    }
  })
  return async function call<T = any>(method: Method, url: string, options: { json?: unknown; headers?: Record<string, string>; searchParams?: Record<string, string> } = {}): Promise<T> {
    // Provider links (next pages, delta links) are absolute: they are followed as given.
    const absolute = /^https?:\/\//.test(url)
    try {
      return await client(url, { method, json: options.json, headers: options.headers, searchParams: options.searchParams, ...(absolute && { prefixUrl: '' }) }).json<T>()
    } catch (error) {
      if (!(error instanceof HTTPError)) throw error
      const status = error.response.statusCode
      let body: any
      try {
        body = JSON.parse(String(error.response.body))
      } catch {
        body = undefined
      }
      const reason = body?.error?.errors?.[0]?.reason ?? body?.error?.code ?? String(status)
      const message = body?.error?.message ?? error.message
      throw new ProviderError(status, String(reason), `${method} ${error.response.url.split('?')[0]}: ${status} ${message}`)
    }
  }
}

export type ProviderCall = ReturnType<typeof providerClient>
