// The records a call is about to change, read from the store once per call, whichever hook asks first.
import type { HookContext } from '@feathersjs/feathers'

type Rec = Record<string, any>

const STORED = new WeakMap<HookContext, Promise<Rec[]>>()

/**
 * update/patch/remove by id: that record (a rejected NotFound if absent); by query: every match of the query as it
 * stands at the first ask (after `authorize` narrowed it, for the hooks that run after it). Other methods: none.
 */
export function recordsBefore(context: HookContext): Promise<Rec[]> {
  if (!['update', 'patch', 'remove'].includes(context.method)) return Promise.resolve([])
  let found = STORED.get(context)
  if (!found) {
    const service = context.service as any
    found =
      context.id !== null && context.id !== undefined
        ? service._get(context.id).then((record: Rec) => [record])
        : service._find({ paginate: false, query: context.params.query ?? {} })
    STORED.set(context, found!)
  }
  return found!
}
