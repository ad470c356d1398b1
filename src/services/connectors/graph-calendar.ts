// Microsoft Graph calendar delta queries (GET /me/calendars/{id}/events/delta): pages by @odata.nextLink, the last one's
// @odata.deltaLink kept as the cursor, deleted events as `@removed`, each event's ETag in @odata.etag. Pull only.
import { ProviderError, providerClient } from './http.js'
import { utc, type CalendarAttendee, type CalendarItem, type ProviderFactory } from './provider.js'

const RESPONSES: Record<string, CalendarAttendee['response']> = { accepted: 'accepted', organizer: 'accepted', declined: 'declined', tentativelyAccepted: 'tentative' }

function item(event: any): CalendarItem {
  if (event['@removed']) return { id: event.id, removed: true }
  const organizer = event.organizer?.emailAddress?.address?.toLowerCase()
  return {
    id: event.id,
    etag: event['@odata.etag'],
    title: event.subject ?? undefined,
    description: event.body?.content || undefined,
    start: event.start?.dateTime ? utc(event.start.dateTime) : undefined,
    end: event.end?.dateTime ? utc(event.end.dateTime) : undefined,
    allDay: !!event.isAllDay,
    location: event.location?.displayName || undefined,
    category: event.categories?.[0],
    attendees: (event.attendees ?? []).filter((a: any) => a.emailAddress?.address).map((a: any) => ({
      email: a.emailAddress.address,
      name: a.emailAddress.name || undefined,
      response: RESPONSES[a.status?.response] ?? 'none',
      organizer: a.emailAddress.address.toLowerCase() === organizer
    }))
  }
}

/** Graph answers an expired or unknown delta token with 410 Gone (`syncStateNotFound`, `resyncRequired`…): start again. */
const expired = (error: unknown) => error instanceof ProviderError && error.status === 410

export const graphCalendar: ProviderFactory = (baseUrl, accessToken, http) => {
  // Times in UTC; pages of at most 50 events.
  const call = providerClient(baseUrl, accessToken, http, { prefer: 'outlook.timezone="UTC", odata.maxpagesize=50' })
  async function pull(first: string) {
    const items: CalendarItem[] = []
    for (let url = first; ;) {
      const page = await call('GET', url)
      items.push(...(page.value ?? []).map(item))
      if (page['@odata.nextLink']) url = page['@odata.nextLink']
      else if (page['@odata.deltaLink']) return { items, cursor: page['@odata.deltaLink'] as string }
      else throw new ProviderError(502, 'noDeltaLink', 'Graph answered a page with neither @odata.nextLink nor @odata.deltaLink')
    }
  }
  const everything = (calendarId: string) => `me/calendars/${encodeURIComponent(calendarId)}/events/delta`
  return {
    async changes(calendarId, cursor) {
      if (cursor) {
        try {
          return { ...(await pull(cursor)), full: false }
        } catch (error) {
          if (!expired(error)) throw error
        }
      }
      return { ...(await pull(everything(calendarId))), full: true }
    }
  }
}
