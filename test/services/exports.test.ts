// Exports: GET /<collection> with Accept text/csv or application/x-ndjson streams what the JSON query finds, every page,
// with the caller's permissions and field rules; never a hidden record or field, never a secret.
import assert from 'node:assert/strict'
import { TooManyRequests } from '@feathersjs/errors'
import { parse } from 'csv-parse/sync'
import { csvLine, csvRecord } from '../../src/services/csv.js'
import { everyRecord, readsStoredText } from '../../src/services/exports.js'
import { DEMO_USERS, login, loginAll, request, startServer, type TestServer } from '../helpers.js'
import { PASSWORD as NOTEBOOK_PASSWORD, ROLES, emailOf, notebook } from './notebook.js'

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
    // `$limit` and `$skip` are not applied (an export is every match), but a malformed one is the list's own 400.
    for (const query of ['$limit=-1', '$limit=abc', '$skip=1e400', '$limit[$gt]=1']) {
      const list = await request(server.url, 'GET', `/appointments?${query}`, { token: tokens.admin })
      assert.equal(list.status, 400, query)
      for (const accept of ['text/csv', 'application/x-ndjson']) {
        const res = await exported(`/appointments?${query}`, accept, tokens.admin)
        assert.equal(res.status, 400, `${query} as ${accept}: ${res.text.slice(0, 100)}`)
        assert.equal(JSON.parse(res.text).message, list.body.message)
      }
    }
  })

  it('as a list reads the query: `$select=a` is one column; `Accept` with a charset and HEAD are exports too', async () => {
    // `$select` given once is a string in the query string: the list reads it as `[a]`, and so does the export.
    for (const select of ['$select=ManagerId', '$select[]=ManagerId']) {
      const rows = await csv(`/appointments?${select}`, tokens.maria)
      assert.deepEqual(Object.keys(rows[0]), ['_id', 'ManagerId'], select)
      assert.ok(rows.every((row) => row.ManagerId === ids.maria))
    }
    for (const [accept, type] of [['text/csv; charset=utf-8', /^text\/csv/], ['text/csv;charset=UTF-8', /^text\/csv/], ['application/x-ndjson; charset=utf-8', /^application\/x-ndjson/]] as const) {
      const res = await exported('/appointments', accept, tokens.maria)
      assert.equal(res.status, 200)
      assert.match(res.type ?? '', type, accept)
    }
    const head = await fetch(`${server.url}/appointments`, { method: 'HEAD', headers: { accept: 'text/csv', authorization: `Bearer ${tokens.maria}` } })
    assert.equal(head.status, 200)
    assert.match(head.headers.get('content-type') ?? '', /^text\/csv/)
    assert.equal(await head.text(), '')
    const refused = await fetch(`${server.url}/appointments`, { method: 'HEAD', headers: { accept: 'text/csv' } })
    assert.equal(refused.status, 401)
  })

  it('a client that takes no coding at all (`identity;q=0`, `*;q=0`) gets the body as it is, never a 500', async () => {
    const plain = await (await fetch(`${server.url}/appointments`, { headers: { accept: 'text/csv', 'accept-encoding': 'identity', authorization: `Bearer ${tokens.admin}` } })).text()
    for (const encoding of ['identity;q=0', '*;q=0', 'gzip;q=0, identity;q=0']) {
      for (const accept of ['text/csv', 'application/json']) {
        const res = await fetch(`${server.url}/appointments`, { headers: { accept, 'accept-encoding': encoding, authorization: `Bearer ${tokens.admin}` } })
        assert.equal(res.status, 200, `${accept}, ${encoding}`)
        assert.equal(res.headers.get('content-encoding'), null)
        const text = await res.text()
        if (accept === 'text/csv') assert.equal(text, plain)
        else assert.ok(JSON.parse(text).total > 0)
      }
    }
  })
  it('every page after the first waits for a turn of the event loop (a long report or export job never holds the server)', async () => {
    for (const query of [{}, { $sort: { AppointedDate: 1 } }]) {
      const collection = server.app.blueprint.collections.find((c) => c.name === 'appointments')!
      let turned = true
      const seen: boolean[] = []
      let records = 0
      for await (const page of everyRecord(server.app, collection, { query }, { size: 100 })) {
        seen.push(turned)
        turned = false
        setImmediate(() => (turned = true))
        records += page.length
      }
      assert.ok(seen.length >= 5, `pages: ${seen.length}`)
      assert.deepEqual(seen, seen.map(() => true), `before each page, the event loop turned (query ${JSON.stringify(query)})`)
      assert.equal(records, (await server.app.service('appointments').find({ query: { $limit: 0 } }) as any).total)
    }
  })

  it('a page that fails after the first cuts the connection: the client sees the export fail, never a short file or a wait', async () => {
    // A find that fails on its second call once armed: the export's second page, after the headers went out.
    let calls = -1
    let failure: Error = new Error('the store failed')
    server.app.service('appointments').hooks({
      before: {
        find: [
          async () => {
            if (calls >= 0 && ++calls === 2) throw failure
          }
        ]
      }
    })
    try {
      for (const accept of ['application/x-ndjson', 'text/csv']) {
        for (const [encoding, error] of [['identity', new Error('the store failed')], ['gzip', new Error('the store failed')], ['identity', new TooManyRequests('Too many requests')], ['gzip', new TooManyRequests('Too many requests')]] as const) {
          failure = error
          calls = 0
          const res = await fetch(`${server.url}/appointments`, { headers: { accept, 'accept-encoding': encoding, authorization: `Bearer ${tokens.admin}` } }).catch(() => undefined)
          // Compressed, the first page may still be in the compressor when the second fails: the headers were not
          // sent yet, and the connection is cut before them. Either way the client sees a failure, not a short file.
          if (res) {
            assert.equal(res.status, 200, 'the first page was read before anything was sent')
            assert.equal(res.headers.get('content-encoding') ?? 'identity', encoding)
            await assert.rejects(res.text(), `the response ends in error (${accept}, ${encoding})`)
          } else assert.equal(encoding, 'gzip', `uncompressed, the headers go out with the first page (${accept})`)
          assert.equal(calls, 2)
        }
      }
    } finally {
      // Disarmed whatever happened: the hook stays on the service for the file's later tests.
      calls = -1
    }
    assert.equal((await exported('/appointments', 'application/x-ndjson', tokens.admin)).status, 200, 'the server goes on')
  })

  it('a compressed export (CSV or NDJSON) is, once decompressed, the same text as the plain one, every page of it', async () => {
    for (const accept of ['text/csv', 'application/x-ndjson']) {
      const plain = await fetch(`${server.url}/appointments`, { headers: { accept, 'accept-encoding': 'identity', authorization: `Bearer ${tokens.admin}` } })
      const text = await plain.text()
      assert.equal(plain.headers.get('content-encoding'), null)
      assert.ok(text.split('\n').length > 450, 'more than one page')
      for (const encoding of ['gzip', 'br']) {
        const res = await fetch(`${server.url}/appointments`, { headers: { accept, 'accept-encoding': encoding, authorization: `Bearer ${tokens.admin}` } })
        assert.equal(res.headers.get('content-encoding'), encoding, `${accept} is compressed as ${encoding}`)
        assert.equal(await res.text(), text, `${accept}, ${encoding}: the same text`)
      }
    }
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

describe('exports from the stored text (records no hook can change are not parsed and written again)', function () {
  this.timeout(60_000)
  let server: TestServer
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}
  const TAG = '\uFDD0'
  /** Titles JSON must escape, or that hold the date tag's character where a date's tag is not (inside a string). */
  const tricky = [
    'plain',
    'quote " and backslash \\ and slash /',
    'tab \t newline \n carriage \r nul \u0000 bell \u0007',
    'é ü 中文 😀 \u2028 \u2029 and a lone \ud800',
    '2030-01-01T00:00:00.000Z',
    `the tag ${TAG} inside`,
    `"${TAG}2030-01-01T00:00:00.000Z"`,
    `x:"${TAG}`,
    'hidden'
  ]

  const exported = async (path: string, accept: string, role: string) => {
    const res = await fetch(server.url + path, { headers: { accept, authorization: `Bearer ${tokens[role]}` } })
    const text = await res.text()
    assert.equal(res.status, 200, text)
    return text
  }
  /** Every record as the JSON API gives it, by `_id`, with the query's own parameters. */
  const jsonRecords = async (path: string, role: string, query = '') => {
    const records: Record<string, any>[] = []
    for (let skip = 0; ; skip += 200) {
      const res = await request(server.url, 'GET', `${path}?$sort[_id]=1&$limit=200&$skip=${skip}${query}`, { token: tokens[role] })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      records.push(...res.body.data)
      if (res.body.data.length < 200) return records
    }
  }
  /** An export, with how many of its records were written from their stored text. */
  const counted = async (path: string, accept: string, role: string) => {
    const before = { ...server.app.exportCounts }
    const text = await exported(path, accept, role)
    return { text, records: server.app.exportCounts.records - before.records, fromStoredText: server.app.exportCounts.fromStoredText - before.fromStoredText }
  }
  /** NDJSON lines byte for byte JSON.stringify of the JSON API's records (the export in its own order, matched by id). */
  const sameAsJsonApi = async (path: string, role: string, query = '') => {
    const { text, records, fromStoredText } = await counted(`${path}?${query.slice(1)}`, 'application/x-ndjson', role)
    const lines = text.trimEnd().split('\n')
    const json = await jsonRecords(path, role, query)
    assert.ok(json.length > 0, `${role} on ${path}: some records`)
    assert.equal(lines.length, json.length, `${role} on ${path}${query}: as many lines as records`)
    const byId = new Map(lines.map((line) => [JSON.parse(line)._id, line]))
    for (const record of json) assert.equal(byId.get(record._id), JSON.stringify(record), `${role} on ${path}${query}: ${record._id}`)
    assert.equal(records, json.length)
    return { lines, json, fromStoredText }
  }

  /** Only the embedded store keeps records as JSON text: on MongoDB every record is parsed (BSON) and written by JSON.stringify. */
  const fromText = (count: number) => (server.app.store.kind === 'embedded' ? count : 0)
  /** The export's own decision, made once: whether it reads lazy records, expecting no hook to touch them. */
  const decision = async (name: string, role: string, query: Record<string, unknown> = {}) => {
    const [user] = (await server.app.service('users').find({ paginate: false, query: { email: emailOf(role) } })) as any[]
    return readsStoredText(server.app, server.app.blueprint.collections.find((collection) => collection.name === name)!, { provider: 'rest', user, query })
  }

  before(async () => {
    server = await startServer(notebook, { demo: true })
    for (const role of ROLES) {
      const { accessToken, user } = await login(server.url, emailOf(role), NOTEBOOK_PASSWORD)
      tokens[role] = accessToken
      ids[role] = user._id
    }
    const at = (day: number) => new Date(Date.UTC(2030, 0, 1 + day, 12, 30, 15, 250)).toISOString()
    // More than a page (200): the owner's and the clerk's notes, every tricky title among them, some shared.
    const notes = Array.from({ length: 450 }, (_, i) => ({
      owner: i % 2 ? ids.owner : ids.clerk,
      title: tricky[i % tricky.length],
      at: at(i),
      ...(i % 3 === 0 && { days: [at(i), at(i + 1)], tags: ['shared', `"${TAG}`], rank: [0.1, 1e21, -1.5e-7][i % 9 === 0 ? 0 : 1], done: i % 2 === 0 })
    }))
    await server.app.service('notes').create(notes)
    await server.app.service('cards').create([{ owner: ids.owner, number: '1234567890', issued: at(1) }, { owner: ids.clerk, number: '42', issued: at(2) }])
    await server.app.service('vaults').create({ owner: ids.owner, label: 'keys', token: 'the secret token', opened: at(3) })
    await server.app.service('settings').create({ owner: ids.owner, attrs: { 'dotted.key': 'a', $dollar: 'b', plain: `c ${TAG}` }, at: at(4) })
  })
  after(async () => server?.close())

  it('an unconditioned rule or one on a plain equality: NDJSON lines are the stored text, byte for byte the JSON API', async () => {
    for (const role of ['clerk', 'owner']) {
      const { json, fromStoredText } = await sameAsJsonApi('/notes', role)
      // The values as written (the lone surrogate too: JSON escapes it), not only the same bytes as the JSON API's.
      for (const record of json) {
        // MongoDB keeps strings as UTF-8 (BSON): a lone surrogate comes back as U+FFFD.
        assert.ok(tricky.some((title) => record.title === title || (server.app.store.kind === 'mongodb' && record.title === Buffer.from(title).toString())), record.title)
        if (record.tags) assert.deepEqual([record.tags, record.days.length], [['shared', `"${TAG}`], 2])
      }
      // A record whose strings hold the tag's character (in a title, in tags) is written by JSON.stringify; every other one from its text.
      const holdingTag = json.filter((record) => JSON.stringify(record).includes(TAG)).length
      assert.ok(holdingTag > 0 && holdingTag < json.length && json.some((record) => record.days), 'the tag character and dates in arrays among them')
      assert.equal(fromStoredText, fromText(json.length - holdingTag), role)
    }
  })

  it('CSV, whose rows need the values (parsed at once, never lazily): byte for byte the encoder on the JSON API records', async () => {
    for (const role of ['clerk', 'owner']) {
      const { text, records, fromStoredText } = await counted('/notes?$sort[_id]=1', 'text/csv', role)
      const json = await jsonRecords('/notes', role)
      const columns = text.slice(0, text.indexOf('\n')).split(',')
      assert.deepEqual(columns, ['_id', 'owner', 'title', 'at', 'days', 'tags', 'rank', 'done', 'CreatedAt', 'UpdatedAt'])
      const row = csvRecord(columns)
      // As UTF-8 holds it: a lone surrogate becomes U+FFFD in both (JSON escapes it, CSV cannot).
      const expected = Buffer.from(csvLine(columns) + json.map((record) => `${row(record)}\n`).join('')).toString()
      assert.equal(text, expected, role)
      assert.deepEqual([records, fromStoredText], [json.length, 0], role)
    }
  })

  it('sorted (pages by $skip), on a collection with a read cache (lazy pages are never kept in it): the same bytes, from the stored text', async () => {
    const { lines, json, fromStoredText } = await sameAsJsonApi('/notes', 'clerk', '&$sort[at]=-1')
    assert.deepEqual(lines.map((line) => JSON.parse(line)._id), [...json].sort((a, b) => b.at.localeCompare(a.at)).map((record) => record._id), 'in $sort order')
    assert.equal(fromStoredText, fromText(json.filter((record) => !JSON.stringify(record).includes(TAG)).length))
  })

  it('a secret field, a mask, a free-form object: the hooks change records, none is read from its text', async () => {
    const vaults = await sameAsJsonApi('/vaults', 'clerk')
    assert.ok(!vaults.lines[0].includes('token') && !vaults.lines[0].includes('secret'), 'no secret')
    const cards = await sameAsJsonApi('/cards', 'owner')
    assert.ok(cards.json.some((card) => card.number === '12******90'), 'masked for a caller who may not unmask')
    const settings = await sameAsJsonApi('/settings', 'owner')
    assert.deepEqual(Object.keys(settings.json[0].attrs), ['dotted.key', '$dollar', 'plain'], 'keys unescaped')
    for (const { fromStoredText } of [vaults, cards, settings]) assert.equal(fromStoredText, 0)
    assert.deepEqual(await Promise.all([decision('vaults', 'clerk'), decision('cards', 'owner'), decision('cards', 'clerk'), decision('settings', 'owner')]), [false, false, false, false])
  })

  it('field rules, an inverted rule, a rule on an array, $select: the same bytes as the JSON API, none from the stored text', async () => {
    const reader = await sameAsJsonApi('/notes', 'reader')
    assert.deepEqual(Object.keys(reader.json[0]).sort(), ['_id', 'at', 'title'])
    const skeptic = await sameAsJsonApi('/notes', 'skeptic')
    assert.ok(!skeptic.json.some((record) => record.title === 'hidden'))
    const tagger = await sameAsJsonApi('/notes', 'tagger')
    assert.ok(tagger.json.every((record) => record.tags.includes('shared')))
    const selected = await sameAsJsonApi('/notes', 'clerk', '&$select[]=title&$select[]=days')
    assert.deepEqual(Object.keys(JSON.parse(selected.lines[0])).sort(), ['_id', 'days', 'title'].filter((key) => key in JSON.parse(selected.lines[0])))
    for (const { fromStoredText } of [reader, skeptic, tagger, selected]) assert.equal(fromStoredText, 0)
    const decided = await Promise.all([decision('notes', 'reader'), decision('notes', 'skeptic'), decision('notes', 'tagger'), decision('notes', 'clerk', { $select: ['title'] })])
    assert.deepEqual(decided, [false, false, false, false])
    assert.deepEqual(await Promise.all([decision('notes', 'clerk'), decision('notes', 'owner')]), [fromText(1) === 1, fromText(1) === 1], 'where nothing can change a record')
  })
})

