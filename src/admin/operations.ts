// The panel's data operations, as AdminJS actions: "Export CSV" on every list (the list's filters and sort), "Import a
// file" on a collection that declares an `importer`, "Generate report" on one that declares `aggregates`. Each runs the
// engine's own operation through the services as the logged-in user; the bytes go through routes of operation-routes.ts.
import { ValidationError, type Action, type ActionContext, type ActionHandler, type BasePropertyJSON } from 'adminjs'
import type { Collection } from '../schemas/types.js'
import { fileFields } from '../services/files.js'
import { callerOf, requireCaller } from './caller.js'
import type { FeathersResource } from './resource.js'

/** The browser components (components/operations.js). */
export const EXPORT_COMPONENT = 'QuillbaseExport'
export const OPERATION_COMPONENT = 'QuillbaseOperation'

type Actions = Record<string, Partial<Action<any>>>

export const OPERATION_LABELS = { exportCsv: 'Export CSV', importFile: 'Import a file', generateReport: 'Generate report' } as const

const may = (action: string, collection: string) => ({ currentAdmin }: Pick<ActionContext, 'currentAdmin'>) => !!callerOf(currentAdmin)?.ability.can(action, collection)

/** Fields the engine fills from the operation (an import's report, a report's aggregates): not asked for in the form. */
function engineFields(collection: Collection): Set<string> {
  return new Set([
    ...(collection.importer ? [collection.importer.file, ...Object.values(collection.importer.report)] : []),
    ...(collection.aggregates ? [...Object.keys(collection.aggregates.set), collection.aggregates.export?.field ?? ''] : [])
  ])
}

/** The form of an operation: the editable fields, as AdminJS's own edit inputs (their options, nested ones included). */
function formFields(resource: FeathersResource): BasePropertyJSON[] {
  const skipped = engineFields(resource.collection)
  const decorated = resource.decorate()
  return resource
    .properties()
    .filter((property) => property.isEditable() && property.visibility().edit && !property.secret && !skipped.has(property.name()))
    .flatMap((property) => decorated.getPropertyByKey(property.name())?.toJSON('edit') ?? [])
}

/**
 * GET: the form's fields and starting values (a reference to the users collection is the caller, as the operation's owner);
 * POST: the record created through the service as the caller, which runs the operation (the engine's hooks).
 */
function operationHandler(done: (record: Record<string, any>) => string, redirect: boolean): ActionHandler<any> {
  return async (request, _response, context) => {
    const resource = context.resource as FeathersResource
    const { user } = requireCaller(context.currentAdmin)
    if (request.method === 'get') {
      const users = context._admin.resources.find((candidate) => (candidate as FeathersResource).collection?.auth)?.id()
      const defaults = Object.fromEntries(resource.properties().filter((property) => property.isEditable() && property.reference() === users).map((property) => [property.name(), String(user._id)]))
      return { fields: formFields(resource), defaults }
    }
    const params = request.payload ?? {}
    try {
      const created = await resource.create(params, context)
      const record = resource.build(created)
      return {
        record: record.toJSON(context.currentAdmin),
        notice: { message: done(created), type: 'success' },
        ...(redirect ? { redirectUrl: context.h.recordActionUrl({ resourceId: resource.id(), recordId: String(created._id), actionName: 'show' }) } : {})
      }
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      const message = error.baseError?.message ?? 'Not saved'
      return { record: { params, errors: error.propertyErrors, populated: {} }, notice: { message, type: 'error' } }
    }
  }
}

/** The actions of a resource's operations, for its AdminJS options. */
export function operationActions(resource: FeathersResource): Actions {
  const { collection } = resource
  const actions: Actions = {
    exportCsv: {
      actionType: 'resource',
      // In a drawer over the list: AdminJS then passes the list's filters and sort in the action's address.
      showInDrawer: true,
      icon: 'Download',
      component: EXPORT_COMPONENT,
      isVisible: true,
      isAccessible: may('read', collection.name),
      handler: async () => ({}),
      custom: { label: OPERATION_LABELS.exportCsv }
    }
  }
  const { importer, aggregates } = collection
  if (importer) {
    const file = fileFields(collection).find((field) => field.path === importer.file)!
    actions.importFile = {
      actionType: 'resource',
      icon: 'Upload',
      component: OPERATION_COMPONENT,
      isVisible: true,
      isAccessible: may('create', collection.name),
      handler: operationHandler((record) => `Import queued: ${record[collection.admin.titleField] ?? record._id}`, true),
      custom: {
        label: OPERATION_LABELS.importFile,
        description: 'Each row of the file goes through the chosen collection as you, with your permissions; the new record reports the counts and every refused row.',
        upload: { field: importer.file, types: file.types ?? [], maxBytes: file.maxBytes, nameField: collection.admin.titleField }
      }
    }
  }
  if (aggregates) {
    actions.generateReport = {
      actionType: 'resource',
      icon: 'BarChart',
      component: OPERATION_COMPONENT,
      isVisible: true,
      isAccessible: may('create', collection.name),
      handler: operationHandler(() => 'Report generated', false),
      custom: {
        label: OPERATION_LABELS.generateReport,
        description: `Counts the ${aggregates.from} you may read that match; the counts are yours to keep, with a CSV of the records counted.`,
        result: { fields: Object.keys(aggregates.set), file: aggregates.export?.field }
      }
    }
  }
  return actions
}

/** Button labels of the operations offered on a resource, for the locale. */
export function operationLabels(resource: FeathersResource): Record<string, string> {
  const { importer, aggregates } = resource.collection
  return {
    exportCsv: OPERATION_LABELS.exportCsv,
    ...(importer ? { importFile: OPERATION_LABELS.importFile } : {}),
    ...(aggregates ? { generateReport: OPERATION_LABELS.generateReport } : {})
  }
}
