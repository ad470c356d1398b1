// Permission records → CASL rules: the caller's values in place of `{{user.x}}`, list operators included.
import assert from 'node:assert/strict'
import { createMongoAbility, subject } from '@casl/ability'
import { interpolate, UNSET } from '../../src/permissions/rules.js'

describe('permission placeholders', () => {
  const rule = { projectId: { $in: '{{user.projects}}' }, ownerId: '{{user._id}}' }

  it('puts the caller’s list in a list operator, and their id as it is', () => {
    assert.deepEqual(interpolate(rule, { _id: 'u1', projects: ['p1', 'p2'] }), { projectId: { $in: ['p1', 'p2'] }, ownerId: 'u1' })
  })

  it('makes a missing list a list no record matches, so the rule grants nothing instead of throwing', () => {
    const conditions = interpolate(rule, { _id: 'u1' }) as Record<string, any>
    assert.deepEqual(conditions.projectId, { $in: [UNSET] })
    const ability = createMongoAbility([{ action: 'read', subject: 'tasks', conditions }])
    assert.equal(ability.can('read', subject('tasks', { projectId: 'p1', ownerId: 'u1' })), false)
  })

  it('wraps a single value given to a list operator', () => {
    assert.deepEqual(interpolate({ teamId: { $nin: '{{user.teamId}}' } }, { teamId: 't1' }), { teamId: { $nin: ['t1'] } })
  })
})
