// An AdminJS resource over one collection's Feathers service: every call goes through the service as the logged-in admin.
import { BaseResource, flat, ValidationError, type PropertyErrors, type ActionContext, type Filter } from 'adminjs'
import type { Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import type { Collection } from '../schemas/types.js'
import { maySortBy } from '../permissions/access.js'
import { CREDENTIALS_CHANGED_AT } from '../schemas/sanitize.js'
import { requireCaller } from './caller.js'
import { adminCall, FeathersRecord, toAdminError, type AdminErrorOptions } from './errors.js'
import { toQuery, toSort, withCondition, type Query } from './filter.js'
import { FeathersProperty, isBlank } from './property.js'
import { tenantCondition } from './tenancy.js'

/** What the adapter wraps: the app (its services) and the declaration of one collection. */
export interface CollectionSource {
  app: EngineApp
  collection: Collection
}

/** The transport name hooks see for calls made from the panel. */
export const ADMIN_PROVIDER = 'admin'

/**
 * Top-level fields the engine writes besides those declared `readOnly`: state-machine stamps (`approvedBy`), values it
 * always generates, rollups' totals and an importer's report. Shown in forms, never edited.
 */
export function engineWritten(collection: Collection): Set<string> {
  const paths = [
    ...(collection.stateMachines ?? []).flatMap((machine) => Object.values(machine.stamps).flatMap((stamps) => Object.keys(stamps))),
    ...Object.entries(collection.generate ?? {}).filter(([, generated]) => generated.overwrite).map(([path]) => path),
    ...(collection.rollups ?? []).flatMap((rollup) => Object.keys(rollup.set)),
    ...(collection.importer ? Object.values(collection.importer.report) : [])
  ]
  return new Set(paths.filter((path) => !path.includes('.')))
}

/** `_id`, the declared fields (encrypted and engine-kept secrets never: they are neither shown nor typed here), then the engine's timestamps. */
export function propertiesOf(collection: Collection): FeathersProperty[] {
  const written = engineWritten(collection)
  const sortable = new Set(Object.keys(collection.querySchema.properties?.$sort?.properties ?? {}))
  const required = new Set<string>(collection.dataSchema.required ?? [])
  const properties = [new FeathersProperty('_id', { schema: { type: 'string' }, isId: true, sortable: true, position: 0 })]
  const fields = Object.entries<any>(collection.schema.properties ?? {})
  fields.forEach(([name, schema], index) => {
    // A reset token's hash is the engine's: no one types it.
    if (schema['x-secret'] === 'encrypt' || (schema['x-secret'] && schema.readOnly)) return
    properties.push(
      new FeathersProperty(name, {
        schema,
        required: required.has(name),
        sortable: sortable.has(name),
        readOnly: !!schema.readOnly || written.has(name),
        // The engine's own bookkeeping, like the timestamps: not part of a form.
        hiddenInForms: name === CREDENTIALS_CHANGED_AT,
        isTitle: name === collection.admin.titleField,
        position: index + 1
      })
    )
  })
  const stamps = [collection.timestamps.createdAt, collection.timestamps.updatedAt].filter((stamp): stamp is string => !!stamp)
  stamps.forEach((stamp, index) => {
    properties.push(new FeathersProperty(stamp, { schema: { type: 'string', format: 'date-time' }, readOnly: true, hiddenInForms: true, sortable: true, position: fields.length + index + 1 }))
  })
  return properties
}

/** Ids per `$in` query (the query schema allows 1000). */
const IN_CHUNK = 500

/** Two values are the same change-wise when their JSON is (dates are ISO strings on both sides). */
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

export class FeathersResource extends BaseResource {
  private _app: EngineApp
  private _collection: Collection
  private _properties: FeathersProperty[]

  static isAdapterFor(raw: any): boolean {
    return !!raw && typeof raw.app?.service === 'function' && typeof raw.collection?.name === 'string' && !!raw.collection.querySchema
  }

  constructor(source: CollectionSource) {
    super(source)
    this._app = source.app
    this._collection = source.collection
    this._properties = propertiesOf(source.collection)
  }

  get collection() {
    return this._collection
  }

  databaseName() {
    return this._app.blueprint.name
  }

  databaseType() {
    return this._app.store.kind === 'mongodb' ? 'MongoDB' : 'other'
  }

  id() {
    return this._collection.name
  }

  properties() {
    return this._properties
  }

  /** A property by dot path, nested ones included; array indexes in the path are skipped (`Attendees.0.Status`). */
  property(path: string): FeathersProperty | null {
    let candidates: FeathersProperty[] = this._properties
    let found: FeathersProperty | undefined
    for (const segment of path.split('.').filter((s) => !/^\d+$/.test(s))) {
      found = candidates.find((property) => property.name() === segment)
      if (!found) return null
      candidates = found.subProperties()
    }
    return found ?? null
  }

  /** The Feathers query of an AdminJS filter (public for tests). */
  queryOf(filter: Filter): Query {
    return toQuery(filter, (path) => this.property(path))
  }

  /** The Feathers query of a list, a count or a picker's search: the filter, narrowed to the tenant the caller chose. */
  listQuery(filter: Filter, context?: ActionContext): Query {
    return withCondition(this.queryOf(filter), tenantCondition(this._app, requireCaller(context?.currentAdmin), this._collection))
  }

  async count(filter: Filter, context?: ActionContext): Promise<number> {
    const page = await adminCall<any>(() => this._service.find(this._params(context, { query: { ...this.listQuery(filter, context), $limit: 0 } })))
    return page.total
  }

  async find(filter: Filter, options: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } }, context?: ActionContext) {
    const query = {
      ...this.listQuery(filter, context),
      $sort: this.sortOf(options.sort, context),
      $limit: options.limit ?? 10,
      $skip: options.offset ?? 0
    }
    const page = await adminCall<any>(() => this._service.find(this._params(context, { query })))
    return (page.data as any[]).map((record) => this._record(record))
  }

  /** A list's sort as a Feathers `$sort` (the panel's export sorts as the list does). */
  sortOf(sort: { sortBy?: string; direction?: 'asc' | 'desc' } | undefined, context?: ActionContext) {
    return toSort(sort, (path) => this._maySortBy(path, context))
  }

  /**
   * A sort the service would refuse becomes the `_id` order: AdminJS sorts lists (and reference pickers) by the
   * collection's default sort, e.g. `createdAt`, which a manager may read only on their own user record.
   */
  private _maySortBy(path: string, context?: ActionContext) {
    return !!this.property(path)?.isSortable() && maySortBy(requireCaller(context?.currentAdmin).ability, this._collection.name, path)
  }

  async findOne(id: string, context?: ActionContext): Promise<FeathersRecord | null> {
    try {
      return this._record(await this._service.get(id, this._params(context)))
    } catch (error: any) {
      // A record the caller may not read is one they cannot find: AdminJS's "cannot be found" notice on a page that
      // works (its ForbiddenError here was a 400 and a page that broke, and told that the record exists).
      if (error?.code === 404 || error?.code === 403) return null
      throw toAdminError(error)
    }
  }

  /** `$in` queries (the references of a page of records), in chunks the query schema accepts; only what the admin may read comes back. */
  async findMany(ids: Array<string | number>, context?: ActionContext): Promise<FeathersRecord[]> {
    const unique = [...new Set(ids.map(String))]
    const records: any[] = []
    for (let start = 0; start < unique.length; start += IN_CHUNK) {
      const $in = unique.slice(start, start + IN_CHUNK)
      records.push(...(await adminCall<any[]>(() => this._service.find(this._params(context, { query: { _id: { $in } }, paginate: false })))))
    }
    return records.map((record) => this._record(record))
  }

  /** AdminJS builds new records with this: ours count a refusal without field errors as invalid too. */
  build(params: Record<string, any>): FeathersRecord {
    return new FeathersRecord(params, this)
  }

  async create(params: Record<string, any>, context?: ActionContext) {
    const data = this.toData(params)
    return this.toParams(await adminCall(() => this._service.create(data, this._params(context)), this._writing))
  }

  /** Only the fields that changed are patched: a caller allowed to change some fields only is not refused for the others. */
  async update(id: string, params: Record<string, any>, context?: ActionContext) {
    const serviceParams = this._params(context)
    const current = await adminCall<any>(() => this._service.get(id, serviceParams), this._writing)
    const data = { ...this.toData(params), ...this._cleared(params, current) }
    const changes = Object.fromEntries(Object.entries(data).filter(([field, value]) => !same(value, current[field])))
    if (!Object.keys(changes).length) return this.toParams(current)
    return this.toParams(await adminCall(() => this._service.patch(id, changes, this._params(context)), this._writing))
  }

  /** A declared action (`respond`) through the service as the admin: its CASL action, input schema and code apply. */
  async runAction(name: string, id: string, input: Record<string, unknown>, context?: ActionContext) {
    return this.toParams(await adminCall(() => this._service[name]({ ...input, id }, this._params(context)), this._writing))
  }

  async delete(id: string, context?: ActionContext): Promise<void> {
    await adminCall(() => this._service.remove(id, this._params(context)), this._writing)
  }

  /**
   * Fields emptied in the form (AdminJS posts `''`): an optional one is removed, `null` in the patch (the engine's rule);
   * a required one that cannot be blank is refused next to the field, so the old value is not kept behind a success.
   */
  private _cleared(params: Record<string, any>, current: Record<string, any>): Record<string, null> {
    const values = flat.unflatten<Record<string, any>, Record<string, any>>(flat.flatten(params))
    const cleared: Record<string, null> = {}
    const errors: PropertyErrors = {}
    for (const property of this._properties) {
      const name = property.name()
      if (!property.isEditable() || property.secret || property.isArray() || !(name in values) || !isBlank(values[name])) continue
      if (current[name] === undefined) continue
      if (!property.isRequired()) cleared[name] = null
      else if (property.toData(values[name]) === undefined) errors[name] = { message: 'is required', type: 'required' }
    }
    if (Object.keys(errors).length) {
      throw new ValidationError(errors, { message: `Not saved: ${Object.keys(errors).map((name) => `${name} ${errors[name].message}`).join('; ')}`, type: 'required' })
    }
    return cleared
  }

  /** A service record as AdminJS params (JSON-text fields stringified). */
  toParams(record: Record<string, any>): Record<string, any> {
    const params = { ...record }
    for (const property of this._properties) {
      if (property.json && property.name() in params) params[property.name()] = property.toParam(params[property.name()])
    }
    return params
  }

  /** Form params (flat or nested, as AdminJS mixes them) as service data: editable fields only, typed per schema. */
  toData(params: Record<string, any>): Record<string, any> {
    const values = flat.unflatten<Record<string, any>, Record<string, any>>(flat.flatten(params))
    const data: Record<string, any> = {}
    for (const property of this._properties) {
      if (!property.isEditable() || !(property.name() in values)) continue
      const value = property.toData(values[property.name()])
      if (value !== undefined) data[property.name()] = value
    }
    return data
  }

  /** How write errors are mapped: all of them as refusals the form shows, field errors resolved against this collection. */
  private get _writing(): AdminErrorOptions {
    return { write: true, collection: this._collection }
  }

  private get _service(): any {
    return this._app.service(this._collection.name)
  }

  /** Every call is external (`provider: 'admin'`) and made as the logged-in user: validation, CASL, hashing and events apply. */
  private _params(context: ActionContext | undefined, extra: Params & { paginate?: false } = {}): Params {
    const { user } = requireCaller(context?.currentAdmin)
    return { ...extra, provider: ADMIN_PROVIDER, user }
  }

  private _record(record: Record<string, any>) {
    return new FeathersRecord(this.toParams(record), this)
  }
}
