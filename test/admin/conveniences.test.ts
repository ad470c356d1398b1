// Everyday conveniences of the admin panel in headless Chromium: human labels, help text from field descriptions, defaults
// pre-filled on create, a page-size selector and a search box on lists.
import assert from 'node:assert/strict'
import { panelDriver, panelSuite, until } from './browser.js'

describe('the admin panel: everyday conveniences', function () {
  this.timeout(60000)
  const suite = panelSuite()
  const { logIn, field, listPage } = panelDriver(() => suite.server, () => suite.browser)

  it('labels references as people say them ("Manager", not "Manager Id") and pre-fills declared defaults on create', async () => {
    const page = await logIn('admin@example.com')
    await page.goto(`${suite.server.url}/admin/resources/appointments/actions/new`)
    await field(page, 'Manager').waitFor()
    assert.equal(await page.locator('label', { hasText: /^\s*\*?\s*Manager Id\s*$/ }).count(), 0)
    // Status defaults to Scheduled in the declaration.
    await until(async () => assert.match(await field(page, 'Status').innerText(), /Scheduled/))
    await page.context().close()
  })

  it('shows field descriptions as help text (the help icon by the label)', async () => {
    const page = await logIn('admin@example.com')
    await page.goto(`${suite.server.url}/admin/resources/bulk-uploads/actions/new`)
    for (const [label, help] of [['Dry Run', 'Check every row, write nothing'], ['Target', 'The collection the file is imported into']]) {
      await field(page, label).locator('label svg').first().hover()
      await page.getByText(help).waitFor()
    }
    await page.context().close()
  })

  it('lets the admin choose the page size of a list', async () => {
    const { maria } = suite.users
    for (let i = 0; i < 25; i++) {
      await suite.server.app.service('reports').create({ CreatedBy: maria._id, DateRange: { StartDate: '2030-01-01T00:00:00.000Z', Enddate: '2030-02-01T00:00:00.000Z' }, MeetingScheduled: i, MeetingAttended: 0 })
    }
    const total = ((await suite.server.app.service('reports').find({ query: { $limit: 0 } })) as any).total
    const page = await logIn('admin@example.com')
    await listPage(page, 'reports')
    assert.equal(await page.locator('tbody tr[data-id]').count(), 20, 'twenty rows by default')
    await page.getByTestId('per-page').selectOption('50')
    await page.waitForURL(/perPage=50/)
    await until(async () => assert.equal(await page.locator('tbody tr[data-id]').count(), Math.min(total, 50)))
    assert.equal(await page.getByTestId('per-page').inputValue(), '50')
    await page.context().close()
  })

  /** The texts of the list's rows, once the list shows `count` of them. */
  const rowsOnceThere = async (page: any, count: number) => {
    let texts: string[] = []
    await until(async () => {
      texts = await page.locator('tbody tr[data-id]').allInnerTexts()
      assert.equal(texts.length, count, texts.join(' | '))
    })
    return texts
  }

  it('searches every list by its title field as users type (contains, ignoring case)', async () => {
    const page = await logIn('admin@example.com')
    await listPage(page, 'users')
    const box = page.getByTestId('list-search').locator('input')
    assert.equal(await box.getAttribute('placeholder'), 'Search by Name')
    await box.fill('patel')
    await page.waitForURL(/filters\.Name=patel/)
    assert.match((await rowsOnceThere(page, 1))[0], /Dev Patel/)
    // Enter searches at once; capitals and a middle piece of the name match.
    await box.fill('ANAGER')
    await box.press('Enter')
    await page.waitForURL(/filters\.Name=ANAGER/)
    const managers = await rowsOnceThere(page, 2)
    assert.ok(managers.every((row) => /Manager/.test(row)), managers.join(' | '))
    // Emptied, the list is whole again; the box shows what the address applies (a reload keeps the search).
    await box.fill('')
    await box.press('Enter')
    await until(async () => assert.doesNotMatch(page.url(), /filters\.Name/))
    await rowsOnceThere(page, 6)
    await listPage(page, 'users', '?filters.Name=chen')
    assert.equal(await page.getByTestId('list-search').locator('input').inputValue(), 'chen')
    assert.match((await rowsOnceThere(page, 1))[0], /Lin Chen/)
    await page.context().close()
  })

  it('searches through the permissions: a Manager finds only the appointments they may read', async () => {
    const { maria, omar } = suite.users
    const appointments = suite.server.app.service('appointments')
    for (const [manager, day] of [[maria, '03'], [omar, '04'], [omar, '05']] as const) {
      await appointments.create({ ManagerId: manager._id, AppointedDate: `2033-07-${day}T10:00:00.000Z` })
    }
    const page = await logIn('maria@example.com')
    await listPage(page, 'appointments')
    const box = page.getByTestId('list-search').locator('input')
    // The title of an appointment is its date: searched by period, as the pickers do.
    await box.fill('2033-07')
    await box.press('Enter')
    assert.match((await rowsOnceThere(page, 1))[0], /2033-07-03/)
    await page.context().close()
    const admin = await logIn('admin@example.com')
    await listPage(admin, 'appointments', '?filters.AppointedDate=2033-07')
    await rowsOnceThere(admin, 3)
    await admin.context().close()
  })

  it('offers no search box where typed text cannot match the title (a reference)', async () => {
    const page = await logIn('admin@example.com')
    // Role permission mappings are titled by their role, a reference matched by id only.
    await listPage(page, 'role-permission-mappings')
    await page.locator('tbody tr[data-id]').first().waitFor()
    assert.equal(await page.getByTestId('list-search').count(), 0)
    await page.context().close()
  })

  it('titles pages by what they show: the resource on a list, the record on its page and forms', async () => {
    const { dev } = suite.users
    const page = await logIn('admin@example.com')
    const heading = page.locator('[data-css$="-action-header"] h2').first()
    await until(async () => assert.equal(await page.title(), 'Dashboard · quillbase · appointments'))
    await listPage(page, 'appointments')
    await until(async () => assert.match(await heading.innerText(), /^Appointments\s*\d+$/))
    await until(async () => assert.equal(await page.title(), 'Appointments · quillbase · appointments'))
    await page.goto(`${suite.server.url}/admin/resources/users/records/${dev._id}/show`)
    await until(async () => assert.equal((await heading.innerText()).trim(), 'Dev Patel'))
    await until(async () => assert.equal(await page.title(), 'Dev Patel · Users · quillbase · appointments'))
    // Navigating inside the panel (no page load) changes the title too.
    await page.locator('[data-css="users-edit-button"]').click()
    await page.waitForURL(/\/edit$/)
    await until(async () => assert.equal((await heading.innerText()).trim(), 'Edit: Dev Patel'))
    await until(async () => assert.equal(await page.title(), 'Edit: Dev Patel · Users · quillbase · appointments'))
    await page.context().close()
  })
})
