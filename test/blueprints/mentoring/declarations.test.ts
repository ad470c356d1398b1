// Every table, column and enumeration of seed 004 (kept in seed-fields.json) is declared by the mentoring blueprint, and its unique constraints hold.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { loadBlueprint } from '../../../src/blueprints/index.js'
import type { Collection } from '../../../src/schemas/types.js'
import { mentoringWorld, type World } from './world.js'
import { serverStore } from '../../helpers.js'
import { EMULATOR_GAPS, itUnlessEmulator } from '../../services/adapters/mongo-target.js'

const seed = JSON.parse(readFileSync(new URL('./seed-fields.json', import.meta.url), 'utf8')) as {
  tables: Record<string, Record<string, string>>
  enumerations: Record<string, string[]>
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** Integer columns that reference users without saying "Foreign key". */
const USER_REFS = ['proposedBy', 'adminId']

/** Where each enumeration of the seed's Enumerations section lives. */
const ENUM_FIELDS: Record<string, string> = {
  'User Roles': 'users.role',
  'Session Status': 'sessions.status',
  'Onboarding Status': 'profiles.onboardingStatus',
  'Connection Status': 'user-connections.status',
  'Proxy Request Status': 'proxy-requests.status',
  'Resource Types': 'resources.type'
}

const TYPE_CHECKS: Record<string, (s: any) => boolean> = {
  text: (s) => s?.type === 'string',
  integer: (s) => s?.type === 'integer',
  boolean: (s) => s?.type === 'boolean',
  timestamp: (s) => s?.type === 'string' && s.format === 'date-time',
  json: (s) => s?.type === 'array' || s?.type === 'object'
}

describe('the mentoring blueprint declares seed 004', () => {
  let collections: Map<string, Collection>
  before(async () => {
    const blueprint = await loadBlueprint('mentoring')
    collections = new Map(blueprint.collections.map((c) => [c.name, c]))
  })

  it('has a service for each of the seed’s 21 tables', () => {
    assert.equal(Object.keys(seed.tables).length, 21)
    for (const name of Object.keys(seed.tables)) assert.ok(collections.has(kebab(name)), `missing collection ${kebab(name)} (seed ${name})`)
  })

  for (const [table, columns] of Object.entries(seed.tables)) {
    describe(`${table} → ${kebab(table)}`, () => {
      for (const [column, spec] of Object.entries(columns)) {
        const [type, description] = spec.split(' // ')
        it(`declares ${column} (${type})`, () => {
          const collection = collections.get(kebab(table))!
          if (column === 'id') return assert.equal(type, 'serial', 'the record id stands for the serial key')
          const stamps = [collection.timestamps.createdAt, collection.timestamps.updatedAt]
          if (stamps.includes(column)) return assert.equal(type, 'timestamp')
          const declared = collection.schema.properties[column]
          assert.ok(declared, `${kebab(table)} does not declare ${column}`)
          if (declared['x-secret'] === 'hash') return assert.equal(type, 'text', `${column} is a hashed text`)
          // An integer foreign key becomes a reference (the engine's ids are strings).
          const target = /Foreign key to (\w+)\.id/.exec(description)?.[1] ?? (USER_REFS.includes(column) ? 'users' : undefined)
          if (target) return assert.equal(declared['x-ref']?.collection, kebab(target), `${column} should be a Ref('${kebab(target)}')`)
          assert.ok(TYPE_CHECKS[type](declared), `${column}: seed type ${type}, declared ${JSON.stringify({ type: declared.type, format: declared.format })}`)
          // "Status (pending, in_progress, completed)": the listed values are the enum, with the first as default.
          const listed = /^(?:Status|User role) \(([a-z_, ]+)\)$/.exec(description)?.[1]
          if (listed) assert.deepEqual(declared.enum, listed.split(', '), `${column} should be an Enum of ${listed}`)
          if (column === 'status' || column === 'onboardingStatus') assert.ok(declared.default, `${column} has a default`)
        })
      }
    })
  }

  for (const [name, values] of Object.entries(seed.enumerations)) {
    it(`declares the ${name} enumeration as ${ENUM_FIELDS[name]}`, () => {
      const [path, field] = ENUM_FIELDS[name].split('.')
      assert.deepEqual(collections.get(path)!.schema.properties[field].enum, values)
    })
  }

  it('declares the seed’s unique constraints as unique indexes', () => {
    const unique = (path: string, fields: string[]) =>
      assert.ok(
        collections.get(path)!.indexes.some((index) => index.unique && JSON.stringify(Object.keys(index.fields)) === JSON.stringify(fields)),
        `${path} has no unique index on ${fields.join(', ')}`
      )
    unique('users', ['username'])
    unique('users', ['email'])
    unique('profiles', ['userId'])
    unique('user-connections', ['pair'])
    unique('group-memberships', ['userId', 'groupId'])
    unique('feedback', ['sessionId', 'fromUserId'])
  })
})

describe('mentoring unique constraints, over REST', () => {
  let world: World
  before(async () => {
    world = await mentoringWorld()
  })

  itUnlessEmulator('refuses a second user with the same username or e-mail (409)', EMULATOR_GAPS.unique, async () => {
    const admin = await world.as('admin')
    const base = { fullName: 'Twin', role: 'mentee', password: 'long-enough-1' }
    assert.equal((await admin.post('/users', { ...base, username: 'maya', email: 'other.maya@example.com' })).status, 409)
    assert.equal((await admin.post('/users', { ...base, username: 'maya2', email: 'maya@example.com' })).status, 409)
  }, serverStore === 'emulator')

  itUnlessEmulator('refuses a second profile for a user (409)', EMULATOR_GAPS.unique, async () => {
    const maya = await world.as('maya')
    const response = await maya.post('/profiles', { userId: maya.user._id, bio: 'again' })
    assert.equal(response.status, 409, JSON.stringify(response.body))
  }, serverStore === 'emulator')

  itUnlessEmulator('refuses a second connection between two users, in either direction (409)', EMULATOR_GAPS.unique, async () => {
    const noah = await world.as('noah')
    const again = await noah.post('/user-connections', { requesterId: noah.user._id, receiverId: await world.id('maya'), status: 'pending' })
    assert.equal(again.status, 409, 'maya asked noah already; noah asking maya is the same pair')
    const sam = await world.as('sam')
    const first = await sam.post('/user-connections', { requesterId: sam.user._id, receiverId: await world.id('olivia'), status: 'pending' })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal((await sam.post('/user-connections', { requesterId: sam.user._id, receiverId: await world.id('olivia'), status: 'pending' })).status, 409)
  }, serverStore === 'emulator')

  itUnlessEmulator('refuses a second membership of a user in a group (409)', EMULATOR_GAPS.unique, async () => {
    const nina = await world.as('nina')
    const [group] = await world.find('support-groups')
    assert.equal((await nina.post('/group-memberships', { userId: nina.user._id, groupId: group._id })).status, 409)
  }, serverStore === 'emulator')

  itUnlessEmulator('refuses a second feedback by a participant on a session (409)', EMULATOR_GAPS.unique, async () => {
    const maya = await world.as('maya')
    const [session] = await world.find('sessions', { status: 'completed', menteeId: maya.user._id })
    assert.equal((await maya.post('/feedback', { sessionId: session._id, fromUserId: maya.user._id, rating: 3 })).status, 409)
  }, serverStore === 'emulator')
})
