// State machines: a status field moves only along declared transitions, by the roles (or CASL action) each allows, stamping fields on entry.
import { isDeepStrictEqual } from 'node:util'
import { BadRequest, Conflict, Forbidden, Unprocessable } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { can } from '../../permissions/access.js'
import type { Collection, StateMachine, Transition, TransitionGuard } from '../../schemas/types.js'
import { adapterOf, callerRole, isEmpty, matcher, now, type Rec, writesOf, type Write } from './shared.js'
import { valueAt } from '../../schemas/paths.js'
import { fill, fillQuery } from './templates.js'

const leads = (transition: Transition, from: string) => transition.from.includes('*') || transition.from.includes(from)

/** States reachable from `from`, for the error message. */
export const reachable = (machine: StateMachine, from: string) => [...new Set(machine.transitions.filter((t) => leads(t, from)).flatMap((t) => t.to))].filter((s) => s !== from)

/** Dates as their ISO text, so guard conditions compare them with `{{now}}` and other templates. */
const asJson = (record: Rec): Rec => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]))

/** The first guard the record does not meet (run in the move's transaction, so a check and the change cannot interleave with another's). */
async function firstUnmet(context: HookContext, guards: TransitionGuard[], after: Rec): Promise<TransitionGuard | undefined> {
  const scope = { record: asJson(after), user: context.params.user, now: now() }
  for (const guard of guards) {
    const conditions = fillQuery(guard.when ?? guard.exists!.query, scope)
    if (!conditions) return guard
    if (guard.when) {
      if (!matcher(conditions)(scope.record)) return guard
      continue
    }
    const found = await adapterOf(context.app, guard.exists!.collection)._find({ paginate: false, query: { ...conditions, $limit: 1, $select: ['_id'] } })
    if (!found.length) return guard
  }
  return undefined
}

export function stateMachines(collection: Collection) {
  const label = collection.label.toLowerCase()

  /** Fields some state stamps: outside callers may not set them on their own (a guard pre-filling `approvedBy`). */
  function refuseUnstamped(context: HookContext, write: Write, machine: StateMachine, stamped: string[]) {
    if (!context.params.provider) return
    const owned = Object.values(machine.stamps).flatMap((stamps) => Object.keys(stamps))
    const forged = owned.find((field) => write.given[field] !== undefined && !stamped.includes(field))
    if (forged) throw new BadRequest(`${forged} is set by the server when ${machine.field} changes`, { [forged]: 'is set by the server' })
  }

  /** External callers' stamps always win; internal calls (imports, demo data) may bring their own values. Returns the stamped fields. */
  function stamp(context: HookContext, write: Write, machine: StateMachine, state: string): string[] {
    const stamps = machine.stamps[state]
    if (stamps) {
      const values = fill(stamps, { user: context.params.user, now: now(), record: write.after })
      const external = !!context.params.provider
      write.set(Object.fromEntries(Object.entries(values).filter(([field]) => external || isEmpty(write.given[field]))))
    }
    for (const field of machine.requires[state] ?? []) {
      if (isEmpty(valueAt(write.after, field))) throw new Unprocessable(`${field} is required to set ${machine.field} to ${state}`, { [field]: `is required when ${machine.field} is ${state}` })
    }
    return Object.keys(stamps ?? {})
  }

  /** The candidate transitions this caller may make (403 when none). */
  async function checkCaller(context: HookContext, write: Write, machine: StateMachine, candidates: Transition[], from: string, to: string): Promise<Transition[]> {
    const role = candidates.some((t) => t.roles) ? await callerRole(context) : undefined
    const ability = context.params.ability
    const allowed = candidates.filter(
      (t) => (!t.roles || (role !== undefined && t.roles.includes(role))) && (!t.permission || (ability && can(ability, t.permission, collection.name, write.before!)))
    )
    if (allowed.length) return allowed
    const roles = [...new Set(candidates.flatMap((t) => t.roles ?? []))]
    throw new Forbidden(`${role ? `The ${role} role` : 'You'} may not change ${machine.field} from ${from} to ${to}${roles.length ? ` (allowed: ${roles.join(', ')})` : ''}`, { field: machine.field, from, to, roles })
  }

  /** One of the allowed transitions must meet all its guards; else a 409 with the first unmet guard's message. */
  async function checkGuards(context: HookContext, write: Write, machine: StateMachine, allowed: Transition[], from: string, to: string) {
    // An `exists` guard reads records the move does not write: on MongoDB, whose snapshots let two such checks pass together, moves to one state take turns.
    if (allowed.some((t) => t.guards?.some((guard) => guard.exists))) await (context.app as any).store?.serialize(`guards:${collection.name}:${machine.field}:${to}`)
    let unmet: TransitionGuard | undefined
    for (const transition of allowed) {
      const failed = await firstUnmet(context, transition.guards ?? [], write.after)
      if (!failed) return
      unmet ??= failed
    }
    if (unmet) throw new Conflict(unmet.message, { field: machine.field, from, to })
  }

  /** A carried field changes with a move only; a move without it clears the previous move's value. */
  function carry(write: Write, machine: StateMachine, moved: boolean) {
    if (!write.before || !machine.carries.length) return
    if (moved) {
      const dropped = machine.carries.filter((path) => write.given[path] === undefined && !isEmpty(write.before![path]))
      if (dropped.length) write.set(Object.fromEntries(dropped.map((path) => [path, null])))
      return
    }
    const alone = machine.carries.find((path) => write.given[path] !== undefined && !isDeepStrictEqual(write.given[path], write.before![path]))
    if (alone) throw new Unprocessable(`${alone} is given with a change of ${machine.field}: it belongs to that move`, { [alone]: `is given with a change of ${machine.field}` })
  }

  return async (context: HookContext, next: NextFunction) => {
    for (const write of await writesOf(context)) {
      for (const machine of collection.stateMachines ?? []) {
        const { field } = machine
        const to = write.after[field]
        carry(write, machine, to !== undefined && to !== null && !!write.before && to !== write.before[field])
        if (to === undefined || to === null) {
          refuseUnstamped(context, write, machine, [])
          continue
        }
        if (!write.before) {
          if (context.params.provider && !machine.initial.includes(to)) {
            throw new Unprocessable(`A new ${label} record starts with ${field} ${machine.initial.join(' or ')}, not ${to}`, { [field]: `must be ${machine.initial.join(' or ')}` })
          }
          refuseUnstamped(context, write, machine, stamp(context, write, machine, to))
          continue
        }
        const from = write.before[field]
        if (to === from) {
          refuseUnstamped(context, write, machine, [])
          continue
        }
        const candidates = machine.transitions.filter((t) => leads(t, from) && t.to.includes(to))
        if (!candidates.length) {
          const allowed = reachable(machine, from)
          throw new Conflict(`${field} cannot change from ${from} to ${to}; from ${from} it can change to ${allowed.length ? allowed.join(', ') : 'nothing (final state)'}`, {
            field,
            from,
            to,
            allowed
          })
        }
        const allowed = context.params.provider ? await checkCaller(context, write, machine, candidates, from, to) : candidates
        await checkGuards(context, write, machine, allowed, from, to)
        refuseUnstamped(context, write, machine, stamp(context, write, machine, to))
      }
    }
    return next()
  }
}
