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
}

/** Context given to a declared action. */
export interface ActionContext<Rec = any, Data = any> {
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
  auth?: AuthInput
  /** Named per-record operations such as `respond`. */
  actions?: Record<string, ActionInput>
  /** Extra Feathers `before` hooks of this collection, run after validation and authorization. */
  before?: HookMapInput
  /** Extra Feathers `after` hooks, run before results are filtered for the caller. */
  after?: HookMapInput
  /** Custom realtime events this collection's service emits. */
  events?: string[]
  admin?: AdminHints
}

/** A field path found in the schema, with what the engine must do with it. */
export interface FieldInfo {
  /** Dot path (`Attendees.DeveloperId`); array items add no segment. */
  path: string
  schema: JsonSchema
  inArray: boolean
}

export interface ReferenceInfo extends FieldInfo, Required<ReferenceOptions> {
  /** Field holds an array of ids. */
  many: boolean
}

export interface SecretInfo {
  path: string
  kind: SecretKind
}

/** A collection with defaults filled and every derived fact computed once. */
export interface Collection {
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
  /** Accepted query (fields, dotted sub-fields, operators). */
  querySchema: JsonSchema
  indexes: IndexInput[]
  timestamps: { createdAt: string | false; updatedAt: string | false }
  pagination: Required<PaginationInput>
  auth?: Required<AuthInput>
  actions: Record<string, ActionInput>
  before: HookMapInput
  after: HookMapInput
  events: string[]
  admin: Required<Omit<AdminHints, 'group'>> & { group?: string }
  references: ReferenceInfo[]
  secrets: SecretInfo[]
  /** Paths of objects with free keys, escaped in the store (stores refuse `.` and `$` in keys). */
  freeform: string[]
  /** Paths of date-time fields (stored as Date). */
  dates: string[]
  /** Every top-level field name a record may carry, `_id` and timestamps included. */
  fields: string[]
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
}

export interface Blueprint extends Omit<BlueprintInput, 'collections'> {
  collections: Collection[]
  /** The collection marked `auth`. */
  users: Collection
}
