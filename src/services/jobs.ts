// Background jobs and scheduled tasks: one interface (`app.jobs`), run in process on the embedded default and on
// BullMQ over Redis with `REDIS_URL`, so any instance takes a job and a scheduled task runs once per tick.
import { NotAuthenticated, NotFound } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { checkSchedule } from '../schemas/sanitize.js'
import type { JobContext, ScheduleInput } from '../schemas/types.js'
import { sessionEnded } from './authentication.js'
import { LocalQueue } from './jobs-local.js'
import type { RedisQueue } from './jobs-redis.js'

export type JobHandler<Data = any> = (context: JobContext<Data>) => Promise<unknown>

/** A job that failed for good, whatever failed: its handler after its last try, its user, or its worker (stalled). */
export interface JobFailure<Data = any> {
  app: EngineApp
  id: string
  name: string
  data: Data
  error: string
}

export interface DefineOptions<Data = any> extends RetryOptions {
  /**
   * Called once a job of this name has failed for good, on the instance that saw it fail: what the job was to report
   * on (an operation's record) is told, even when its handler never ran (its user gone, its worker killed twice).
   */
  failed?: (failure: JobFailure<Data>) => Promise<unknown>
}

/** A job that failed for good, as a backend tells it. */
export type FailedJob = Pick<JobRun, 'id' | 'name' | 'payload'>

export interface RetryOptions {
  /** Tries in all (default 3); a 4xx error (a refusal, bad data) is never tried again. */
  attempts?: number
  /** Wait before the second try, in ms (default 1000); doubled before each further one. */
  backoff?: number
}

export interface EnqueueOptions extends RetryOptions {
  /** Run as this user (id in the auth collection): service calls get `{ user, provider: 'job' }`, so permissions apply. */
  userId?: string
  /** Wait this long (ms) before the first try. */
  delay?: number
}

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed'

export interface JobStatus {
  id: string
  name: string
  state: JobState
  /** 0–100, as the handler last reported; 100 once completed. */
  progress: number
  /** Tries started so far. */
  attempts: number
  /** What the handler returned (JSON), once completed. */
  result?: unknown
  /** The last failure's message (also while a retry waits). */
  error?: string
  logs: string[]
  createdAt: string
  finishedAt?: string
}

/** What a queue stores per job: JSON only, so both backends behave alike. */
export interface JobPayload {
  data: unknown
  userId?: string
  /** A scheduled task's job carries its tick. */
  scheduledAt?: string
}

/** One try of a job, as a backend hands it to the engine. */
export interface JobRun {
  id: string
  name: string
  payload: JobPayload
  attempt: number
  progress(percent: number): Promise<void>
  log(message: string): Promise<void>
}

/** A queue backend: in process (`LocalQueue`) or BullMQ (`RedisQueue`). */
export interface JobBackend {
  enqueue(name: string, payload: JobPayload, options: Required<RetryOptions> & { delay: number }): Promise<string>
  status(id: string): Promise<JobStatus | undefined>
  /**
   * Starts taking jobs (unless this instance only queues them) and keeps exactly `schedules` ticking; `undefined`: ticks
   * none here and leaves shared schedulers as they are. `failed` is told of each job that fails for good here.
   */
  start(run: (job: JobRun) => Promise<unknown>, schedules: ScheduleInput[] | undefined, failed: (job: FailedJob, error: Error) => void): Promise<void>
  /** Adds one schedule once started. */
  schedule(schedule: ScheduleInput): Promise<void>
  close(): Promise<void>
}

export interface JobsOptions {
  redisUrl?: string
  /** Key prefix of the BullMQ queue, e.g. `quillbase:<blueprint>`. */
  prefix: string
  /** Jobs run at once by this instance (default 2). */
  concurrency?: number
  /** With Redis, `false` makes an instance that only queues jobs (others run them). Default true. */
  worker?: boolean
  /** `false`: this instance ticks no scheduled task; with Redis it leaves the shared schedulers as they are. Default true. */
  schedules?: boolean
}

/** Job name of a scheduled task's runs. */
export const scheduleJob = (name: string) => `schedule:${name}`

/** Retries of a job that sets none, and of every scheduled run. */
export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 3, backoff: 1000 }

/** An error a retry cannot fix: a refusal or bad data (4xx). */
export const isFinal = (error: any) => typeof error?.code === 'number' && error.code >= 400 && error.code < 500

export class Jobs {
  readonly backend: JobBackend
  private _handlers = new Map<string, { handler: JobHandler; retry: Required<RetryOptions>; failed?: DefineOptions['failed'] }>()
  /** Engine-level schedules; the blueprint's are in `blueprint.schedules`. */
  private _engineSchedules = new Map<string, ScheduleInput>()
  private _started = false
  private _ticks: boolean

  /** The jobs of an app: on BullMQ with `redisUrl` (its module, and ioredis's, loaded only then), else in process. */
  static async create(app: EngineApp, options: JobsOptions): Promise<Jobs> {
    return new Jobs(app, options, options.redisUrl ? (await import('./jobs-redis.js')).RedisQueue : undefined)
  }

  private constructor(private _app: EngineApp, options: JobsOptions, redisQueue?: typeof RedisQueue) {
    if (options.worker === false && !options.redisUrl) throw new Error('jobWorker (JOB_WORKER) false needs REDIS_URL: without Redis, jobs run in this process only')
    this._ticks = options.schedules !== false
    const concurrency = options.concurrency ?? 2
    if (!(Number.isInteger(concurrency) && concurrency > 0)) throw new Error(`jobConcurrency (JOB_CONCURRENCY) must be a whole number above 0, not ${options.concurrency}`)
    this.backend = redisQueue
      ? new redisQueue({ url: options.redisUrl!, prefix: options.prefix, concurrency, worker: options.worker !== false })
      : new LocalQueue({ concurrency })
  }

  /**
   * Whether work queued before this start is lost for good: in process on the embedded store, where this instance is
   * the store's only owner. BullMQ keeps jobs across restarts; instances on one MongoDB without Redis each have their
   * own queue in memory, and one starting cannot tell another's running jobs from lost ones.
   */
  get leftBehind(): boolean {
    return this.backend instanceof LocalQueue && this._app.store.kind === 'embedded'
  }

  /** Declares the handler of a job name (on every instance: any of them may run it). */
  define<Data = any>(name: string, handler: JobHandler<Data>, { failed, ...retry }: DefineOptions<Data> = {}) {
    if (typeof name !== 'string' || !name || name.startsWith('schedule:')) throw new Error(`A job name is a non-empty string not starting with "schedule:": ${name}`)
    if (this._handlers.has(name)) throw new Error(`The job "${name}" is defined twice`)
    this._handlers.set(name, { handler, retry: { ...DEFAULT_RETRY, ...retry }, failed })
  }

  /** Queues a job; returns its id. Its data must be JSON. */
  async enqueue(name: string, data?: unknown, options: EnqueueOptions = {}): Promise<string> {
    const defined = this._handlers.get(name)
    if (!defined) throw new Error(`No job "${name}" is defined (app.jobs.define)`)
    const attempts = options.attempts ?? defined.retry.attempts
    const backoff = options.backoff ?? defined.retry.backoff
    if (!(Number.isInteger(attempts) && attempts > 0) || !(backoff >= 0)) throw new Error('attempts must be a whole number above 0 and backoff a number of ms')
    const payload: JobPayload = { data: data === undefined ? null : JSON.parse(JSON.stringify(data)) }
    if (options.userId !== undefined) payload.userId = String(options.userId)
    return this.backend.enqueue(name, payload, { attempts, backoff, delay: options.delay ?? 0 })
  }

  /** Where a job is: state, progress, tries, result or error. 404 once it is unknown (or past its retention). */
  async status(id: string): Promise<JobStatus> {
    const status = typeof id === 'string' ? await this.backend.status(id) : undefined
    if (!status) throw new NotFound(`No job ${id}`)
    return status
  }

  /** Adds an engine-level scheduled task (blueprints declare theirs in `schedules`). */
  async schedule(schedule: ScheduleInput) {
    checkSchedule('engine', schedule)
    if (this._scheduleNamed(schedule.name)) throw new Error(`The schedule "${schedule.name}" is declared twice`)
    this._engineSchedules.set(schedule.name, schedule)
    if (this._started && this._ticks) await this.backend.schedule(schedule)
  }

  /** Queues one run of a scheduled task now (as its tick would); returns the job id. */
  async runNow(scheduleName: string): Promise<string> {
    if (!this._scheduleNamed(scheduleName)) throw new NotFound(`No schedule "${scheduleName}"`)
    return this.backend.enqueue(scheduleJob(scheduleName), { data: null, scheduledAt: new Date().toISOString() }, { ...DEFAULT_RETRY, delay: 0 })
  }

  /** At app setup, once seeding is done: workers take jobs, schedules tick. */
  async start() {
    this._started = true
    await this.backend.start(
      (job) => this._run(job),
      this._ticks ? [...this._app.blueprint.schedules, ...this._engineSchedules.values()] : undefined,
      (job, error) => void this._failed(job, error)
    )
  }

  /** Workers finish their current jobs and stop; timers are cleared. */
  async close() {
    this._started = false
    await this.backend.close()
  }

  /** One try: the handler with its context; the user loaded fresh, so a removed or deactivated one cannot act. */
  private async _run(job: JobRun) {
    const schedule = job.name.startsWith('schedule:') ? this._scheduleNamed(job.name.slice('schedule:'.length)) : undefined
    const handler = schedule ? schedule.run : this._handlers.get(job.name)?.handler
    if (!handler) throw new Error(`No handler for the job "${job.name}" on this instance`)
    const { userId } = job.payload
    const user = userId === undefined ? undefined : await this._user(userId)
    const params: Params = user ? { user, provider: 'job', counted: true, audit: { actor: 'job' } } : { audit: { actor: 'job' } }
    const context: JobContext = { app: this._app, data: job.payload.data, id: job.id, name: job.name, attempt: job.attempt, params, user, progress: job.progress, log: job.log }
    if (job.payload.scheduledAt) context.scheduledAt = job.payload.scheduledAt
    return handler(context)
  }

  /** A job failed for good: its definition's `failed` is told (its own failure is logged, never thrown). */
  private async _failed(job: FailedJob, error: Error) {
    const failed = this._handlers.get(job.name)?.failed
    if (!failed) return
    try {
      await failed({ app: this._app, id: job.id, name: job.name, data: job.payload.data, error: error?.message ?? String(error) })
    } catch (reporting: any) {
      console.error(`quillbase: job ${job.name} ${job.id}: its failure could not be reported: ${reporting?.message ?? reporting}`)
    }
  }

  /** The blueprint's schedules and the engine's. */
  private _scheduleNamed(name: string) {
    return this._engineSchedules.get(name) ?? this._app.blueprint.schedules.find((schedule) => schedule.name === name)
  }

  private async _user(id: string) {
    const users = this._app.blueprint.users
    // Only a missing user ends the job; a store that fails now may answer on the next try.
    const user = await this._app.service(users.name).get(id).catch((error: any) => {
      if (error?.code === 404) return undefined
      throw error
    })
    const ended = user ? sessionEnded(users, user) : 'The user no longer exists'
    if (ended) throw new NotAuthenticated(`The job's user ${id} cannot act: ${ended}`)
    return user
  }
}

/** Progress is a percentage. */
export function checkedProgress(percent: number) {
  if (typeof percent !== 'number' || !Number.isFinite(percent)) throw new Error(`progress takes a number from 0 to 100, not ${percent}`)
  return Math.min(100, Math.max(0, percent))
}
