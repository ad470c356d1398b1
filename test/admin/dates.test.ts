// Date-times in the admin panel carry their time zone: the browser's, said next to every value, one format in lists,
// pages and the picker; and what the picker sends is the instant the admin meant in that zone.
import assert from 'node:assert/strict'
import { noticeTexts, panelDriver, panelSuite, until } from './browser.js'

describe('the admin panel: dates and times in the browser’s time zone (Asia/Kolkata)', function () {
  this.timeout(60000)
  const suite = panelSuite()
  const { logIn, field } = panelDriver(() => suite.server, () => suite.browser, { timezoneId: 'Asia/Kolkata' })
  const appointments = () => suite.server.app.service('appointments') as any
  /** An instant as an admin in India reads it (UTC+5:30, no daylight saving). */
  const inKolkata = (iso: string) => `${new Date(Date.parse(iso) + 330 * 60_000).toISOString().slice(0, 16).replace('T', ' ')} (UTC+5:30)`

  it('shows date-times in lists and on a record’s page in the browser’s zone, with the zone', async () => {
    const page = await logIn('admin@example.com')
    const [appointment] = (await appointments().find({ paginate: false, query: { $limit: 1 } })) as any[]
    await appointments().patch(appointment._id, { AppointedDate: '2031-12-02T20:00:00.000Z' })
    await page.goto(`${suite.server.url}/admin/resources/appointments?filters.ManagerId=${appointment.ManagerId}`)
    const cell = page.locator(`tbody tr[data-id="${appointment._id}"] [data-testid="property-list-AppointedDate"]`)
    await until(async () => assert.equal(await cell.innerText(), '2031-12-03 01:30 (UTC+5:30)'))

    await page.goto(`${suite.server.url}/admin/resources/appointments/records/${appointment._id}/show`)
    await page.getByText('2031-12-03 01:30 (UTC+5:30)').first().waitFor()
    const created = (await appointments().get(appointment._id)).CreatedAt
    await page.getByText(inKolkata(created)).first().waitFor()
    await page.context().close()
  })

  it('round-trips the picker: what is typed in the browser’s zone is stored as that instant, an untouched date unchanged', async () => {
    const page = await logIn('admin@example.com')
    const [appointment] = (await appointments().find({ paginate: false, query: { Status: 'Scheduled', $limit: 1 } })) as any[]
    await page.goto(`${suite.server.url}/admin/resources/appointments/records/${appointment._id}/edit`)
    const input = field(page, 'Appointed Date').locator('input').first()
    // Chromium names the zone by its older alias, Asia/Calcutta.
    await page.getByTestId('zone-AppointedDate').getByText(/^Your time zone: UTC\+5:30 \(Asia\/(Kolkata|Calcutta)\)$/).waitFor()
    const before = (await appointments().get(appointment._id)).AppointedDate
    assert.equal(`${await input.inputValue()} (UTC+5:30)`, inKolkata(before), 'the picker shows the stored instant in the browser’s zone')

    await input.fill('2031-05-06 10:30')
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Save' }).click()
    await until(async () => assert.ok((await noticeTexts(page)).some((notice) => /successfully/i.test(notice))))
    assert.equal((await appointments().get(appointment._id)).AppointedDate, '2031-05-06T05:00:00.000Z', '10:30 in India is 05:00 UTC')

    // Saving another change leaves the date exactly as it was.
    await page.goto(`${suite.server.url}/admin/resources/appointments/records/${appointment._id}/edit`)
    await page.getByTestId('zone-AppointedDate').waitFor()
    assert.equal(await field(page, 'Appointed Date').locator('input').first().inputValue(), '2031-05-06 10:30')
    await page.getByRole('button', { name: 'Save' }).click()
    await until(async () => assert.ok((await noticeTexts(page)).some((notice) => /successfully/i.test(notice))))
    assert.equal((await appointments().get(appointment._id)).AppointedDate, '2031-05-06T05:00:00.000Z')
    await page.context().close()
  })
})
