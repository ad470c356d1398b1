// Exports: GET /<collection> with Accept text/csv or application/x-ndjson streams what the JSON query finds, every page,
// with the caller's permissions and field rules; never a hidden record or field, never a secret.
import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import { DEMO_USERS, login, loginAll, request, startServer, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

describe('exports (CSV and NDJSON)', function () {
  this.timeout(60_000)
  let server: TestServer
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}

  const exported = async (path: string, accept: string, token?: string) => {
    const res = await fetch(server.url + path, { headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) } })
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() }
  }
  const csv = async (path: string, token?: string) => {
    const res = await exported(path, 'text/csv', token)
    assert.equal(res.status, 200, res.text)
    assert.match(res.type ?? '', /^text\/csv/)
    return parse(res.text, { columns: true }) as Record<string, string>[]
  }
  const jsonAll = async (path: string, token: string) => {
    const separator = path.includes('?') ? '&' : '?'
    const res = await request(server.url, 'GET', `${path}${separator}$limit=200`, { token })
    assert.equal(res.status, 200)
    return res.body
  }

  before(async () => {
    server = await startServer('appointments')
    await loginAll(server.url, DEMO_USERS, tokens, ids)
    const users = (await server.app.service('users').find({ paginate: false })) as any[]
    ids.sam = users.find((u) => u.email === 'sam@example.com')._id
    ids.omar = users.find((u) => u.email === 'omar@example.com')._id
    // More than one page (max 200 per page): Maria's appointments, one of them attended by Dev.
    const records = Array.from({ length: 450 }, (_, i) => ({
      ManagerId: ids.maria,
      AppointedDate: new Date(Date.UTC(2031, 0, 1 + (i % 365))).toISOString(),
      Attendees: i % 3 === 0 ? [{ DeveloperId: ids.dev }] : []
    }))
    await server.app.service('appointments').create(records)
  })
  after(async () => server?.close())

  it('an Admin gets every appointment, across pages, as the JSON total says; arrays are JSON cells', async () => {
    const rows = await csv('/appointments', tokens.admin)
    const { total } = await jsonAll('/appointments', tokens.admin)
    assert.equal(rows.length, total)
    assert.ok(total > 450)
    assert.equal(new Set(rows.map((row) => row._id)).size, rows.length, 'no record twice')
    assert.deepEqual(Object.keys(rows[0]), ['_id', 'ManagerId', 'AppointedDate', 'Attendees', 'Status', 'CreatedAt', 'UpdatedAt'])
    const attended = rows.find((row) => row.Attendees.includes(ids.dev))!
    assert.equal(JSON.parse(attended.Attendees)[0].DeveloperId, ids.dev)
    // The bytes: a header line, then RFC 4180 quoting where a cell needs it (the JSON's quotes doubled), `\n` after each row.
    const { text } = await exported('/appointments', 'text/csv', tokens.admin)
    assert.ok(text.startsWith('_id,ManagerId,AppointedDate,Attendees,Status,CreatedAt,UpdatedAt\n'))
    assert.ok(text.includes(`,"[{""DeveloperId"":""${ids.dev}""}]",`))
    assert.ok(text.endsWith('\n') && !text.includes('\r'))
  })

  it("a Manager gets only their own, a Developer only those they attend: the same records as the JSON query", async () => {
    for (const [role, condition] of [['maria', (row: any) => row.ManagerId === ids.maria], ['dev', (row: any) => row.Attendees.includes(ids.dev)]] as const) {
      const rows = await csv('/appointments', tokens[role])
      const json = await jsonAll('/appointments', tokens[role])
      assert.equal(rows.length, json.total, role)
      assert.ok(rows.length > 0 && rows.every(condition), `${role} sees only their records`)
    }
    const omars = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: ids.omar } })) as any[]
    const devRows = await csv('/appointments', tokens.dev)
    const mariaRows = await csv('/appointments', tokens.maria)
    for (const record of omars.filter((r) => !r.Attendees.some((a: any) => a.DeveloperId === ids.dev))) {
      assert.ok(!devRows.some((row) => row._id === record._id) && !mariaRows.some((row) => row._id === record._id), 'a hidden record never appears')
    }
  })

  it("field rules hold: a Developer's export of users has others' public fields only, never a secret column", async () => {
    const rows = await csv('/users', tokens.dev)
    assert.equal(rows.length, 6)
    const columns = Object.keys(rows[0])
    for (const secret of ['password', 'resetPasswordToken']) assert.ok(!columns.includes(secret), `no ${secret} column`)
    const sam = rows.find((row) => row._id === ids.sam)!
    assert.equal(sam.Name, 'Sam Okafor')
    assert.equal(sam.BlockedUser, '', "Sam's block list is not in Dev's export")
    assert.equal(sam.CreatedAt, '')
    const own = rows.find((row) => row._id === ids.dev)!
    assert.notEqual(own.CreatedAt, '', 'their own record has every field they may read')
    // As the JSON API shows it.
    const json = await request(server.url, 'GET', `/users/${ids.sam}`, { token: tokens.dev })
    assert.deepEqual(Object.keys(json.body).sort(), ['Name', 'RoleId', '_id', 'email'])
  })

  it('NDJSON lines are byte for byte the JSON API records, for two roles on appointments and users (no hidden or masked field, no secret)', async () => {
    const jsonRecords = async (path: string, token: string) => {
      const records: Record<string, any>[] = []
      for (let skip = 0; ; skip += 200) {
        const res = await request(server.url, 'GET', `${path}?$sort[_id]=1&$limit=200&$skip=${skip}`, { token })
        assert.equal(res.status, 200)
        records.push(...res.body.data)
        if (res.body.data.length < 200) return records
      }
    }
    for (const [path, role] of [['/appointments', 'admin'], ['/appointments', 'maria'], ['/users', 'admin'], ['/users', 'dev']]) {
      const res = await exported(path, 'application/x-ndjson', tokens[role])
      assert.equal(res.status, 200, res.text)
      const lines = res.text.trimEnd().split('\n')
      const byId = new Map(lines.map((line) => [JSON.parse(line)._id, line]))
      const records = await jsonRecords(path, tokens[role])
      assert.equal(lines.length, records.length, `${role} on ${path}: as many lines as records`)
      for (const record of records) assert.equal(byId.get(record._id), JSON.stringify(record), `${role} on ${path}: ${record._id}`)
      if (path === '/users') for (const line of lines) assert.ok(!/password|resetPasswordToken/.test(line), 'no secret')
    }
  })

  it('NDJSON: one JSON record per line, equal to what the JSON API returns, filters and $sort applied', async () => {
    const res = await exported('/appointments?$sort[AppointedDate]=-1&Status=Scheduled', 'application/x-ndjson', tokens.dev)
    assert.equal(res.status, 200)
    assert.match(res.type ?? '', /^application\/x-ndjson/)
    assert.match(res.disposition ?? '', /attachment; filename="appointments.ndjson"/)
    const lines = res.text.trimEnd().split('\n').map((line) => JSON.parse(line))
    const json = await jsonAll('/appointments?$sort[AppointedDate]=-1&Status=Scheduled', tokens.dev)
    assert.equal(lines.length, json.total)
    assert.deepEqual(lines.slice(0, json.data.length), json.data)
    const dates = lines.map((line) => line.AppointedDate)
    assert.deepEqual(dates, [...dates].sort().reverse(), 'in $sort order')
    // Sorted over several pages (by $skip): every record once, in order.
    const all = (await exported('/appointments?$sort[AppointedDate]=1', 'application/x-ndjson', tokens.admin)).text.trimEnd().split('\n').map((line) => JSON.parse(line))
    assert.equal(all.length, (await jsonAll('/appointments', tokens.admin)).total)
    assert.equal(new Set(all.map((record) => record._id)).size, all.length)
    const sorted = all.map((record) => record.AppointedDate)
    assert.deepEqual(sorted, [...sorted].sort())
  })

  it("a Manager's export pages along the index her permission's filter leads: exactly the JSON API's records, whole, undated ones too", async () => {
    // Written beneath the hooks: records the index has no date for, which the pages read after the dated ones.
    const undated = (await (server.app.service('appointments') as any)._create([0, 1].map(() => ({ ManagerId: ids.maria, Attendees: [], Status: 'Scheduled' })))) as any[]
    try {
      const json: any[] = []
      for (let skip = 0; ; skip += 200) {
        const page = await jsonAll(`/appointments?$skip=${skip}`, tokens.maria)
        json.push(...page.data)
        if (json.length >= page.total) break
      }
      const byId = (records: any[]) => [...records].sort((a, b) => a._id.localeCompare(b._id))
      const lines = (await exported('/appointments', 'application/x-ndjson', tokens.maria)).text.trimEnd().split('\n').map((line) => JSON.parse(line))
      assert.ok(lines.length > 450, 'more than one page')
      assert.deepEqual(byId(lines), byId(json))
      const rows = await csv('/appointments', tokens.maria)
      assert.deepEqual(rows.map((row) => row._id).sort(), json.map((record) => record._id).sort())
      const last = rows.find((row) => row._id === undated[1]._id)!
      assert.deepEqual([last.ManagerId, last.AppointedDate, last.Status], [ids.maria, '', 'Scheduled'])
    } finally {
      for (const record of undated) await (server.app.service('appointments') as any)._remove(record._id)
    }
  })

  it('refusals are the usual JSON errors: 401 anonymous, 400 for a bad query; Accept */* stays JSON', async () => {
    const anonymous = await exported('/appointments', 'text/csv')
    assert.equal(anonymous.status, 401)
    assert.equal(JSON.parse(anonymous.text).name, 'NotAuthenticated')
    const bad = await exported('/appointments?bogus=1', 'text/csv', tokens.admin)
    assert.equal(bad.status, 400)
    assert.equal(JSON.parse(bad.text).name, 'BadRequest')
    const logout = await exported('/appointments', 'text/csv', 'not-a-token')
    assert.equal(logout.status, 401)
    const any = await exported('/appointments', '*/*', tokens.admin)
    assert.match(any.type ?? '', /^application\/json/)
  })
  it('an export is one request for the request limits, however many pages it reads', async () => {
    const limited = await startServer('appointments', { requestsPerUser: 3, requestsPerIp: 50 })
    try {
      const { accessToken } = await login(limited.url, 'admin@example.com', PASSWORD)
      const [maria] = (await limited.app.service('users').find({ paginate: false, query: { email: 'maria@example.com' } })) as any[]
      await limited.app.service('appointments').create(Array.from({ length: 450 }, (_, i) => ({ ManagerId: maria._id, AppointedDate: new Date(Date.UTC(2031, 0, 1 + i)).toISOString() })))
      const first = await fetch(`${limited.url}/appointments`, { headers: { accept: 'application/x-ndjson', authorization: `Bearer ${accessToken}` } })
      assert.equal(first.status, 200)
      assert.ok((await first.text()).trimEnd().split('\n').length > 450, 'three pages')
      const second = await fetch(`${limited.url}/appointments`, { headers: { accept: 'text/csv', authorization: `Bearer ${accessToken}` } })
      assert.equal(second.status, 200)
      await second.text()
      assert.equal((await request(limited.url, 'GET', '/appointments', { token: accessToken })).status, 200, 'the third request')
      assert.equal((await request(limited.url, 'GET', '/appointments', { token: accessToken })).status, 429, 'the fourth')
    } finally {
      await limited.close()
    }
  })
})
