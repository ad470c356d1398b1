// Everyday conveniences of the admin panel in headless Chromium: human labels, help text from field descriptions, defaults
// pre-filled on create, a page-size selector on lists.
import assert from 'node:assert/strict'
import { panelDriver, panelSuite, until } from './browser.js'

describe('the admin panel: everyday conveniences', function () {
  this.timeout(30000)
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
})
