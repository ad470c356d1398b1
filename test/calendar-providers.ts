// Local stand-ins for Microsoft Graph and Google Calendar: real HTTP servers answering in the providers' documented
// formats. Graph: GET /me/calendars/{id}/events/delta pages (@odata.nextLink, then @odata.deltaLink), `@removed` for
// deleted events, `@odata.etag`. Google: GET/POST /calendars/{id}/events (nextPageToken, nextSyncToken on the last page,
// `syncToken` → 410 Gone once expired, `status: cancelled`, `etag`), PUT with If-Match (412), DELETE. Both: 401 for an
// unknown bearer token, and 429/503 with or without Retry-After when told to throttle.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

type Rec = Record<string, any>
export interface Seen {
  method: string
  path: string
  query: URLSearchParams
  authorization?: string
  body?: any
  at: number
  status: number
}

/** Events of one calendar with a change sequence: each change of an event gets the next number. */
class Calendar {
  events = new Map<string, { event: Rec; seq: number; removed: boolean }>()
}

export class ProviderServers {
  readonly seen: Seen[] = []
  private _server?: Server
  private _graph = new Map<string, Calendar>()
  private _google = new Map<string, Calendar>()
  private _seq = 0
  private _throttle: { status: 429 | 503; retryAfter?: number; left: number; prefix: string }[] = []
  /** Cursors issued at or before this sequence are refused (410). */
  private _expiredAt = { graph: -1, google: -1 }
  url = ''
  /** Bearer tokens accepted (the demo users' provider tokens). */
  tokens = new Set<string>()
  /** Events per page (small, so that every pull has several). */
  pageSize = 2

  get graphUrl() {
    return `${this.url}/graph/v1.0`
  }
  get googleUrl() {
    return `${this.url}/google/calendar/v3`
  }

  async start() {
    this._server = createServer((req, res) => void this._handle(req, res))
    await new Promise<void>((resolve) => this._server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this._server!.address() as AddressInfo).port}`
    return this
  }

  close() {
    return new Promise<void>((resolve) => (this._server ? this._server.close(() => resolve()) : resolve()))
  }

  private _calendar(store: Map<string, Calendar>, id: string) {
    if (!store.has(id)) store.set(id, new Calendar())
    return store.get(id)!
  }

  /** Adds or changes an Outlook event (a new ETag); `@odata.etag` is W/"<n>". */
  graphPut(calendarId: string, event: Rec) {
    const seq = ++this._seq
    this._calendar(this._graph, calendarId).events.set(event.id, { event: { ...event, '@odata.etag': `W/"${seq}"` }, seq, removed: false })
    return `W/"${seq}"`
  }
  graphRemove(calendarId: string, id: string) {
    this._calendar(this._graph, calendarId).events.set(id, { event: { id }, seq: ++this._seq, removed: true })
  }
  graphEvent(calendarId: string, id: string) {
    return this._graph.get(calendarId)?.events.get(id)?.event
  }
  /** Adds or changes a Google event (a new etag, "<n>"). */
  googlePut(calendarId: string, event: Rec) {
    const seq = ++this._seq
    const made = { kind: 'calendar#event', status: 'confirmed', ...event, etag: `"${seq}"` }
    this._calendar(this._google, calendarId).events.set(event.id, { event: made, seq, removed: false })
    return made
  }
  /** Deletes a Google event: listed as `status: cancelled` to sync tokens, left out of full listings. */
  googleCancel(calendarId: string, id: string) {
    const entry = this._google.get(calendarId)!.events.get(id)!
    entry.event = { kind: 'calendar#event', id, status: 'cancelled', etag: `"${++this._seq}"` }
    entry.seq = this._seq
    entry.removed = true
  }
  /** Gone for good (Google forgets cancelled events after a while): only a full listing tells, by its absence. */
  googlePurge(calendarId: string, id: string) {
    this._google.get(calendarId)!.events.delete(id)
  }
  googleEvents(calendarId: string) {
    return [...(this._google.get(calendarId)?.events.values() ?? [])].filter((e) => !e.removed).map((e) => e.event)
  }
  /** The next `count` provider calls under `prefix` are answered `status` (with Retry-After seconds when given). */
  throttle(prefix: 'graph' | 'google', count: number, status: 429 | 503, retryAfter?: number) {
    this._throttle.push({ prefix: `/${prefix}/`, status, retryAfter, left: count })
  }
  /** No more throttling. */
  calm() {
    this._throttle = []
  }
  /** Every delta link / sync token issued so far is refused from now on (410 Gone). */
  expireCursors(provider: 'graph' | 'google') {
    this._expiredAt[provider] = this._seq
  }
  /** The requests seen from `since` on (an index into `seen`). */
  requestsSince(since: number, prefix?: 'graph' | 'google') {
    return this.seen.slice(since).filter((r) => !prefix || r.path.startsWith(`/${prefix}/`))
  }

  private async _handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url!, this.url)
    let raw = ''
    for await (const chunk of req) raw += chunk
    const body = raw ? JSON.parse(raw) : undefined
    const seen: Seen = { method: req.method!, path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, body, at: Date.now(), status: 200 }
    this.seen.push(seen)
    const send = (status: number, answer?: unknown, headers: Record<string, string> = {}) => {
      seen.status = status
      res.writeHead(status, { ...(answer === undefined ? {} : { 'content-type': 'application/json' }), ...headers })
      res.end(answer === undefined ? undefined : JSON.stringify(answer))
    }
    const graph = url.pathname.startsWith('/graph/')
    const error = (status: number, code: string, message: string) =>
      graph ? { error: { code, message } } : { error: { code: status, message, errors: [{ domain: 'global', reason: code, message }] } }
    const throttled = this._throttle.find((t) => t.left > 0 && url.pathname.startsWith(t.prefix))
    if (throttled) {
      throttled.left--
      return send(throttled.status, error(throttled.status, throttled.status === 429 ? (graph ? 'TooManyRequests' : 'rateLimitExceeded') : 'backendError', 'Slow down'), throttled.retryAfter === undefined ? {} : { 'retry-after': String(throttled.retryAfter) })
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '')
    if (!token || !this.tokens.has(token)) return send(401, error(401, graph ? 'InvalidAuthenticationToken' : 'authError', 'Invalid Credentials'))
    const graphDelta = url.pathname.match(/^\/graph\/v1\.0\/me\/calendars\/([^/]+)\/events\/delta$/)
    if (graphDelta && req.method === 'GET') return this._graphDelta(decodeURIComponent(graphDelta[1]), url, send, error)
    const googleList = url.pathname.match(/^\/google\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/)
    if (googleList) return this._googleEvents(decodeURIComponent(googleList[1]), googleList[2] && decodeURIComponent(googleList[2]), req, url, body, send, error)
    send(404, error(404, 'notFound', `No route ${req.method} ${url.pathname}`))
  }

  /** A delta round: `$deltatoken=<seq>` (changes after it) or none (everything); pages by `$skiptoken=<seq>.<offset>`. */
  private _graphDelta(calendarId: string, url: URL, send: (status: number, answer?: unknown) => void, error: (status: number, code: string, message: string) => unknown) {
    const skip = url.searchParams.get('$skiptoken')
    const delta = url.searchParams.get('$deltatoken')
    const [since, offset] = skip ? skip.split('.').map(Number) : [delta === null ? -1 : Number(delta), 0]
    if (since !== -1 && since <= this._expiredAt.graph) return send(410, error(410, 'syncStateNotFound', 'The sync state generation is not found. Please restart the sync.'))
    const upTo = skip ? Number(url.searchParams.get('upto')) : this._seq
    const changes = [...this._calendar(this._graph, calendarId).events.values()]
      .filter((e) => e.seq > since && e.seq <= upTo && (since !== -1 || !e.removed))
      .sort((a, b) => a.seq - b.seq)
      .map((e) => (e.removed ? { '@odata.type': '#microsoft.graph.event', id: e.event.id, '@removed': { reason: 'deleted' } } : e.event))
    const page = changes.slice(offset, offset + this.pageSize)
    const base = `${this.graphUrl}/me/calendars/${encodeURIComponent(calendarId)}/events/delta`
    const more = offset + this.pageSize < changes.length
    send(200, {
      '@odata.context': `${this.graphUrl}/$metadata#Collection(event)`,
      value: page,
      ...(more ? { '@odata.nextLink': `${base}?$skiptoken=${since}.${offset + this.pageSize}&upto=${upTo}` } : { '@odata.deltaLink': `${base}?$deltatoken=${upTo}` })
    })
  }

  private _googleEvents(calendarId: string, eventId: string | undefined, req: IncomingMessage, url: URL, body: any, send: (status: number, answer?: unknown) => void, error: (status: number, code: string, message: string) => unknown) {
    const calendar = this._calendar(this._google, calendarId)
    if (eventId) {
      const entry = calendar.events.get(eventId)
      if (!entry || entry.removed) return send(req.method === 'DELETE' && entry ? 410 : 404, error(404, 'notFound', 'Not Found'))
      const ifMatch = req.headers['if-match']
      if (ifMatch && ifMatch !== entry.event.etag) return send(412, error(412, 'conditionNotMet', 'Precondition Failed'))
      if (req.method === 'DELETE') {
        this.googleCancel(calendarId, eventId)
        return send(204)
      }
      if (req.method === 'PUT') return send(200, this.googlePut(calendarId, { ...body, id: eventId }))
      return send(200, entry.event)
    }
    if (req.method === 'POST') return send(200, this.googlePut(calendarId, { ...body, id: `g${++this._seq}` }))
    const syncToken = url.searchParams.get('syncToken')
    const since = syncToken ? Number(syncToken.replace('sync-', '')) : -1
    if (syncToken && since <= this._expiredAt.google) return send(410, error(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.'))
    const offset = Number(url.searchParams.get('pageToken') ?? 0)
    const items = [...calendar.events.values()].filter((e) => e.seq > since && (syncToken || !e.removed)).sort((a, b) => a.seq - b.seq).map((e) => e.event)
    const page = items.slice(offset, offset + this.pageSize)
    const more = offset + this.pageSize < items.length
    send(200, { kind: 'calendar#events', etag: `"${this._seq}"`, summary: calendarId, items: page, ...(more ? { nextPageToken: String(offset + this.pageSize) } : { nextSyncToken: `sync-${this._seq}` }) })
  }
}
