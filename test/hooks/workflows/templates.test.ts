// Templates in workflow declarations: typed whole-string placeholders, text interpolation, and queries that never widen.
import assert from 'node:assert/strict'
import { fill, fillQuery } from '../../../src/hooks/workflows/templates.js'

describe('workflow templates', () => {
  const scope = { user: { _id: 'u1', tags: ['a'] }, record: { total: 12.5, flatId: 'f1' }, now: '2025-01-01T00:00:00.000Z' }

  it('keeps the type of a whole-string placeholder', () => {
    assert.deepEqual(fill({ by: '{{user._id}}', total: '{{record.total}}', tags: '{{ user.tags }}', fixed: 3 }, scope), { by: 'u1', total: 12.5, tags: ['a'], fixed: 3 })
  })

  it('interpolates placeholders inside text, missing ones as empty text', () => {
    assert.deepEqual(fill({ text: 'Flat {{record.flatId}} owes {{record.total}}{{record.nothing}}' }, scope), { text: 'Flat f1 owes 12.5' })
  })

  it('leaves out fields whose placeholder has no value', () => {
    assert.deepEqual(fill({ a: '{{record.missing}}', b: ['{{record.missing}}', 'x'], c: { d: '{{now}}' } }, scope), { b: ['x'], c: { d: '2025-01-01T00:00:00.000Z' } })
  })

  it('gives no query at all when a placeholder has no value, rather than a wider one', () => {
    assert.deepEqual(fillQuery({ flatId: '{{record.flatId}}', status: 'Active' }, scope), { flatId: 'f1', status: 'Active' })
    assert.equal(fillQuery({ flatId: '{{record.flatId}}', userId: '{{user.nothing}}' }, scope), undefined)
    assert.equal(fillQuery({ $or: [{ a: '{{record.none}}' }] }, scope), undefined)
  })
})
