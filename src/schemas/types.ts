// The declaration API: what a blueprint writes (input types) and what the engine uses (sanitized types).
import type { TObject } from '@sinclair/typebox'
import type { HookContext, Params } from '@feathersjs/feathers'

/** A plain JSON Schema the engine derives (no TypeBox symbols). */
export type JsonSchema = Record<string, any>

/** What happens to referencing records when the referenced record is removed. */
export type OnDelete = 'cascade' | 'nullify' | 'restrict'

/** Kept on a field's JSON Schema under `x-ref` by the `Ref()` builder. */
export interface ReferenceOptions {
  /** Service path of the referenced collection. */
  collection: string
  /** Default `restrict`: removing a referenced record is refused with 409. */
  onDelete?: OnDelete
  /** Check on create/patch that the referenced record exists (default true). */
  check?: boolean
  /** Fields the referenced record must share with this one, e.g. `['societyId']`: references stay inside a tenant (422 otherwise). */
  sameAs?: string[]
}

/** How a secret field is kept: `hash` (one-way, for passwords) or `encrypt` (AES-256-GCM, reversible). */
export type SecretKind = 'hash' | 'encrypt'

export interface IndexInput {
  /** Field → 1 | -1 | 'text' | '2dsphere'. Several fields make a compound index. */
  fields: Record<string, 1 | -1 | 'text' | '2dsphere'>
  unique?: boolean
  sparse?: boolean
  /** TTL: records expire this many seconds after the (date-time) field's value. */
  expireAfterSeconds?: number
  name?: string
}

export interface TimestampsInput {
  /** Field stamped at creation; `false` for none. Default `createdAt`. */
  createdAt?: string | false
  /** Field stamped at every change; `false` for none. Default `updatedAt`. */
  updatedAt?: string | false
}

export interface PaginationInput {
  /** Page size when the caller gives no `$limit`. Default 20. */
  default?: number
  /** Hard maximum; a larger `$limit` is capped to it. Default 200. */
  max?: number
}

/** Marks the collection whose records log in (email + password). One per blueprint. */
export interface AuthInput {
  /** Field holding the user's role: a reference to `roles` (`RoleId`) or a role-name string (`role`). */
  roleField: string
  /** `id` when the field references a `roles` record, `name` when it holds `RoleName`. Default `id`. */
  roleBy?: 'id' | 'name'
  /** A boolean field; `false` refuses login and any token of that user at once. */
  activeField?: string
  /** Anonymous callers may register themselves (`POST /sign-up`, docs/accounts.md). */
  signUp?: SignUpInput
  /** Forgotten passwords are reset by security question or e-mailed token (`POST /password-recovery`, `POST /password-reset`). */
  recovery?: RecoveryInput
  /** Sign-in with OpenID Connect providers, keyed by provider name (`GET /oauth/<name>`; configured by `OAUTH_<NAME>_…`, docs/accounts.md). */
  oauth?: Record<string, OAuthProviderInput>
}

/** One OpenID Connect provider users sign in with (or connect to their account); its client id, secret and issuer come from settings. */
export interface OAuthProviderInput {
  /** User field holding the provider's id of the account (a string field with a unique index): sign-ins find the user by it. */
  idField: string
  /** ID-token claim holding that id. Default `sub`; Microsoft's Graph user id is `oid`. */
  idClaim?: string
  /** Scopes asked for. Default `['openid', 'email', 'profile']`; `openid` is always included. */
  scope?: string[]
  /** Extra parameters of the authorization request, e.g. Google's `{ access_type: 'offline', prompt: 'consent' }` for a refresh token. */
  authorizeParams?: Record<string, string>
  /** ID-token claim that must be `true` before the `email` claim is trusted to create or link an account. Default `email_verified`. */
  emailVerifiedClaim?: string
  /** Where the provider's tokens are kept: `Secret()` fields (encrypted, never returned) and a `DateTime()` for the access token's expiry. */
  tokens?: { access: string; refresh?: string; expiresAt?: string }
  /** A boolean field set `true` once the provider is linked (e.g. `google_connected`). */
  connectedField?: string
  /** A `DateTime()` field stamped at each sign-in with this provider. */
  lastLoginField?: string
  /** User fields filled from ID-token claims when the sign-in creates the user: the first claim present wins, e.g. `{ display_name: ['name', 'email'] }`. */
  profile?: Record<string, string | string[]>
  /** Role (by name) of users this sign-in creates. Default: the role field's declared default. */
  role?: string
}

/** An OAuth provider as the engine uses it: defaults filled. */
export type OAuthProvider = Required<Omit<OAuthProviderInput, 'tokens' | 'connectedField' | 'lastLoginField' | 'role'>> &
  Pick<OAuthProviderInput, 'tokens' | 'connectedField' | 'lastLoginField' | 'role'> & { name: string; profile: Record<string, string[]> }

/** A record created with each signed-up user, in the same transaction (e.g. the user's one profile). */
export interface SignUpCreateInput {
  /** Service path of the record's collection. */
  collection: string
  /** Values written, as templates over `user` (the new user) and `now`, e.g. `{ userId: '{{user._id}}' }`. */
  data: Record<string, unknown>
  /** The sign-up body's key holding the caller's own values for this record, e.g. `profile`. */
  from?: string
  /** Fields the caller may give under `from` (default: none). */
  fields?: string[]
}

export interface SignUpInput {
  /** Role names an anonymous caller may sign up as; any other is a 403. With one, the role field may be left out. */
  roles: string[]
  /** User fields the caller may give besides `email`, `password` and the role field (default: none). */
  fields?: string[]
  creates?: SignUpCreateInput[]
}

/** How a forgotten password is reset. Sign-ups and recovery attempts are limited per IP / per account (settings). */
export interface RecoveryInput {
  /** By security question: a string field with the user's question, and a `Password()` field with the answer (hashed, never returned). */
  securityQuestion?: { question: string; answer: string }
  /** By a token e-mailed to the user (through `SMTP_URL`): a `Password()` field keeps its hash, a `DateTime()` field its expiry. */
  emailToken?: { token: string; expires: string; ttlMinutes?: number }
}

export type Recovery = { securityQuestion?: { question: string; answer: string }; emailToken?: { token: string; expires: string; ttlMinutes: number } }

/** Context given to a declared action. */
export interface ActionContext<Rec = any, Data = any> {
  /** The engine app (its jobs, connectors). */
  app: any
  record: Rec
  data: Data
  user?: any
  params: Params
  /** Patches the record through the service (internal call: events and hooks apply, permissions were already checked). */
  patch: (changes: Partial<Rec>) => Promise<Rec>
}

/** A named operation on one record, exposed as a service method and authorized as its own CASL action. */
export interface ActionInput<Rec = any, Data = any> {
  /** TypeBox schema of the action's input (besides the record `id`). */
  data: TObject
  description?: string
  run: (ctx: ActionContext<Rec, Data>) => Promise<Rec>
}

export type HookFunction = (context: HookContext) => Promise<HookContext | void> | HookContext | void
export type MethodName = 'find' | 'get' | 'create' | 'update' | 'patch' | 'remove'
export type HookMapInput = Partial<Record<MethodName | 'all', HookFunction[]>>

export interface AdminHints {
  /** Field shown as a record's title in pickers and lists. */
  titleField?: string
  /** Columns of the list view. */
  listFields?: string[]
  /** Navigation group. */
  group?: string
}

/** One allowed move of a state field. */
export interface TransitionInput {
  /** State(s) the record is in; `*` for any. */
  from: string | string[]
  /** State(s) it may move to. */
  to: string | string[]
  /** Role names that may make it (external callers); any caller allowed to update the record when absent. */
  roles?: string[]
  /** A CASL action the caller must also hold on the record (e.g. `approve`), so permission conditions decide. */
  permission?: string
  /** Conditions the move must meet, checked on every call (internal too) in the move's transaction; 409 with the guard's message otherwise. */
  guards?: TransitionGuard[]
}

/**
 * A condition of a move: `when`, the record after the change matches these conditions; `exists`, another collection
 * holds a matching record (a mentor with a free place). Templates over `record`, `user` and `now`; a placeholder
 * without a value fails the guard.
 */
export interface TransitionGuard {
  when?: Record<string, unknown>
  exists?: { collection: string; query: Record<string, unknown> }
  /** Message of the 409. */
  message: string
}

/** Allowed states and moves of one status field. */
export interface StateMachineInput {
  /** States an external caller may create a record in; default: the field's schema default, else the first transition's `from`. */
  initial?: string[]
  transitions: TransitionInput[]
  /** Fields written when a record enters a state, as templates: `{ Resolved: { resolvedAt: '{{now}}', resolvedBy: '{{user._id}}' } }`. */
  stamps?: Record<string, Record<string, string>>
  /** Fields that must hold a value for a record to enter a state, e.g. `{ Assigned: ['assignedTo'] }`. */
  requires?: Record<string, string[]>
  /**
   * Fields a move carries, such as a reply to it (`responseMessage`): written only together with a change of the state
   * field (422 alone), and cleared by a move that brings none, so the value always belongs to the latest move.
   */
  carries?: string[]
}

/** A sanitized transition: lists everywhere. */
export interface Transition {
  from: string[]
  to: string[]
  roles?: string[]
  permission?: string
  guards?: TransitionGuard[]
}

export interface StateMachine {
  field: string
  states: string[]
  initial: string[]
  transitions: Transition[]
  stamps: Record<string, Record<string, string>>
  requires: Record<string, string[]>
  carries: string[]
}

/** Records created in another collection when records of this one change. */
export interface TriggerInput {
  /** Methods after which it fires. */
  on: Array<'create' | 'update' | 'patch' | 'remove'>
  /** Conditions (Mongo/CASL syntax) the record must match; after update/patch it fires only when the record newly matches. */
  when?: Record<string, unknown>
  /** Service path of the records to create. */
  create: string
  /**
   * One record per record this query finds (templates allowed), e.g. the flat's residents; or one per item an array
   * field of this record gained in the change (`added`; every item on create): new assignees, new mentions, each item
   * as `{{each}}`. A single record when absent.
   */
  forEach?: TriggerQuery | TriggerAdded
  /** Records this one references, by name, for the templates: `{ programme: 'Programme_id' }` gives `{{programme.name}}`. */
  with?: Record<string, string>
  /** Values of each created record, as templates over `record`, `each`, `user`, `now` and the `with` records. */
  data: Record<string, unknown>
}

export interface TriggerQuery {
  collection: string
  query: Record<string, unknown>
}

export interface TriggerAdded {
  /** A top-level array field of this collection. */
  added: string
  /** Its items are users (references to the auth collection): keep only those whose permissions let them read the record. */
  readersOnly?: boolean
}

/**
 * A custom realtime event a signed-in caller sends about one record (typing in a chat): `POST /<collection>/<name>`
 * (`socket.emit('create', '<collection>/<name>', { id, ...data })`) relays `<collection> <name>` to the other users'
 * connections that may read the record, nothing stored.
 */
export interface SignalInput {
  /** TypeBox schema of what the sender adds besides the record `id`, e.g. `Type.Object({ typing: Type.Boolean() })`. */
  data: TObject
  /** Signals per sender and record within a minute (default 30); more are a 429. */
  perMinute?: number
  description?: string
}

/**
 * A count kept on a reader's record (a chat membership): the records of another collection that follow the same thing
 * (the chat's messages), created after the reader's read mark and not by the reader. Recounted when such a record is
 * created, moved or removed, and when the read mark moves (docs/workflows.md, Unread counts).
 */
export interface UnreadInput {
  /** The counted collection, e.g. `messages`. It needs a creation timestamp. */
  from: string
  /** Its single reference naming what it belongs to, e.g. a message's `chat_id`. */
  via: string
  /** This collection's field holding the same reference, e.g. a membership's `chat_id`. */
  key: string
  /** This collection's single reference to the reader (the auth collection). */
  reader: string
  /** The counted collection's field naming its author: a reader's own records never count for them. */
  author?: string
  /** This collection's `DateTime()` read mark: records created after it count (all of them while it is unset). */
  readUntil: string
}

/** A sanitized unread count: the field it keeps and the counted collection's creation stamp. */
export interface Unread extends UnreadInput {
  field: string
  createdAt: string
}

/** A value the engine fills in when the caller gives none (`overwrite` to always replace it). */
export interface GeneratedValueInput {
  /** `code`: random, unique in the collection; `sequence`: prefix + zero-padded counter; `id`: 24 hex chars; `value`: a template such as `{{user._id}}` or `{{now}}`. */
  kind: 'code' | 'sequence' | 'id' | 'value'
  /** `code`: number of characters (default 6). */
  length?: number
  /** `code`: characters to draw from (default digits). */
  alphabet?: string
  /** `sequence`: text before the number, e.g. `MB-`. */
  prefix?: string
  /** `sequence`: zero-padded width (default 6). */
  digits?: number
  /** `value`: the template. */
  value?: string
  /** Replace a value an external caller gave (default false). */
  overwrite?: boolean
  /** `create` (default): filled when a record is created; `write`: on every create, update and patch too (who changed it last). Top-level `value`s only. */
  on?: 'create' | 'write'
}

/** A date range within a record: its end never before its start (`DateRange.Enddate` ≥ `DateRange.StartDate`). */
export interface RangeInput {
  /** Date-time field (a dotted path) where the range starts. */
  start: string
  /** Date-time field (a dotted path) where it ends: equal to the start, or after it. */
  end: string
}

/** Time ranges that may not overlap among records sharing the `scope` fields. */
export interface NoOverlapInput {
  /** Date-time field where a range starts. */
  start: string
  /** Date-time field where it ends (exclusive). */
  end: string
  /** Fields two records must share to clash, e.g. `['amenityId']`. */
  scope: string[]
  /** Only records matching these conditions take part, e.g. `{ status: 'Approved' }`. */
  when?: Record<string, unknown>
  /** Message of the 409. */
  message?: string
}

/**
 * An aggregate of child records: `{ sum: 'amount' }`, `{ count: true }`, `{ min: f }`, `{ max: f }`, `{ last: f, by?: f }`
 * (latest by `by`, default creation), `{ collect: f }` (the distinct values, sorted: ids a permission can test).
 */
export type RollupAggregate = { sum: string } | { count: true } | { min: string } | { max: string } | { last: string; by?: string } | { collect: string }

/** Fields of this collection kept equal to aggregates of the records of another collection that reference it. */
export interface RollupInput {
  /** Child collection, e.g. `payments`. */
  from: string
  /** The child's reference field pointing here, e.g. `billId` (`_id`: the child itself, with `key`). */
  via: string
  /**
   * This collection's field the child's `via` holds, when not `_id`: a profile (`userId`) counting the matches whose
   * `mentorId` is its user. Both must reference the same collection (or `via: '_id'` and `key` references the child).
   */
  key?: string
  /** Children that count, e.g. `{ status: 'Success' }`. */
  where?: Record<string, unknown>
  /** This collection's field → aggregate. */
  set: Record<string, RollupAggregate>
}

/**
 * A field kept equal to the number of records of another collection that use this one (a category's usage count),
 * adjusted by one in the write's transaction whenever such a record is created, changed or removed (docs/workflows.md).
 */
export interface CountInput {
  /** The counted collection, e.g. `events`. */
  from: string
  /** Its top-level field naming the record counted here: a single `Ref` to this collection, or (with `key`) a value of `key`. */
  via: string
  /** This collection's top-level field that `via` holds, when not the id: an event's `category` holds a category's `name`. */
  key?: string
  /**
   * Top-level fields of both collections a record must share to count here, e.g. `['user_id']`. A record of this collection
   * without them is shared (a global category): it counts the records no record of their own scope claims by that key.
   */
  scope?: string[]
  /** Only records matching these conditions count (Mongo/CASL syntax). */
  where?: Record<string, unknown>
}

/** A sanitized count: the field it keeps, `key` filled (`_id`), `scope` a list. */
export interface Count extends Required<Omit<CountInput, 'where' | 'key'>> {
  field: string
  key: string
  where?: Record<string, unknown>
}

/** The parts of a recurrence pattern object, by their field names in it. */
export interface RecurrencePatternInput {
  /** The pattern's object field on the master, e.g. `recurrence_pattern`. */
  field: string
  /** An `Enum` of `daily`, `weekly`, `monthly`, `yearly` (a subset is fine). */
  frequency: string
  /** Every how many days, weeks, months or years (an integer; 1 when absent). */
  interval?: string
  /** An array of `Enum` weekday names (`monday` … `sunday`): only these days (weekly: the days of each week). */
  weekdays?: string
  /** An integer 1–31: that day of each month (a month without it has no occurrence, as RFC 5545 says). */
  monthDay?: string
  /** A `DateTime()` after which there is none; one at 00:00 UTC names its day, which is included. */
  until?: string
  /** An integer: this many occurrences in all, the master's own included. */
  count?: string
}

/**
 * A collection of records that may recur: a master (the `master` flag and a pattern) has its occurrences as records of
 * the same collection pointing at it (`instanceOf`), made for a rolling window, kept in step when the master changes.
 */
export interface RecurrenceInput {
  /** Boolean field marking a master. */
  master: string
  pattern: RecurrencePatternInput
  /** The instances' reference to their master: a `Ref` to this collection with `onDelete: 'cascade'`. */
  instanceOf: string
  /** `DateTime()` fields where a record starts and ends; an instance keeps the master's duration. */
  start: string
  end: string
  /** Boolean field of records lasting whole days: their start and end are stored at 00:00 UTC of the dates as written. */
  allDay?: string
  /** Fields an instance does not take from its master (a provider's ids). Ids, timestamps, secrets and unique fields never are. */
  except?: string[]
  /** Instances are made up to this many days past today, or past the master's start when later (default 365); a daily engine task moves the window on. */
  aheadDays?: number
}

export interface Recurrence extends Required<Omit<RecurrenceInput, 'allDay'>> {
  allDay?: string
  /** Fields an instance takes from its master. */
  copied: string[]
}

/** Results of `find` and `get` kept in memory, dropped on every change of the collection on any instance. */
export interface CacheInput {
  /** Longest an entry is served, in seconds, should an invalidation be lost (default 60). */
  ttlSeconds?: number
  /** Most entries kept, least recently used dropped first (default 500). */
  maxEntries?: number
}

/** Fields filled from, and checked against, a matching record of another collection. */
export interface LookupInput {
  /** Runs when the incoming data carries this field. */
  field: string
  /** Collection searched. */
  collection: string
  /** Query, as templates over `data` (the record being written), `user` and `now`; no match is a 422. */
  query: Record<string, unknown>
  /** This record's field ← the match's field, filled when missing. */
  copy?: Record<string, string>
  /** Values written, as templates over `data`, `user`, `now` and `match`. */
  set?: Record<string, unknown>
  /** Message of the error when nothing matches. */
  message?: string
  /** Status of that error: 422 (default), 403 (the caller may not, e.g. messages only between connected users) or 409. */
  code?: 403 | 409 | 422
}

/** Computes fields from the whole record (after the change) on every write; returns the fields to set. */
export type DeriveFunction = (record: Record<string, any>, context: HookContext) => Record<string, unknown> | Promise<Record<string, unknown>>

/** `x-mask` on a string field: shown as `98******21` to callers lacking the `unmask` action on the record. */
export interface MaskInput {
  /** Characters kept at the start (default 2). */
  keepStart?: number
  /** Characters kept at the end (default 2). */
  keepEnd?: number
  /** Replacement character (default `*`). */
  char?: string
}

export interface MaskInfo extends Required<MaskInput> {
  /** Dot path; array items add no segment. */
  path: string
}

/** A collection that takes bulk imports. */
export interface ImportInput {
  /** File formats accepted (default all three). */
  formats?: ('csv' | 'json' | 'ndjson')[]
  /** A field whose value identifies an existing record: a row with a known value patches it (upsert) instead of creating. */
  key?: string
}

/** One aggregate: how many records match, the sum of a field over them, or the count per value of a field. */
export type AggregateInput =
  | { count: Record<string, unknown> | true }
  | { sum: string; where?: Record<string, unknown> }
  | { groupBy: string; where?: Record<string, unknown> }

/** A generated report (docs/reports.md): aggregates of `from`'s records, counted as the creator may read them. */
export interface AggregatesInput {
  /** The collection counted. */
  from: string
  /** A query template every aggregate starts from (`{{data.x}}` is the new record, `{{now}}` the time). */
  where?: Record<string, unknown>
  /** Field → aggregate; each adds its own conditions to `where`. Declare these fields `readOnly`. */
  set: Record<string, AggregateInput>
  /** A `File()` field that gets a CSV of the records matching `where` plus `exportWhere`. */
  export?: { field: string; where?: Record<string, unknown> }
  /**
   * A top-level reference to the users (`CreatedBy`) naming whom the record is for: when a caller names someone else
   * (an Admin's report for a Manager), the records are counted, and the CSV written, as that user may read them, so a
   * report its user can read never shows them more than they may read. Unset or the caller: counted as the caller.
   */
  as?: string
}

/** An operation collection whose records run an import (docs/imports.md). */
export interface ImporterInput {
  /** The `File()` field holding the uploaded file; a record without one is a plain record. */
  file: string
  /** The field naming the target collection (an `Enum` of collection names that declare `import`). */
  into: string
  /** A boolean field: validate every row through the target service, write nothing (embedded store). */
  dryRun?: string
  /** The engine-filled report fields (declare them `readOnly`). */
  report: { status: string; total: string; succeeded: string; failed: string; errors: string }
  /** Rows between progress updates of the record (default 100). */
  progressEvery?: number
  /**
   * A top-level reference to the users (`UploadedBy`) naming whom the import is for: when a caller names someone else
   * (an Admin's upload for a Manager), the rows run with that user's permissions, as that user could read the report.
   * Fixed once the record is made. Unset or the caller: the rows run as the caller.
   */
  as?: string
}

export interface ExporterInput {
  /** The `File()` field the engine fills with the exported file (declare it `readOnly`). */
  file: string
  /** The `Enum` field saying what to export; each of its values names its collections in `targets`. */
  kind: string
  /** Per value of `kind`: the collections exported, or `'*'` for every collection of the blueprint (a backup). */
  targets: Record<string, string[] | '*'>
  /** An `Enum(['csv', 'json'])` field choosing the file's format (default JSON; CSV holds one collection). */
  format?: string
  /**
   * Per collection: query templates over the record (`{{data.filters.start_date}}`), ANDed; a clause whose placeholder
   * has no value is left out, so an optional filter left empty filters nothing.
   */
  filters?: Record<string, Record<string, unknown>[]>
  /** The engine-filled report fields (declare them `readOnly`): `count` moves as pages are written. */
  report: { status: string; count: string; size: string; completedAt?: string; error?: string }
  /** Values of the status field (defaults: done `completed`, failed `error`; running: left as created). */
  statuses?: { running?: string; done?: string; failed?: string }
  /**
   * Exports made on a schedule (a nightly backup): at each tick the engine creates a record with `record`'s values, as
   * an internal caller, so the export reads every record (never a secret) and keeps its file like any other.
   */
  schedules?: ExportScheduleInput[]
}

/** One scheduled export of an `exporter` collection. */
export interface ExportScheduleInput {
  /** Lower-case letters, digits and dashes; unique among the blueprint's and the engine's schedules. */
  name: string
  /** Cron syntax (`0 3 * * *`: every night at 03:00). */
  cron: string
  /** Time zone of the cron fields (default `UTC`). */
  timezone?: string
  description?: string
  /** The values of each record created: its `kind` (and format, filters…). */
  record: Record<string, unknown>
}

/** What a calendar provider's event becomes in the engine, whatever the provider: times in UTC, attendees' answers as iCalendar's. */
export type CalendarItemField = 'title' | 'description' | 'start' | 'end' | 'allDay' | 'location' | 'category' | 'attendees'
/** An attendee of a calendar item: `response` is `none`, `accepted`, `declined` or `tentative`. */
export type CalendarAttendeeField = 'email' | 'name' | 'response' | 'organizer'

/** One provider a connector syncs with (docs/connectors.md). */
export interface ConnectorProviderInput {
  /** The engine's provider: Microsoft Graph calendar delta queries, or Google Calendar events. */
  kind: 'graph-calendar' | 'google-calendar'
  /** The OAuth provider declared on the user collection whose access token the calls carry (`app.oauth.accessToken`). */
  oauth: string
  /** Field of the connected record naming the provider's calendar; a record without it is not synced with this provider. */
  remoteId: string
  /** Field of the connected record (declare it `readOnly`) keeping where the next pull starts: the delta link, the sync token. */
  cursor: string
  /** Fields of the synced records keeping the provider's id and ETag of each. */
  id: string
  etag: string
  /** Also send local changes to the provider (Google Calendar only); default: pull only. */
  push?: boolean
  /**
   * With `push`: a `readOnly` string-array field of the connected record where the provider ids of records a caller
   * removed (REST, Socket.io, admin) wait until the next run deletes them there.
   */
  removals?: string
  /** Fixed values of this provider's log records, e.g. `{ sync_type: 'outlook_to_local' }`. */
  log?: Record<string, unknown>
}

/**
 * Records of this collection (calendars) are kept in step with providers' calendars: an engine job pulls each
 * provider's changes into the records of `records.collection` (events) that reference it, pushes local ones where
 * declared, and writes one log record per run. Only the mapped fields are ever written by a pull or sent.
 */
export interface ConnectorInput {
  /** Which records are synced, e.g. `{ is_active: true, sync_enabled: true }`. */
  where: Record<string, unknown>
  /** The reference to the user whose provider accounts the sync uses. */
  owner: string
  /** The synced records: their collection, their reference to this record, and their owner field (given the same user). */
  records: { collection: string; parent: string; owner: string }
  /** Field of a synced record ← the provider's item field; attendees map each attendee's fields. */
  fields: Record<string, CalendarItemField | { from: 'attendees'; fields: Record<string, CalendarAttendeeField> }>
  /** Fields of the synced records that are ours alone: never written by a pull nor sent (checked against `fields`). */
  internal: string[]
  /** Only records matching this are pushed (recurrence instances, say, are not). */
  pushWhere?: Record<string, unknown>
  /**
   * Per synced record: a status `Enum` with its values, a string-array field of errors (conflicts), the time of its last
   * sync, and a `readOnly` object field (a property per provider) where the engine keeps what it last synced.
   */
  status: { field: string; synced: string; pending: string; error: string; errors: string; at: string; state: string }
  /** A date-time field of this record set at the end of each run that had no error. */
  lastSynced?: string
  /** The log: one record per run and provider, owned by the user, with its counts, errors and times. */
  log: {
    collection: string
    owner: string
    status: { field: string; success: string; partial: string; error: string }
    counts: { processed: string; created: string; updated: string; deleted: string }
    /** An array of objects: the provider's item id, the message and a code (`conflict`, `412`, …). */
    errors: { field: string; id: string; message: string; code: string }
    startedAt: string
    completedAt: string
    duration: string
  }
  /** Cron of the scheduled runs (every matching record); `SYNC_SCHEDULE` overrides it, `off` stops it. */
  schedule?: string
  /** The name of the action that queues a run of one record now (`POST /<collection>` with `X-Service-Method`). */
  action?: string
  providers: Record<string, ConnectorProviderInput>
}

/** One block of a rendered document: a line (or paragraph) of text, top to bottom. */
export interface DocumentBlockInput {
  /** A template over `record` and the `with` records (`{{holder.username}}`); dates print in the document's `locale`. A block with a placeholder that has no value is left out. */
  text: string
  /** Font size in points (default 12). */
  size?: number
  bold?: boolean
  /** Default `center`. */
  align?: 'left' | 'center' | 'right'
  /** Space above the block, in points (default 8). */
  gap?: number
}

/**
 * A PDF the engine renders from a record when it enters a state (`docs/documents.md`): a background job fills the
 * template from the record and the records it references, stores the file in a `File()` field and moves the record on.
 */
export interface DocumentInput {
  /** The state field (a declared state machine's) and the state in which a record waits for its document. */
  on: { field: string; state: string }
  /** The state the record moves to once its document is stored. */
  then: string
  /** The `File()` field (declare it `readOnly`) that gets the PDF. */
  file: string
  /** A `readOnly` string field where a failed rendering is recorded (removed once one succeeds). */
  error?: string
  /** Referenced records the template reads, by name: `{ holder: 'User_id' }` (single `Ref()` fields of this collection). */
  with?: Record<string, string>
  /** The file's name, a template (default `<collection>-<id>.pdf`). */
  name?: string
  /** The PDF's title (metadata), a template. */
  title?: string
  /** Default A4 portrait. */
  page?: { size?: 'A4' | 'LETTER'; layout?: 'portrait' | 'landscape' }
  /** Locale of dates in the text (default `en-GB`: 31 December 2026, in UTC). */
  locale?: string
  content: DocumentBlockInput[]
}

/**
 * An anonymous lookup of one record by a code (`GET /<collection>/<path>/:code`): only the declared fields, and
 * `expired` when an expiry field is named; an unknown code is a 404. Limited per IP address (`LOOKUPS_PER_IP`).
 */
export interface PublicLookupInput {
  /** The top-level string field holding the code; it needs a unique index. */
  by: string
  /** The route under the collection's (default `verify`: `GET /certificates/verify/:code`). */
  path?: string
  /** The answer's fields: name → a field of the record, or `<reference>.<field>` of a record a single `Ref()` field points at. */
  fields: Record<string, string>
  /** A `DateTime()` field: the answer's `expired` is true once that time has passed (false without one). */
  expires?: string
}

/** One collection as a blueprint declares it. */
export interface CollectionInput<S extends TObject = TObject> {
  /** Service path and store collection name, e.g. `role-permission-mappings`. */
  name: string
  /** Stored fields (without `_id` and timestamps). Build fields with `schemas/fields.ts`. */
  schema: S
  /** Human label; default from the name. */
  label?: string
  description?: string
  indexes?: IndexInput[]
  /** Default `{ createdAt: 'createdAt', updatedAt: 'updatedAt' }`; `false` for none. */
  timestamps?: TimestampsInput | false
  pagination?: PaginationInput
  /** Largest record, in bytes of its JSON (the stored record merged with a patch included); larger writes are a 413. Default 65536 (64 kB). */
  maxRecordBytes?: number
  auth?: AuthInput
  /** Named per-record operations such as `respond`. */
  actions?: Record<string, ActionInput>
  /** Extra Feathers `before` hooks of this collection, run after validation and authorization. */
  before?: HookMapInput
  /** Extra Feathers `after` hooks, run before results are filtered for the caller. */
  after?: HookMapInput
  /** Custom realtime events this collection's service emits. */
  events?: string[]
  /** Custom realtime events callers send about one record, relayed to its other readers (typing indicators), by name. */
  signals?: Record<string, SignalInput>
  /** Fields kept equal to the unread records of another collection for this record's reader (declare them `readOnly`). */
  unread?: Record<string, UnreadInput>
  admin?: AdminHints
  /** Status fields with their allowed transitions, keyed by field (409 on an illegal move). */
  stateMachines?: Record<string, StateMachineInput>
  /** Records created elsewhere when this collection's records change (delivered through the normal service events). */
  triggers?: TriggerInput[]
  /** Values the engine fills in, keyed by field path: codes, sequences, ids, caller and time stamps. */
  generate?: Record<string, GeneratedValueInput>
  /** Time ranges that may not overlap within a scope (409). */
  noOverlap?: NoOverlapInput[]
  /** Date ranges of a record: a write whose end is before its start is a 400 naming the end (a patch as merged). */
  ranges?: RangeInput[]
  /** Fields aggregated from the records of another collection that reference this one. */
  rollups?: RollupInput[]
  /** Fields filled from, and checked against, a matching record of another collection (422 when none). */
  lookups?: LookupInput[]
  /** This collection takes bulk imports (an operation record of an `importer` collection names it as its target). */
  import?: ImportInput
  /** Creating a record of this collection imports its uploaded file into a target collection, and reports on it. */
  importer?: ImporterInput
  /** Creating a record of this collection exports collections to a file in the background, as its creator, and reports on it. */
  exporter?: ExporterInput
  /** Creating a record of this collection computes aggregates over another collection, within the creator's permissions. */
  aggregates?: AggregatesInput
  /** Fields computed from the whole record on every write. */
  derive?: DeriveFunction
  /**
   * Fields that only move forward (409 otherwise), on every call: an `Enum()` along the given order (`true`: its declared
   * order), a number or date-time never to a smaller value (`true`); once set, never cleared.
   */
  forwardOnly?: Record<string, string[] | true>
  /** A PDF rendered from each record when it enters a state, stored in a `File()` field (the record then moves on). */
  document?: DocumentInput
  /** Anyone may look a record up by a code and read these fields only (a certificate's verification). */
  publicLookup?: PublicLookupInput
  /** Fields kept equal to the number of records of another collection using this record (declare them `readOnly`). */
  counts?: Record<string, CountInput>
  /** Records that recur: a master's occurrences kept as records of this collection (docs/workflows.md, Recurrence). */
  recurrence?: RecurrenceInput
  /** `find` and `get` results cached (`true`: the defaults), beneath the permission filter; dropped on any change, on every instance. */
  cache?: true | CacheInput
  /** Each record is a calendar kept in step with Microsoft Graph and Google Calendar by an engine job (docs/connectors.md). */
  connector?: ConnectorInput
}

/** A field path found in the schema, with what the engine must do with it. */
export interface FieldInfo {
  /** Dot path (`Attendees.DeveloperId`); array items add no segment. */
  path: string
  schema: JsonSchema
  inArray: boolean
}

export interface ReferenceInfo extends FieldInfo, Required<Omit<ReferenceOptions, 'sameAs'>> {
  sameAs?: string[]
  /** Field holds an array of ids. */
  many: boolean
}

export interface SecretInfo {
  path: string
  kind: SecretKind
}

/** A collection with defaults filled and every derived fact computed once; workflow declarations are kept as declared. */
export interface Collection extends Pick<CollectionInput, 'triggers' | 'generate' | 'noOverlap' | 'ranges' | 'rollups' | 'lookups' | 'derive' | 'import' | 'importer' | 'exporter' | 'aggregates' | 'document' | 'connector'> {
  name: string
  label: string
  description: string
  schema: JsonSchema
  /** Stored record as returned to callers with every field (secrets removed). */
  resultSchema: JsonSchema
  /** Accepted body of `create`/`update`. */
  dataSchema: JsonSchema
  /** Accepted body of `patch`. */
  patchSchema: JsonSchema
  /** Optional top-level fields that cannot hold null: `null` for one of them in a patch removes it. */
  clearable: string[]
  /** Accepted query (fields, dotted sub-fields, operators). */
  querySchema: JsonSchema
  indexes: IndexInput[]
  timestamps: { createdAt: string | false; updatedAt: string | false }
  pagination: Required<PaginationInput>
  maxRecordBytes: number
  auth?: Required<Pick<AuthInput, 'roleField' | 'roleBy'>> & Pick<AuthInput, 'activeField'> & { signUp?: Required<SignUpInput>; recovery?: Recovery; oauth?: OAuthProvider[] }
  /** Fields that move forward only (`forwardOnly`): an enum along its order, a number or date upwards; never cleared once set. */
  forwardOnly: { field: string; order?: string[] }[]
  actions: Record<string, ActionInput>
  before: HookMapInput
  after: HookMapInput
  events: string[]
  signals: Record<string, SignalInput & { perMinute: number }>
  unread: Unread[]
  admin: Required<Omit<AdminHints, 'group'>> & { group?: string }
  references: ReferenceInfo[]
  secrets: SecretInfo[]
  /** Paths of objects with free keys, escaped in the store (stores refuse `.` and `$` in keys). */
  freeform: string[]
  /** Paths of date-time fields (stored as Date). */
  dates: string[]
  /** Every top-level field name a record may carry, `_id` and timestamps included. */
  fields: string[]
  /** Status fields and their transitions (sanitize always sets it). */
  stateMachines?: StateMachine[]
  /** String fields shown masked to callers without `unmask`. */
  masks?: MaskInfo[]
  /** The anonymous lookup by a code; `route` is its service path (`certificates/verify`). */
  publicLookup?: PublicLookupInput & { route: string }
  counts?: Count[]
  recurrence?: Recurrence
  cache?: Required<CacheInput>
}

/** What a job's handler (and a scheduled task's `run`) receives. */
export interface JobContext<Data = any> {
  /** The app of the instance running the job (any instance, with `REDIS_URL`). */
  app: any
  /** The job's data, as JSON (dates arrive as strings). */
  data: Data
  id: string
  name: string
  /** 1 on the first try; a failed job is tried again with exponential back-off. */
  attempt: number
  /** Params for service calls: internal calls marked as a job's (`{ audit: { actor: 'job' } }`), or, for a job carrying a user, that user's external call (`{ user, provider: 'job' }`) so permissions apply. */
  params: Params
  /** The user the job runs as, if any. */
  user?: any
  /** Reports progress, 0–100. */
  progress(percent: number): Promise<void>
  /** Adds a line to the job's log (`status(id).logs`). */
  log(message: string): Promise<void>
  /** A scheduled task's tick (ISO time it was due); absent for queued jobs. */
  scheduledAt?: string
}

/** A task run on a cron schedule: once per tick across every instance sharing `REDIS_URL`. */
export interface ScheduleInput {
  /** Lower-case letters, digits and dashes; unique within the blueprint and the engine. */
  name: string
  /** Cron syntax, 5 fields (`0 * * * *`: hourly) or 6 with seconds first; `@hourly`, `@daily`… too. */
  cron: string
  /** Time zone of the cron fields (default `UTC`). */
  timezone?: string
  description?: string
  /** The task: an internal caller (`params` marks its changes as the job's in the audit log). Its result is the job's result. */
  run: (context: JobContext<undefined>) => Promise<unknown>
}

/** A role a blueprint seeds, with its permissions. */
export interface RoleInput {
  RoleName: string
  Description?: string
  /** Names of permissions (from `PermissionInput.PermissionName`) granted to this role. */
  permissions: string[]
}

/** One permission a blueprint seeds; it becomes a CASL rule. */
export interface PermissionInput {
  PermissionName: string
  Description?: string
  /** `create` | `read` | `update` | `delete` | `manage` (all) | a declared action name | `access`. */
  Action: string
  /** A collection name, `admin`, or `all`. */
  Subject: string
  /** CASL (Mongo-style) conditions; `{{user.<field>}}` is replaced by the caller's value. */
  Conditions?: Record<string, unknown>
  /** Fields the rule covers; all when absent. */
  Fields?: string[]
  /** A `cannot` rule. */
  Inverted?: boolean
}

/** What a blueprint folder exports. */
export interface BlueprintInput {
  name: string
  version: string
  description: string
  collections: CollectionInput<any>[]
  roles: RoleInput[]
  permissions: PermissionInput[]
  /** Role given to administrators created from `ADMIN_EMAIL`. */
  adminRole: string
  /** Role whose permissions apply to callers that are not logged in; none by default. */
  anonymousRole?: string
  /** Values of required user fields (besides email, password, role) for an administrator created from env. */
  adminDefaults?: Record<string, unknown>
  /** Fills an empty store with demo records (through the services, internal calls). */
  demo?: (app: any) => Promise<void>
  /** Tasks run on a cron schedule (e.g. marking bills overdue). */
  schedules?: ScheduleInput[]
  /** The logins `demo` creates, printed at start when demo data is on (their password is published: demo data only). */
  demoLogins?: DemoLogins
  /** Records belong to tenants (a society, a company): the admin panel shows and switches the tenant for those who may read them all. */
  tenancy?: TenancyInput
  /** Figures and charts of the admin dashboard, counted through the services as the viewer. */
  dashboard?: DashboardChartInput[]
}

/**
 * One figure or chart of the admin dashboard. Without `over` or `by`: one number; with `by` alone: a doughnut of the
 * field's values; with `over`: bars per period (stacked by `by`). Counted as the viewer: their permissions apply.
 */
export interface DashboardChartInput {
  /** Lower-case letters, digits and dashes; unique in the blueprint. */
  name: string
  title: string
  collection: string
  /** Which records count; `{{now}}`, `{{today}}` and `{{tomorrow}}` (UTC midnights) stand for those instants. */
  query?: Record<string, unknown>
  /** Counts per `per` of a date-time field, from `from` to `to` periods away from the current one (0). */
  over?: { field: string; per: 'day' | 'week' | 'month'; from: number; to: number }
  /** A top-level enum field: one series (or slice) per value. */
  by?: string
}

/** Which collection holds the tenants and which field of a record names its tenant. */
export interface TenancyInput {
  /** The tenants, e.g. `societies`. */
  collection: string
  /** A top-level reference to `collection` on tenant-scoped records, e.g. `societyId`. */
  field: string
}

export interface DemoLogins {
  password: string
  users: { email: string; role: string }[]
}

export interface Blueprint extends Omit<BlueprintInput, 'collections' | 'schedules'> {
  collections: Collection[]
  schedules: ScheduleInput[]
  /** The collection marked `auth`. */
  users: Collection
}
