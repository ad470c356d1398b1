// Jobs on BullMQ over Redis (`REDIS_URL`): one queue per blueprint (keys `quillbase:<blueprint>:jobs:…`) that every
// instance's worker takes from, so a job outlives the instance that queued it; scheduled tasks are BullMQ job
// schedulers, whose next run is one job with a fixed id per tick: however many instances, it runs once.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import type { ScheduleInput } from '../schemas/types.js'
import { checkedProgress, DEFAULT_RETRY, isFinal, scheduleJob, type FailedJob, type JobBackend, type JobPayload, type JobRun, type JobState, type JobStatus, type RetryOptions } from './jobs.js'

/** The queue's name inside its prefix (BullMQ refuses `:` in a queue name). */
const QUEUE = 'jobs'
/** Finished jobs kept for `status`: completed ones a day (at most 1000), failed ones a week. */
const KEEP_COMPLETED = { age: 24 * 3600, count: 1000 }
const KEEP_FAILED = { age: 7 * 24 * 3600 }

export interface RedisQueueOptions {
  url: string
  /** Key prefix, e.g. `quillbase:society`. */
  prefix: string
  concurrency: number
  /** Whether this instance takes jobs. */
  worker: boolean
}

/** BullMQ's error for a job whose worker stopped while running it more often than it allows (once). */
const STALLED = /stalled more than allowable limit/

const STATES: Record<string, JobState> = { waiting: 'waiting', prioritized: 'waiting', 'waiting-children': 'waiting', delayed: 'delayed', active: 'active', completed: 'completed', failed: 'failed' }

export class RedisQueue implements JobBackend {
  private _redis?: Redis
  private _queue?: Queue
  private _worker?: Worker

  constructor(private _options: RedisQueueOptions) {}

  /** Made on first use, so a process that never queues (the CLI) opens no connection. */
  private get queue() {
    if (!this._queue) {
      // BullMQ's blocking commands need `maxRetriesPerRequest: null`; the worker duplicates this client for them.
      const redis = (this._redis = new Redis(this._options.url, { maxRetriesPerRequest: null }))
      redis.on('error', (error) => console.error(`quillbase: jobs: Redis: ${error.message}`))
      this._queue = new Queue(QUEUE, { connection: redis, prefix: this._options.prefix })
      this._queue.on('error', (error) => console.error(`quillbase: jobs: ${error.message}`))
    }
    return this._queue
  }

  async enqueue(name: string, payload: JobPayload, options: Required<RetryOptions> & { delay: number }) {
    const job = await this.queue.add(name, payload, {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoff },
      delay: options.delay,
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED
    })
    return job.id!
  }

  async status(id: string): Promise<JobStatus | undefined> {
    // The state first: a job read after it can only be as far along (a completed state never meets a job without its result).
    const state = await this.queue.getJobState(id)
    const [job, { logs }] = await Promise.all([this.queue.getJob(id), this.queue.getJobLogs(id)])
    if (!job || state === 'unknown') return undefined
    const status: JobStatus = {
      id,
      name: job.name,
      state: STATES[state] ?? 'waiting',
      progress: state === 'completed' ? 100 : typeof job.progress === 'number' ? job.progress : 0,
      attempts: job.attemptsStarted ?? job.attemptsMade,
      logs,
      createdAt: new Date(job.timestamp).toISOString()
    }
    if (state === 'completed') status.result = job.returnvalue ?? null
    // BullMQ keeps the reason of a failed try after a later one succeeds.
    if (job.failedReason && state !== 'completed') status.error = job.failedReason
    if (job.finishedOn && (state === 'completed' || state === 'failed')) status.finishedAt = new Date(job.finishedOn).toISOString()
    return status
  }

  async start(run: (job: JobRun) => Promise<unknown>, schedules: ScheduleInput[] | undefined, failed: (job: FailedJob, error: Error) => void) {
    const queue = this.queue
    // The declarations are the truth: a schedule no longer declared stops ticking. An instance that ticks none
    // (`jobSchedules: false`) leaves the shared schedulers to the instances that do.
    if (schedules) {
      const declared = new Set(schedules.map((schedule) => schedule.name))
      for (const scheduler of await queue.getJobSchedulers()) if (!declared.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key)
      for (const schedule of schedules) await this.schedule(schedule)
    }
    if (!this._options.worker) return
    this._worker = new Worker(QUEUE, (job) => this._process(job, run), { connection: this._redis!, prefix: this._options.prefix, concurrency: this._options.concurrency })
    this._worker.on('error', (error) => console.error(`quillbase: jobs: ${error.message}`))
    this._worker.on('failed', (job, error) => {
      // For good: its last try, a refusal, or stalled past BullMQ's limit (its workers died while it ran).
      if (!job || !(job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError || STALLED.test(error.message))) return
      const tries = job.attemptsStarted ?? job.attemptsMade
      console.error(`quillbase: job ${job.name} ${job.id} failed after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${error.message}`)
      failed({ id: job.id!, name: job.name, payload: job.data }, error)
    })
    await this._worker.waitUntilReady()
  }

  /** One scheduler per task, keyed by its name: upserting it again (every instance does at start) changes nothing. */
  async schedule(schedule: ScheduleInput) {
    await this.queue.upsertJobScheduler(
      schedule.name,
      { pattern: schedule.cron, tz: schedule.timezone ?? 'UTC' },
      { name: scheduleJob(schedule.name), data: { data: null } satisfies JobPayload, opts: { attempts: DEFAULT_RETRY.attempts, backoff: { type: 'exponential', delay: DEFAULT_RETRY.backoff }, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED } }
    )
  }

  private async _process(job: Job, run: (job: JobRun) => Promise<unknown>) {
    const payload: JobPayload = { ...job.data }
    // A scheduler's job carries its tick as `prevMillis`.
    if (job.repeatJobKey && job.opts.prevMillis) payload.scheduledAt = new Date(job.opts.prevMillis).toISOString()
    try {
      return await run({
        id: job.id!,
        name: job.name,
        payload,
        attempt: job.attemptsStarted,
        progress: async (percent) => {
          await job.updateProgress(checkedProgress(percent))
        },
        log: async (message) => {
          await job.log(String(message))
        }
      })
    } catch (error: any) {
      // A refusal or bad data is not tried again.
      throw isFinal(error) ? new UnrecoverableError(error.message) : error
    }
  }

  async close() {
    await this._worker?.close()
    await this._queue?.close()
    await this._redis?.quit().catch(() => undefined)
    this._worker = this._queue = this._redis = undefined
  }
}
