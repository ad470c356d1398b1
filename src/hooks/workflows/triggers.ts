// Triggers: when a record is created or changed into a declared condition, or an array field of it gains items, records
// are created elsewhere (notifications: for a flat's residents, a task's new assignees, the readers a post mentions).
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, TriggerInput } from '../../schemas/types.js'
import { can } from '../../permissions/access.js'
import { isAdded } from '../../schemas/conversations.js'
import { withoutSecrets } from '../secrets.js'
import { adapterOf, itemsOf, matcher, now, type Rec, recordsBefore } from './shared.js'
import { fill, fillQuery } from './templates.js'

/** A nested trigger's failure says it once. */
const NOTHING_CHANGED = 'Nothing was changed: '

/** The items of the `added` array field that the change brought (every item on create), as text ids. */
const addedItems = (field: string, record: Rec, before?: Rec) => {
  const had = new Set(itemsOf<unknown>(before?.[field]).map(String))
  return [...new Set(itemsOf<unknown>(record[field]).map(String))].filter((item) => !had.has(item))
}

/** Users among these ids whose permissions let them read the record. */
async function readers(context: HookContext, collection: Collection, record: Rec, ids: string[]) {
  const app = context.app as any
  const users = app.blueprint.users.name
  const kept: string[] = []
  for (const id of ids) {
    const user = await adapterOf(app, users)._get(id).catch(() => undefined)
    if (user && can(await app.permissions.abilityFor(user), 'read', collection.name, record)) kept.push(id)
  }
  return kept
}

/** The records `with` names, secrets removed, by their names in the templates. */
async function withRecords(context: HookContext, collection: Collection, declared: Record<string, string> | undefined, record: Rec) {
  const scope: Rec = {}
  for (const [name, field] of Object.entries(declared ?? {})) {
    const target = (context.app as any).blueprint.collections.find((c: Collection) => c.name === collection.references.find((ref) => ref.path === field)!.collection)
    const referenced = record[field] === undefined || record[field] === null ? undefined : await adapterOf(context.app, target.name)._get(record[field]).catch(() => undefined)
    if (referenced) scope[name] = withoutSecrets(target, referenced)
  }
  return scope
}

async function fire(context: HookContext, collection: Collection, trigger: TriggerInput, record: Rec, before?: Rec) {
  const scope = { ...(await withRecords(context, collection, trigger.with, record)), record, user: context.params.user, now: now() }
  let targets: unknown[] = [undefined]
  const { forEach } = trigger
  if (isAdded(forEach)) {
    const added = addedItems(forEach.added, record, before)
    targets = forEach.readersOnly ? await readers(context, collection, record, added) : added
  } else if (forEach) {
    const query = fillQuery(forEach.query, scope)
    targets = query ? await adapterOf(context.app, forEach.collection)._find({ paginate: false, query }) : []
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
        const prior = priorById.get(String(record._id))
        // After a change, only a record that newly matches fires (approving twice notifies once); one for added items fires for each item added while it matches.
        if (!matches(record) || (changing && !isAdded(trigger.forEach) && matches(prior))) continue
        try {
          await fire(context, collection, trigger, record, prior)
        } catch (error: any) {
          const failure = `trigger of ${collection.name} creating ${trigger.create} failed: ${String(error.message).replace(/^Nothing was changed: /, '')}`
          // In a transaction the whole call fails and nothing of it stays; without one (a standalone MongoDB) the change is stored, so the failure is only logged.
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
