// Driving the admin panel in headless Chromium: fresh sessions, logging in, form fields and pickers, polling checks.
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { launchChromium, startServer, type TestServer } from '../helpers.js'
import type { Settings } from '../../src/app.js'

export const PASSWORD = 'quillbase-demo'

/** Browsers in UTC unless a test says otherwise (`{ timezoneId: 'Asia/Kolkata' }`). */
export function panelDriver(server: () => TestServer, browser: () => Browser, contextOptions: BrowserContextOptions = {}) {
  /** A fresh browser session (own cookies) on the login page; nothing leaves the machine (requests elsewhere are aborted). */
  async function openLogin(): Promise<Page> {
    const context = await browser().newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC', locale: 'en-GB', ...contextOptions })
    await context.route((url) => !url.href.startsWith(server().url), (route) => route.abort())
    const page = await context.newPage()
    // Elements render within seconds; a whole page load of the panel's scripts can take far longer beside a busy test lane.
    page.setDefaultTimeout(10000)
    page.setDefaultNavigationTimeout(30000)
    await page.goto(`${server().url}/admin/login`)
    return page
  }

  async function logIn(email: string, password = PASSWORD): Promise<Page> {
    const page = await openLogin()
    await page.fill('input[name=email]', email)
    await page.fill('input[name=password]', password)
    await page.click('form button')
    // The first login of a suite also builds its blueprint's first pages: slow on a busy machine.
    await page.waitForURL(`${server().url}/admin`, { timeout: 45000 })
    return page
  }

  /** The form group (label + input) of a property in a form or the filter drawer. */
  const field = (page: Page, label: string): Locator => page.locator('label', { hasText: new RegExp(`^\\s*\\*?\\s*${label}\\s*$`) }).locator('xpath=..')

  /** Picks an option of a react-select (enum or reference picker), typing to search when given. */
  async function choose(page: Page, label: string, option: string, typed?: string) {
    const input = field(page, label).locator('input').first()
    await input.focus()
    if (typed) await page.keyboard.type(typed)
    else await page.keyboard.press('ArrowDown')
    await page.locator('[id^="react-select"][id*="-option-"]', { hasText: new RegExp(`^${option}$`) }).click()
  }

  async function listPage(page: Page, resource: string, search = '') {
    await page.goto(`${server().url}/admin/resources/${resource}${search}`)
    await page.waitForSelector('tbody tr[data-id], [data-testid="no-records"], section:has-text("No records")')
  }

  return { openLogin, logIn, field, choose, listPage }
}

/**
 * Mocha hooks of a browser suite: an appointments server and a Chromium for the enclosing `describe`, and the demo users by
 * the name before the `@` of their email. Read the fields inside tests and hooks (they are set in `before`).
 */
export function panelSuite(overrides: Partial<Settings> = {}, blueprint = 'appointments') {
  const suite = { server: undefined as unknown as TestServer, browser: undefined as unknown as Browser, users: {} as Record<string, any> }
  before(async function () {
    this.timeout(60000)
    suite.server = await startServer(blueprint, overrides)
    await warmPanel(suite.server.url)
    suite.browser = await launchChromium()
    const all = (await suite.server.app.service('users').find({ paginate: false })) as any[]
    suite.users = Object.fromEntries(all.map((user) => [user.email.split('@')[0], user]))
  })
  after(async () => {
    await suite.browser?.close()
    await suite.server?.close()
  })
  return suite
}

/**
 * Loads the login page's scripts once as a browser would (compressed): a server compresses each asset at its first
 * request, which on a busy machine made the first login of a suite miss its page-load timeout.
 */
async function warmPanel(url: string) {
  const html = await (await fetch(`${url}/admin/login`)).text()
  const scripts = [...html.matchAll(/src="(\/admin\/frontend\/assets\/[^"]+)"/g)].map((match) => match[1])
  await Promise.all(scripts.map(async (src) => (await fetch(`${url}${src}`, { headers: { 'accept-encoding': 'br, gzip' } })).arrayBuffer()))
}

/** Polls until the check passes (the panel renders asynchronously), then runs it once more for its message. */
export async function until(check: () => Promise<void>, ms = 15_000) {
  const end = Date.now() + ms
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > end) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/** The texts of the notices (toasts) on the page; AdminJS's successes all say "Successfully …". */
export const noticeTexts = (page: Page) => page.locator('[data-testid="notice-wrapper"] > *').allInnerTexts()

/** Waits for a notice matching the text; fails if a success notice showed up instead. */
export async function errorNotice(page: Page, text: RegExp): Promise<string> {
  let found = ''
  await until(async () => {
    const shown = await noticeTexts(page)
    if (shown.some((notice) => /successfully/i.test(notice))) throw new Error(`a success notice: ${shown.join(' | ')}`)
    found = shown.find((notice) => text.test(notice)) ?? ''
    if (!found) throw new Error(`no notice matching ${text}; shown: ${JSON.stringify(shown)}`)
  })
  return found
}

/** RBAC is data: gives a role the permission to enter the panel (`access admin`), as an administrator would in the panel. */
export async function grantAdminEntry(app: any, roleName: string) {
  const [role] = await app.service('roles').find({ paginate: false, query: { RoleName: roleName } })
  const [entry] = await app.service('permissions').find({ paginate: false, query: { Action: 'access', Subject: 'admin', $limit: 1 } })
  const [mapping] = await app.service('role-permission-mappings').find({ paginate: false, query: { RoleId: role._id } })
  await app.service('role-permission-mappings').patch(mapping._id, { Permission_ids: [...mapping.Permission_ids, entry._id] })
}
