// The admin panel's forms in headless Chromium: reference pickers that find what users type, lists a manager may sort,
// clearing fields, and typing into the fields of a newly added array item.
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { errorNotice, noticeTexts, panelDriver, panelSuite, until } from './browser.js'

describe('the admin panel forms', function () {
  this.timeout(60000)
  const { logIn, field, choose, listPage } = panelDriver(() => suite.server, () => suite.browser)
  const service = (name: string) => suite.server.app.service(name) as any
  const save = (page: Page) => page.getByRole('button', { name: 'Save' }).click()
  const successNotice = (page: Page) => until(async () => assert.ok((await noticeTexts(page)).some((notice) => /successfully/i.test(notice)), 'a success notice'))
  /** The options a reference picker offers after typing `typed`. */
  async function pickerOptions(page: Page, label: string, typed: string) {
    const input = field(page, label).locator('input').first()
    await input.focus()
    await page.keyboard.type(typed)
    const options = page.locator('[id^="react-select"][id*="-option-"]')
    await options.first().waitFor()
    const texts = await options.allInnerTexts()
    await page.keyboard.press('Escape')
    await input.fill('')
    return texts
  }

  const suite = panelSuite()

  describe('as a Manager', () => {
    let page: Page
    before(async () => {
      page = await logIn('maria@example.com')
    })
    after(() => page.context().close())

    it('finds users in the pickers by any part of their name, in any case, and creates an appointment', async () => {
      await page.goto(`${suite.server.url}/admin/resources/appointments/actions/new`)
      assert.deepEqual((await pickerOptions(page, 'Manager', 'MANAGER')).sort(), ['Maria Manager', 'Omar Manager'])
      await choose(page, 'Manager', 'Maria Manager', 'ria man')
      await page.getByTestId('Attendees-add').click()
      assert.deepEqual(await pickerOptions(page, 'Attendees Developer Id', 'patel'), ['Dev Patel'])
      await choose(page, 'Attendees Developer Id', 'Dev Patel', 'patel')
      await field(page, 'Appointed Date').locator('input').first().fill('2031-05-06 10:30')
      await page.keyboard.press('Escape')
      await save(page)
      await successNotice(page)
      const created = (await service('appointments').find({ paginate: false, query: { ManagerId: suite.users.maria._id, AppointedDate: { $gte: '2031-01-01T00:00:00.000Z' } } })) as any[]
      assert.equal(created.length, 1)
      assert.deepEqual(created[0].Attendees.map((a: any) => a.DeveloperId), [suite.users.dev._id])
    })

    it('opens the users list with rows and no sort error (it may read CreatedAt on its own record only)', async () => {
      await listPage(page, 'users')
      assert.ok((await page.locator('tbody tr[data-id]').count()) >= 6)
      const notices = await noticeTexts(page)
      assert.ok(!notices.some((notice) => /sort/i.test(notice)), notices.join(' | '))
    })
  })

  describe('as an Admin', () => {
    let page: Page
    before(async () => {
      page = await logIn('admin@example.com')
    })
    after(() => page.context().close())

    it('removes an optional field cleared in the form', async () => {
      const lin = suite.users.lin
      await service('users').patch(lin._id, { resetPasswordExpires: '2031-01-01T00:00:00.000Z' })
      await page.goto(`${suite.server.url}/admin/resources/users/records/${lin._id}/edit`)
      await field(page, 'Reset Password Expires').locator('input').first().fill('')
      await page.keyboard.press('Escape')
      await save(page)
      await successNotice(page)
      assert.ok(!('resetPasswordExpires' in (await service('users').get(lin._id))), 'removed from the record')
      await page.goto(`${suite.server.url}/admin/resources/users/records/${lin._id}/edit`)
      assert.equal(await field(page, 'Reset Password Expires').locator('input').first().inputValue(), '', 'empty after a reload')
    })

    it('refuses to clear a required field next to it, and keeps its value', async () => {
      const [appointment] = (await service('appointments').find({ paginate: false, query: { $limit: 1 } })) as any[]
      await page.goto(`${suite.server.url}/admin/resources/appointments/records/${appointment._id}/edit`)
      const date = field(page, 'Appointed Date').locator('input').first()
      await date.fill('')
      await page.keyboard.press('Escape')
      await save(page)
      await errorNotice(page, /AppointedDate is required/)
      await field(page, 'Appointed Date').getByText(/is required/).waitFor()
      assert.equal((await service('appointments').get(appointment._id)).AppointedDate, appointment.AppointedDate)
    })
  })
})

// Bulk uploads' error rows are the engine's (read-only); society's bill line items are arrays an admin edits.
describe('the admin panel forms: array items (society)', function () {
  this.timeout(60000)
  const society = panelSuite({}, 'society')
  const { logIn } = panelDriver(() => society.server, () => society.browser)

  it('types into both text fields of a newly added array item, and saves both', async () => {
    const page = await logIn('superadmin@example.com')
    const [bill] = (await society.server.app.service('maintenance-bills').find({ paginate: false, query: { status: 'Generated', $limit: 1 } })) as any[]
    const count = bill.lineItems.length
    await page.goto(`${society.server.url}/admin/resources/maintenance-bills/records/${bill._id}/edit`)
    await page.getByTestId('lineItems-add').click()
    // As a person does: click a field, type, click the next one, type.
    await page.locator(`[name="lineItems.${count}.componentName"]`).click()
    await page.keyboard.type('Water')
    await page.locator(`[name="lineItems.${count}.amount"]`).click()
    await page.keyboard.type('12')
    await page.locator(`[name="lineItems.${count}.description"]`).click()
    await page.keyboard.type('Tanker in May')
    assert.equal(await page.inputValue(`[name="lineItems.${count}.componentName"]`), 'Water', 'the first field keeps what was typed')
    assert.equal(await page.inputValue(`[name="lineItems.${count}.description"]`), 'Tanker in May', 'the last field keeps what was typed')
    await page.getByRole('button', { name: 'Save' }).click()
    await until(async () => assert.ok((await noticeTexts(page)).some((notice) => /successfully/i.test(notice)), 'a success notice'))
    const stored = await society.server.app.service('maintenance-bills').get(bill._id)
    assert.deepEqual(stored.lineItems.at(-1), { componentName: 'Water', amount: 12, description: 'Tanker in May' })
    assert.equal(stored.lineItems.length, count + 1)
  })
})
