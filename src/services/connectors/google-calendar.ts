// Google Calendar events (GET /calendars/{id}/events): pages by nextPageToken, the last one's nextSyncToken kept as the
// cursor; a sync token Google no longer accepts is a 410 Gone (fullSyncRequired): list everything again. Deleted events
// come as `status: cancelled`. Pushes with insert, and update with If-Match on the ETag (412 when it changed there).
import { ProviderError, providerClient } from './http.js'
import { utc, type CalendarAttendee, type CalendarItem, type ProviderFactory } from './provider.js'

const RESPONSES: Record<string, CalendarAttendee['response']> = { accepted: 'accepted', declined: 'declined', tentative: 'tentative' }
const GOOGLE_RESPONSES: Record<CalendarAttendee['response'], string> = { none: 'needsAction', accepted: 'accepted', declined: 'declined', tentative: 'tentative' }

const time = (at: any) => (at?.dateTime ? utc(at.dateTime) : at?.date ? `${at.date}T00:00:00.000Z` : undefined)

function item(event: any): CalendarItem {
  if (event.status === 'cancelled') return { id: event.id, removed: true }
  return {
    id: event.id,
    etag: event.etag,
    title: event.summary ?? undefined,
    description: event.description || undefined,
    start: time(event.start),
    end: time(event.end),
    allDay: !!event.start?.date,
    location: event.location || undefined,
    attendees: (event.attendees ?? []).filter((a: any) => a.email).map((a: any) => ({
      email: a.email,
      name: a.displayName || undefined,
      response: RESPONSES[a.responseStatus] ?? 'none',
      organizer: !!a.organizer
    }))
  }
}

function event(item: Omit<CalendarItem, 'id'>) {
  const at = (value?: string) => (value === undefined ? undefined : item.allDay ? { date: value.slice(0, 10) } : { dateTime: value, timeZone: 'UTC' })
  return {
    summary: item.title,
    description: item.description,
    location: item.location,
    start: at(item.start),
    end: at(item.end),
    attendees: item.attendees?.map((a) => ({ email: a.email, displayName: a.name, responseStatus: GOOGLE_RESPONSES[a.response], organizer: a.organizer || undefined }))
  }
}

const expired = (error: unknown) => error instanceof ProviderError && error.status === 410

export const googleCalendar: ProviderFactory = (baseUrl, accessToken, http) => {
  const call = providerClient(baseUrl, accessToken, http)
  const events = (calendarId: string) => `calendars/${encodeURIComponent(calendarId)}/events`
  async function pull(calendarId: string, syncToken?: string) {
    const items: CalendarItem[] = []
    for (let pageToken: string | undefined; ;) {
      const searchParams: Record<string, string> = { maxResults: '250' }
      if (syncToken) searchParams.syncToken = syncToken
      if (pageToken) searchParams.pageToken = pageToken
      const page = await call('GET', events(calendarId), { searchParams })
      items.push(...(page.items ?? []).map(item))
      if (page.nextPageToken) pageToken = page.nextPageToken
      else if (page.nextSyncToken) return { items, cursor: page.nextSyncToken as string }
      else throw new ProviderError(502, 'noSyncToken', 'Google answered a last page without nextSyncToken')
    }
  }
  return {
    async changes(calendarId, cursor) {
      if (cursor) {
        try {
          return { ...(await pull(calendarId, cursor)), full: false }
        } catch (error) {
          if (!expired(error)) throw error
        }
      }
      return { ...(await pull(calendarId)), full: true }
    },
    async insert(calendarId, item) {
      const made = await call('POST', events(calendarId), { json: event(item) })
      return { id: made.id, etag: made.etag }
    },
    async update(calendarId, id, item, etag) {
      const made = await call('PUT', `${events(calendarId)}/${encodeURIComponent(id)}`, { json: event(item), headers: etag ? { 'if-match': etag } : {} })
      return { etag: made.etag }
    },
    async remove(calendarId, id) {
      try {
        await call('DELETE', `${events(calendarId)}/${encodeURIComponent(id)}`)
      } catch (error) {
        // Deleted there already.
        if (!(error instanceof ProviderError && [404, 410].includes(error.status))) throw error
      }
    }
  }
}
