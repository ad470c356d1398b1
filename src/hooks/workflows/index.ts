// The workflow hooks a collection's declarations ask for, in the order they must run (after validation and authorization).
import { Unprocessable } from '@feathersjs/errors'
import type { Application, HookContext, NextFunction } from '@feathersjs/feathers'
import { fieldErrors } from '../validate.js'
import { compile, dataAjv } from '../../schemas/validators.js'
import type { Collection } from '../../schemas/types.js'
import { countsOver, keptCounts } from './counts.js'
import { derive } from './derive.js'
import { forwardOnly } from './forward-only.js'
import { generate } from './generate.js'
import { lookups } from './lookups.js'
import { noOverlap } from './no-overlap.js'
import { recurring } from './recurrence.js'
import { rollupsOver } from './rollups.js'
import { scopedReferences } from './same-as.js'
import { stateMachines } from './state-machine.js'
import { triggers } from './triggers.js'
import { keptUnread, unreadOver } from './unread.js'

export { masking, maskedSort, hideMasked } from './masking.js'

type Hook = (context: HookContext, next: NextFunction) => Promise<any>

/** What workflows filled in is validated like the caller's data, so nothing malformed is stored. */
function validateFilled(collection: Collection): Hook {
  // The declared schema, every required field included: callers may leave out what workflows fill, workflows may not.
  const complete = compile(dataAjv, collection.schema)
  const validators: Record<string, ReturnType<typeof compile>> = {
    create: complete,
    update: complete,
    patch: compile(dataAjv, collection.patchSchema)
  }
  return async (context, next) => {
    const validate = validators[context.method]
    if (validate && context.data && !context.params.skipDataValidation) {
      for (const item of Array.isArray(context.data) ? context.data : [context.data]) {
        try {
          // A copy: Ajv fills defaults, which a patch must not write.
          await validate(structuredClone(item))
        } catch (error: any) {
          const fields = fieldErrors(error.errors)
          throw new Unprocessable(`Values filled in by ${collection.name} workflows are invalid: ${Object.entries(fields).map(([f, m]) => `${f} ${m}`).join(', ')}`, fields)
        }
      }
    }
    return next()
  }
}

/**
 * Effects that follow a change (triggers, recurrence, rollups, counts, unread counts) wrap the rest, so they run once it is stored;
 * fields are then derived, checked against the state machine (which stamps), looked up and generated, kept moving forward,
 * validated again, and finally checked against other records (tenancy of references, overlaps).
 */
export function workflowHooks(app: Application, collection: Collection): Hook[] {
  const collections: Collection[] = (app as any).blueprint?.collections ?? [collection]
  const hooks: Hook[] = []
  if (collection.triggers?.length) hooks.push(triggers(collection))
  if (collection.recurrence) hooks.push(recurring(collection))
  const rollups = rollupsOver(collection, collections)
  if (rollups) hooks.push(rollups)
  const counted = countsOver(collection, collections)
  if (counted) hooks.push(counted)
  if (collection.counts?.length) hooks.push(keptCounts(collection))
  const unread = unreadOver(collection, collections)
  if (unread) hooks.push(unread)
  const filling: Hook[] = []
  if (collection.derive) filling.push(derive(collection))
  if (collection.stateMachines?.length) filling.push(stateMachines(collection))
  if (collection.lookups?.length) filling.push(lookups(collection))
  if (Object.keys(collection.generate ?? {}).length) filling.push(generate(collection))
  if (collection.unread.length) filling.push(keptUnread(collection))
  // Last of the filling: what derive and stamps set moves forward only too.
  if (collection.forwardOnly?.length) filling.push(forwardOnly(collection))
  if (filling.length) hooks.push(...filling, validateFilled(collection))
  if (collection.references.some((ref) => ref.sameAs?.length)) hooks.push(scopedReferences(collection))
  if (collection.noOverlap?.length) hooks.push(noOverlap(collection))
  return hooks
}
