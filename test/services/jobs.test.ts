// Background jobs and schedules: in process without Redis; on BullMQ over the real Redis (127.0.0.1:6379, or REDIS_URL)
// with two instances, each on its own data folder, sharing one queue.
import assert from 'node:assert/strict'
import { Redis } from 'ioredis'
import { createApp, type EngineApp } from '../../src/app.js'
import { loadBlueprint } from '../../src/blueprints/index.js'
import { DEMO_PASSWORD } from '../../src/blueprints/appointments/demo.js'
import { finished, login, redisAvailable, redisUrl, request, startServer, testSettings, wait, type TestServer } from '../helpers.js'

/** A promise the test resolves: a job waits on it. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/** A job that creates a role on the instance running it, so the test sees where it ran. */
const defineStamp = (app: EngineApp, label: string) =>
  app.jobs.define<{ tag: string }>('stamp', async ({ app, data, params, progress }) => {
    const role = await app.service('roles').create({ RoleName: `Stamped ${data.tag}`, Description: `by the job on ${label}` }, params)
    await progress(100)
    return { ranOn: label, roleId: role._id }
  })

const rolesNamed = async (server: TestServer, name: string) => (await server.app.service('roles').find({ paginate: false, query: { RoleName: name } })) as any[]

describe('jobs in process (no REDIS_URL)', () => {
  let server: TestServer
  let admin: { accessToken: string; user: any }
  before(async () => {
    server = await startServer('appointments', { jobConcurrency: 2 })
    admin = await login(server.url, 'admin@example.com', DEMO_PASSWORD)
    defineStamp(server.app, 'this instance')
  })
  after(() => server?.close())

  it('runs a queued job with its data, keeps its result, and marks its changes as the job’s in the audit log', async () => {
    const id = await server.app.jobs.enqueue('stamp', { tag: 'local' })
    const status = await finished(server.app, id)
    assert.equal(status.state, 'completed', JSON.stringify(status))
    assert.equal(status.attempts, 1)
    assert.equal(status.progress, 100)
    assert.equal((status.result as any).ranOn, 'this instance')
    const roles = await request(server.url, 'GET', '/roles?RoleName=Stamped%20local', { token: admin.accessToken })
    assert.equal(roles.body.total, 1)
    const history = await request(server.url, 'GET', `/audit-log?collection=roles&recordId=${(status.result as any).roleId}`, { token: admin.accessToken })
    assert.deepEqual(history.body.data.map((entry: any) => [entry.method, entry.actor, entry.transport, entry.actorId]), [['create', 'job', 'internal', undefined]])
  })

  it('reports progress while it runs', async () => {
    const { open, opened } = gate()
    server.app.jobs.define('halfway', async ({ progress }) => {
      await progress(50)
      await opened
      return 'done'
    })
    const id = await server.app.jobs.enqueue('halfway')
    const end = Date.now() + 10_000
    while ((await server.app.jobs.status(id)).progress !== 50 && Date.now() < end) await wait(10)
    const running = await server.app.jobs.status(id)
    assert.deepEqual([running.state, running.progress], ['active', 50])
    open()
    assert.deepEqual(await finished(server.app, id).then((s) => [s.state, s.result]), ['completed', 'done'])
  })

  it('tries a failed job again after an exponential back-off, then completes', async () => {
    const tries: number[] = []
    server.app.jobs.define('flaky', async ({ attempt, log }) => {
      tries.push(Date.now())
      await log(`try ${attempt}`)
      if (attempt < 3) throw new Error(`failure ${attempt}`)
      return { attempt }
    })
    const id = await server.app.jobs.enqueue('flaky', null, { attempts: 3, backoff: 150 })
    while (tries.length < 1) await wait(5)
    await wait(20)
    const between = await server.app.jobs.status(id)
    assert.deepEqual([between.state, between.attempts, between.error], ['delayed', 1, 'failure 1'])
    const status = await finished(server.app, id)
    assert.deepEqual([status.state, status.attempts, status.result, status.error], ['completed', 3, { attempt: 3 }, undefined])
    assert.deepEqual(status.logs, ['try 1', 'try 2', 'try 3'])
    // 150 ms before the second try, 300 before the third (timers may round down by a millisecond).
    assert.ok(tries[1] - tries[0] >= 149, `first wait ${tries[1] - tries[0]} ms`)
    assert.ok(tries[2] - tries[1] >= 299, `second wait ${tries[2] - tries[1]} ms`)
  })

  it('fails for good after its last try, with the error', async () => {
    server.app.jobs.define('broken', async () => {
      throw new Error('the service is down')
    })
    const status = await finished(server.app, await server.app.jobs.enqueue('broken', null, { attempts: 2, backoff: 10 }))
    assert.deepEqual([status.state, status.attempts, status.error], ['failed', 2, 'the service is down'])
    assert.ok(status.finishedAt)
  })

  it('runs as a named user: permissions apply, a refusal is not tried again, the audit log names the user', async () => {
    const developer = await login(server.url, 'dev@example.com', DEMO_PASSWORD)
    const refused = await finished(server.app, await server.app.jobs.enqueue('stamp', { tag: 'by a developer' }, { userId: developer.user._id, attempts: 3 }))
    assert.equal(refused.state, 'failed')
    assert.equal(refused.attempts, 1)
    assert.match(refused.error!, /not allowed|may not|cannot/i)
    assert.equal((await rolesNamed(server, 'Stamped by a developer')).length, 0)

    const done = await finished(server.app, await server.app.jobs.enqueue('stamp', { tag: 'by the admin' }, { userId: admin.user._id }))
    assert.equal(done.state, 'completed', JSON.stringify(done))
    const history = await request(server.url, 'GET', `/audit-log?collection=roles&recordId=${(done.result as any).roleId}`, { token: admin.accessToken })
    assert.deepEqual(history.body.data.map((entry: any) => [entry.actor, entry.actorId, entry.transport]), [['user', admin.user._id, 'job']])
  })

  it('refuses to run as a user who no longer exists', async () => {
    const status = await finished(server.app, await server.app.jobs.enqueue('stamp', { tag: 'ghost' }, { userId: '0123456789abcdef01234567' }))
    assert.deepEqual([status.state, status.attempts], ['failed', 1])
    assert.match(status.error!, /no longer exists/)
  })

  it("tells a job's definition when the job fails for good, whatever failed (its handler, its user), and never while it retries", async () => {
    const told: { data: any; error: string }[] = []
    let tries = 0
    server.app.jobs.define<{ n: number }>('reported', async ({ data }) => {
      if (data.n === 2 && ++tries > 1) return 'done'
      throw new Error(`try ${data.n} failed`)
    }, { attempts: 2, backoff: 10, failed: async ({ data, error }) => void told.push({ data, error }) })
    const failing = await finished(server.app, await server.app.jobs.enqueue('reported', { n: 1 }))
    const retried = await finished(server.app, await server.app.jobs.enqueue('reported', { n: 2 }))
    const ghost = await finished(server.app, await server.app.jobs.enqueue('reported', { n: 3 }, { userId: '0123456789abcdef01234567' }))
    assert.deepEqual([failing.state, retried.state, ghost.state], ['failed', 'completed', 'failed'])
    assert.deepEqual(told.map(({ data }) => data.n).sort(), [1, 3])
    assert.equal(told.find(({ data }) => data.n === 1)!.error, 'try 1 failed')
    assert.match(told.find(({ data }) => data.n === 3)!.error, /no longer exists/)
  })

  it('runs at most jobConcurrency jobs at once', async () => {
    const { open, opened } = gate()
    let running = 0
    let most = 0
    server.app.jobs.define('slow', async () => {
      most = Math.max(most, ++running)
      await opened
      running--
    })
    const ids = await Promise.all([1, 2, 3].map(() => server.app.jobs.enqueue('slow')))
    const end = Date.now() + 10_000
    while (running < 2 && Date.now() < end) await wait(10)
    await wait(50)
    assert.deepEqual(await Promise.all(ids.map(async (id) => (await server.app.jobs.status(id)).state)), ['active', 'active', 'waiting'])
    open()
    for (const id of ids) assert.equal((await finished(server.app, id)).state, 'completed')
    assert.equal(most, 2)
  })

  it('answers 404 for an unknown job and refuses an undefined job name', async () => {
    await assert.rejects(server.app.jobs.status('no-such-job'), { name: 'NotFound' })
    await assert.rejects(server.app.jobs.enqueue('never-defined'), /No job "never-defined" is defined/)
  })

  it('refuses, at start, an instance that runs no jobs without Redis to hand them to others', async () => {
    await assert.rejects(createApp(await loadBlueprint('appointments'), testSettings({ dataDir: '', jobWorker: false })), /jobWorker \(JOB_WORKER\) false needs REDIS_URL/)
  })

  it('refuses a scheduled task with a bad cron expression', async () => {
    await assert.rejects(server.app.jobs.schedule({ name: 'typo', cron: '61 * * * *', run: async () => undefined }), { name: 'DeclarationError', message: /schedule "typo".*cron "61 \* \* \* \*" is not valid/ })
    await assert.rejects(server.app.jobs.schedule({ name: 'short', cron: '* * *', run: async () => undefined }), /expected 5 fields/)
  })

  it('ticks a scheduled task on its cron, and stops at shutdown once the running job is done', async () => {
    const ticks: string[] = []
    let finishedJobs = 0
    const own = await startServer('appointments', { jobSchedules: true }, (app) =>
      app.jobs.schedule({
        name: 'every-second',
        cron: '* * * * * *',
        run: async ({ scheduledAt }) => {
          ticks.push(scheduledAt!)
          await wait(300)
          finishedJobs++
        }
      })
    )
    const end = Date.now() + 10_000
    while (ticks.length < 2 && Date.now() < end) await wait(20)
    assert.ok(ticks.length >= 2, `${ticks.length} ticks`)
    assert.equal(new Set(ticks).size, ticks.length)
    for (const tick of ticks) assert.equal(new Date(tick).getUTCMilliseconds(), 0)
    await own.close()
    // close() waited for the job that was running; nothing ticks after it.
    assert.equal(finishedJobs, ticks.length)
    const after = ticks.length
    await wait(1200)
    assert.equal(ticks.length, after)
  })

  it('ticks no scheduled task with jobSchedules false, and still runs one queued by hand', async () => {
    const ticks: string[] = []
    const own = await startServer('appointments', { jobSchedules: false }, (app) =>
      app.jobs.schedule({ name: 'every-second', cron: '* * * * * *', run: async ({ scheduledAt }) => void ticks.push(scheduledAt!) })
    )
    try {
      await wait(2200)
      assert.deepEqual(ticks, [], 'no tick in two seconds of a per-second schedule')
      const status = await finished(own.app, await own.app.jobs.runNow('every-second'))
      assert.equal(status.state, 'completed', JSON.stringify(status))
      assert.equal(ticks.length, 1)
    } finally {
      await own.close()
    }
  })
})

describe('jobs on BullMQ over the real Redis', function () {
  // A queue prefix per run and per test: other runs may share this Redis.
  const runPrefix = `quillbase-test-${process.pid}-${Date.now()}`
  let queues = 0
  const prefix = () => `${runPrefix}-${++queues}:appointments`
  const servers: TestServer[] = []
  const start = async (overrides: Record<string, unknown>, beforeListen?: (app: EngineApp) => void | Promise<void>) => {
    const server = await startServer('appointments', { redisUrl, ...overrides }, beforeListen)
    servers.push(server)
    return server
  }

  before(async function () {
    if (!(await redisAvailable())) this.skip()
  })
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })
  after(async () => {
    const redis = new Redis(redisUrl)
    try {
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 500)
        if (keys.length) await redis.del(...keys)
        cursor = next
      } while (cursor !== '0')
    } finally {
      redis.disconnect()
    }
  })

  it('runs a job queued on an instance without a worker on another instance, and reports it through Redis', async () => {
    const shared = prefix()
    const queuer = await start({ jobsPrefix: shared, jobWorker: false }, (app) => defineStamp(app, 'queuer'))
    const runner = await start({ jobsPrefix: shared }, (app) => defineStamp(app, 'runner'))
    const id = await queuer.app.jobs.enqueue('stamp', { tag: 'across' })
    const status = await finished(queuer.app, id)
    assert.equal(status.state, 'completed', JSON.stringify(status))
    assert.deepEqual([(status.result as any).ranOn, status.progress, status.attempts], ['runner', 100, 1])
    // Each instance has its own data folder: the role exists where the job ran.
    assert.equal((await rolesNamed(runner, 'Stamped across')).length, 1)
    assert.equal((await rolesNamed(queuer, 'Stamped across')).length, 0)
  })

  it('keeps a job through a restart of the instance that queued it, and runs it after', async () => {
    const own = prefix()
    const runs: string[] = []
    const define = (label: string) => (app: EngineApp) =>
      app.jobs.define('later', async ({ data }) => {
        runs.push(label)
        return data
      })
    const first = await start({ jobsPrefix: own }, define('first'))
    const id = await first.app.jobs.enqueue('later', { kept: true }, { delay: 1500 })
    assert.equal((await first.app.jobs.status(id)).state, 'delayed')
    await first.close(false)
    servers.splice(servers.indexOf(first), 1)
    const restarted = await start({ jobsPrefix: own, dataDir: first.dataDir }, define('restarted'))
    const status = await finished(restarted.app, id)
    assert.deepEqual([status.state, status.result], ['completed', { kept: true }])
    assert.deepEqual(runs, ['restarted'])
  })

  it('reports progress through Redis and tries a failed job again with exponential back-off, on whichever instance', async () => {
    const shared = prefix()
    const tries: number[] = []
    const { open, opened } = gate()
    const define = (app: EngineApp) =>
      app.jobs.define('flaky', async ({ attempt, progress }) => {
        tries.push(Date.now())
        await progress(attempt * 30)
        if (attempt === 1) await opened
        if (attempt < 3) throw new Error(`failure ${attempt}`)
        return 'recovered'
      })
    const a = await start({ jobsPrefix: shared }, define)
    await start({ jobsPrefix: shared }, define)
    const id = await a.app.jobs.enqueue('flaky', null, { attempts: 3, backoff: 200 })
    const end = Date.now() + 10_000
    while ((await a.app.jobs.status(id)).progress !== 30 && Date.now() < end) await wait(20)
    const running = await a.app.jobs.status(id)
    assert.deepEqual([running.state, running.progress, running.attempts], ['active', 30, 1])
    open()
    const status = await finished(a.app, id)
    assert.deepEqual([status.state, status.attempts, status.result, status.progress, status.error], ['completed', 3, 'recovered', 100, undefined])
    assert.ok(tries[1] - tries[0] >= 195, `first wait ${tries[1] - tries[0]} ms`)
    assert.ok(tries[2] - tries[1] >= 395, `second wait ${tries[2] - tries[1]} ms`)
  })

  it('fails a refused job at once, without retries', async () => {
    const queue = prefix()
    const server = await start({ jobsPrefix: queue }, (app) => defineStamp(app, 'only'))
    const developer = await login(server.url, 'dev@example.com', DEMO_PASSWORD)
    const status = await finished(server.app, await server.app.jobs.enqueue('stamp', { tag: 'refused' }, { userId: developer.user._id, attempts: 3, backoff: 50 }))
    assert.deepEqual([status.state, status.attempts], ['failed', 1])
  })

  it("tells the job's definition on the instance that saw it fail for good (a refusal), once", async () => {
    const told: string[] = []
    const server = await start({ jobsPrefix: prefix() }, (app) =>
      app.jobs.define('reported', async () => {
        throw new Error('never works')
      }, { attempts: 2, backoff: 20, failed: async ({ id, error }) => void told.push(`${id}: ${error}`) })
    )
    const id = await server.app.jobs.enqueue('reported', null)
    const status = await finished(server.app, id)
    assert.deepEqual([status.state, status.attempts], ['failed', 2])
    const end = Date.now() + 5000
    while (!told.length && Date.now() < end) await wait(20)
    assert.deepEqual(told, [`${id}: never works`])
  })

  it('runs a per-second scheduled task once per tick with two instances', async () => {
    const shared = prefix()
    const runs: { on: string; tick: string }[] = []
    const schedule = (label: string) => (app: EngineApp) =>
      app.jobs.schedule({
        name: 'heartbeat',
        cron: '* * * * * *',
        run: async ({ scheduledAt }) => {
          runs.push({ on: label, tick: scheduledAt! })
        }
      })
    await start({ jobsPrefix: shared, jobSchedules: true }, schedule('a'))
    await start({ jobsPrefix: shared, jobSchedules: true }, schedule('b'))
    const end = Date.now() + 8000
    while (new Set(runs.map((run) => run.tick)).size < 4 && Date.now() < end) await wait(50)
    const ticks = runs.map((run) => run.tick)
    assert.ok(new Set(ticks).size >= 4, `ticks: ${JSON.stringify(runs)}`)
    assert.equal(new Set(ticks).size, ticks.length, `a tick ran twice: ${JSON.stringify(runs)}`)
  })

  it('leaves the shared schedulers to the instances that tick them when one starts with jobSchedules false', async () => {
    const shared = prefix()
    const runs: string[] = []
    const heartbeat = (label: string) => (app: EngineApp) =>
      app.jobs.schedule({ name: 'heartbeat', cron: '* * * * * *', run: async () => void runs.push(label) })
    const ticking = await start({ jobsPrefix: shared, jobSchedules: true }, heartbeat('ticking'))
    // A web-only instance that declares no schedule and ticks none: had it kept "exactly its schedules", it would have
    // removed the other's scheduler.
    await start({ jobsPrefix: shared, jobSchedules: false, jobWorker: false })
    const queue = (ticking.app.jobs.backend as any).queue
    assert.ok((await queue.getJobSchedulers()).some((scheduler: any) => scheduler.key === 'heartbeat'), 'the scheduler is still there')
    const since = runs.length
    const end = Date.now() + 8000
    while (runs.length < since + 2 && Date.now() < end) await wait(50)
    assert.ok(runs.length >= since + 2, `runs after the second start: ${runs.length - since}`)
  })
})
