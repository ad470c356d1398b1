// The admin panel in headless Chromium when the services refuse: every refusal is an error notice (field errors next to
// their fields, nothing saved, no success notice); partial bulk deletes; the login page; no outside requests.
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { errorNotice, noticeTexts, panelDriver, panelSuite, PASSWORD, until } from './browser.js'

describe('the admin panel when the services refuse', function () {
  this.timeout(60000)
  const { openLogin, logIn, field, choose } = panelDriver(() => suite.server, () => suite.browser)
  const service = (name: string) => suite.server.app.service(name) as any
  const save = (page: Page) => page.getByRole('button', { name: 'Save' }).click()
  /** The message shown under a form field. */
  const fieldError = (page: Page, label: string, text: RegExp) => field(page, label).getByText(text).waitFor()

  // A small login limit, so the 429 of the login page is reached in a few attempts.
  const suite = panelSuite({ loginAttempts: 3 })

  describe('as an Admin', () => {
    let page: Page
    let upload: any
    before(async () => {
      page = await logIn('admin@example.com')
      ;[upload] = await service('bulk-uploads').find({ paginate: false })
    })
    after(() => page.context().close())
    it('400: a bad value is an error notice with the message next to its field, and nothing is saved', async () => {
      await page.goto(`${suite.server.url}/admin/resources/bulk-uploads/records/${upload._id}/edit`)
      await page.fill('input[name=FileName]', 'x'.repeat(300))
      await save(page)
      await errorNotice(page, /FileName must NOT have more than 255 characters/)
      await fieldError(page, 'File Name', /must NOT have more than 255 characters/)
      assert.equal(new URL(page.url()).pathname, `/admin/resources/bulk-uploads/records/${upload._id}/edit`, 'the form stays open')
      assert.equal((await service('bulk-uploads').get(upload._id)).FileName, upload.FileName)
    })

    it('409: a duplicate email is an error notice, shown next to the email, and no user is created', async () => {
      const before = (await service('users').find({ query: { $limit: 0 } })).total
      await page.goto(`${suite.server.url}/admin/resources/users/actions/new`)
      await page.fill('input[name=Name]', 'Second Maria')
      await page.fill('input[name=email]', 'maria@example.com')
      await page.fill('input[name=password]', 'a-new-secret-1')
      await choose(page, 'Role', 'Developer', 'Dev')
      await save(page)
      await errorNotice(page, /same unique value already exists/)
      await fieldError(page, 'Email', /already taken/)
      assert.equal(await page.inputValue('input[name=Name]'), 'Second Maria', 'what was typed is kept')
      assert.equal((await service('users').find({ query: { $limit: 0 } })).total, before)
    })

    it('409: adding an attendee who blocked the manager is an error notice, and the appointment is unchanged', async () => {
      const [appointment] = (await service('appointments').find({ paginate: false, query: { ManagerId: suite.users.omar._id, Status: 'Scheduled' } })) as any[]
      await page.goto(`${suite.server.url}/admin/resources/appointments/records/${appointment._id}/edit`)
      await page.getByRole('button', { name: /Add new item/ }).click()
      const picker = page.locator('label', { hasText: /^\s*\*?\s*Attendees Developer Id\s*$/ }).last().locator('xpath=..').locator('input').first()
      await picker.focus()
      await page.keyboard.type('Sam')
      await page.locator('[id^="react-select"][id*="-option-"]', { hasText: /^Sam Okafor$/ }).click()
      await save(page)
      await errorNotice(page, /Sam Okafor has blocked this manager/)
      assert.deepEqual((await service('appointments').get(appointment._id)).Attendees, appointment.Attendees)
    })

    it('422: a reference to a record that no longer exists is an error next to the field', async () => {
      const temp = await service('users').create({ Name: 'Temp Person', email: 'temp@example.com', password: 'temp-secret-1', RoleId: suite.users.dev.RoleId })
      const uploads = (await service('bulk-uploads').find({ query: { $limit: 0 } })).total
      await page.goto(`${suite.server.url}/admin/resources/bulk-uploads/actions/new`)
      await page.fill('input[name=FileName]', 'late.csv')
      await choose(page, 'Uploaded By', 'Temp Person', 'Temp')
      // The picked user is removed before the form is saved.
      await service('users').remove(temp._id)
      await save(page)
      await errorNotice(page, /UploadedBy refers to a users record that does not exist/)
      await fieldError(page, 'Uploaded By', /no users record/)
      assert.equal((await service('bulk-uploads').find({ query: { $limit: 0 } })).total, uploads)
    })

    it('a bulk delete that partly fails says which records were deleted and which were refused, and why', async () => {
      const spare = await Promise.all(['Spare A', 'Spare B'].map((RoleName) => service('roles').create({ RoleName })))
      const developer = await service('roles').get(suite.users.dev.RoleId)
      const ids = [spare[0]._id, developer._id, spare[1]._id]
      await page.goto(`${suite.server.url}/admin/resources/roles/bulk/bulkDelete?recordIds=${ids.join(',')}`)
      await page.getByRole('button', { name: /Confirm/ }).click()
      let notice = ''
      await until(async () => {
        notice = (await noticeTexts(page)).find((text) => /Deleted/.test(text)) ?? ''
        assert.ok(notice, 'a notice about the deletion')
      })
      // In the store's order, which is the order the drawer listed them in.
      const deletedPart = /Deleted 2: (.*?)\. Refused/.exec(notice)?.[1] ?? ''
      assert.deepEqual(deletedPart.split(', ').sort(), [`Spare A (${spare[0]._id})`, `Spare B (${spare[1]._id})`])
      assert.match(notice, new RegExp(`Refused 1: Developer \\(${developer._id}\\): Still referenced by users \\(RoleId\\)`))
      assert.doesNotMatch(notice, /successfully/i)
      for (const role of spare) await assert.rejects(service('roles').get(role._id), { name: 'NotFound' })
      assert.equal((await service('roles').get(developer._id)).RoleName, 'Developer')
    })
  })

  describe('as a Manager', () => {
    it("403: another manager's record is, on its page, one that cannot be found (it was a 400 and a broken page)", async () => {
      const page = await logIn('maria@example.com')
      try {
        const [omars] = (await service('appointments').find({ paginate: false, query: { ManagerId: suite.users.omar._id } })) as any[]
        const answered = page.waitForResponse((response) => response.url().includes(`/api/resources/appointments/records/${omars._id}/show`))
        await page.goto(`${suite.server.url}/admin/resources/appointments/records/${omars._id}/show`)
        const response = await answered
        assert.equal(response.status(), 200)
        assert.equal((await response.json()).notice?.type, 'error')
        await errorNotice(page, /cannot be found/)
      } finally {
        await page.context().close()
      }
    })

    it('403: a field their permission no longer lets them change is refused next to it, and nothing changes', async () => {
      const page = await logIn('maria@example.com')
      const [profile] = (await service('permissions').find({ paginate: false, query: { PermissionName: 'update-own-profile' } })) as any[]
      try {
        await page.goto(`${suite.server.url}/admin/resources/users/records/${suite.users.maria._id}/edit`)
        await page.waitForSelector('input[name=Name]')
        // While the form is open, an administrator takes Name out of the permission.
        await service('permissions').patch(profile._id, { Fields: ['password', 'BlockedUser'] })
        await page.fill('input[name=Name]', 'Maria Renamed')
        await save(page)
        await errorNotice(page, /You may not change field "Name"/)
        await fieldError(page, 'Name', /You may not change field "Name"/)
        assert.equal((await service('users').get(suite.users.maria._id)).Name, 'Maria Manager')
      } finally {
        await service('permissions').patch(profile._id, { Fields: profile.Fields })
        await page.context().close()
      }
    })
  })

  describe('the login page', () => {
    it('shows our texts, keeps the typed email after a failure, and says how long to wait after too many', async () => {
      const page = await openLogin()
      try {
        const body = await page.locator('body').innerText()
        assert.match(body, /quillbase · appointments/)
        assert.match(body, new RegExp(suite.server.app.blueprint.description.slice(0, 40)))
        assert.doesNotMatch(body, /AdminJS|Welcome/i, 'no stock AdminJS copy')

        const attempt = async (password: string) => {
          await page.fill('input[name=email]', 'lin@example.com')
          await page.fill('input[name=password]', password)
          await page.click('form button')
          await page.waitForLoadState()
        }
        for (let i = 0; i < 3; i++) {
          await attempt('wrong-password')
          await page.getByText(/Wrong email or password/).waitFor()
          assert.equal(await page.inputValue('input[name=email]'), 'lin@example.com', 'the email is kept')
        }
        await attempt('wrong-password')
        await page.getByText(/Too many failed logins for this account\. Try again in 15 minutes\./).waitFor()
        assert.equal(await page.inputValue('input[name=email]'), 'lin@example.com')
        assert.doesNotMatch(await page.locator('body').innerText(), /TooManyRequests|"name"/)
      } finally {
        await page.context().close()
      }
    })

    it('keeps a typed email with quotes and markup as text', async () => {
      const page = await openLogin()
      try {
        const typed = `o'hara</script><b>x</b>@example.com`
        await page.fill('input[name=email]', typed)
        await page.fill('input[name=password]', 'whatever')
        await page.click('form button')
        await page.getByText(/Wrong email or password|Enter an email/).waitFor()
        assert.equal(await page.inputValue('input[name=email]'), typed)
        assert.equal(await page.locator('b', { hasText: 'x' }).count(), 0)
      } finally {
        await page.context().close()
      }
    })
  })

  it('loads nothing from outside: every request while logging in and opening a list and an edit page goes to the server', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1400, height: 1000 } })
    const requested: string[] = []
    context.on('request', (request) => requested.push(request.url()))
    try {
      const page = await context.newPage()
      await page.goto(`${suite.server.url}/admin/login`)
      await page.fill('input[name=email]', 'admin@example.com')
      await page.fill('input[name=password]', PASSWORD)
      await page.click('form button')
      await page.waitForURL(`${suite.server.url}/admin`)
      await page.waitForSelector('[data-testid=quillbase-dashboard]')
      await page.goto(`${suite.server.url}/admin/resources/users`)
      await page.waitForSelector('tbody tr[data-id]')
      await page.goto(`${suite.server.url}/admin/resources/users/records/${suite.users.lin._id}/edit`)
      await page.waitForSelector('input[name=Name]')
      await page.waitForLoadState('networkidle')
      const fonts = await page.evaluate(() => document.fonts.check('16px Roboto'))
      assert.ok(requested.length > 5)
      assert.deepEqual(requested.filter((url) => !url.startsWith(`${suite.server.url}/`)), [])
      assert.ok(requested.some((url) => url.includes('/admin/frontend/assets/fonts/')), 'the fonts come from the panel')
      assert.ok(fonts, 'Roboto is loaded')
    } finally {
      await context.close()
    }
  })
})

describe('the admin panel when the write limit is reached', function () {
  this.timeout(60000)
  const { logIn } = panelDriver(() => suite.server, () => suite.browser)
  // One write per user per hour: the second save of the same session is over the limit.
  const suite = panelSuite({ writesPerUser: 1, rateWindowSeconds: 3600 })
  const save = (page: Page) => page.getByRole('button', { name: 'Save' }).click()

  it('429: a save over the limit is an error notice with the wait, and nothing is saved', async () => {
    const uploads = suite.server.app.service('bulk-uploads') as any
    const [upload] = await uploads.find({ paginate: false })
    const page = await logIn('admin@example.com')
    try {
      const edit = `${suite.server.url}/admin/resources/bulk-uploads/records/${upload._id}/edit`
      await page.goto(edit)
      await page.fill('input[name=FileName]', 'first.csv')
      await save(page)
      await page.getByText(/successfully/i).first().waitFor()
      assert.equal((await uploads.get(upload._id)).FileName, 'first.csv')

      await page.goto(edit)
      await page.fill('input[name=FileName]', 'second.csv')
      await save(page)
      await errorNotice(page, /Too many writes; try again in \d+ s/)
      assert.equal(new URL(page.url()).pathname, new URL(edit).pathname, 'the form stays open')
      assert.equal((await uploads.get(upload._id)).FileName, 'first.csv')
    } finally {
      await page.context().close()
    }
  })
})
