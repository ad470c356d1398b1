// The dashboard's periods and instants (src/admin/charts.ts): UTC, weeks from Monday, months by the calendar.
import assert from 'node:assert/strict'
import { periodStart, resolveInstants } from '../../src/admin/charts.js'

describe('dashboard chart periods', () => {
  const wednesday = new Date('2026-12-02T15:30:00.000Z')
  it('starts days at UTC midnight, weeks on Monday, months on the first', () => {
    assert.equal(periodStart(wednesday, 'day', 0).toISOString(), '2026-12-02T00:00:00.000Z')
    assert.equal(periodStart(wednesday, 'day', -3).toISOString(), '2026-11-29T00:00:00.000Z')
    assert.equal(periodStart(wednesday, 'week', 0).toISOString(), '2026-11-30T00:00:00.000Z')
    assert.equal(periodStart(new Date('2026-12-06T23:59:00.000Z'), 'week', 0).toISOString(), '2026-11-30T00:00:00.000Z', 'a Sunday is in the week begun Monday')
    assert.equal(periodStart(wednesday, 'week', 1).toISOString(), '2026-12-07T00:00:00.000Z')
    assert.equal(periodStart(wednesday, 'month', 1).toISOString(), '2027-01-01T00:00:00.000Z')
    assert.equal(periodStart(wednesday, 'month', -12).toISOString(), '2025-12-01T00:00:00.000Z')
  })
  it('puts instants for {{now}}, {{today}} and {{tomorrow}} at any depth of a query', () => {
    assert.deepEqual(resolveInstants({ at: { $gte: '{{today}}', $lt: '{{tomorrow}}' }, $or: [{ seen: { $lte: '{{now}}' } }], name: '{{user.x}}' }, wednesday), {
      at: { $gte: '2026-12-02T00:00:00.000Z', $lt: '2026-12-03T00:00:00.000Z' },
      $or: [{ seen: { $lte: '2026-12-02T15:30:00.000Z' } }],
      name: '{{user.x}}'
    })
  })
})
