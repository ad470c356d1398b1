// Bulk actions that say what happened to each record: AdminJS's own bulk delete runs the deletes with Promise.all and
// reports only the first refusal, while the others are deleted (or not) unseen.
import { NotFoundError, ValidationError, type ActionContext, type ActionHandler, type BaseRecord } from 'adminjs'

/** How a record is named in the notice: its title and id. */
const named = (record: BaseRecord) => {
  const title = String(record.title() ?? '')
  return title && title !== String(record.id()) ? `${title} (${record.id()})` : String(record.id())
}

const reasonOf = (error: unknown) => (error instanceof ValidationError ? error.baseError?.message : undefined) ?? (error as Error)?.message ?? String(error)

export interface BulkOptions {
  /** What the notice says of the records it was done to: `Deleted`, `Mark Approved`. */
  done: string
  /** What it says when every record was refused. */
  nothing?: string
  run: (record: BaseRecord, context: ActionContext) => Promise<unknown>
}

/** One record at a time, through the service; the notice lists the records done and the refused ones with each reason. */
export function bulkHandler({ done, nothing = 'Nothing was done.', run }: BulkOptions): ActionHandler<any> {
  return async (request, _response, context) => {
    const { records, resource, h, currentAdmin } = context
    if (!records?.length) throw new NotFoundError('no records were selected.', 'Action#handler')
    if (request.method === 'get') return { records: records.map((record) => record.toJSON(currentAdmin)) }

    const succeeded: BaseRecord[] = []
    const refused: Array<{ record: BaseRecord; reason: string }> = []
    for (const record of records) {
      try {
        await run(record, context)
        succeeded.push(record)
      } catch (error) {
        refused.push({ record, reason: reasonOf(error) })
      }
    }
    const parts = [
      succeeded.length ? `${done} ${succeeded.length}: ${succeeded.map(named).join(', ')}.` : nothing,
      refused.length ? `Refused ${refused.length}: ${refused.map(({ record, reason }) => `${named(record)}: ${reason}`).join('; ')}.` : ''
    ]
    return {
      records: records.map((record) => record.toJSON(currentAdmin)),
      notice: { message: parts.filter(Boolean).join(' '), type: refused.length ? 'error' : 'success' },
      // The list is shown again either way.
      redirectUrl: h.resourceUrl({ resourceId: resource._decorated?.id() || resource.id() })
    }
  }
}

export const bulkDeleteHandler = bulkHandler({ done: 'Deleted', nothing: 'Nothing was deleted.', run: (record, context) => context.resource.delete(record.id(), context) })
