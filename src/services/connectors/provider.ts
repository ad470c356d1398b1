// What every calendar provider gives the connector: its changes since a cursor as items of one shape, and, where it
// takes them, our changes sent back. Times are UTC ISO strings; an all-day item runs from midnight to midnight (end excluded).
import type { CalendarAttendeeField, CalendarItemField } from '../../schemas/types.js'
import type { HttpOptions } from './http.js'

export type CalendarAttendee = { email: string; name?: string; response: 'none' | 'accepted' | 'declined' | 'tentative'; organizer: boolean }

export type CalendarItem = Partial<Record<Exclude<CalendarItemField, 'attendees' | 'allDay'>, string>> & {
  /** The provider's id of the event. */
  id: string
  etag?: string
  /** Deleted at the provider (Graph `@removed`, Google `status: cancelled`). */
  removed?: boolean
  allDay?: boolean
  attendees?: CalendarAttendee[]
}

export type AttendeeKey = CalendarAttendeeField

export interface Changes {
  items: CalendarItem[]
  /** Where the next pull starts (a delta link, a sync token). */
  cursor: string
  /** Every item was listed (a first pull, or a cursor the provider no longer knew): local items not listed are gone. */
  full: boolean
}

export interface CalendarProvider {
  /** Every change since `cursor` (every item without one), following the provider's pages. */
  changes(calendarId: string, cursor?: string): Promise<Changes>
  /** Creates the item at the provider (push). */
  insert?(calendarId: string, item: Omit<CalendarItem, 'id'>): Promise<{ id: string; etag: string }>
  /** Replaces the item if its ETag is still `etag`; a changed one is a ProviderError 412. */
  update?(calendarId: string, id: string, item: Omit<CalendarItem, 'id'>, etag?: string): Promise<{ etag: string }>
  /** Deletes the item (one already gone there is no error). */
  remove?(calendarId: string, id: string): Promise<void>
}

export type ProviderFactory = (baseUrl: string, accessToken: string, http: HttpOptions) => CalendarProvider

/** A date-time as UTC ISO; one without an offset is UTC (the providers are asked for UTC). */
export const utc = (value: string) => new Date(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`).toISOString()
