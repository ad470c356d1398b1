// The panel's data operations in headless Chromium: importing a file from the bulk-uploads page (through the engine's
// file service, as the logged-in user, with the dry run), its progress on the record's page while it runs, and its
// failed rows as CSV for those who may read the upload.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { Unavailable } from '@feathersjs/errors'
import { parse } from 'csv-parse/sync'
import type { Page } from 'playwright-core'
import { serverStore } from '../helpers.js'
import { panelDriver, panelSuite, until } from './browser.js'

/** A CSV of appointments for a manager: `good` valid rows, then rows with a date the schema refuses at the given positions. */
function appointmentsCsv(managerId: string, good: number, badAt: number[] = []) {
  const lines = ['ManagerId,AppointedDate,Status']
  for (let index = 0; index < good + badAt.length; index++) {
    const date = badAt.includes(index) ? 'not-a-date' : new Date(Date.UTC(2031, 0, 1) + index * 3600_000).toISOString()
    lines.push(`${managerId},${date},Scheduled`)
  }
  return `${lines.join('\n')}\n`
}

const csvFile = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) })

describe('the admin panel: data operations (appointments)', function () {
  this.timeout(60000)
  const suite = panelSuite()
  const { logIn, choose, field } = panelDriver(() => suite.server, () => suite.browser)
  const service = (name: string) => suite.server.app.service(name) as any
  /** One logged-in browser session per user for the whole file (closed with the suite's browser): logins are slow on a busy machine. */
  const sessions = new Map<string, Promise<Page>>()
  const session = (email: string) => {
    if (!sessions.has(email)) sessions.set(email, logIn(email))
    return sessions.get(email)!
  }
  const showValue = (page: Page, property: string) => page.getByTestId(`property-show-${property}`).innerText()

  /** Fills and sends the import form; resolves on the new record's page. */
  async function importFile(page: Page, file: ReturnType<typeof csvFile>, target: string, dryRun = false) {
    await page.goto(`${suite.server.url}/admin/resources/bulk-uploads/actions/importFile`)
    await page.getByTestId('operation-file').setInputFiles(file)
    await choose(page, 'Target', target)
    if (dryRun) {
      // AdminJS's checkbox is a hidden input under a styled box: its label ticks it.
      const box = field(page, 'Dry Run').locator('input[type=checkbox]')
      await until(async () => {
        if (!(await box.isChecked())) await field(page, 'Dry Run').locator('label').click()
        assert.ok(await box.isChecked(), 'Dry Run ticked')
      })
    }
    await page.getByTestId('operation-submit').click()
    await page.waitForURL(/\/admin\/resources\/bulk-uploads\/records\/[0-9a-f]{24}\/show/)
    return new URL(page.url()).pathname.split('/')[5]
  }

  /** Clicks the list's "Export CSV", then the drawer's download; the CSV's rows as objects (header → cell) and its header. */
  async function exportList(page: Page, resource: string, search = '') {
    await page.goto(`${suite.server.url}/admin/resources/${resource}${search}`)
    await page.getByTestId('action-exportCsv').click()
    await page.getByTestId('quillbase-export').waitFor()
    const filters = await page.getByTestId('export-filters').innerText()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
    const text = await readFile((await download.path())!, 'utf8')
    const [header] = parse(text, { to_line: 1 }) as string[][]
    return { header, rows: parse(text, { columns: true }) as Record<string, string>[], filters }
  }

  describe('"Export CSV" of a list', () => {
    it('says on the drawer when the export is refused, instead of a download the browser drops', async () => {
      const page = await session('admin@example.com')
      await page.goto(`${suite.server.url}/admin/resources/appointments?filters.Status=Bogus`)
      await page.getByTestId('action-exportCsv').click()
      await page.getByTestId('quillbase-export').waitFor()
      await page.getByTestId('export-csv').click()
      await until(async () => assert.match(await page.getByTestId('export-error').innerText(), /The export was refused: .*Status/), 20000)
    })

    it('exports what the list shows: its filters and sort, every field an Admin may read, never a secret', async () => {
      const page = await session('admin@example.com')
      const { header, rows, filters } = await exportList(page, 'appointments', '?filters.Status=Scheduled&sortBy=AppointedDate&direction=desc')
      assert.match(filters, /Status: Scheduled/)
      const expected = (await service('appointments').find({ paginate: false, query: { Status: 'Scheduled', $sort: { AppointedDate: -1, _id: 1 } } })) as any[]
      assert.ok(expected.length >= 3)
      assert.deepEqual(rows.map((row) => row._id), expected.map((appointment) => appointment._id))
      assert.deepEqual(header, ['_id', 'ManagerId', 'AppointedDate', 'Attendees', 'Status', 'CreatedAt', 'UpdatedAt'])

      const users = await exportList(page, 'users')
      assert.ok(!users.header.includes('password') && !users.header.includes('resetPasswordToken'), users.header.join(','))
      assert.ok(users.rows.every((row) => row.CreatedAt), 'an Admin reads every user’s CreatedAt')
    })

    it("gives a Manager only the records and fields she may read", async () => {
      const page = await session('maria@example.com')
      const maria = suite.users.maria._id
      const { rows } = await exportList(page, 'appointments')
      const hers = (await service('appointments').find({ paginate: false, query: { ManagerId: maria } })) as any[]
      assert.deepEqual(rows.map((row) => row._id).sort(), hers.map((appointment) => appointment._id).sort())
      assert.ok(rows.every((row) => row.ManagerId === maria))

      // Other users: their directory fields only (the CreatedAt she may read is her own).
      const users = await exportList(page, 'users')
      assert.ok(!users.header.includes('password'))
      const all = (await service('users').find({ paginate: false })) as any[]
      assert.equal(users.rows.length, all.length)
      for (const row of users.rows) {
        assert.ok(row.Name && row.email, 'directory fields of everyone')
        assert.equal(Boolean(row.CreatedAt), row._id === maria, `CreatedAt of ${row.Name}`)
      }
    })
  })

  describe('"Generate report" where the blueprint declares reports', () => {
    const range = { $gte: '2020-01-01T00:00:00.000Z', $lte: '2040-01-01T00:00:00.000Z' }
    /** Generates a report over the range on the reports page; the counts it shows and its CSV's rows. */
    async function generate(page: Page) {
      await page.goto(`${suite.server.url}/admin/resources/reports`)
      await page.getByTestId('action-generateReport').click()
      await page.getByTestId('quillbase-operation').waitFor()
      await page.getByTestId('property-edit-DateRange.StartDate').locator('input').first().fill('2020-01-01 00:00')
      await page.keyboard.press('Escape')
      await page.getByTestId('property-edit-DateRange.Enddate').locator('input').first().fill('2040-01-01 00:00')
      await page.keyboard.press('Escape')
      await page.getByTestId('operation-submit').click()
      await page.getByTestId('report-result').waitFor()
      const shown = async (name: string) => Number((await page.getByTestId(`report-${name}`).innerText()).split(': ')[1])
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-download').click()])
      const rows = parse(await readFile((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[]
      return { scheduled: await shown('MeetingScheduled'), attended: await shown('MeetingAttended'), rows }
    }
    const notCancelled = async (query: Record<string, unknown> = {}) =>
      ((await service('appointments').find({ paginate: false, query: { ...query, AppointedDate: range, Status: { $ne: 'Cancelled' } } })) as any[]).map((a) => a._id).sort()

    it("makes a Manager's report of her own appointments, shows its counts and downloads what was counted", async () => {
      const page = await session('maria@example.com')
      const report = await generate(page)
      const hers = await notCancelled({ ManagerId: suite.users.maria._id })
      assert.equal(report.scheduled, hers.length)
      assert.deepEqual(report.rows.map((row) => row._id).sort(), hers)
      const [stored] = (await service('reports').find({ paginate: false, query: { CreatedBy: suite.users.maria._id, $sort: { CreatedAt: -1 }, $limit: 1 } })) as any[]
      assert.deepEqual([stored.MeetingScheduled, stored.MeetingAttended], [report.scheduled, report.attended], 'the counts shown are the stored report’s')
    })

    it('a refused report shows no result, and takes away the one shown before it (the page said nothing of the refusal before)', async () => {
      const page = await session('maria@example.com')
      await generate(page)
      assert.ok(await page.getByTestId('report-result').isVisible(), 'the first report is shown')
      // The same form, now for Omar: Maria may not create his reports (a 403 that names no field).
      await choose(page, 'Created By', 'Omar Manager', 'Omar')
      await page.getByTestId('operation-submit').click()
      await until(async () => assert.match(await page.locator('[data-testid="notice-wrapper"], .adminjs_Notice, [role="alert"]').first().innerText().catch(() => ''), /may not create reports/i), 20000)
      assert.equal(await page.getByTestId('report-result').count(), 0, 'no result for a refused report')
    })

    it("makes an Admin's report of everyone's appointments", async () => {
      const page = await session('admin@example.com')
      const report = await generate(page)
      const all = await notCancelled()
      assert.equal(report.scheduled, all.length)
      assert.deepEqual(report.rows.map((row) => row._id).sort(), all)
    })
  })

  describe("a record's history on its page", () => {
    /** The history table's entries: who, and each change as the page says it. */
    async function history(page: Page, resource: string, id: string) {
      await page.goto(`${suite.server.url}/admin/resources/${resource}/records/${id}/show`)
      await page.getByTestId('record-history').waitFor({ timeout: 20000 })
      const entries = page.getByTestId('history-entry')
      const shown: { who: string; changes: string[] }[] = []
      for (let index = 0; index < (await entries.count()); index++) {
        const entry = entries.nth(index)
        shown.push({ who: await entry.getByTestId('history-who').innerText(), changes: await entry.getByTestId('history-change').allInnerTexts() })
      }
      return shown
    }

    it('shows who changed what, field by field, newest first', async () => {
      const admin = suite.users.admin
      const [appointment] = (await service('appointments').find({ paginate: false, query: { ManagerId: suite.users.maria._id, Status: 'Scheduled', $limit: 1 } })) as any[]
      await service('appointments').patch(appointment._id, { Status: 'Cancelled' }, { provider: 'rest', user: admin })
      const page = await session('maria@example.com')
      const [latest, ...older] = await history(page, 'appointments', appointment._id)
      assert.deepEqual(latest, { who: 'Ada Admin', changes: ['Status: Scheduled → Cancelled', `UpdatedAt: ${appointment.UpdatedAt} → ${(await service('appointments').get(appointment._id)).UpdatedAt}`] })
      assert.ok(older.length >= 1, 'its creation too')
    })

    it('shows a caller only the changes of fields they may read, secrets never in clear', async () => {
      const admin = suite.users.admin
      // Lin (a Developer no other test logs in as) gets a new name, block list and password.
      const lin = suite.users.lin
      await service('users').patch(lin._id, { Name: 'Lin L. Developer', BlockedUser: [suite.users.dev._id], password: 'another long secret' }, { provider: 'rest', user: admin })
      const maria = await session('maria@example.com')
      const [seen] = await history(maria, 'users', lin._id)
      assert.equal(seen.who, 'Ada Admin')
      assert.deepEqual(seen.changes, [`Name: ${lin.Name} → Lin L. Developer`], 'Maria reads names, not block lists, passwords or timestamps of others')

      const adminPage = await session('admin@example.com')
      const [full] = await history(adminPage, 'users', lin._id)
      assert.ok(full.changes.includes(`BlockedUser: — → ["${suite.users.dev._id}"]`), full.changes.join(' | '))
      assert.ok(full.changes.includes('password: [redacted] → [redacted]'), full.changes.join(' | '))
      assert.ok(!full.changes.join(' ').includes('another long secret'))

      // The history of a record she may not read is not hers to read either.
      const [others] = (await service('appointments').find({ paginate: false, query: { ManagerId: suite.users.omar._id, $limit: 1 } })) as any[]
      assert.equal((await maria.request.get(`${suite.server.url}/admin/api/quillbase/resources/appointments/records/${others._id}/operations`)).status(), 403)
    })
  })

  describe('importing a file from the bulk-uploads page', () => {
    /** While set, the import's writes after its first progress report (every 100 rows) wait for it to open. */
    let gate: { opened: Promise<void>; open: () => void; reported?: boolean; failReads?: number } | undefined
    before(() => {
      service('bulk-uploads').hooks({
        after: {
          patch: [
            async (context: any) => {
              if (gate && context.result?.Status === 'Running' && context.result.TotalRecords >= 100) gate.reported = true
            }
          ]
        }
      })
      // Reads of the record's history that fail while the import is held: the page must go on reading after them.
      service('audit-log').hooks({
        before: {
          find: [
            async (context: any) => {
              if (gate?.failReads && context.params.provider === 'admin' && context.params.query?.recordId) {
                gate.failReads -= 1
                throw new Unavailable('history unavailable for a moment')
              }
            }
          ]
        }
      })
      service('appointments').hooks({
        before: {
          create: [
            async (context: any) => {
              if (gate?.reported && context.params.provider === 'import') await gate.opened
            }
          ]
        }
      })
    })

    it('runs it as the admin, shows its counts moving on the page, then its failed rows as CSV', async () => {
      const page = await session('admin@example.com')
      // What the page asked for and got while the import ran: said in the failure, if it does not reach Done.
      const seen: string[] = []
      const started = Date.now()
      const note = (what: string) => (message: any) => {
        const request = message.request?.() ?? message
        if (/\/(operations|show)\b/.test(request.url())) seen.push(`${Date.now() - started} ms ${what} ${message.status?.() ?? ''} ${request.url().split('/').slice(-2).join('/')}`)
      }
      page.on('request', note('asked'))
      page.on('response', note('answer'))
      page.on('requestfailed', note('failed'))
      page.on('console', (message) => seen.push(`${Date.now() - started} ms console ${message.type()}: ${message.text()}`))
      let open!: () => void
      // The page's first look at the record fails (the server unavailable a moment): it must look again.
      gate = { opened: new Promise<void>((resolve) => (open = resolve)), open: () => open(), failReads: 1 }
      const before = (await service('appointments').find({ query: { $limit: 0 } })).total
      const id = await importFile(page, csvFile('week.csv', appointmentsCsv(suite.users.omar._id, 148, [3, 140])), 'appointments')

      const stored = await service('bulk-uploads').get(id)
      assert.deepEqual([stored.UploadedBy, stored.FileName, stored.Target], [suite.users.admin._id, 'week.csv', 'appointments'], 'the caller and the file name by default')
      // Held after the first progress report (every 100 rows): the page shows it without being reloaded.
      await until(async () => {
        assert.equal((await showValue(page, 'Status')).trim().split('\n').pop(), 'Running')
        assert.match(await showValue(page, 'TotalRecords'), /\b100\b/)
      }, 20000)
      // Two more failed reads while it runs are said on the page, and the page keeps reading until the import ends.
      try {
        await until(async () => assert.equal(gate!.failReads, 0, 'the first look failed'), 20000)
        gate.failReads = 2
        await until(async () => assert.match(await page.getByTestId('operations-error').innerText(), /history unavailable/), 20000)
        await until(async () => assert.equal(gate!.failReads, 0, 'two more reads failed'), 20000)
      } finally {
        gate.failReads = 0
        gate.open()
      }
      seen.push(`${Date.now() - started} ms the gate opens`)
      try {
        await until(async () => {
          assert.match(await showValue(page, 'Status'), /Done/)
          assert.match(await showValue(page, 'TotalRecords'), /\b150\b/)
          assert.match(await showValue(page, 'ErrorRecords'), /\b2\b/)
        }, 20000)
      } catch (error: any) {
        const stored = await service('bulk-uploads').get(id)
        error.message += `\nstored: ${stored.Status} ${stored.TotalRecords}; what the page asked for and got:\n${seen.join('\n')}`
        throw error
      } finally {
        for (const event of ['request', 'response', 'requestfailed', 'console']) page.removeAllListeners(event)
      }
      gate = undefined
      assert.equal((await service('appointments').find({ query: { $limit: 0 } })).total, before + 148)

      // The failed rows, as the file had them, with the service's message.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors').click()])
      const csv = parse(await readFile((await download.path())!, 'utf8'))
      const { ErrorDetails } = await service('bulk-uploads').get(id)
      assert.deepEqual(ErrorDetails.map((error: any) => error.Row), [5, 142])
      assert.match(ErrorDetails[0].Error, /AppointedDate/)
      const omar = suite.users.omar._id
      assert.deepEqual(csv, [
        ['Row', 'Error', 'ManagerId', 'AppointedDate', 'Status'],
        ['5', ErrorDetails[0].Error, omar, 'not-a-date', 'Scheduled'],
        ['142', ErrorDetails[1].Error, omar, 'not-a-date', 'Scheduled']
      ])
    })

    it("the errors CSV leaves out the target's secret columns however the header spells them (` password `)", async () => {
      const page = await session('admin@example.com')
      const role = (await service('users').get(suite.users.dev._id)).RoleId
      // The import trims headers, so ` password ` is the password (hashed); its column in the errors CSV held it in clear.
      const text = ['Name, password ,email,RoleId', `Secret Row,TopSecret77,not-an-email,${role}`].join('\n')
      const id = await importFile(page, csvFile('users.csv', text), 'users')
      await until(async () => assert.match(await showValue(page, 'Status'), /Done/), 20000)
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors').click()])
      const csv = await readFile((await download.path())!, 'utf8')
      const [header, row] = parse(csv) as string[][]
      assert.deepEqual(header, ['Row', 'Error', 'Name', 'email', 'RoleId'])
      assert.equal(row[0], '2')
      assert.ok(!csv.includes('TopSecret77'))
      assert.equal((await service('bulk-uploads').get(id)).ErrorRecords, 1)
    })

    it('a dry run checks every row and writes nothing', async function () {
      if (serverStore !== 'embedded') return this.skip()
      const page = await session('admin@example.com')
      const before = (await service('appointments').find({ query: { $limit: 0 } })).total
      const id = await importFile(page, csvFile('check.csv', appointmentsCsv(suite.users.omar._id, 3, [1])), 'appointments', true)
      await until(async () => assert.match(await showValue(page, 'Status'), /Done/), 20000)
      const stored = await service('bulk-uploads').get(id)
      assert.deepEqual([stored.DryRun, stored.TotalRecords, stored.SuccessRecords, stored.ErrorRecords], [true, 4, 3, 1])
      assert.equal((await service('appointments').find({ query: { $limit: 0 } })).total, before)
    })

    it("runs a Manager's import with her permissions (rows for another manager are refused); her errors are hers only", async () => {
      const maria = await session('maria@example.com')
      const mine = appointmentsCsv(suite.users.maria._id, 2)
      const others = appointmentsCsv(suite.users.omar._id, 1).split('\n').slice(1).join('\n')
      const id = await importFile(maria, csvFile('mixed.csv', mine + others), 'appointments')
      await until(async () => assert.match(await showValue(maria, 'Status'), /Done/), 20000)
      const stored = await service('bulk-uploads').get(id)
      assert.deepEqual([stored.UploadedBy, stored.TotalRecords, stored.SuccessRecords, stored.ErrorRecords], [suite.users.maria._id, 3, 2, 1])
      assert.deepEqual(stored.ErrorDetails.map((error: any) => error.Row), [4])
      const href = await maria.getByTestId('import-errors').getAttribute('href')
      assert.equal((await maria.request.get(`${suite.server.url}${href}`)).status(), 200)

      // Omar may enter the panel but not read Maria's upload: neither its page's data nor its errors (the service's 403).
      const omar = await session('omar@example.com')
      assert.equal((await omar.request.get(`${suite.server.url}${href}`)).status(), 403)
      assert.equal((await omar.request.get(`${suite.server.url}${href!.replace('import-errors', 'operations')}`)).status(), 403)
      // Without a session: refused, not redirected to a page.
      const anonymous = await suite.browser.newContext()
      assert.equal((await anonymous.request.get(`${suite.server.url}${href}`)).status(), 401)
      await anonymous.close()
    })

    it('refuses a file of a type the field does not take, saying so on the form', async () => {
      const page = await session('admin@example.com')
      await page.goto(`${suite.server.url}/admin/resources/bulk-uploads/actions/importFile`)
      await page.getByTestId('operation-file').setInputFiles({ name: 'picture.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') })
      await choose(page, 'Target', 'appointments')
      await page.getByTestId('operation-submit').click()
      await until(async () => assert.match(await page.getByTestId('operation-error').innerText(), /image\/png/))
    })
  })

})
