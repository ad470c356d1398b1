// Test servers: a real app for a blueprint, listening on a free port, with its own data folder; clients over HTTP and Socket.io.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import net, { type AddressInfo } from 'node:net'
import { spawn } from 'node:child_process'
import { io, type Socket } from 'socket.io-client'
import { createApp, type EngineApp, type Settings } from '../src/app.js'
import { loadBlueprint } from '../src/blueprints/index.js'
import { sanitizeBlueprint } from '../src/schemas/sanitize.js'
import type { BlueprintInput } from '../src/schemas/types.js'
import { mongoKind, mongoTarget } from './services/adapters/mongo-target.js'

export interface TestServer {
  app: EngineApp
  url: string
  dataDir: string
  /** Stops the server; the data folder stays unless `removeData`. */
  close(removeData?: boolean): Promise<void>
}

export const testSettings = (overrides: Partial<Settings> = {}): Settings => ({
  host: 'localhost',
  port: 0,
  demo: true,
  bodyLimit: '1mb',
  jwtExpiresIn: '1h',
  authSecret: 'test-secret-not-for-production',
  encryptionKey: 'test-encryption-key',
  // bcrypt at its lowest cost: a test run makes over a thousand hashes and comparisons (10 costs ~64× the work).
  passwordHashCost: 4,
  // MONGODB_TRANSACTIONS=on runs a MongoDB pass in transactions even on the emulator (its sessions and commands, not its rollback).
  mongodbTransactions: (process.env.MONGODB_TRANSACTIONS as Settings['mongodbTransactions']) || 'auto',
  // The rate limits run, far above what any test sends; test/security/limits.test.ts sets small ones.
  requestsPerUser: 1e6,
  requestsPerIp: 1e6,
  writesPerUser: 1e6,
  writesPerIp: 1e6,
  signUpsPerIp: 1e6,
  lookupsPerIp: 1e6,
  // No scheduled task ticks on the wall clock (a test that spans :05 or :15 would see an hourly task's or a sync's
  // writes); a test runs one with `jobs.runNow`, and the tests of ticking itself set `jobSchedules: true`.
  jobSchedules: false,
  ...overrides
})

export async function tempDir(prefix = 'quillbase-test-') {
  return mkdtemp(path.join(os.tmpdir(), prefix))
}

/**
 * The store of `startServer`'s servers: `TEST_STORE=mongodb` puts each on a fresh MongoDB database (MONGODB_URL, else the
 * emulator) unless the test picks its store (a `dataDir` or a `mongodbUrl`); the embedded store otherwise.
 */
export const serverStore: 'embedded' | 'mongodb' | 'emulator' = process.env.TEST_STORE === 'mongodb' && mongoKind ? mongoKind : 'embedded'

/** A fresh MongoDB database for a test app when `serverStore` is MongoDB; undefined on the embedded store. */
export const serverDatabase = async () => (serverStore === 'embedded' ? undefined : mongoTarget())

const mongoTargetFor = async (overrides: Partial<Settings>) => (overrides.mongodbUrl || overrides.dataDir ? undefined : serverDatabase())

/** A blueprint by folder name, or a test's own declarations. `beforeListen` runs on the built app before it starts (seeding, jobs): e.g. to define jobs and schedules. */
export async function startServer(blueprint: string | BlueprintInput, overrides: Partial<Settings> = {}, beforeListen?: (app: EngineApp) => void | Promise<void>): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? (await tempDir())
  const mongo = await mongoTargetFor(overrides)
  const declared = typeof blueprint === 'string' ? await loadBlueprint(blueprint) : sanitizeBlueprint(blueprint)
  const app = await createApp(declared, testSettings({ mongodbUrl: mongo?.url, ...overrides, dataDir }))
  await beforeListen?.(app)
  const server = await app.listen(0)
  const { port } = server.address() as AddressInfo
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    async close(removeData = true) {
      await app.shutdown()
      await mongo?.stop()
      if (removeData) await rm(dataDir, { recursive: true, force: true })
    }
  }
}

export interface Response<T = any> {
  status: number
  body: T
  headers: Headers
}

/** A Feathers query as a URL query string (`?a[$in][0]=x`), for REST calls. */
export const toQueryString = (query: Record<string, unknown> = {}) => {
  const params = new URLSearchParams()
  const add = (key: string, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v)
    else if (Array.isArray(value)) value.forEach((v, i) => add(`${key}[${i}]`, v))
    else params.append(key, String(value))
  }
  for (const [key, value] of Object.entries(query)) add(key, value)
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** A JSON request over real HTTP. */
export async function request<T = any>(url: string, method: string, pathname: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Response<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: string | undefined = options.raw
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  } else if (options.raw !== undefined) headers['content-type'] ??= 'application/json'
  const response = await fetch(url + pathname, { method, headers, body })
  const text = await response.text()
  let parsed: any = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {}
  return { status: response.status, body: parsed, headers: response.headers }
}

/** The appointments demo users that engine tests sign in as (password `quillbase-demo`). */
export const DEMO_USERS = { admin: 'admin@example.com', maria: 'maria@example.com', omar: 'omar@example.com', dev: 'dev@example.com' }

/** Logs each user in: their tokens and ids by name, filled into the given objects (tests keep them across hooks). */
export async function loginAll(url: string, users: Record<string, string>, tokens: Record<string, string>, ids: Record<string, string>, password = 'quillbase-demo') {
  for (const [name, email] of Object.entries(users)) {
    const { accessToken, user } = await login(url, email, password)
    tokens[name] = accessToken
    ids[name] = user._id
  }
}

export async function login(url: string, email: string, password: string) {
  const response = await request(url, 'POST', '/authentication', { body: { strategy: 'local', email, password } })
  if (response.status !== 201) throw new Error(`login of ${email} failed: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body as { accessToken: string; user: any }
}

/** A signed-in user's REST calls. */
export interface Caller {
  token: string
  user: Record<string, any>
  get(path: string, query?: Record<string, unknown>): Promise<{ status: number; body: any }>
  post(path: string, body: unknown, method?: string): Promise<{ status: number; body: any }>
  patch(path: string, body: unknown): Promise<{ status: number; body: any }>
  remove(path: string): Promise<{ status: number; body: any }>
  /** A declared action over REST: `POST /<path>` with `X-Service-Method`. */
  action(path: string, method: string, body: unknown): Promise<{ status: number; body: any }>
}


/** Logs a user in and returns their REST calls. */
export async function signIn(url: string, email: string, password: string): Promise<Caller> {
  const { accessToken: token, user } = await login(url, email, password)
  return {
    token,
    user,
    get: (path, query) => request(url, 'GET', `${path}${toQueryString(query)}`, { token }),
    post: (path, body) => request(url, 'POST', path, { token, body }),
    patch: (path, body) => request(url, 'PATCH', path, { token, body }),
    remove: (path) => request(url, 'DELETE', path, { token }),
    action: (path, method, body) => request(url, 'POST', path, { token, body, headers: { 'x-service-method': method } })
  }
}

/** A Socket.io connection, authenticated when a token is given; collects every event it receives. */
export async function connect(url: string, token?: string) {
  const socket: Socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false })
  const events: { name: string; data: any }[] = []
  socket.onAny((name: string, data: any) => events.push({ name, data }))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  if (token) {
    await new Promise<void>((resolve, reject) =>
      // A refused token closes the socket, so nothing keeps the server from closing.
      socket.emit('create', 'authentication', { strategy: 'jwt', accessToken: token }, (error: any) => (error ? (socket.close(), reject(error)) : resolve()))
    )
  }
  const call = <T = any>(method: string, servicePath: string, ...args: unknown[]) =>
    new Promise<T>((resolve, reject) => socket.emit(method, servicePath, ...args, (error: any, result: T) => (error ? reject(error) : resolve(result))))
  return { socket, events, call, close: () => socket.close() }
}

/** Waits until the predicate holds or the time is up; events travel asynchronously (late beside a busy test lane: the wait only ends early). */
export async function eventually(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return check()
}

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits until the clock has left the second a token was issued in: JWT `iat` counts whole seconds, so a credential change within that second still lets the token through. */
export async function pastTokenSecond(accessToken: string) {
  const { iat } = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'))
  while (Date.now() < (iat + 1) * 1000) await wait(20)
}

/** Polls a job's status (`app.jobs`) until it is completed or failed. */
export async function finished(app: EngineApp, id: string, ms = 10_000) {
  const end = Date.now() + ms
  for (;;) {
    const status = await app.jobs.status(id)
    if (status.state === 'completed' || status.state === 'failed') return status
    if (Date.now() > end) throw new Error(`job ${id} still ${status.state} after ${ms} ms: ${JSON.stringify(status)}`)
    await wait(25)
  }
}

/** The Redis the scale-out tests share (127.0.0.1:6379 unless REDIS_URL says otherwise). */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A Redis answers PING on that address. */
export function redisAvailable(url = redisUrl): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname, () => socket.write('PING\r\n'))
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)))
    socket.once('data', (data) => (socket.end(), resolve(data.toString().startsWith('+PONG'))))
    socket.once('error', () => resolve(false))
  })
}

/** Two instances of a blueprint sharing the real Redis, as several app servers behind a load balancer. */
export async function startInstancesOnRedis(blueprintName: string, overrides: Partial<Settings> = {}): Promise<[TestServer, TestServer]> {
  return [await startServer(blueprintName, { redisUrl, ...overrides }), await startServer(blueprintName, { redisUrl, ...overrides })]
}

/** Debian's Chromium, headless; the flags keep it from reaching the (closed) network at start. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}

/** The `quillbase` command in a child process on the embedded store in `dataDir`: its exit code and output. */
export function runCli(dataDir: string, ...args: string[]) {
  return runCliWith({}, dataDir, ...args)
}

/**
 * `runCli` with Node options before the script (e.g. `--require` a preload), more environment, or another working
 * directory (`cwd`: the command is then named by its full path, as a `quillbase` bin on the PATH is).
 */
export function runCliWith(options: { node?: string[]; env?: Record<string, string>; cwd?: string }, dataDir: string, ...args: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const [tsx, cli] = options.cwd ? [import.meta.resolve('tsx'), path.resolve('src/cli.ts')] : ['tsx', 'src/cli.ts']
    const child = spawn(process.execPath, [...(options.node ?? []), '--import', tsx, cli, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, MONGODB_URL: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (err += chunk))
    child.on('exit', (code) => resolve({ code, out, err }))
  })
}

/** A real SMTP server on a free local port that keeps every message it receives (parsed), for `SMTP_URL`. */
export async function startSmtpServer() {
  const { SMTPServer } = await import('smtp-server')
  const { simpleParser } = await import('mailparser')
  const messages: { to: string; subject: string; text: string }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream)
        .then((mail) => {
          const to = [mail.to ?? []].flat().flatMap((address) => address.value.map((entry) => entry.address ?? ''))
          for (const address of to) messages.push({ to: address, subject: mail.subject ?? '', text: mail.text ?? '' })
          done()
        })
        .catch(done)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** The messages sent to this address so far. */
    to: (address: string) => messages.filter((message) => message.to === address.toLowerCase()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** A multipart upload to `POST /files?<target>` (e.g. `collection=resources&field=filePath`) over real HTTP. */
export async function upload(url: string, target: string, bytes: Buffer | string, name: string, type: string, token?: string) {
  const form = new FormData()
  form.append('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type }), name)
  const res = await fetch(`${url}/files?${target}`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} })
  return { status: res.status, body: (await res.json()) as any }
}

/** `GET` of a file URL (`/files/<id>`) as text, with the caller's token. */
export async function download(url: string, file: string, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(url + file, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

/** `GET` of a PDF file URL and its text as a reader finds it (unpdf: PDF.js), pages joined. */
export async function downloadPdf(url: string, file: string, token?: string) {
  const res = await fetch(url + file, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  const bytes = new Uint8Array(await res.arrayBuffer())
  if (res.status !== 200) return { status: res.status, type: res.headers.get('content-type'), text: '' }
  const { extractText, getDocumentProxy } = await import('unpdf')
  const { text } = await extractText(await getDocumentProxy(bytes), { mergePages: true })
  return { status: res.status, type: res.headers.get('content-type'), text }
}

/** Reads until `done` holds of what was read, or the time is up; returns the last read (for work a job does later). */
export async function polled<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > end) return value
    await wait(50)
  }
}
