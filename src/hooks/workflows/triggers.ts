// Triggers: when a record is created or changed into a declared condition, records are created elsewhere (e.g. notifications).
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, TriggerInput } from '../../schemas/types.js'
import { adapterOf, itemsOf, matcher, now, type Rec, recordsBefore } from './shared.js'
import { fill, fillQuery } from './templates.js'

/** A nested trigger's failure says it once. */
const NOTHING_CHANGED = 'Nothing was changed: '

async function fire(context: HookContext, trigger: TriggerInput, record: Rec) {
  const scope = { record, user: context.params.user, now: now() }
  let targets: (Rec | undefined)[] = [undefined]
  if (trigger.forEach) {
    const query = fillQuery(trigger.forEach.query, scope)
    targets = query ? await adapterOf(context.app, trigger.forEach.collection)._find({ paginate: false, query }) : []
  }
  for (const each of targets) {
    // Internal create: the new record is validated and published to its readers like any other.
    await context.app.service(trigger.create).create(fill(trigger.data, { ...scope, each }), { user: context.params.user })
  }
}

export function triggers(collection: Collection) {
  const declared = (collection.triggers ?? []).map((trigger) => ({ trigger, matches: matcher(trigger.when) }))
  return async (context: HookContext, next: NextFunction) => {
    const relevant = declared.filter(({ trigger }) => (trigger.on as string[]).includes(context.method))
    if (!relevant.length) return next()
    const changing = context.method === 'update' || context.method === 'patch'
    const before = changing ? await recordsBefore(context) : []
    await next()
    const priorById = new Map(before.map((record) => [String(record._id), record]))
    for (const record of itemsOf<Rec>(context.result)) {
      for (const { trigger, matches } of relevant) {
        // After a change, only a record that newly matches fires: approving twice notifies once.
        if (!matches(record) || (changing && matches(priorById.get(String(record._id))))) continue
        try {
          await fire(context, trigger, record)
        } catch (error: any) {
          const failure = `trigger of ${collection.name} creating ${trigger.create} failed: ${String(error.message).replace(/^Nothing was changed: /, '')}`
          // In a transaction the whole call fails and nothing of it stays; without one (MongoDB) the change is stored, so the failure is only logged.
          if ((context.app as any).store?.inTransaction()) {
            error.message = `${NOTHING_CHANGED}the ${failure}`
            throw error
          }
          console.error(`[quillbase] ${failure}`)
        }
      }
    }
  }
}
