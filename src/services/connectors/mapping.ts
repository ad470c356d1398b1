// Between a provider's items and the synced records' mapped fields, and the hash of those fields kept per provider:
// only the declared fields cross, so an internal field is never written by a pull nor sent.
import { createHash } from 'node:crypto'
import type { ConnectorInput } from '../../schemas/types.js'
import type { CalendarItem } from './provider.js'

type Rec = Record<string, any>
const DATE_ITEMS = new Set(['start', 'end'])

/** The mapped fields' values, as compared and hashed: dates as UTC ISO, absent as null, attendees field by field. */
export function canonical(connector: ConnectorInput, record: Rec) {
  const values: Rec = {}
  for (const [field, from] of Object.entries(connector.fields)) {
    const value = record[field]
    if (typeof from !== 'string') values[field] = Array.isArray(value) ? value.map((a: Rec) => Object.fromEntries(Object.keys(from.fields).sort().map((k) => [k, a[k] ?? null]))) : null
    else if (DATE_ITEMS.has(from) && value != null) values[field] = new Date(value).toISOString()
    else values[field] = value ?? null
  }
  return values
}
export const hash = (values: Rec) => createHash('sha256').update(JSON.stringify(values)).digest('base64url').slice(0, 22)

/** A provider's item as the synced record's mapped fields (absent ones cleared: the provider removed them). */
export function fromItem(connector: ConnectorInput, item: CalendarItem): Rec {
  const values: Rec = {}
  for (const [field, from] of Object.entries(connector.fields)) {
    if (typeof from === 'string') values[field] = item[from] ?? null
    else values[field] = item.attendees?.map((a) => Object.fromEntries(Object.entries(from.fields).map(([k, key]) => [k, a[key]]).filter(([, v]) => v !== undefined)))
  }
  return values
}

/** The record's mapped fields as a provider's item: internal fields are never in it. */
export function toItem(connector: ConnectorInput, record: Rec): Omit<CalendarItem, 'id'> {
  const item: Rec = {}
  for (const [field, from] of Object.entries(connector.fields)) {
    const value = record[field]
    if (value == null) continue
    if (typeof from === 'string') item[from] = DATE_ITEMS.has(from) ? new Date(value).toISOString() : value
    else item.attendees = value.map((a: Rec) => Object.fromEntries(Object.entries(from.fields).map(([k, key]) => [key, a[k] ?? (key === 'response' ? 'none' : key === 'organizer' ? false : undefined)])))
  }
  return item
}

/** Fields set to null are left out of a create and removed by a patch (the engine's `null` for an optional field). */
export const withoutNulls = (values: Rec) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null))

