// The in-process job queue (no `REDIS_URL`): a few jobs at a time, retries with exponential back-off, progress, and
// cron ticks from timers. Jobs live in memory: a restart loses the queued ones (Redis keeps them).
import { randomUUID } from 'node:crypto'
import { nextTick } from '../schemas/sanitize.js'
import type { ScheduleInput } from '../schemas/types.js'
import { checkedProgress, DEFAULT_RETRY, isFinal, scheduleJob, type FailedJob, type JobBackend, type JobPayload, type JobRun, type JobStatus, type RetryOptions } from './jobs.js'

/** Finished jobs kept for `status`: the latest ones, for an hour. */
const KEEP_FINISHED = 1000
const KEEP_MS = 60 * 60_000
const MAX_LOGS = 100
/** setTimeout's longest wait; a later tick is re-armed from there. */
const MAX_TIMER = 2 ** 31 - 1

interface LocalJob {
  status: JobStatus
  payload: JobPayload
  retry: Required<RetryOptions>
}

export class LocalQueue implements JobBackend {
  private _jobs = new Map<string, LocalJob>()
  private _ready: LocalJob[] = []
  private _timers = new Set<NodeJS.Timeout>()
  private _active = new Set<Promise<void>>()
  private _run?: (job: JobRun) => Promise<unknown>
  private _failed?: (job: FailedJob, error: Error) => void
  private _closed = false

  constructor(private _options: { concurrency: number }) {}

  async enqueue(name: string, payload: JobPayload, options: Required<RetryOptions> & { delay: number }) {
    if (this._closed) throw new Error('The job queue is closed')
    const id = randomUUID()
    const job: LocalJob = {
      status: { id, name, state: 'waiting', progress: 0, attempts: 0, logs: [], createdAt: new Date().toISOString() },
      payload,
      retry: { attempts: options.attempts, backoff: options.backoff }
    }
    this._jobs.set(id, job)
    if (options.delay > 0) this._later(job, options.delay)
    else this._ready.push(job)
    this._pump()
    return id
  }

  async status(id: string) {
    const job = this._jobs.get(id)
    return job && structuredClone(job.status)
  }

  async start(run: (job: JobRun) => Promise<unknown>, schedules: ScheduleInput[] | undefined, failed: (job: FailedJob, error: Error) => void) {
    this._run = run
    this._failed = failed
    for (const schedule of schedules ?? []) await this.schedule(schedule)
    this._pump()
  }

  async schedule(schedule: ScheduleInput) {
    const arm = (after: Date) => {
      const due = nextTick(schedule.cron, schedule.timezone, after)
      const wait = due.getTime() - Date.now()
      const timer = setTimeout(() => {
        this._timers.delete(timer)
        if (this._closed) return
        if (wait > MAX_TIMER) return arm(after)
        this.enqueue(scheduleJob(schedule.name), { data: null, scheduledAt: due.toISOString() }, { ...DEFAULT_RETRY, delay: 0 }).catch(() => undefined)
        arm(due)
      }, Math.min(Math.max(wait, 0), MAX_TIMER))
      this._timers.add(timer)
    }
    arm(new Date())
  }

  async close() {
    this._closed = true
    for (const timer of this._timers) clearTimeout(timer)
    this._timers.clear()
    this._ready = []
    await Promise.allSettled([...this._active])
  }

  private _later(job: LocalJob, ms: number) {
    job.status.state = 'delayed'
    const timer = setTimeout(() => {
      this._timers.delete(timer)
      job.status.state = 'waiting'
      this._ready.push(job)
      this._pump()
    }, ms)
    this._timers.add(timer)
  }

  /** Starts ready jobs while fewer than `concurrency` run. */
  private _pump() {
    while (this._run && !this._closed && this._active.size < this._options.concurrency && this._ready.length) {
      const job = this._ready.shift()!
      const running = this._try(job).finally(() => {
        this._active.delete(running)
        this._pump()
      })
      this._active.add(running)
    }
  }

  private async _try(job: LocalJob) {
    const { status } = job
    status.state = 'active'
    status.attempts++
    const run: JobRun = {
      id: status.id,
      name: status.name,
      payload: job.payload,
      attempt: status.attempts,
      progress: async (percent) => {
        status.progress = checkedProgress(percent)
      },
      log: async (message) => {
        status.logs.push(String(message))
        if (status.logs.length > MAX_LOGS) status.logs.shift()
      }
    }
    try {
      const result = await this._run!(run)
      // Stored as JSON, as Redis would.
      status.result = result === undefined ? null : JSON.parse(JSON.stringify(result))
      status.state = 'completed'
      status.progress = 100
      delete status.error
      this._finished(job)
    } catch (error: any) {
      status.error = error?.message ?? String(error)
      if (!isFinal(error) && status.attempts < job.retry.attempts && !this._closed) {
        this._later(job, job.retry.backoff * 2 ** (status.attempts - 1))
        return
      }
      status.state = 'failed'
      console.error(`quillbase: job ${status.name} ${status.id} failed after ${status.attempts} ${status.attempts === 1 ? 'try' : 'tries'}: ${status.error}`)
      this._finished(job)
      this._failed?.({ id: status.id, name: status.name, payload: job.payload }, error)
    }
  }

  /** Keeps the latest finished jobs for an hour, so `status` can tell how they ended. */
  private _finished(job: LocalJob) {
    job.status.finishedAt = new Date().toISOString()
    const now = Date.now()
    let finished = 0
    for (const [id, other] of [...this._jobs].reverse()) {
      if (!other.status.finishedAt) continue
      finished++
      if (finished > KEEP_FINISHED || now - Date.parse(other.status.finishedAt) > KEEP_MS) this._jobs.delete(id)
    }
  }
}
