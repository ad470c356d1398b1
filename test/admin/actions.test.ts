// Declared actions and state-machine transitions as buttons in the admin panel (headless Chromium): offered only when the
// caller's permissions, role and the record's state allow them, run through the service as the logged-in user; engine-written
// fields shown but not editable in forms.
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { errorNotice, grantAdminEntry, noticeTexts, panelDriver, panelSuite, until } from './browser.js'

const successNotice = (page: Page, text: RegExp) =>
  until(async () => {
    const shown = await noticeTexts(page)
    assert.ok(shown.some((notice) => text.test(notice)), `a notice matching ${text}; shown: ${JSON.stringify(shown)}`)
  })

/** The record's page with its action buttons loaded. */
async function showPage(page: Page, url: string, resource: string, id: string) {
  await page.goto(`${url}/admin/resources/${resource}/records/${id}/show`)
  // The first page of a large blueprint can take a while on a busy machine.
  await page.locator('[data-testid^="action-"]').first().waitFor({ timeout: 20000 })
}

describe('the admin panel: action buttons (appointments)', function () {
  this.timeout(60000)
  const suite = panelSuite()
  const { logIn, choose } = panelDriver(() => suite.server, () => suite.browser)
  const appointments = () => suite.server.app.service('appointments') as any

  // Developers do not enter the panel in the demo; an administrator lets them (roles are data).
  before(() => grantAdminEntry(suite.server.app, 'Developer'))

  it('offers Dev "Respond" on an appointment he attends, and responding stores his answer', async () => {
    const page = await logIn('dev@example.com')
    const [appointment] = (await appointments().find({ paginate: false, query: { 'Attendees.DeveloperId': suite.users.dev._id, Status: 'Scheduled' } })) as any[]
    await showPage(page, suite.server.url, 'appointments', appointment._id)
    await page.getByTestId('action-respond').click()
    await page.getByTestId('workflow-action').waitFor()
    await choose(page, 'Status', 'Accepted')
    await page.getByTestId('workflow-submit').click()
    await successNotice(page, /Respond: done/)
    await page.waitForURL(new RegExp(`/records/${appointment._id}/show`))
    const mine = (await appointments().get(appointment._id)).Attendees.find((a: any) => a.DeveloperId === suite.users.dev._id)
    assert.equal(mine.Status, 'Accepted')
    assert.ok(Date.now() - Date.parse(mine.ResponseTime) < 60_000, 'ResponseTime stamped by the action')
    await page.context().close()
  })

  it("shows the action's refusal as an error notice (a cancelled appointment)", async () => {
    const page = await logIn('dev@example.com')
    const [cancelled] = (await appointments().find({ paginate: false, query: { 'Attendees.DeveloperId': suite.users.dev._id, Status: 'Cancelled' } })) as any[]
    await page.goto(`${suite.server.url}/admin/resources/appointments/records/${cancelled._id}/respond`)
    await choose(page, 'Status', 'Accepted')
    await page.getByTestId('workflow-submit').click()
    await errorNotice(page, /This appointment is cancelled/)
    assert.equal((await appointments().get(cancelled._id)).Attendees[0].Status, 'Declined')
    await page.context().close()
  })

  it('does not offer "Respond" to a Manager on her own appointment (she may not respond)', async () => {
    const page = await logIn('maria@example.com')
    const [own] = (await appointments().find({ paginate: false, query: { ManagerId: suite.users.maria._id } })) as any[]
    await showPage(page, suite.server.url, 'appointments', own._id)
    await page.getByTestId('action-edit').waitFor()
    assert.equal(await page.getByTestId('action-respond').count(), 0)
    await page.context().close()
  })

  it("shows an import's report fields in the edit form, not editable, and keeps them on save", async () => {
    const page = await logIn('admin@example.com')
    const [upload] = (await suite.server.app.service('bulk-uploads').find({ paginate: false, query: { $limit: 1 } })) as any[]
    await page.goto(`${suite.server.url}/admin/resources/bulk-uploads/records/${upload._id}/edit`)
    const total = page.locator('input[name=TotalRecords]')
    await total.waitFor()
    assert.equal(await total.inputValue(), String(upload.TotalRecords))
    assert.equal(await total.isDisabled(), true, 'TotalRecords is read-only')
    assert.equal(await page.locator('[name="ErrorDetails.0.Error"]').isDisabled(), true, 'error rows are read-only')
    assert.equal(await page.getByTestId('ErrorDetails-add').count(), 0, 'no new error rows')
    await page.fill('input[name=FileName]', 'developers-renamed.csv')
    await page.getByRole('button', { name: 'Save' }).click()
    await successNotice(page, /successfully/i)
    const stored = await suite.server.app.service('bulk-uploads').get(upload._id)
    assert.deepEqual([stored.FileName, stored.TotalRecords, stored.ErrorDetails], ['developers-renamed.csv', upload.TotalRecords, upload.ErrorDetails])

    // An attendee's ResponseTime is stamped by `respond`: shown, not typed.
    const [answered] = (await appointments().find({ paginate: false, query: { 'Attendees.Status': 'Accepted', Status: 'Scheduled' } })) as any[]
    await page.goto(`${suite.server.url}/admin/resources/appointments/records/${answered._id}/edit`)
    const stamp = page.getByTestId('property-edit-Attendees.0.ResponseTime').locator('input').first()
    await stamp.waitFor()
    assert.equal(await stamp.isDisabled(), true)
    await page.context().close()
  })
})

describe('the admin panel: state-machine buttons (society)', function () {
  this.timeout(60000)
  const society = panelSuite({}, 'society')
  const { logIn } = panelDriver(() => society.server, () => society.browser)
  const entries = () => society.server.app.service('visitor-entries') as any
  let green: any
  const pending = async () => (await entries().find({ paginate: false, query: { societyId: green._id, approvalStatus: 'Pending' } })) as any[]

  before(async () => {
    ;[green] = (await society.server.app.service('societies').find({ paginate: false, query: { name: 'Green Meadows' } })) as any[]
    await grantAdminEntry(society.server.app, 'Guard')
    await grantAdminEntry(society.server.app, 'Resident')
  })

  it('lets a society admin approve a pending visitor entry with a button, which is gone once approved', async () => {
    const page = await logIn('admin.green@example.com')
    const [entry] = await pending()
    await showPage(page, society.server.url, 'visitor-entries', entry._id)
    await page.getByTestId('action-approvalStatus-Approved').click()
    await page.getByTestId('workflow-submit').click()
    await successNotice(page, /Mark Approved: done/)
    const stored = await entries().get(entry._id)
    assert.equal(stored.approvalStatus, 'Approved')
    assert.equal(stored.approvedBy, society.users['admin.green']._id, 'stamped by the state machine')
    await page.waitForURL(new RegExp(`/records/${entry._id}/show`))
    await page.getByTestId('action-edit').waitFor()
    assert.equal(await page.getByTestId('action-approvalStatus-Approved').count(), 0, 'no Approve on an approved entry')
    assert.equal(await page.getByTestId('action-approvalStatus-Rejected').count(), 0, 'no Reject either (Approved is final)')
    await page.context().close()
  })

  it('does not offer a guard Approve (not their role), but offers Check Out of an approved visitor still inside', async () => {
    const page = await logIn('guard.green@example.com')
    const [entry] = await pending()
    await showPage(page, society.server.url, 'visitor-entries', entry._id)
    await page.getByTestId('action-edit').waitFor()
    assert.equal(await page.getByTestId('action-approvalStatus-Approved').count(), 0)
    const [inside] = (await entries().find({ paginate: false, query: { societyId: green._id, approvalStatus: 'Approved', exitDateTime: { $exists: false } } })) as any[]
    await showPage(page, society.server.url, 'visitor-entries', inside._id)
    await page.getByTestId('action-checkOut').click()
    await page.getByTestId('workflow-submit').click()
    await successNotice(page, /Check Out: done/)
    const stored = await entries().get(inside._id)
    assert.equal(stored.exitGuard, society.users['guard.green']._id)
    await page.context().close()
  })

  it("offers a resident Approve on their own flat's pending visitor only (the declared rule), not once it is answered", async () => {
    const page = await logIn('asha@example.com')
    const asha = society.users.asha
    const [mine] = (await entries().find({ paginate: false, query: { flatId: asha.flatId, approvalStatus: 'Pending' } })) as any[]
    await showPage(page, society.server.url, 'visitor-entries', mine._id)
    await page.getByTestId('action-approvalStatus-Approved').waitFor()
    const [answered] = (await entries().find({ paginate: false, query: { flatId: asha.flatId, approvalStatus: 'Rejected' } })) as any[]
    await showPage(page, society.server.url, 'visitor-entries', answered._id)
    await page.getByTestId('action-edit').waitFor()
    assert.equal(await page.getByTestId('action-approvalStatus-Approved').count(), 0)
    await page.context().close()
  })

  it('shows the approval stamps in the edit form but not editable', async () => {
    const page = await logIn('admin.green@example.com')
    const [answered] = (await entries().find({ paginate: false, query: { societyId: green._id, approvalStatus: 'Rejected', $limit: 1 } })) as any[]
    await page.goto(`${society.server.url}/admin/resources/visitor-entries/records/${answered._id}/edit`)
    const approvedBy = page.getByTestId('property-edit-approvedBy')
    await approvedBy.waitFor()
    assert.equal(await approvedBy.locator('input').first().isDisabled(), true)
    await page.context().close()
  })

  it('rejects several pending entries at once with a bulk action, reporting each', async () => {
    const page = await logIn('admin.green@example.com')
    const waiting = await pending()
    assert.ok(waiting.length >= 2, 'demo data has pending entries')
    await page.goto(`${society.server.url}/admin/resources/visitor-entries?filters.approvalStatus=Pending&filters.societyId=${green._id}`)
    await page.waitForSelector('tbody tr[data-id]')
    // The list may render again once its data arrives, dropping a tick: tick each box until it stays ticked.
    for (const entry of waiting) {
      const box = page.locator(`tbody tr[data-id="${entry._id}"] input[type=checkbox]`)
      await until(async () => {
        if (!(await box.isChecked())) await box.click({ force: true })
        assert.ok(await box.isChecked(), `entry ${entry._id} ticked`)
      }, 10_000)
    }
    await page.getByTestId('action-approvalStatus-Rejected-bulk').click()
    await page.getByTestId('workflow-records').waitFor()
    await page.getByTestId('workflow-submit').click()
    await successNotice(page, new RegExp(`Mark Rejected ${waiting.length}:`))
    for (const entry of waiting) assert.equal((await entries().get(entry._id)).approvalStatus, 'Rejected')
    await page.context().close()
  })
})
