// Bulk delete that says what happened to each record: AdminJS's own runs the deletes with Promise.all and reports only
// the first refusal, while the others are deleted (or not) unseen.
import { NotFoundError, ValidationError, type ActionHandler, type BaseRecord } from 'adminjs'

/** How a record is named in the notice: its title and id. */
const named = (record: BaseRecord) => {
  const title = String(record.title() ?? '')
  return title && title !== String(record.id()) ? `${title} (${record.id()})` : String(record.id())
}

const reasonOf = (error: unknown) => (error instanceof ValidationError ? error.baseError?.message : undefined) ?? (error as Error)?.message ?? String(error)

/** One record at a time, through the service; the notice lists the deleted and the refused ones with each reason. */
export const bulkDeleteHandler: ActionHandler<any> = async (request, _response, context) => {
  const { records, resource, h, currentAdmin } = context
  if (!records?.length) throw new NotFoundError('no records were selected.', 'Action#handler')
  if (request.method === 'get') return { records: records.map((record) => record.toJSON(currentAdmin)) }

  const deleted: BaseRecord[] = []
  const refused: Array<{ record: BaseRecord; reason: string }> = []
  for (const record of records) {
    try {
      await resource.delete(record.id(), context)
      deleted.push(record)
    } catch (error) {
      refused.push({ record, reason: reasonOf(error) })
    }
  }
  const parts = [
    deleted.length ? `Deleted ${deleted.length}: ${deleted.map(named).join(', ')}.` : 'Nothing was deleted.',
    refused.length ? `Refused ${refused.length}: ${refused.map(({ record, reason }) => `${named(record)}: ${reason}`).join('; ')}.` : ''
  ]
  const message = parts.filter(Boolean).join(' ')
  return {
    records: records.map((record) => record.toJSON(currentAdmin)),
    notice: { message, type: refused.length ? 'error' : 'success' },
    // The list is shown again either way: what is left is what was refused.
    redirectUrl: h.resourceUrl({ resourceId: resource._decorated?.id() || resource.id() })
  }
}
