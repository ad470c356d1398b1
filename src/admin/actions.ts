// Declared actions (`respond`, `checkOut`) and state-machine transitions as buttons on a record, and transitions as bulk
// actions: offered only when the caller's ability (and, for transitions, their role and the record's state) allow them,
// with an input form from the action's schema, run through the service as the logged-in user.
import { flat, NotFoundError, PropertyDecorator, type Action, type ActionContext, type ActionHandler, type ActionRequest, type BaseRecord, type BasePropertyJSON, type ResourceOptions } from 'adminjs'
import type { MongoAbility } from '@casl/ability'
import { can } from '../permissions/access.js'
import type { Collection, JsonSchema, StateMachine } from '../schemas/types.js'
import { bulkHandler } from './bulk.js'
import { callerOf } from './caller.js'
import { FeathersProperty } from './property.js'
import type { FeathersResource } from './resource.js'

/** The browser component (components/action.js) of every such action: its form, the confirm button, the notices. */
export const ACTION_COMPONENT = 'QuillbaseAction'

type Actions = Record<string, Partial<Action<any>>>
type Accessible = (context: Pick<ActionContext, 'currentAdmin' | 'record'>) => boolean

/** `Approved` → `Approved`, `InProgress` → `In Progress`. */
const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase())

const recordOf = (record?: BaseRecord) => (record ? flat.unflatten<Record<string, any>, Record<string, any>>(record.params) : undefined)

/** A property as the browser's form components expect it (AdminJS's own JSON of a decorated property). */
function fieldJson(property: FeathersProperty, resourceId: string): BasePropertyJSON {
  const resource = { id: () => resourceId, options: {} } as any
  return new PropertyDecorator({ property, admin: undefined as any, resource, options: { description: property.description() } }).toJSON('edit')
}

/** The action's input converted per its schema (form values are strings), then left to the service to validate. */
function inputOf(fields: FeathersProperty[], payload: Record<string, unknown> = {}): Record<string, unknown> {
  const values = flat.unflatten<Record<string, any>, Record<string, any>>(flat.flatten(payload))
  const input: Record<string, unknown> = {}
  for (const field of fields) {
    const value = field.toData(values[field.name()])
    if (value !== undefined) input[field.name()] = value
  }
  return input
}

interface Step {
  label: string
  description?: string
  fields: FeathersProperty[]
  accessible: Accessible
  run: (resource: FeathersResource, id: string, input: Record<string, unknown>, context: ActionContext) => Promise<Record<string, any>>
}

/** A record action: GET shows its form (the record), POST runs it and shows the record again with a notice. */
function recordAction(name: string, step: Step, collection: Collection) {
  const handler: ActionHandler<any> = async (request: ActionRequest, _response, context) => {
    const { record, currentAdmin, h } = context
    if (!record) throw new NotFoundError(`There is no ${collection.label.toLowerCase()} record to ${step.label.toLowerCase()}`, 'Action#handler')
    if (request.method === 'get') return { record: record.toJSON(currentAdmin) }
    const resource = context.resource as FeathersResource
    const params = await step.run(resource, String(record.id()), inputOf(step.fields, request.payload), context)
    const updated = resource.build(params)
    return {
      record: updated.toJSON(currentAdmin),
      notice: { message: `${step.label}: done (${record.title() || record.id()})`, type: 'success' },
      redirectUrl: h.recordActionUrl({ resourceId: collection.name, recordId: String(record.id()), actionName: 'show' })
    }
  }
  return {
    actionType: 'record' as const,
    component: ACTION_COMPONENT,
    icon: 'Zap',
    isVisible: true,
    isAccessible: step.accessible,
    handler,
    custom: { label: step.label, description: step.description, fields: step.fields.map((field) => fieldJson(field, collection.name)) }
  }
}

function declaredSteps(collection: Collection): Record<string, Step> {
  return Object.fromEntries(
    Object.entries(collection.actions).map(([name, action]) => {
      const schema = action.data as JsonSchema
      const required = new Set<string>(schema.required ?? [])
      const fields = Object.entries<JsonSchema>(schema.properties ?? {}).map(
        ([key, field], position) => new FeathersProperty(key, { schema: field, required: required.has(key), position })
      )
      const accessible: Accessible = ({ currentAdmin, record }) => {
        const ability = callerOf(currentAdmin)?.ability
        if (!ability?.can(name, collection.name)) return false
        const current = recordOf(record)
        return !current || can(ability, name, collection.name, current)
      }
      const step: Step = {
        label: words(name),
        description: action.description,
        fields,
        accessible,
        run: (resource, id, input, context) => resource.runAction(name, id, input, context)
      }
      return [name, step]
    })
  )
}

/** Whether the caller may move this record (or, without one, some record) to `state`: the machine's per-role rule, CASL on the field. */
function mayMove(collection: Collection, machine: StateMachine, state: string): Accessible {
  const transitions = machine.transitions.filter((transition) => transition.to.includes(state))
  return ({ currentAdmin, record }) => {
    const caller = callerOf(currentAdmin)
    if (!caller?.ability.can('update', collection.name, machine.field)) return false
    const byRole = (roles?: string[]) => !roles || (caller.role !== undefined && roles.includes(caller.role))
    const current = recordOf(record)
    if (!current) return transitions.some((transition) => byRole(transition.roles))
    const from = current[machine.field]
    if (from === state || !can(caller.ability, 'update', collection.name, current, machine.field)) return false
    const permitted = (ability: MongoAbility, action?: string) => !action || can(ability, action, collection.name, current)
    return transitions.some(
      (transition) => (transition.from.includes('*') || transition.from.includes(from)) && byRole(transition.roles) && permitted(caller.ability, transition.permission)
    )
  }
}

function transitionSteps(resource: FeathersResource): Record<string, Step & { bulk: boolean }> {
  const { collection } = resource
  const machines = collection.stateMachines ?? []
  const steps: Record<string, Step & { bulk: boolean }> = {}
  for (const machine of machines) {
    const targets = [...new Set(machine.transitions.flatMap((transition) => transition.to))]
    for (const state of targets) {
      // Same state name in two machines (a booking's status and payment): the field says which.
      const shared = machines.some((other) => other !== machine && other.transitions.some((transition) => transition.to.includes(state)))
      const label = `Mark ${shared ? `${words(machine.field)} ` : ''}${words(state)}`
      // Fields the state requires (`assignedTo` to assign a complaint) are asked for in the form.
      const fields = (machine.requires[state] ?? []).map((path) => resource.property(path)).filter((field): field is FeathersProperty => !!field)
      steps[`${machine.field}-${state}`] = {
        label,
        description: `Sets ${words(machine.field)} to ${words(state)}.`,
        fields,
        accessible: mayMove(collection, machine, state),
        bulk: !fields.length,
        run: (target, id, input, context) => target.update(id, { ...input, [machine.field]: state }, context)
      }
    }
  }
  return steps
}

/** The AdminJS actions of a resource's declared actions and transitions, and their button labels (for the locale). */
export function workflowActions(resource: FeathersResource): { actions: Actions; labels: Record<string, string> } {
  const { collection } = resource
  const actions: Actions = {}
  const labels: Record<string, string> = {}
  for (const [name, step] of Object.entries(declaredSteps(collection))) {
    actions[name] = recordAction(name, step, collection)
    labels[name] = step.label
  }
  for (const [name, step] of Object.entries(transitionSteps(resource))) {
    actions[name] = recordAction(name, step, collection)
    labels[name] = step.label
    if (!step.bulk) continue
    const bulkName = `${name}-bulk`
    actions[bulkName] = {
      actionType: 'bulk',
      component: ACTION_COMPONENT,
      icon: 'Zap',
      isVisible: true,
      isAccessible: step.accessible,
      handler: bulkHandler({ done: step.label, run: (record, context) => step.run(context.resource as FeathersResource, String(record.id()), {}, context) }),
      custom: { label: step.label, description: step.description, fields: [] }
    }
    labels[bulkName] = step.label
  }
  return { actions, labels }
}
