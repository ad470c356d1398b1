// References that stay inside a tenant: `Ref('flats', { sameAs: ['societyId'] })` refuses a flat of another society (422).
import { Unprocessable } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { valuesAt } from '../../schemas/paths.js'
import type { Collection } from '../../schemas/types.js'
import { adapterOf, type Rec, writesOf } from './shared.js'

const same = (a: unknown, b: unknown) => String(a ?? '') === String(b ?? '')

export function scopedReferences(collection: Collection) {
  const refs = collection.references.filter((ref) => ref.sameAs?.length)
  return async (context: HookContext, next: NextFunction) => {
    for (const write of await writesOf(context)) {
      for (const ref of refs) {
        const sameAs = ref.sameAs!
        // A patch that touches neither the reference nor the shared fields cannot break the rule.
        if (write.before && ![ref.path.split('.')[0], ...sameAs].some((field) => field in write.given)) continue
        const ids = [...new Set(valuesAt(write.after, ref.path).map(String))]
        if (!ids.length) continue
        const targets: Rec[] = await adapterOf(context.app, ref.collection)._find({ paginate: false, query: { _id: { $in: ids }, $select: ['_id', ...sameAs] } })
        for (const target of targets) {
          const field = sameAs.find((f) => !same(target[f], write.after[f]))
          if (field) {
            throw new Unprocessable(`${ref.path} refers to a ${ref.collection} record with another ${field}`, { [ref.path]: `must have the same ${field} as this record` })
          }
        }
      }
    }
    return next()
  }
}
