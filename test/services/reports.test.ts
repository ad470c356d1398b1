// Generated reports over real HTTP: a report's counts are computed from the appointments its creator may read (a
// worked example for a Manager and an Admin), are the engine's (read-only), and come with a CSV of those counted.
import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import { checkAggregates } from '../../src/services/reports.js'
import { DEMO_USERS, loginAll, request, startServer, type TestServer } from '../helpers.js'

describe('generated reports (appointments)', function () {
  this.timeout(60_000)
  let server: TestServer
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}
  const made: Record<string, string> = {}
  const range = { StartDate: '2020-01-01T00:00:00.000Z', Enddate: '2020-01-31T23:59:59.000Z' }

  before(async () => {
    server = await startServer('appointments')
    await loginAll(server.url, DEMO_USERS, tokens, ids)
    const appointments = server.app.service('appointments')
    const accepted = [{ DeveloperId: ids.dev, Status: 'Accepted', ResponseTime: '2019-12-20T09:00:00.000Z' }]
    const rows: [string, string, string, string, any[]][] = [
      ['A1', ids.maria, '2020-01-05T09:00:00.000Z', 'Scheduled', accepted],
      ['A2', ids.maria, '2020-01-10T09:00:00.000Z', 'Scheduled', [{ DeveloperId: ids.dev }]],
      ['A3', ids.maria, '2020-01-15T09:00:00.000Z', 'Cancelled', accepted],
      ['A4', ids.maria, '2020-02-10T09:00:00.000Z', 'Scheduled', accepted],
      ['B1', ids.omar, '2020-01-07T09:00:00.000Z', 'Scheduled', accepted],
      ['B2', ids.omar, '2020-01-20T09:00:00.000Z', 'Scheduled', []]
    ]
    for (const [name, ManagerId, AppointedDate, Status, Attendees] of rows) {
      made[name] = (await appointments.create({ ManagerId, AppointedDate, Status, Attendees }))._id
    }
  })
  after(async () => server?.close())

  const report = (who: string) => request(server.url, 'POST', '/reports', { token: tokens[who], body: { CreatedBy: ids[who], DateRange: range } })

  it("a Manager's report counts her own appointments: scheduled = in range and not cancelled; attended = in range, past, one Accepted", async () => {
    const res = await report('maria')
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.MeetingScheduled, 2, 'A1 and A2')
    assert.equal(res.body.MeetingAttended, 2, 'A1 and A3 (the declared rule counts an Accepted attendee, whatever the status)')
    assert.match(res.body.export_url, /^\/files\/[0-9a-f]{24}$/)
    const csv = await fetch(server.url + res.body.export_url, { headers: { authorization: `Bearer ${tokens.maria}` } })
    assert.equal(csv.status, 200)
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[]
    assert.deepEqual(rows.map((row) => row._id).sort(), [made.A1, made.A2].sort(), 'the CSV lists the appointments counted as scheduled')
    assert.equal((await fetch(server.url + res.body.export_url, { headers: { authorization: `Bearer ${tokens.omar}` } })).status, 404, "not Omar's to read")
  })

  it("an Admin's report over the same range counts everyone's", async () => {
    const res = await report('admin')
    assert.equal(res.status, 201)
    assert.deepEqual([res.body.MeetingScheduled, res.body.MeetingAttended], [4, 3], 'A1 A2 B1 B2 scheduled; A1 A3 B1 attended')
  })

  it("an Admin's report for a Manager (Created By her) counts what she may read: she can read the report, so it shows no more", async () => {
    const res = await request(server.url, 'POST', '/reports', { token: tokens.admin, body: { CreatedBy: ids.maria, DateRange: range } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual([res.body.MeetingScheduled, res.body.MeetingAttended], [2, 2], "Maria's A1 A2 scheduled, A1 A3 attended; none of Omar's")
    const read = await request(server.url, 'GET', `/reports/${res.body._id}`, { token: tokens.maria })
    assert.equal(read.status, 200, 'the report is hers to read')
    const csv = await fetch(server.url + res.body.export_url, { headers: { authorization: `Bearer ${tokens.maria}` } })
    assert.equal(csv.status, 200)
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[]
    assert.deepEqual(rows.map((row) => row._id).sort(), [made.A1, made.A2].sort(), "her CSV holds her appointments only, not Omar's B1 B2")
    const nobody = await request(server.url, 'POST', '/reports', { token: tokens.admin, body: { CreatedBy: '65a000000000000000000000', DateRange: range } })
    assert.ok([400, 422].includes(nobody.status), `a report for no user is refused (${nobody.status}: ${JSON.stringify(nobody.body)})`)
  })

  it('whom a report was counted as is fixed once counted: moving it to another user is a 400 (it would hand them its counts and CSV)', async () => {
    const own = await request(server.url, 'POST', '/reports', { token: tokens.admin, body: { CreatedBy: ids.admin, DateRange: range } })
    assert.equal(own.status, 201)
    const moved = await request(server.url, 'PATCH', `/reports/${own.body._id}`, { token: tokens.admin, body: { CreatedBy: ids.maria } })
    assert.equal(moved.status, 400, JSON.stringify(moved.body))
    assert.match(moved.body.message, /CreatedBy/)
    const replaced = await request(server.url, 'PUT', `/reports/${own.body._id}`, { token: tokens.admin, body: { CreatedBy: ids.omar, DateRange: range } })
    assert.equal(replaced.status, 400, JSON.stringify(replaced.body))
    assert.equal((await request(server.url, 'GET', `/reports/${own.body._id}`, { token: tokens.maria })).status, 403, 'still not Maria’s to read')
    assert.equal((await fetch(server.url + own.body.export_url, { headers: { authorization: `Bearer ${tokens.maria}` } })).status, 404, 'nor its CSV')
  })

  it("a report for a user who may not read what it counts is a 400 naming the field (the Admin was told she may not read it: 403)", async () => {
    const role = await server.app.service('roles').create({ RoleName: 'Counts nothing' })
    const user = await server.app.service('users').create({ Name: 'No Reader', email: 'noreader@example.com', password: 'long enough 1', RoleId: role._id })
    const res = await request(server.url, 'POST', '/reports', { token: tokens.admin, body: { CreatedBy: user._id, DateRange: range } })
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.match(res.body.message, /CreatedBy cannot be counted for/)
  })

  it('`as` must name a top-level reference to the users (a declaration error otherwise)', () => {
    const collections = server.app.blueprint.collections
    const withAs = (as: string) => collections.map((c) => (c.name === 'reports' ? { ...c, aggregates: { ...c.aggregates!, as } } : c))
    assert.throws(() => checkAggregates(withAs('DateRange')), /as "DateRange" must be a top-level reference to the users collection/)
    assert.doesNotThrow(() => checkAggregates(withAs('CreatedBy')))
  })

  it('a range that ends before it starts is a 400 naming its end (it was counted, 0 and 0, and stored as a report)', async () => {
    const before = (await server.app.service('reports').find({ paginate: false })).length
    const res = await request(server.url, 'POST', '/reports', { token: tokens.maria, body: { CreatedBy: ids.maria, DateRange: { StartDate: range.Enddate, Enddate: range.StartDate } } })
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.deepEqual(res.body.data, { 'DateRange.Enddate': 'must not be before DateRange.StartDate' })
    assert.equal((await server.app.service('reports').find({ paginate: false })).length, before)
  })

  it('the counts are the engine’s: typed by a caller they are a 400, and they cannot be patched', async () => {
    const typed = await request(server.url, 'POST', '/reports', { token: tokens.maria, body: { CreatedBy: ids.maria, DateRange: range, MeetingScheduled: 99 } })
    assert.equal(typed.status, 400)
    assert.match(typed.body.message, /read-only/)
    const [own] = (await server.app.service('reports').find({ paginate: false, query: { CreatedBy: ids.maria } })) as any[]
    assert.equal((await request(server.url, 'PATCH', `/reports/${own._id}`, { token: tokens.admin, body: { MeetingAttended: 0 } })).status, 400)
  })

  it('a replace keeps the counts and their CSV; the range they were counted by cannot be changed (another range is another report)', async () => {
    const made = (await report('maria')).body
    const replaced = await request(server.url, 'PUT', `/reports/${made._id}`, { token: tokens.admin, body: { CreatedBy: ids.maria, DateRange: range } })
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body))
    // Before: the counts and export_url were gone, and the CSV, referenced no more, deleted.
    assert.deepEqual([replaced.body.MeetingScheduled, replaced.body.MeetingAttended, replaced.body.export_url], [made.MeetingScheduled, made.MeetingAttended, made.export_url])
    assert.equal((await fetch(server.url + made.export_url, { headers: { authorization: `Bearer ${tokens.maria}` } })).status, 200)
    const later = { StartDate: '2030-01-01T00:00:00.000Z', Enddate: '2030-01-02T00:00:00.000Z' }
    for (const [method, body] of [['PATCH', { DateRange: later }], ['PUT', { CreatedBy: ids.maria, DateRange: later }]] as const) {
      const refused = await request(server.url, method, `/reports/${made._id}`, { token: tokens.admin, body })
      assert.equal(refused.status, 400, method)
      assert.match(refused.body.message, /DateRange is what this report was counted by/)
    }
    // The same instants spelled otherwise are the same range.
    const same = await request(server.url, 'PATCH', `/reports/${made._id}`, { token: tokens.admin, body: { DateRange: { StartDate: '2020-01-01T00:00:00Z', Enddate: '2020-01-31T23:59:59Z' } } })
    assert.equal(same.status, 200, JSON.stringify(same.body))
    assert.equal((await server.app.service('reports').get(made._id)).MeetingScheduled, made.MeetingScheduled)
  })
})
