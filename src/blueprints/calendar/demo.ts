/**
 * Demo records for a first start: an administrator and two users with their calendars, this week's events (a weekly
 * recurring team meeting with its instances among them), global and personal categories and locations, and sync logs,
 * one of them with an error. Demo users (password `quillbase-demo` for all):
 *   admin@example.com   admin  everything
 *   alice@example.com   user   two calendars (Work synced with Outlook and Google, Personal)
 *   bob@example.com     user   one calendar (Work, Outlook)
 */
import type { Application } from '@feathersjs/feathers'
import type { DemoLogins } from '../../schemas/types.js'

export const DEMO_PASSWORD = 'quillbase-demo'

type Rec = Record<string, any>

/** This week's Monday (UTC) plus `day` days, at `hour`:`minute` UTC. */
export const thisWeek = (day: number, hour: number, minute = 0) => {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7) + day)
  date.setUTCHours(hour, minute, 0, 0)
  return date.toISOString()
}

const PEOPLE = [
  { email: 'admin@example.com', display_name: 'Calendar Admin', role: 'admin' },
  { email: 'alice@example.com', display_name: 'Alice Martin', role: 'user', outlook_user_id: 'outlook-alice-0001', google_connected: true },
  { email: 'bob@example.com', display_name: 'Bob Okafor', role: 'user', outlook_user_id: 'outlook-bob-0002' }
]

export const demoLogins: DemoLogins = { password: DEMO_PASSWORD, users: PEOPLE.map(({ email, role }) => ({ email, role })) }

/** Demo-only token values: stored encrypted, never returned. */
const tokens = (who: string, google: boolean) => ({
  access_token: `demo-outlook-access-${who}`,
  refresh_token: `demo-outlook-refresh-${who}`,
  // A week ahead at least, whenever the demo is made: a sync on the demo tokens uses them as they are.
  token_expires_at: thisWeek(14, 0),
  ...(google && { google_access_token: `demo-google-access-${who}`, google_refresh_token: `demo-google-refresh-${who}`, google_token_expires_at: thisWeek(14, 0) })
})

export async function demo(app: Application) {
  const create = (name: string, data: Rec, as?: Rec) => app.service(name).create(data, as ? { user: as } : {}) as Promise<Rec>
  const people: Rec[] = []
  for (const person of PEOPLE) {
    const linked = person.outlook_user_id ? tokens(person.email.split('@')[0], !!person.google_connected) : {}
    people.push(await create('users', { ...person, password: DEMO_PASSWORD, ...linked }))
  }
  const [admin, alice, bob] = people

  // Global catalogue (no user_id), made by the admin; personal entries made by their owners.
  for (const category of [
    { name: 'Meeting', color: '#1E88E5', type: 'system', description: 'Meetings of any kind' },
    { name: 'Client event', color: '#E53935', type: 'external', description: 'Events run for a client' },
    { name: 'Internal', color: '#43A047', type: 'internal', description: 'Internal only' }
  ]) await create('categories', category, admin)
  await create('categories', { user_id: alice._id, name: 'Focus time', color: '#8E24AA', type: 'internal' }, alice)
  const hall = await create('locations', {
    name: 'Main conference room',
    address: '1 Harbour Street, Floor 3, Sydney',
    coordinates: { latitude: -33.8651, longitude: 151.2099 },
    capacity: 20,
    equipment_available: ['projector', 'video conferencing', 'whiteboard'],
    setup_time_required: 15
  }, admin)
  await create('locations', { name: 'Auditorium', address: '1 Harbour Street, Ground floor, Sydney', coordinates: { latitude: -33.8655, longitude: 151.2093 }, capacity: 250, equipment_available: ['stage', 'PA system'], setup_time_required: 90 }, admin)
  await create('locations', { user_id: bob._id, name: 'Home office', address: '22 Elm Road, Parramatta', coordinates: { latitude: -33.8150, longitude: 151.0011 }, capacity: 2 }, bob)

  const aliceWork = await create('calendars', { user_id: alice._id, name: 'Work', color: '#1E88E5', is_primary: true, outlook_calendar_id: 'AAMkAGI-alice-work', google_calendar_id: 'alice.work@group.calendar.google.com', sync_enabled: true, last_synced: thisWeek(0, 6) }, alice)
  const alicePersonal = await create('calendars', { user_id: alice._id, name: 'Personal', color: '#43A047' }, alice)
  const bobWork = await create('calendars', { user_id: bob._id, name: 'Work', color: '#FB8C00', is_primary: true, outlook_calendar_id: 'AAMkAGI-bob-work', last_synced: thisWeek(0, 6) }, bob)

  // The weekly team meeting: its master; the engine makes its five later instances, records pointing at it (the seed's design).
  const weekly = { type: 'weekly', interval: 1, days_of_week: ['monday'], occurrence_count: 6 }
  const meeting = { title: 'Weekly team sync', category: 'Meeting', location: hall.name, priority_level: 'high', attendees: [
    { email: alice.email, name: alice.display_name, response_status: 'accepted', is_organizer: true },
    { email: bob.email, name: bob.display_name, response_status: 'tentative', is_organizer: false }
  ] }
  await create('events', { user_id: alice._id, calendar_id: aliceWork._id, ...meeting, start_time: thisWeek(0, 9), end_time: thisWeek(0, 10), is_recurring: true, recurrence_pattern: weekly, outlook_event_id: 'AAMkAGI-evt-weekly-sync', outlook_etag: 'W/"DwAAABYAAAA1"', sync_status: 'synced', last_synced: thisWeek(0, 6) }, alice)

  await create('events', {
    user_id: alice._id, calendar_id: aliceWork._id, title: 'Product launch for Northwind', description: 'Launch event with the client team',
    start_time: thisWeek(2, 14), end_time: thisWeek(2, 17), location: 'Auditorium', category: 'Client event', internal_category: 'Launch',
    setup_start_time: thisWeek(2, 12, 30), setup_end_time: thisWeek(2, 14), teardown_start_time: thisWeek(2, 17), teardown_end_time: thisWeek(2, 18),
    internal_notes: 'Client prefers the stage lit warm; keep the back row free for press.', equipment_required: ['stage', 'PA system', '2 wireless mics'],
    staff_assigned: ['Sam (AV)', 'Priya (hosting)'], budget_allocated: 4500, client_contact: 'Dana Lee, +61 2 5550 1234', priority_level: 'critical',
    outlook_event_id: 'AAMkAGI-evt-northwind-launch', outlook_etag: 'W/"DwAAABYAAAA7"', google_event_id: 'g-northwind-launch', sync_status: 'synced', last_synced: thisWeek(0, 6)
  }, alice)
  await create('events', { user_id: alice._id, calendar_id: aliceWork._id, title: 'Budget review', start_time: thisWeek(3, 11), end_time: thisWeek(3, 12), category: 'Meeting', internal_category: 'Finance', outlook_event_id: 'AAMkAGI-evt-budget', sync_status: 'error', sync_errors: ['Google Calendar refused the update: 403 rateLimitExceeded'] }, alice)
  await create('events', { user_id: alice._id, calendar_id: alicePersonal._id, title: 'Dentist', start_time: thisWeek(4, 8), end_time: thisWeek(4, 9), priority_level: 'low' }, alice)
  await create('events', { user_id: alice._id, calendar_id: alicePersonal._id, title: 'Company offsite', start_time: thisWeek(5, 0), end_time: thisWeek(6, 0), all_day: true }, alice)

  await create('events', { user_id: bob._id, calendar_id: bobWork._id, title: 'Quarterly planning', start_time: thisWeek(1, 10), end_time: thisWeek(1, 12), location: 'Main conference room', category: 'Meeting', internal_category: 'Planning', equipment_required: ['projector'], outlook_event_id: 'AAMkAGI-evt-bob-planning', sync_status: 'synced' }, bob)
  await create('events', { user_id: bob._id, calendar_id: bobWork._id, title: 'Customer call: Contoso', start_time: thisWeek(3, 15), end_time: thisWeek(3, 15, 30), location: 'Home office', category: 'Client event', internal_notes: 'Renewal at risk; bring the usage report.', client_contact: 'ops@contoso.example.com', priority_level: 'high', sync_status: 'pending' }, bob)
  await create('events', { user_id: bob._id, calendar_id: bobWork._id, title: 'Code review', start_time: thisWeek(4, 13), end_time: thisWeek(4, 14) }, bob)

  await create('sync-logs', { user_id: alice._id, sync_type: 'outlook_to_local', status: 'partial', events_processed: 12, events_created: 3, events_updated: 8, events_deleted: 0, errors: [{ event_id: 'AAMkAGI-evt-budget', error_message: 'Google Calendar refused the update: 403 rateLimitExceeded', error_code: 'rateLimitExceeded' }], started_at: thisWeek(0, 6), completed_at: thisWeek(0, 6, 1), duration_ms: 48210 })
  await create('sync-logs', { user_id: bob._id, sync_type: 'outlook_to_local', status: 'success', events_processed: 3, events_created: 3, started_at: thisWeek(0, 6), completed_at: thisWeek(0, 6), duration_ms: 2140 })
}
