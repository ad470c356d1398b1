// Seed 002's purpose: a calendar with sync enabled pulls Outlook's changes (Graph delta queries) and pushes to / pulls
// from Google Calendar, against local servers speaking both providers' formats. Internal fields stay ours, conflicts are
// recorded, throttling waits for Retry-After, an expired sync token means a full resync, and a second run changes nothing.
import assert from 'node:assert/strict'
import { calendarWorld, type World } from './world.js'

const OUTLOOK_ID = 'AAMkAGI-alice-sync-test'
const GOOGLE_ID = 'alice.sync-test@group.calendar.google.com'
const INTERNAL = { internal_notes: 'VIP client: greet at the door', budget_allocated: 1200, staff_assigned: ['Sam (AV)'], priority_level: 'critical' }

const graphEvent = (id: string, subject: string, day: number, extra: Record<string, unknown> = {}) => ({
  id,
  subject,
  body: { contentType: 'text', content: `${subject}, agenda attached` },
  start: { dateTime: `2026-12-${String(day).padStart(2, '0')}T09:00:00.0000000`, timeZone: 'UTC' },
  end: { dateTime: `2026-12-${String(day).padStart(2, '0')}T10:30:00.0000000`, timeZone: 'UTC' },
  isAllDay: false,
  location: { displayName: 'Main conference room' },
  categories: ['Meeting'],
  organizer: { emailAddress: { name: 'Alice Martin', address: 'alice@example.com' } },
  attendees: [
    { type: 'required', status: { response: 'accepted' }, emailAddress: { name: 'Alice Martin', address: 'alice@example.com' } },
    { type: 'required', status: { response: 'tentativelyAccepted' }, emailAddress: { name: 'Dana Lee', address: 'dana@northwind.example.com' } }
  ],
  ...extra
})

describe('calendar sync with Outlook and Google', () => {
  let world: World
  let calendarId: string
  /** Alice's provider access tokens as stored (other files of the shared world may have replaced the demo's). */
  let outlookToken: string
  let googleToken: string
  const events = async () => (await world.find('events', { calendar_id: calendarId })) as any[]
  const byOutlook = async (id: string) => (await events()).find((e) => e.outlook_event_id === id)
  const calendarsCollection = () => world.server.app.blueprint.collections.find((c: any) => c.name === 'calendars')!
  const sync = () => world.server.app.connectors.run(calendarsCollection(), calendarId) as Promise<any>
  const lastLogs = async () => {
    const logs = (await world.server.app.service('sync-logs').find({ paginate: false, query: { $sort: { started_at: -1, _id: -1 }, $limit: 50 } })) as any[]
    return { outlook: logs.find((l) => l.sync_type === 'outlook_to_local'), google: logs.find((l) => l.sync_type === 'google_sync') }
  }
  const counts = (log: any) => [log.status, log.events_processed, log.events_created, log.events_updated, log.events_deleted]
  const googleWrites = (since: number) => world.providers.requestsSince(since, 'google').filter((r) => r.method !== 'GET')

  before(async () => {
    world = await calendarWorld()
    const { caller } = await world.atWork('alice')
    outlookToken = (await world.server.app.oauth.accessToken(caller.user._id, 'microsoft')).accessToken
    googleToken = (await world.server.app.oauth.accessToken(caller.user._id, 'google')).accessToken
    world.providers.tokens.add(outlookToken).add(googleToken)
    const calendar = await world.create('calendars', { user_id: caller.user._id, name: 'Sync test', outlook_calendar_id: OUTLOOK_ID, google_calendar_id: GOOGLE_ID, sync_enabled: true }, 'alice')
    calendarId = calendar._id
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-board', 'Board meeting', 7))
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-workshop', 'Client workshop', 8))
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-allhands', 'All-hands', 9, { isAllDay: true, start: { dateTime: '2026-12-09T00:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-12-10T00:00:00.0000000', timeZone: 'UTC' }, attendees: [] }))
    world.providers.googlePut(GOOGLE_ID, { id: 'g-dentist', summary: 'Dentist', start: { dateTime: '2026-12-10T08:00:00Z' }, end: { dateTime: '2026-12-10T09:00:00Z' }, attendees: [{ email: 'alice@example.com', responseStatus: 'needsAction', organizer: true }] })
  })

  it('makes a full sync: Outlook events pulled page by page, Google’s pulled, Outlook’s pushed to Google, one log per provider', async () => {
    const since = world.providers.seen.length
    await sync()
    const graph = world.providers.requestsSince(since, 'graph')
    assert.equal(graph.length, 2, 'two pages: the first, then its @odata.nextLink')
    assert.ok(graph[1].query.get('$skiptoken'), 'the next page followed')
    assert.ok(graph.every((r) => r.authorization === `Bearer ${outlookToken}`), 'Alice’s Microsoft token')
    assert.ok(world.providers.requestsSince(since, 'google').every((r) => r.authorization === `Bearer ${googleToken}`), 'Alice’s Google token')

    const board = await byOutlook('evt-board')
    assert.equal(board.title, 'Board meeting')
    assert.equal(board.description, 'Board meeting, agenda attached')
    assert.equal(new Date(board.start_time).toISOString(), '2026-12-07T09:00:00.000Z')
    assert.equal(board.location, 'Main conference room')
    assert.equal(board.category, 'Meeting')
    assert.deepEqual(board.attendees.map((a: any) => [a.email, a.response_status, a.is_organizer]), [['alice@example.com', 'accepted', true], ['dana@northwind.example.com', 'tentative', false]])
    assert.equal(board.outlook_etag, world.providers.graphEvent(OUTLOOK_ID, 'evt-board')?.['@odata.etag'])
    assert.equal(board.user_id, (await world.atWork('alice')).caller.user._id)
    assert.equal(board.sync_status, 'synced', 'in Outlook and Google alike')
    assert.ok(board.google_event_id && board.google_etag && board.last_synced)
    const allHands = await byOutlook('evt-allhands')
    assert.equal(allHands.all_day, true)
    const dentist = (await events()).find((e) => e.google_event_id === 'g-dentist')
    assert.equal(dentist.title, 'Dentist')
    assert.deepEqual(dentist.attendees.map((a: any) => [a.response_status, a.is_organizer]), [['none', true]])

    const pushed = googleWrites(since)
    assert.equal(pushed.length, 3, 'the three Outlook events inserted at Google')
    const allDay = pushed.find((r) => r.body.summary === 'All-hands')!
    assert.deepEqual([allDay.body.start, allDay.body.end], [{ date: '2026-12-09' }, { date: '2026-12-10' }])
    assert.deepEqual(world.providers.googleEvents(GOOGLE_ID).map((e) => e.summary).sort(), ['All-hands', 'Board meeting', 'Client workshop', 'Dentist'])

    const { outlook, google } = await lastLogs()
    assert.deepEqual(counts(outlook), ['success', 3, 3, 0, 0])
    assert.deepEqual(counts(google), ['success', 4, 4, 0, 0], 'one pulled and three pushed')
    for (const log of [outlook, google]) {
      assert.equal(log.user_id, board.user_id)
      assert.ok(log.duration_ms >= 0 && log.started_at && log.completed_at)
      assert.deepEqual(log.errors, [])
    }
    const [calendar] = await world.find('calendars', { _id: calendarId })
    assert.match(calendar.outlook_delta_link, /\$deltatoken=/)
    assert.match(calendar.google_sync_token, /^sync-/)
    assert.ok(calendar.last_synced)
  })

  it('runs again without creating, changing or sending anything', async () => {
    const before = (await events()).map((e) => [e._id, e.updated_at])
    const since = world.providers.seen.length
    await sync()
    assert.deepEqual((await events()).map((e) => [e._id, e.updated_at]), before)
    assert.deepEqual(googleWrites(since), [])
    const graph = world.providers.requestsSince(since, 'graph')
    assert.ok(graph[0].query.get('$deltatoken'), 'from the stored delta link')
    const { outlook, google } = await lastLogs()
    assert.deepEqual(counts(outlook), ['success', 0, 0, 0, 0])
    // Google lists our three inserts again after the sync token (as it does): their ETags are ours, nothing changes.
    assert.deepEqual(counts(google), ['success', 3, 0, 0, 0])
  })

  it('pulls changes incrementally: an update, a deletion, a new event; internal fields stay ours and are never sent', async () => {
    const alice = await world.as('alice')
    const board = await byOutlook('evt-board')
    const edited = await alice.patch(`/events/${board._id}`, INTERNAL)
    assert.equal(edited.status, 200, JSON.stringify(edited.body))
    assert.equal(edited.body.sync_status, 'synced', 'internal fields are not synced: nothing to send')
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-board', 'Board meeting (moved)', 7, { start: { dateTime: '2026-12-07T11:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-12-07T12:00:00.0000000', timeZone: 'UTC' } }))
    const allHandsGoogleId = (await byOutlook('evt-allhands')).google_event_id
    world.providers.graphRemove(OUTLOOK_ID, 'evt-allhands')
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-review', 'Design review', 11))
    world.providers.googleCancel(GOOGLE_ID, 'g-dentist')
    const since = world.providers.seen.length
    await sync()

    const moved = await byOutlook('evt-board')
    assert.equal(moved.title, 'Board meeting (moved)')
    assert.equal(new Date(moved.start_time).toISOString(), '2026-12-07T11:00:00.000Z')
    for (const [field, value] of Object.entries(INTERNAL)) assert.deepEqual(moved[field], value, `${field} kept`)
    assert.equal(await byOutlook('evt-allhands'), undefined, 'removed in Outlook: removed here')
    assert.ok(await byOutlook('evt-review'))
    assert.ok(!(await events()).some((e) => e.google_event_id === 'g-dentist'), 'cancelled at Google: removed here')

    const writes = googleWrites(since)
    assert.deepEqual(writes.map((r) => r.method).sort(), ['DELETE', 'POST', 'PUT'])
    assert.ok(writes.find((r) => r.method === 'DELETE')!.path.endsWith(`/${allHandsGoogleId}`), 'the all-hands deleted at Google too')
    assert.equal(writes.find((r) => r.method === 'PUT')!.body.summary, 'Board meeting (moved)')
    const sent = JSON.stringify(world.providers.requestsSince(0).map((r) => r.body ?? null))
    for (const value of ['VIP client', '1200', 'Sam (AV)', 'critical', 'internal_notes', 'budget']) assert.ok(!sent.includes(value), `${value} sent to a provider`)

    const { outlook, google } = await lastLogs()
    assert.deepEqual(counts(outlook), ['success', 3, 1, 1, 1])
    assert.deepEqual(counts(google), ['success', 4, 1, 1, 2], 'the cancelled one pulled; the all-hands deleted, the review inserted and the board meeting replaced there')
  })

  it('records a conflict when an event changed here and in Outlook: ours kept, theirs named in sync_errors and the log', async () => {
    const alice = await world.as('alice')
    const workshop = await byOutlook('evt-workshop')
    const edited = await alice.patch(`/events/${workshop._id}`, { title: 'Client workshop (our title)' })
    assert.equal(edited.body.sync_status, 'pending', 'a change of a synced field waits for the next sync')
    const etag = world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-workshop', 'Client workshop (their title)', 8))
    await sync()
    const after = await byOutlook('evt-workshop')
    assert.equal(after.title, 'Client workshop (our title)')
    assert.equal(after.sync_status, 'error')
    assert.match(after.sync_errors.at(-1), /Conflict with microsoft/)
    assert.equal(after.outlook_etag, etag)
    const { outlook } = await lastLogs()
    assert.equal(outlook.status, 'partial')
    assert.deepEqual(outlook.errors.map((e: any) => [e.event_id, e.error_code]), [['evt-workshop', 'conflict']])
    assert.equal(world.providers.googleEvents(GOOGLE_ID).find((e) => e.id === after.google_event_id)?.summary, 'Client workshop (our title)', 'ours reached Google')

    // Their next change applies again, and clears the recorded conflict.
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-workshop', 'Client workshop (agreed)', 8))
    await sync()
    const settled = await byOutlook('evt-workshop')
    assert.deepEqual([settled.title, settled.sync_status, settled.sync_errors], ['Client workshop (agreed)', 'synced', []])
  })

  it('names an event it cannot store in the log and syncs the others', async () => {
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-untitled', '', 13, { subject: '' }))
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-standup', 'Stand-up', 13))
    await sync()
    assert.equal(await byOutlook('evt-untitled'), undefined)
    assert.ok(await byOutlook('evt-standup'))
    const { outlook } = await lastLogs()
    assert.deepEqual([outlook.status, outlook.events_created], ['partial', 1])
    assert.deepEqual(outlook.errors.map((e: any) => [e.event_id, e.error_code]), [['evt-untitled', 'BadRequest']])
    assert.match(outlook.errors[0].error_message, /title/)
    world.providers.graphRemove(OUTLOOK_ID, 'evt-untitled')
  })

  it('sends an event its owner makes here to Google, and deletes it there once they delete it here', async () => {
    const alice = await world.as('alice')
    const made = await alice.post('/events', { user_id: alice.user._id, calendar_id: calendarId, title: 'Lunch with Dana', start_time: '2026-12-15T12:00:00.000Z', end_time: '2026-12-15T13:00:00.000Z', internal_notes: 'expense it' })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    assert.equal(made.body.sync_status, 'pending')
    let since = world.providers.seen.length
    await sync()
    const [inserted] = googleWrites(since)
    assert.deepEqual([inserted.method, inserted.body.summary, inserted.body.start], ['POST', 'Lunch with Dana', { dateTime: '2026-12-15T12:00:00.000Z', timeZone: 'UTC' }])
    const lunch = (await events()).find((e) => e._id === made.body._id)
    assert.deepEqual([lunch.sync_status, lunch.outlook_event_id], ['synced', undefined], 'at Google; Outlook is pulled only')

    assert.equal((await alice.remove(`/events/${lunch._id}`)).status, 200)
    const [calendar] = await world.find('calendars', { _id: calendarId })
    assert.deepEqual(calendar.google_removals, [lunch.google_event_id])
    since = world.providers.seen.length
    await sync()
    assert.deepEqual(googleWrites(since).map((r) => [r.method, r.path.split('/').pop()]), [['DELETE', lunch.google_event_id]])
    assert.ok(!world.providers.googleEvents(GOOGLE_ID).some((e) => e.id === lunch.google_event_id))
    const [after] = await world.find('calendars', { _id: calendarId })
    assert.deepEqual(after.google_removals, [])
    const { google } = await lastLogs()
    assert.deepEqual([google.status, google.events_deleted], ['success', 1])
  })

  it('waits as long as a 429’s Retry-After says, then carries on', async () => {
    world.providers.graphPut(OUTLOOK_ID, graphEvent('evt-lunch', 'Team lunch', 12))
    world.providers.throttle('graph', 1, 429, 1)
    world.providers.throttle('google', 2, 503)
    const since = world.providers.seen.length
    await sync()
    const [throttled, retried] = world.providers.requestsSince(since, 'graph')
    assert.equal(throttled.status, 429)
    assert.equal(retried.status, 200)
    assert.ok(retried.at - throttled.at >= 1000, `retried after ${retried.at - throttled.at} ms, before Retry-After's second`)
    assert.deepEqual(world.providers.requestsSince(since, 'google').slice(0, 3).map((r) => r.status), [503, 503, 200], 'back-off without Retry-After')
    assert.ok(await byOutlook('evt-lunch'))
    const { outlook, google } = await lastLogs()
    assert.deepEqual([outlook.status, google.status], ['success', 'success'])
  })

  it('logs an error and keeps its cursor when a provider stays unavailable', async () => {
    const [before] = await world.find('calendars', { _id: calendarId })
    world.providers.throttle('graph', 10, 503)
    await sync()
    const { outlook } = await lastLogs()
    assert.equal(outlook.status, 'error')
    assert.match(outlook.errors[0].error_message, /503/)
    const [after] = await world.find('calendars', { _id: calendarId })
    assert.equal(after.outlook_delta_link, before.outlook_delta_link)
    assert.equal(after.last_synced, before.last_synced, 'not a successful run')
    world.providers.calm()
  })

  it('resyncs fully when Google says its sync token expired (410 Gone), and when Graph’s delta link did', async () => {
    const lunch = await byOutlook('evt-lunch')
    world.providers.googlePurge(GOOGLE_ID, lunch.google_event_id)
    world.providers.expireCursors('google')
    world.providers.expireCursors('graph')
    const count = (await events()).length
    const since = world.providers.seen.length
    await sync()
    const lists = world.providers.requestsSince(since, 'google').filter((r) => r.method === 'GET')
    assert.equal(lists[0].status, 410)
    assert.ok(!lists[1].query.get('syncToken'), 'then listed without a sync token')
    const graph = world.providers.requestsSince(since, 'graph')
    assert.deepEqual([graph[0].status, graph[1].query.get('$deltatoken')], [410, null])
    assert.equal(await byOutlook('evt-lunch'), undefined, 'gone from Google’s full listing: removed here')
    assert.equal((await events()).length, count - 1, 'nothing made twice')
    const { outlook, google } = await lastLogs()
    assert.deepEqual([outlook.status, outlook.events_created, google.status, google.events_created], ['success', 0, 'success', 0])
  })

  it('queues a sync now from the calendar’s sync action, for its owner only', async () => {
    const bob = await world.as('bob')
    const refused = await bob.action('/calendars', 'sync', { id: calendarId })
    assert.ok([403, 404].includes(refused.status), JSON.stringify(refused.body))
    const alice = await world.as('alice')
    const [personal] = await world.find('calendars', { user_id: alice.user._id, name: 'Personal' })
    const unsynced = await alice.action('/calendars', 'sync', { id: personal._id })
    assert.equal(unsynced.status, 422, 'sync is not enabled on it')
    assert.match(unsynced.body.message, /not synced/)
    const logsBefore = (await world.find('sync-logs', { user_id: alice.user._id })).length
    const answer = await alice.action('/calendars', 'sync', { id: calendarId })
    assert.ok([200, 201].includes(answer.status), JSON.stringify(answer.body))
    assert.equal(answer.body._id, calendarId)
    for (let tries = 0; (await world.find('sync-logs', { user_id: alice.user._id })).length < logsBefore + 2; tries++) {
      assert.ok(tries < 200, 'the queued sync wrote its logs')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })
})
