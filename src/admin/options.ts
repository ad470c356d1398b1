// AdminJS options of a resource from its declaration, and what each logged-in user may see and do (their CASL ability).
import type { MongoAbility } from '@casl/ability'
import { flat, type ActionContext, type ResourceOptions, type ResourceWithOptions } from 'adminjs'
import { can } from '../permissions/access.js'
import { RBAC_COLLECTIONS } from '../schemas/rbac.js'
import type { TenancyInput } from '../schemas/types.js'
import { workflowActions } from './actions.js'
import { bulkDeleteHandler } from './bulk.js'
import { callerOf } from './caller.js'
import { operationActions } from './operations.js'
import type { FeathersProperty } from './property.js'
import type { FeathersResource } from './resource.js'
import { isTenantScoped, readsEveryTenant } from './tenancy.js'
import { permissionEditorProperties } from './permission-editor.js'
import type { PermissionVocabulary } from '../permissions/vocabulary.js'

/** The date-time picker types and shows `YYYY-MM-DD HH:mm`, the format of lists and pages (components/dates.js adds the zone). */
const DIGIT = { regex: '\\d' }
const DATETIME_INPUT = {
  dateFormat: 'yyyy-MM-dd HH:mm',
  placeholderText: 'YYYY-MM-DD HH:mm',
  inputMask: { mask: [DIGIT, DIGIT, DIGIT, DIGIT, '-', DIGIT, DIGIT, '-', DIGIT, DIGIT, ' ', DIGIT, DIGIT, ':', DIGIT, DIGIT] }
}

/** AdminJS actions and the CASL action each needs. */
const ACTION_PERMISSIONS: Record<string, string> = {
  list: 'read',
  search: 'read',
  show: 'read',
  new: 'create',
  edit: 'update',
  delete: 'delete',
  bulkDelete: 'delete'
}

/**
 * Access control is part of a user's panel only if they may change it: every role may read the role directory
 * (clients show role names), which should not put roles and permissions in a manager's navigation.
 */
const panelAction = (collection: string, action: string) => (RBAC_COLLECTIONS.includes(collection) && action === 'read' ? 'update' : action)

/** Whether a collection is listed in a user's panel (navigation, list page, dashboard). */
export const listedFor = (ability: MongoAbility, collection: string) => ability.can(panelAction(collection, 'read'), collection) && ability.can('read', collection)

/** Allowed when the ability grants the action on the collection, and on the record itself for record actions. */
function permitted(collection: string, action: string, actionName: string) {
  // Reference pickers search every collection a user may read, listed in their panel or not.
  const needed = actionName === 'search' ? action : panelAction(collection, action)
  return ({ currentAdmin, record }: ActionContext) => {
    const ability = callerOf(currentAdmin)?.ability
    if (!ability || !ability.can(needed, collection)) return false
    return !record || can(ability, action, collection, flat.unflatten(record.params))
  }
}

/** A field's label where AdminJS's own (`Manager Id`) is not what people say: references drop their id suffix (`Manager`, `Permissions`). */
function humanLabel(property: FeathersProperty): string | undefined {
  return property.reference() ? referenceLabel(property.name()) : undefined
}

/** `ManagerId` → `Manager`, `Permission_ids` → `Permissions`; `undefined` for a name without an id suffix. */
export function referenceLabel(name: string): string | undefined {
  const base = name.replace(/_?ids$/i, 's').replace(/_?id$/i, '')
  if (base === name || !base) return undefined
  return base.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())
}

/** What the tenant switcher needs (components/tenancy.js): the field and its label, the tenants' resource, the tenant chosen. */
export const tenancyJSON = (tenancy: TenancyInput, current: string | undefined, label = referenceLabel(tenancy.field) ?? tenancy.field) => ({
  path: tenancy.field,
  label,
  resourceId: tenancy.collection,
  current: current ?? null
})

/** Top-level field labels of a resource for the locale (nested paths keep AdminJS's labels: i18next splits keys at dots). */
export function propertyLabels(resource: FeathersResource): Record<string, string> {
  return Object.fromEntries(resource.properties().flatMap((property) => {
    const label = humanLabel(property)
    return label ? [[property.name(), label]] : []
  }))
}

/** The declared defaults of top-level scalar fields: a new record's form starts with them (components/lists.js). */
function defaultsOf(resource: FeathersResource): Record<string, unknown> {
  const defaults: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries<any>(resource.collection.schema.properties ?? {})) {
    const property = resource.property(name)
    if (schema.default === undefined || typeof schema.default === 'object' || !property?.isEditable()) continue
    defaults[name] = schema.default
  }
  return defaults
}

export function resourceOptions(resource: FeathersResource, vocabulary?: PermissionVocabulary): ResourceOptions {
  const { collection } = resource
  const properties: NonNullable<ResourceOptions['properties']> = {}
  const visit = (property: FeathersProperty) => {
    const description = property.description()
    properties[property.fullPath()] = {
      isVisible: property.visibility(),
      isDisabled: property.isReadOnly(),
      ...(description ? { description } : {}),
      ...(property.type() === 'datetime' ? { props: DATETIME_INPUT } : {})
    }
    for (const child of property.subProperties()) visit(child)
  }
  for (const property of resource.properties()) visit(property)
  for (const [path, options] of Object.entries(permissionEditorProperties(collection.name, vocabulary))) properties[path] = { ...properties[path], ...options }

  const actions = {
    ...Object.fromEntries(
      Object.entries(ACTION_PERMISSIONS).map(([name, action]) => [
        name,
        {
          isAccessible: permitted(collection.name, action, name),
          ...(name === 'bulkDelete' ? { handler: bulkDeleteHandler } : {}),
          ...(name === 'new' ? { custom: { defaults: defaultsOf(resource) } } : {})
        }
      ])
    ),
    ...workflowActions(resource).actions,
    ...operationActions(resource)
  }
  const createdAt = collection.timestamps.createdAt
  const listed = collection.admin.listFields.filter((field) => resource.property(field))
  return {
    id: collection.name,
    navigation: collection.admin.group ? { name: collection.admin.group, icon: 'Folder' } : { name: null, icon: 'Database' },
    titleProperty: resource.property(collection.admin.titleField) ? collection.admin.titleField : '_id',
    ...(listed.length ? { listProperties: listed } : {}),
    ...(createdAt ? { sort: { sortBy: createdAt, direction: 'desc' as const } } : {}),
    properties,
    actions
  }
}

export function resourceWithOptions(resource: FeathersResource, vocabulary?: PermissionVocabulary): ResourceWithOptions {
  return { resource, options: resourceOptions(resource, vocabulary) }
}

const VIEWS = ['listProperties', 'showProperties', 'filterProperties', 'editProperties'] as const

/**
 * The resource as each user's browser receives it: fields their ability never lets them read (or, in forms, write) are left out.
 * AdminJS has no per-user property visibility, so the decorator's JSON is narrowed per `currentAdmin`.
 */
export function narrowFieldsPerCaller(resource: FeathersResource, tenancy?: TenancyInput) {
  const decorator = resource.decorate()
  const toJSON = decorator.toJSON.bind(decorator)
  const name = resource.collection.name
  decorator.toJSON = (currentAdmin) => {
    const json: any = toJSON(currentAdmin)
    const caller = callerOf(currentAdmin)
    const ability = caller?.ability
    if (!ability) return json
    if (isTenantScoped(tenancy, resource.collection) && readsEveryTenant(ability, tenancy)) withTenantColumn(json, tenancy, caller.tenant)
    const readable = (path: string) => ability.can('read', name, path.split('.')[0])
    const writable = (path: string) => ability.can('update', name, path.split('.')[0]) || ability.can('create', name, path.split('.')[0])
    for (const view of VIEWS) {
      // Read-only fields are shown in forms (disabled) to those who may read them.
      const allowed = (property: any) => (view === 'editProperties' && !property.isDisabled ? writable : readable)(property.propertyPath)
      json[view] = json[view].filter(allowed)
    }
    return json
  }
}

/**
 * For a caller who may read every tenant: the record's tenant as the list's second column, and what the switcher needs
 * (`tenancy`: the field, the tenants' resource, the tenant chosen; components/tenancy.js).
 */
function withTenantColumn(json: any, tenancy: TenancyInput, current: string | undefined) {
  const property = json.properties?.[tenancy.field]
  if (!property) return
  if (!json.listProperties.some((listed: any) => listed.propertyPath === tenancy.field)) json.listProperties.splice(1, 0, property)
  json.tenancy = tenancyJSON(tenancy, current)
}
