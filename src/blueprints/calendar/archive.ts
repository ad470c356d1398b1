// Seed 002 "Archival": events that ended more than two years ago move to `events-archive` once a day (a declared
// schedule): out of the main queries, still readable by their owner.
import { DateTime, Type, defineCollection } from '../../schemas/fields.js'
import type { ScheduleInput } from '../../schemas/types.js'
import { events } from './events.js'
import { timestamps } from './fields.js'

const YEARS_KEPT = 2

export const eventsArchive = defineCollection({
  name: 'events-archive',
  label: 'Archived events',
  description: 'Not in the seed as a collection (its "Archival" note): events that ended more than two years ago, as they were, read-only.',
  schema: Type.Object({
    ...events.schema.properties,
    // The master of an archived instance may still be live, or archived itself: an id, not a checked reference.
    recurrence_master_id: Type.Optional(Type.String({ maxLength: 64, description: 'The master event (live or archived)' })),
    // The event's own stamps, kept as they were; the archive's time of arrival beside them.
    [timestamps.createdAt]: DateTime(),
    [timestamps.updatedAt]: DateTime(),
    archived_at: DateTime(),
    // The id the event had in `events` (an archived record gets its own).
    event_id: Type.String({ minLength: 1, maxLength: 64 })
  }),
  timestamps: false,
  indexes: [{ fields: { event_id: 1 }, unique: true }, { fields: { user_id: 1, start_time: 1 } }, { fields: { calendar_id: 1 } }, { fields: { end_time: 1 } }],
  admin: { titleField: 'title', listFields: ['title', 'start_time', 'end_time', 'user_id', 'archived_at'], group: 'Calendar' }
})

export const archiveOldEvents: ScheduleInput = {
  name: 'archive-old-events',
  description: `Every day, events that ended more than ${YEARS_KEPT} years ago move to events-archive (a master only once none of its instances is left).`,
  cron: '30 3 * * *',
  async run({ app, params, progress }) {
    const live = app.service('events')
    const archive = app.service('events-archive')
    const cutoff = new Date()
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - YEARS_KEPT)
    const due = { end_time: { $lt: cutoff.toISOString() }, $sort: { _id: 1 }, $limit: 100 }
    const kept: string[] = []
    let moved = 0
    // Each event moved leaves the query, so the next page is the first one again; a master with live instances is kept.
    for (;;) {
      const page = (await live.find({ ...params, paginate: false, query: kept.length ? { ...due, _id: { $nin: kept } } : due })) as any[]
      if (!page.length) break
      for (const event of page) {
        const instances = event.is_recurring ? ((await live.find({ ...params, paginate: false, query: { recurrence_master_id: event._id, $limit: 1, $select: ['_id'] } })) as any[]) : []
        if (instances.length) {
          kept.push(event._id)
          continue
        }
        // One move: stored in the archive and gone from events together (one transaction on the embedded store).
        await app.store.transaction(async () => {
          const { _id, ...fields } = event
          await archive.create({ ...fields, event_id: _id, archived_at: new Date().toISOString() }, params)
          await live.remove(event._id, params)
        })
        moved++
      }
      await progress(Math.min(99, moved))
    }
    await progress(100)
    return { moved, kept: kept.length }
  }
}
