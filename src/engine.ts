// The engine app's types: what `createApp` (app.ts) builds and what its parts (admin, OpenAPI, services) receive.
// A file of its own so those parts depend on the types, not on app.ts, which imports them.
import type { Application } from '@feathersjs/koa'
import type { Permissions } from './permissions/abilities.js'
import type { Blueprint } from './schemas/types.js'
import type { AllowedOrigins } from './services/cors.js'
import type { Connectors } from './services/connectors/index.js'
import type { Documents } from './services/documents.js'
import type { ExportCounts } from './services/exports.js'
import type { Files } from './services/files.js'
import type { Jobs } from './services/jobs.js'
import type { OAuthAccounts } from './services/oauth.js'
import type { OAuthProviderSettings } from './services/oauth-issuers.js'
import type { Store } from './services/store.js'
import type { TransactionMode } from './services/adapters/mongo-transactions.js'

export interface Settings {
  host: string
  port: number
  /** Folder of the embedded store (and generated keys); in memory when empty. */
  dataDir?: string
  /** `full` (default): every acknowledged write survives power loss (an fsync per commit); `normal`: survives a crashed process only. */
  dataSync?: 'full' | 'normal'
  mongodbUrl?: string
  /** MongoDB write calls in transactions: `auto` (default) on a replica set or mongos, `on` always, `off` never. */
  mongodbTransactions?: TransactionMode
  /** JWT signing secret; generated into `dataDir` when absent. */
  authSecret?: string
  /** Key for encrypted fields; generated into `dataDir` when absent. */
  encryptionKey?: string
  adminEmail?: string
  adminPassword?: string
  /** Signs the admin panel's session cookie; derived from the JWT secret when absent. */
  adminCookieSecret?: string
  /**
   * Mount the admin panel (default true). The CLI's one-off commands (migrate, import, export, seed) serve nothing and
   * leave it out: AdminJS is then never loaded, which saves seconds at each start.
   */
  adminPanel?: boolean
  /** Fill an empty store with the blueprint's demo data. */
  demo: boolean
  /** Largest accepted JSON body, e.g. `1mb`. */
  bodyLimit: string
  jwtExpiresIn: string
  /**
   * bcrypt cost factor of new password hashes (and of security answers and reset tokens), 4–15; default 10. Each step
   * doubles the work of every login. Only a test run should go lower (the test settings use 4): stored hashes keep the
   * cost they were made with, and any cost verifies.
   */
  passwordHashCost?: number
  /** Redis URL: share service events with other instances (scale-out). */
  redisUrl?: string
  /** Password checks allowed per email within `loginWindowSeconds` (then 429), reset by a successful login. Default 10 per 15 minutes. */
  loginAttempts?: number
  loginWindowSeconds?: number
  /** Service calls allowed within `rateWindowSeconds` per signed-in user / per IP of anonymous callers (then 429); 0 for none. Defaults: `RATE_LIMIT_DEFAULTS`. */
  requestsPerUser?: number
  requestsPerIp?: number
  /** Calls other than find/get allowed within the window, per signed-in user / per IP of anonymous callers; 0 for none. */
  writesPerUser?: number
  writesPerIp?: number
  rateWindowSeconds?: number
  /** Behind one reverse proxy: the client's IP is the last `X-Forwarded-For` entry, not the proxy's address. */
  trustProxy?: boolean
  /** Browser origins allowed on REST and Socket.io (`CORS_ORIGINS`); none (same origin only) when absent. */
  corsOrigins?: AllowedOrigins
  /** Run pending data migrations (`migrations/<blueprint>/`) at start, before seeding (`MIGRATE=true`). */
  migrate?: boolean
  /** The audit log (default on); off only to measure its cost (bench/audit.ts). */
  audit?: boolean
  /** Audit entries older than this are purged (`AUDIT_RETENTION_DAYS`, default 365). */
  auditRetentionDays?: number
  /** Uploads no record took within this many hours are removed (`FILE_GRACE_HOURS`, default 24). */
  fileGraceHours?: number
  /** Jobs this instance runs at once (`JOB_CONCURRENCY`, default 2). */
  jobConcurrency?: number
  /** With `redisUrl`: `false` for an instance that queues jobs but runs none (`JOB_WORKER`, default true). */
  jobWorker?: boolean
  /** `false`: this instance ticks no scheduled task (`JOB_SCHEDULES`, default true); its worker still runs the runs others queue, and `jobs.runNow` still queues one. */
  jobSchedules?: boolean
  /** Key prefix of the BullMQ queue (default `quillbase:<blueprint>`): tests give each run its own. */
  jobsPrefix?: string
  /** SMTP server of outgoing mail (`SMTP_URL`, e.g. `smtp://user:pass@mail.example.com:587`); none: nothing is mailed. */
  smtpUrl?: string
  /** Sender of outgoing mail (`MAIL_FROM`). */
  mailFrom?: string
  /** Page that completes a password reset (`PASSWORD_RESET_URL`): the reset mail links to it with `?token=`. */
  passwordResetUrl?: string
  /** Sign-ups allowed per IP address within `signUpWindowSeconds` (then 429). Default 10 per hour. */
  signUpsPerIp?: number
  signUpWindowSeconds?: number
  /** Recovery requests per e-mail address, and wrong answers or tokens per account, within `loginWindowSeconds` (then 429). Default 5. */
  recoveryAttempts?: number
  /** Public lookups by a code (`publicLookup`, a certificate's verification) per IP address within `lookupWindowSeconds` (then 429). Default 30 per minute. */
  lookupsPerIp?: number
  lookupWindowSeconds?: number
  /** OpenID Connect providers, by declared name (`OAUTH_<NAME>_CLIENT_ID`, `…_CLIENT_SECRET`, `…_ISSUER`, optional endpoint URLs); a declared provider without settings is not offered. */
  oauth?: Record<string, Partial<OAuthProviderSettings>>
  /** Frontend page an OAuth sign-in ends on (`OAUTH_REDIRECT`), with `#access_token=…` or `#error=…`; without it the callback answers JSON. */
  oauthRedirect?: string
  /** This server's address as browsers reach it (`PUBLIC_URL`), e.g. `https://api.example.com`: OAuth callbacks are `<PUBLIC_URL>/oauth/<name>/callback`. Default `http://<host>:<port>`. */
  publicUrl?: string
  /** Microsoft Graph's base URL for connectors (`GRAPH_URL`, default `https://graph.microsoft.com/v1.0`). */
  graphUrl?: string
  /** Google Calendar API's base URL for connectors (`GOOGLE_CALENDAR_URL`, default `https://www.googleapis.com/calendar/v3`). */
  googleCalendarUrl?: string
  /** A provider call answered 429, 503 (or 500/502/504 for a read) is tried again this many times (`SYNC_RETRIES`, default 4). */
  syncRetries?: number
  /** Wait before the first such retry when the answer has no Retry-After, doubled before each further one (`SYNC_BACKOFF_MS`, default 1000). */
  syncBackoffMs?: number
  /** A Retry-After longer than this fails the call instead of waiting (`SYNC_MAX_RETRY_AFTER_SECONDS`, default 300). */
  syncMaxRetryAfterSeconds?: number
  /** Cron of every connector's scheduled runs instead of the declared one (`SYNC_SCHEDULE`); `off`: on-demand runs only. */
  syncSchedule?: string
  /** How long a shutdown waits for in-flight requests before cutting them (`SHUTDOWN_TIMEOUT_SECONDS`, default 10). */
  shutdownTimeoutSeconds?: number
}

export interface EngineApp extends Application<any, any> {
  blueprint: Blueprint
  store: Store
  permissions: Permissions
  /** Background jobs and scheduled tasks (`docs/jobs.md`). */
  jobs: Jobs
  /** Uploaded files (`services/files.ts`). */
  files: Files
  /** Rendered documents (`services/documents.ts`): `render(collection, id)` renders one now. */
  documents: Documents
  /** OAuth sign-in accounts: `accessToken(userId, provider)` gives a fresh provider access token (`services/oauth.ts`). */
  oauth: OAuthAccounts
  /** Connectors (`services/connectors/`): `run(collection, id)` syncs one record with its providers now. */
  connectors: Connectors
  /** True once services are set up and first-start seeding is done (`GET /health` answers 200). */
  ready: boolean
  /** What exports (`services/exports.ts`) have written since the start: records, and those read from their stored text. */
  exportCounts: ExportCounts
  /**
   * Stops accepting connections, ends the Socket.io connections, lets in-flight requests finish (within
   * `shutdownTimeoutSeconds`, then cuts them), tears the services down and closes the store.
   * Resolves `true` when every request finished in time.
   */
  shutdown(): Promise<boolean>
}
