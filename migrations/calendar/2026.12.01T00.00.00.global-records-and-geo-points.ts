// Records brought over from the seed application's MongoDB (seed 002, "Migration Notes") hold two shapes the
// blueprint declares differently: global categories and locations carry `user_id: null` (declared: no user_id),
// and locations carry only the legacy `coordinates: { latitude, longitude }`, without the GeoJSON `point` that the
// 2dsphere index reads (MongoDB would take the legacy pair's first field, the latitude, as the longitude).
import type { MigrationContext } from '../../src/services/migrations.js'

const BATCH = 500
type Rec = Record<string, any>

/** Rewrites every record of `name` that `change` returns a new shape for, through the adapter (no hooks, no validation of the old shape). */
async function rewrite({ app, log }: MigrationContext, name: string, change: (record: Rec) => Rec | undefined) {
  const service = app.service(name) as any
  let changed = 0
  for (let skip = 0; ; skip += BATCH) {
    const batch = (await service._find({ paginate: false, query: { $sort: { _id: 1 }, $skip: skip, $limit: BATCH } })) as Rec[]
    for (const record of batch) {
      const next = change(record)
      if (!next) continue
      const { _id, ...rest } = next
      await service._update(_id, rest)
      changed++
    }
    if (batch.length < BATCH) break
  }
  log(`${name}: ${changed} rewritten`)
}

const withoutNullOwner = ({ user_id, ...rest }: Rec) => (user_id === null ? rest : undefined)

export async function up(context: MigrationContext) {
  await rewrite(context, 'categories', withoutNullOwner)
  await rewrite(context, 'locations', (record) => {
    const { user_id, ...rest } = record
    const at = record.coordinates
    const point = at && !record.point ? { type: 'Point', coordinates: [at.longitude, at.latitude] } : undefined
    if (user_id !== null && !point) return undefined
    return { ...(user_id === null ? rest : record), ...(point && { point }) }
  })
}

/** Back to the seed's shape: globals with `user_id: null`, locations without `point`. */
export async function down(context: MigrationContext) {
  const seedShape = (record: Rec, dropPoint: boolean) => {
    const { point, ...rest } = record
    if ('user_id' in record && !(dropPoint && point)) return undefined
    return { ...(dropPoint ? rest : record), ...(!('user_id' in record) && { user_id: null }) }
  }
  await rewrite(context, 'categories', (record) => seedShape(record, false))
  await rewrite(context, 'locations', (record) => seedShape(record, true))
}
