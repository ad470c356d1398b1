// Abilities turned into store queries: the caller's query AND what the ability allows, flat where the store can index it.
import assert from 'node:assert/strict'
import { createMongoAbility } from '@casl/ability'
import { accessibleQuery, foundReadWhole, readMask, restrictQuery } from '../../src/permissions/access.js'

const ability = (rules: any[]) => createMongoAbility(rules)

describe('permissions as queries', () => {
  it('allows everything with an unconditioned rule, nothing without a rule', () => {
    assert.deepEqual(accessibleQuery(ability([{ action: 'read', subject: 'notes' }]), 'read', 'notes'), {})
    assert.equal(accessibleQuery(ability([{ action: 'read', subject: 'other' }]), 'read', 'notes'), null)
  })

  it('puts a single condition at the top level, next to the caller’s own fields, so indexes apply', () => {
    const allowed = accessibleQuery(ability([{ action: 'read', subject: 'notes', conditions: { owner: 'u1' } }]), 'read', 'notes')!
    assert.deepEqual(restrictQuery({ status: 'open', $limit: 5 }, allowed), { $limit: 5, status: 'open', owner: 'u1' })
  })

  it('keeps both when the caller asks for the same field, so the caller cannot widen the rule', () => {
    const allowed = accessibleQuery(ability([{ action: 'read', subject: 'notes', conditions: { owner: 'u1' } }]), 'read', 'notes')!
    assert.deepEqual(restrictQuery({ owner: 'u2' }, allowed), { owner: 'u2', $and: [{ owner: 'u1' }] })
    assert.deepEqual(restrictQuery({ $or: [{ owner: 'u2' }, { shared: true }] }, allowed), { owner: 'u1', $and: [{ $or: [{ owner: 'u2' }, { shared: true }] }] })
  })

  it('keeps several rules as an $or and cannot-rules as a $nor', () => {
    const allowed = accessibleQuery(
      ability([
        { action: 'read', subject: 'notes', conditions: { owner: 'u1' } },
        { action: 'read', subject: 'notes', conditions: { shared: true } },
        { action: 'read', subject: 'notes', conditions: { archived: true }, inverted: true }
      ]),
      'read',
      'notes'
    )!
    const query = restrictQuery({}, allowed)
    assert.deepEqual(query.$and, [{ $nor: [{ archived: true }] }, { $or: [{ shared: true }, { owner: 'u1' }] }])
  })

  describe('records found whole (no mask could change one)', () => {
    // As the embedded store answers for plain string paths (`SqliteService#findsOnlyEqual`).
    const plainStrings = (path: string, value: unknown) => typeof value === 'string' && !['tags', '_id'].includes(path)
    const whole = (rules: any[]) => foundReadWhole(ability(rules), 'notes', plainStrings)

    it('for a rule without conditions, or rules on equalities the store proves', () => {
      assert.equal(whole([{ action: 'manage', subject: 'all' }]), true)
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: { owner: 'u1' } }]), true)
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: { owner: 'u1' } }, { action: 'read', subject: 'notes', conditions: { shared: 'yes', team: 't' } }]), true)
      // readMask indeed gives back a record such a find returns, whole.
      const record = { _id: 'n1', owner: 'u1', title: 'x' }
      assert.equal(readMask(ability([{ action: 'read', subject: 'notes', conditions: { owner: 'u1' } }]), 'notes', ['owner', 'title'])(record), record)
    })

    it('not for field rules, inverted rules, operators, other values or paths, or no rule at all', () => {
      assert.equal(whole([{ action: 'read', subject: 'notes', fields: ['title'] }]), false)
      assert.equal(whole([{ action: 'read', subject: 'notes' }, { action: 'read', subject: 'notes', conditions: { owner: 'u1' }, inverted: true }]), false)
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: { owner: { $in: ['u1'] } } }]), false)
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: { rank: 1 } }]), false)
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: { tags: 'a' } }]), false)
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: { _id: 'n1' } }]), false)
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: {} }]), false)
      assert.equal(whole([{ action: 'read', subject: 'other' }]), false)
      // A later rule (CASL: a stronger one) without conditions decides alone.
      assert.equal(whole([{ action: 'read', subject: 'notes', conditions: { tags: 'a' } }, { action: 'read', subject: 'notes' }]), true)
    })
  })
})
