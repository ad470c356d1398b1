// Generated reports: creating a record of a collection that declares `aggregates` (seed 000's reports) computes its
// fields from another collection's records, counted through that collection's service as the creator, so a manager
// counts their own appointments and an admin everyone's, and attaches a CSV of the records counted.
import { Readable } from 'node:stream'
import { BadRequest } from '@feathersjs/errors'
import type { HookContext, NextFunction, Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { fillQuery } from '../hooks/workflows/templates.js'
import { valueAt } from '../schemas/paths.js'
import { DeclarationError } from '../schemas/sanitize.js'
import type { AggregateInput, Collection } from '../schemas/types.js'
import { csvLine, csvRows } from './csv.js'
import { callerColumns, everyRecord } from './exports.js'
import { fileFields, type Files } from './files.js'
import { checkRunsAs, createsOperation, placeholderFields, refuseChangedInputs, runsAs } from '../hooks/operations.js'

type Rec = Record<string, any>

/** Declarations checked once the blueprint's collections are known. */
export function checkAggregates(collections: Collection[]) {
  for (const collection of collections) {
    const declared = collection.aggregates
    if (!declared) continue
    const where = `collection "${collection.name}" aggregates`
    if (!collections.some((c) => c.name === declared.from)) throw new DeclarationError(where, `from "${declared.from}" is not a collection`)
    const properties = collection.dataSchema.properties ?? {}
    for (const field of Object.keys(declared.set)) {
      if (!properties[field]) throw new DeclarationError(where, `sets unknown field "${field}"`)
      if (!properties[field].readOnly) throw new DeclarationError(where, `field "${field}" is the engine's: declare it readOnly`)
    }
    checkRunsAs(collections, collection, declared.as, where)
    if (declared.export && !fileFields(collection).some((field) => field.path === declared.export!.field)) {
      throw new DeclarationError(where, `export "${declared.export.field}" must be a File() field`)
    }
  }
}

const and = (...parts: (Record<string, unknown> | undefined)[]) => {
  const present = parts.filter((part): part is Record<string, unknown> => !!part && Object.keys(part).length > 0)
  return present.length <= 1 ? (present[0] ?? {}) : { $and: present }
}

export class Reports {
  constructor(private _app: EngineApp, private _files: Files) {}

  /** The hook of a collection with `aggregates`: fills the declared fields (and the export) before the record is stored. */
  hook(collection: Collection) {
    const declared = collection.aggregates!
    // Fixed once counted: the fields the counts were counted by, and whom they were counted as (`as`), whose CSV it is.
    const inputs = [...new Set([...placeholderFields(declared), ...(declared.as ? [declared.as] : [])])]
    return async (context: HookContext, next: NextFunction) => {
      // What the counts were counted by stays: other figures are another report (the counts are read-only, so a changed
      // range would have kept the old range's counts and CSV).
      await refuseChangedInputs(context, inputs, 'this report was counted by')
      if (!createsOperation(context, collection, 'is counted')) return next()
      // As the creator, or the user the record is for (`as`): their permissions narrow every count (internal creations
      // count everything).
      const user = context.params.provider ? await runsAs(this._app, declared.as, context) : undefined
      const scope = { data: context.data, user, now: new Date().toISOString() }
      const base = declared.where ? fillQuery(declared.where, scope) : {}
      const params: Params = context.params.provider ? { provider: 'report', user, counted: true } : {}
      const computed: Rec = {}
      // Counted as another user (`as`): what that user may not read is theirs to lack, not the caller's refusal (a 403
      // told an Admin that she may not read appointments); the record cannot be counted for them (400).
      const forOther = user !== context.params.user
      try {
        for (const [field, aggregate] of Object.entries(declared.set)) {
          computed[field] = base ? await this._aggregate(declared.from, aggregate, base, scope, params) : 0
        }
        context.data = { ...context.data, ...computed }
        if (declared.export && base) {
          const target = this._app.blueprint.collections.find((c) => c.name === declared.from)!
          const query = and(base, declared.export.where && fillQuery(declared.export.where, scope))
          context.data[declared.export.field] = await this._files.create(await this._csv(target, query, params), {
            name: `${collection.name}-${declared.from}.csv`,
            type: 'text/csv',
            collection: collection.name,
            field: declared.export.field,
            uploadedBy: context.params.user?._id
          })
        }
      } catch (error: any) {
        if (!forOther || error?.code !== 403) throw error
        throw new BadRequest(`Invalid data: ${declared.as} cannot be counted for: ${error.message}`, { [declared.as!]: 'cannot be counted for' })
      }
      return next()
    }
  }

  private async _aggregate(from: string, aggregate: AggregateInput, base: Rec, scope: Rec, params: Params): Promise<unknown> {
    const service = this._app.service(from) as any
    const extra = 'count' in aggregate ? (aggregate.count === true ? undefined : aggregate.count) : aggregate.where
    const filled = extra && fillQuery(extra as Rec, scope)
    if (extra && !filled) return 'count' in aggregate ? 0 : 'sum' in aggregate ? 0 : {}
    const query = and(base, filled)
    // A count is the store's (an index count on both stores); sums and groups read the matching records page by page.
    if ('count' in aggregate) return ((await service.find({ ...params, query: { ...query, $limit: 0 } })) as { total: number }).total
    const collection = this._app.blueprint.collections.find((c) => c.name === from)!
    if ('sum' in aggregate) {
      let sum = 0
      for await (const page of everyRecord(this._app, collection, { ...params, query })) {
        for (const record of page) sum += Number(valueAt(record, aggregate.sum) ?? 0) || 0
      }
      return Math.round(sum * 100) / 100
    }
    const groups: Record<string, number> = {}
    for await (const page of everyRecord(this._app, collection, { ...params, query })) {
      for (const record of page) {
        const key = String(valueAt(record, aggregate.groupBy) ?? '')
        groups[key] = (groups[key] ?? 0) + 1
      }
    }
    return groups
  }

  /** The records counted, as CSV with the columns the creator may read. */
  private async _csv(target: Collection, query: Rec, params: Params): Promise<Readable> {
    const columns = await callerColumns(this._app, target, params)
    const app = this._app
    const rows = csvRows(columns)
    return Readable.from(
      (async function* () {
        yield csvLine(columns)
        for await (const page of everyRecord(app, target, { ...params, query })) yield rows(page)
      })(),
      { objectMode: false }
    )
  }
}
