// Seed 000 spells the appointments' creation time `CraeatedAt`; the blueprint declares `CreatedAt`. Appointments
// stored with the seed's spelling (imported from the seed application's database) get the declared name.
import type { MigrationContext } from '../../src/services/migrations.js'

const BATCH = 500

/** Renames `from` to `to` on every appointment that has `from`, through the adapter (no hooks: no validation of the old shape). */
async function rename({ app, log }: MigrationContext, from: string, to: string) {
  const appointments = app.service('appointments') as any
  let renamed = 0
  for (;;) {
    const batch = (await appointments._find({ paginate: false, query: { [from]: { $exists: true }, $limit: BATCH } })) as Record<string, any>[]
    if (!batch.length) break
    for (const { _id, [from]: value, ...rest } of batch) {
      // No time (null) is no field; a value that is no time stops the run naming its record (those before it are done).
      const time = value === null || value === undefined ? undefined : new Date(value)
      if (time && Number.isNaN(time.getTime())) throw new Error(`appointment ${_id}: ${from} ${JSON.stringify(value)} is not a date; correct it and migrate again`)
      await appointments._update(_id, { ...rest, ...(rest[to] === undefined && time ? { [to]: time.toISOString() } : {}) })
    }
    renamed += batch.length
  }
  log(`appointments: ${renamed} renamed from ${from} to ${to}`)
}

export const up = (context: MigrationContext) => rename(context, 'CraeatedAt', 'CreatedAt')
export const down = (context: MigrationContext) => rename(context, 'CreatedAt', 'CraeatedAt')
