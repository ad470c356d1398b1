// The admin panel in a real headless Chromium: who gets in, what each role sees, and that every change goes through the services.
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { connect, eventually, login } from '../helpers.js'
import { panelDriver, panelSuite, PASSWORD, until } from './browser.js'

describe('the admin panel in a browser', function () {
  this.timeout(60000)

  const suite = panelSuite()

  const { openLogin, logIn, field, choose, listPage } = panelDriver(() => suite.server, () => suite.browser)
  const rows = (page: Page) => page.locator('tbody tr[data-id]')
  const cells = (page: Page, property: string) => page.locator(`tbody [data-testid="property-list-${property}"]`).allInnerTexts()

  describe('as an Admin', () => {
    let page: Page
    before(async () => {
      page = await logIn('admin@example.com')
    })
    after(() => page.context().close())

    it('shows the dashboard with record counts per collection, access control apart', async () => {
      await page.waitForSelector('[data-testid=quillbase-dashboard]')
      assert.match(await page.locator('[data-testid=count-appointments]').innerText(), /Appointments\s+4\s+records/)
      assert.match(await page.locator('[data-testid=count-roles]').innerText(), /Access control\s+Roles\s+3/)
      await page.getByText('Access Control', { exact: true }).waitFor()
    })

    it('lists, filters and sorts appointments', async () => {
      await listPage(page, 'appointments')
      assert.equal(await rows(page).count(), 4)

      await page.getByText('Filter', { exact: true }).click()
      await choose(page, 'Status', 'Cancelled')
      await page.getByText('Apply changes').click()
      await page.waitForURL(/filters\.Status=Cancelled/)
      await until(async () => assert.deepEqual(await cells(page, 'Status'), ['Cancelled']))

      // A date range, as the drawer's date pickers put it in the address.
      await listPage(page, 'appointments', `?filters.AppointedDate~~from=${encodeURIComponent(new Date().toISOString())}`)
      await until(async () => assert.equal(await rows(page).count(), 3))

      await listPage(page, 'appointments')
      await page.locator('thead a', { hasText: 'Appointed Date' }).click()
      await page.waitForURL(/sortBy=AppointedDate/)
      const dates = (await suite.server.app.service('appointments').find({ paginate: false }) as any[]).map((a) => a.AppointedDate).sort()
      const shown = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} (UTC)`
      await until(async () => assert.deepEqual(await cells(page, 'AppointedDate'), dates.map(shown)))
      await page.locator('thead a', { hasText: 'Appointed Date' }).click()
      await page.waitForURL(/direction=desc/)
      await until(async () => assert.deepEqual(await cells(page, 'AppointedDate'), dates.map(shown).reverse()))
    })

    it('shows the field error of an invalid email, then creates the user with a hashed password that is never shown', async () => {
      await page.goto(`${suite.server.url}/admin/resources/users/actions/new`)
      await page.fill('input[name=Name]', 'Nadia Novak')
      await page.fill('input[name=email]', 'nadia-at-example')
      await page.fill('input[name=password]', 'a-new-secret-1')
      await choose(page, 'Role', 'Developer', 'Dev')
      await page.getByRole('button', { name: 'Save' }).click()
      await field(page, 'Email').getByText(/must match format "email"/).waitFor()

      await page.fill('input[name=email]', 'nadia@example.com')
      await page.locator('input[name=email]').blur()
      await page.getByRole('button', { name: 'Save' }).click()
      await page.waitForURL(`${suite.server.url}/admin/resources/users`)

      const [nadia] = (await suite.server.app.service('users').find({ paginate: false, query: { email: 'nadia@example.com' } })) as any[]
      assert.equal(nadia.RoleId, suite.users.dev.RoleId)
      const stored = await (suite.server.app.service('users') as any)._get(nadia._id)
      assert.match(stored.password, /^\$2[aby]\$/, 'stored as a bcrypt hash')
      await login(suite.server.url, 'nadia@example.com', 'a-new-secret-1')

      await page.goto(`${suite.server.url}/admin/resources/users/records/${nadia._id}/show`)
      await page.getByText('Nadia Novak').first().waitFor()
      const shown = await page.locator('body').innerText()
      assert.doesNotMatch(shown, /^Password$/m, 'no password field on the page')
      assert.ok(!shown.includes(stored.password) && !shown.includes('a-new-secret-1'))
    })

    it('edits a record, and a socket listener allowed to read it receives the event', async () => {
      const maria = await login(suite.server.url, 'maria@example.com', PASSWORD)
      const listener = await connect(suite.server.url, maria.accessToken)
      try {
        const [appointment] = (await suite.server.app.service('appointments').find({ paginate: false, query: { ManagerId: suite.users.maria._id, Status: 'Scheduled' } })) as any[]
        await page.goto(`${suite.server.url}/admin/resources/appointments/records/${appointment._id}/edit`)
        await choose(page, 'Status', 'Cancelled')
        await page.getByRole('button', { name: 'Save' }).click()
        await page.waitForURL(`${suite.server.url}/admin/resources/appointments`)
        assert.equal((await suite.server.app.service('appointments').get(appointment._id)).Status, 'Cancelled')
        const received = () => listener.events.find((e) => e.name === 'appointments patched' && e.data._id === appointment._id)
        assert.ok(await eventually(() => !!received()), 'the listener received "appointments patched"')
        assert.equal(received()!.data.Status, 'Cancelled')
      } finally {
        listener.close()
      }
    })

    it('deletes a record', async () => {
      const [report] = (await suite.server.app.service('reports').find({ paginate: false })) as any[]
      await page.goto(`${suite.server.url}/admin/resources/reports/records/${report._id}/show`)
      await page.getByText('Delete', { exact: true }).click()
      await page.getByRole('button', { name: 'Confirm' }).click()
      await until(() => assert.rejects(suite.server.app.service('reports').get(report._id), { name: 'NotFound' }))
      await page.waitForURL(/\/admin\/resources\/reports(\?.*)?$/)
    })
  })

  describe('as a Manager', () => {
    let page: Page
    before(async () => {
      page = await logIn('maria@example.com')
    })
    after(() => page.context().close())

    it('sees only their own appointments and no access-control resources', async () => {
      await page.waitForSelector('[data-testid=quillbase-dashboard]')
      assert.match(await page.locator('[data-testid=count-appointments]').innerText(), /\s2\s/)
      assert.equal(await page.locator('[data-testid=count-roles]').count(), 0)
      const body = await page.locator('body').innerText()
      assert.doesNotMatch(body, /Access Control/i)
      assert.doesNotMatch(body, /Permissions/)

      await listPage(page, 'appointments')
      assert.equal(await rows(page).count(), 2)
      assert.deepEqual(await cells(page, 'ManagerId'), ['Maria Manager', 'Maria Manager'])

      await page.goto(`${suite.server.url}/admin/resources/roles`)
      await page.getByText(/not authorized/).waitFor()
      assert.equal(await rows(page).count(), 0)
    })
  })

  describe('as a Developer', () => {
    it('is refused entry', async () => {
      const page = await openLogin()
      try {
        await page.fill('input[name=email]', 'dev@example.com')
        await page.fill('input[name=password]', PASSWORD)
        await page.click('form button')
        await page.getByText('may not enter the admin panel').waitFor()
        assert.equal(new URL(page.url()).pathname, '/admin/login')
        const response = await page.goto(`${suite.server.url}/admin/api/resources/appointments/actions/list`)
        assert.equal(new URL(response!.url()).pathname, '/admin/login')
      } finally {
        await page.context().close()
      }
    })
  })
})
