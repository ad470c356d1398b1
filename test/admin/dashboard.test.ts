// The dashboard's declared figures and charts in headless Chromium: drawn with Chart.js served by the panel itself, and
// counted through the services as the viewer (a Manager's chart counts only the appointments they may read).
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { panelDriver, panelSuite, until } from './browser.js'

const WEEK_MS = 7 * 86400000

describe('the admin panel: dashboard charts', function () {
  this.timeout(60000)
  const suite = panelSuite()
  const { logIn } = panelDriver(() => suite.server, () => suite.browser)

  /** What Chart.js drew in the chart's canvas: its labels and each dataset's numbers. */
  async function drawn(page: Page, name: string) {
    const canvas = page.getByTestId(`chart-${name}`).locator('canvas')
    await canvas.waitFor()
    let data: { labels: string[]; datasets: { label: string; data: number[] }[] } | undefined
    await until(async () => {
      data = await canvas.evaluate((element) => {
        const chart = (window as any).Chart?.getChart(element)
        return chart && { labels: chart.data.labels, datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: d.data })) }
      })
      assert.ok(data, 'Chart.js drew the chart')
    }, 15000)
    return data!
  }

  /** The appointments with this status in the chart's weeks, as `user` may read them (a REST-like external call). */
  async function countAs(user: any, labels: string[], Status: string) {
    const from = new Date(`${labels[0]}T00:00:00.000Z`)
    const to = new Date(Date.parse(`${labels.at(-1)}T00:00:00.000Z`) + WEEK_MS)
    const query = { Status, AppointedDate: { $gte: from.toISOString(), $lt: to.toISOString() }, $limit: 0 }
    return ((await suite.server.app.service('appointments').find({ query, provider: 'rest', user } as any)) as any).total as number
  }

  it("draws the appointments per week by status, counted as the viewer: an Admin's all, a Manager's own", async () => {
    const { maria, omar } = suite.users
    const inAWeek = new Date(Date.now() + WEEK_MS).toISOString()
    await suite.server.app.service('appointments').create({ ManagerId: omar._id, AppointedDate: inAWeek })
    await suite.server.app.service('appointments').create({ ManagerId: omar._id, AppointedDate: inAWeek, Status: 'Cancelled' })

    const page = await logIn('admin@example.com')
    const admin = await drawn(page, 'appointments-per-week')
    assert.equal(admin.labels.length, 8, 'eight weeks')
    assert.deepEqual(admin.datasets.map((d) => d.label), ['Scheduled', 'Cancelled'])
    const total = (status: string, data = admin) => data.datasets.find((d) => d.label === status)!.data.reduce((a, b) => a + b, 0)
    assert.equal(total('Scheduled'), await countAs(suite.users.admin, admin.labels, 'Scheduled'))
    assert.equal(total('Cancelled'), await countAs(suite.users.admin, admin.labels, 'Cancelled'))
    // The library came from the panel's own assets, under a fingerprinted URL.
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name))
    assert.ok(loaded.some((url) => /\/admin\/frontend\/assets\/v-[\w-]+\/chart\.umd\.min\.js$/.test(url)), loaded.join('\n'))
    const upcoming = page.getByTestId('chart-upcoming').locator('.quillbase-figure')
    const scheduledAhead = async (user: any) =>
      ((await suite.server.app.service('appointments').find({ query: { Status: 'Scheduled', AppointedDate: { $gte: new Date().toISOString() }, $limit: 0 }, provider: 'rest', user } as any)) as any).total
    assert.equal(Number(await upcoming.innerText()), await scheduledAhead(suite.users.admin))
    await page.context().close()

    const manager = await logIn('maria@example.com')
    const own = await drawn(manager, 'appointments-per-week')
    assert.equal(total('Scheduled', own), await countAs(maria, own.labels, 'Scheduled'))
    assert.ok(total('Scheduled', own) < total('Scheduled'), 'fewer than the Admin: her own only')
    assert.equal(total('Cancelled', own), 0, "Omar's cancelled appointment is not hers")
    assert.equal(Number(await manager.getByTestId('chart-upcoming').locator('.quillbase-figure').innerText()), await scheduledAhead(maria))
    await manager.context().close()
  })
})
