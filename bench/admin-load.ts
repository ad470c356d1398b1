// npm run bench:admin: a cold load of the admin panel (the login page, then the dashboard after logging in) in headless
// Chromium, with the server in development mode (`npm start`) and in production mode (`npm run build`, then
// `NODE_ENV=production npm start`): bytes on the wire (compressed, as received) and time to load, side by side.
// Each load is a fresh browser context (empty cache); the first load of each server warms it, and is not counted. A third
// column is development mode with the browser accepting no compression: what the panel sent before compression was added.
import { execFileSync } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'
import { DEMO_PASSWORD } from '../src/blueprints/appointments/demo.js'
import { launchChromium, tempDir } from '../test/helpers.js'
import { NPM_START, startServer, stopServer } from './child.js'

const RUNS = Number(process.env.RUNS ?? 3)

interface Load {
  /** Bytes received (headers and bodies, compressed as sent), from the Network domain of the DevTools protocol. */
  bytes: number
  /** Bytes of JavaScript bodies as received. */
  scriptBytes: number
  requests: number
  /** Milliseconds from navigation to the load event (login page) or to the drawn dashboard (after login). */
  ms: number
}

type Loads = { login: Load; dashboard: Load }

/** Counts what the page receives, per CDP `Network.loadingFinished` (its `encodedDataLength` is the bytes on the wire). */
async function meter(page: Page, uncompressed: boolean) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  if (uncompressed) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } })
  const scripts = new Set<string>()
  let bytes = 0
  let scriptBytes = 0
  let requests = 0
  cdp.on('Network.responseReceived', (event: any) => {
    if (event.type === 'Script') scripts.add(event.requestId)
  })
  cdp.on('Network.loadingFinished', (event: any) => {
    requests++
    bytes += event.encodedDataLength
    if (scripts.has(event.requestId)) scriptBytes += event.encodedDataLength
  })
  return () => {
    const totals = { bytes, scriptBytes, requests }
    bytes = scriptBytes = requests = 0
    return totals
  }
}

async function coldLoad(browser: Browser, base: string, uncompressed = false): Promise<Loads> {
  const context = await browser.newContext()
  const page = await context.newPage()
  page.setDefaultTimeout(120_000)
  const take = await meter(page, uncompressed)
  let started = performance.now()
  await page.goto(`${base}/admin/login`, { waitUntil: 'load' })
  await page.locator('input[name=email]').waitFor()
  const login = { ...take(), ms: performance.now() - started }
  await page.fill('input[name=email]', 'admin@example.com')
  await page.fill('input[name=password]', DEMO_PASSWORD)
  started = performance.now()
  await page.click('form button')
  await page.locator('[data-testid="count-appointments"]').waitFor()
  const dashboard = { ...take(), ms: performance.now() - started }
  await context.close()
  return { login, dashboard }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`

async function measure(browser: Browser, mode: 'development' | 'production'): Promise<Loads[]> {
  const server = await startServer(await tempDir('quillbase-bench-'), 'appointments', { NODE_ENV: mode, DEMO: 'true' }, NPM_START)
  try {
    const results = [await series(browser, server.base, false)]
    if (mode === 'development') results.push(await series(browser, server.base, true))
    return results
  } finally {
    await stopServer(server.child)
  }
}

async function series(browser: Browser, base: string, uncompressed: boolean): Promise<Loads> {
  await coldLoad(browser, base, uncompressed)
  const runs: Loads[] = []
  for (let run = 0; run < RUNS; run++) runs.push(await coldLoad(browser, base, uncompressed))
  const pick = (key: 'login' | 'dashboard') => ({
    bytes: median(runs.map((r) => r[key].bytes)),
    scriptBytes: median(runs.map((r) => r[key].scriptBytes)),
    requests: median(runs.map((r) => r[key].requests)),
    ms: median(runs.map((r) => r[key].ms))
  })
  return { login: pick('login'), dashboard: pick('dashboard') }
}

console.log('building (npm run build)…')
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
const browser = await launchChromium()
try {
  const [development, uncompressed] = await measure(browser, 'development')
  const [production] = await measure(browser, 'production')
  const columns: [string, Loads][] = [['production', production], ['development', development], ['dev, no compr.', uncompressed]]
  console.log(`\nCold loads of /admin in headless Chromium, median of ${RUNS} (each in an empty browser cache, server warmed by one load first):`)
  const rows: [string, (l: Load) => number, (n: number) => string][] = [
    ['bytes received', (l) => l.bytes, mb],
    ['  of which scripts', (l) => l.scriptBytes, mb],
    ['requests', (l) => l.requests, String],
    ['time', (l) => l.ms, (ms) => `${Math.round(ms)} ms`]
  ]
  console.log(`${''.padEnd(20)}${columns.map(([name]) => name.padStart(16)).join('')}   (× production)`)
  for (const page of ['login', 'dashboard'] as const) {
    console.log(page === 'login' ? '/admin/login, to its load event' : 'dashboard, from submitting the login to the drawn counts')
    for (const [label, value, show] of rows) {
      const cells = columns.map(([, loads]) => show(value(loads[page])).padStart(16)).join('')
      const base = value(production[page])
      const ratios = columns.slice(1).map(([, loads]) => (base ? `${(value(loads[page]) / base).toFixed(1)}×` : '–')).join(' ')
      console.log(`${label.padEnd(20)}${cells}   ${label === 'requests' ? '' : ratios}`)
    }
  }
} finally {
  await browser.close()
}
