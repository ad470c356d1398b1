// Workflow declarations are checked when a blueprint loads: a mistake is a DeclarationError naming it, not a runtime surprise.
import assert from 'node:assert/strict'
import { DeclarationError, sanitizeBlueprint } from '../../../src/schemas/sanitize.js'
import type { BlueprintInput, CollectionInput } from '../../../src/schemas/types.js'
import { workshop } from './fixture.js'

/** The workshop blueprint with one collection's declaration changed. */
function variant(name: string, change: (collection: CollectionInput) => CollectionInput): BlueprintInput {
  return { ...workshop, collections: workshop.collections.map((c) => (c.name === name ? change(c) : c)) }
}
const refuses = (blueprint: BlueprintInput, message: RegExp) => assert.throws(() => sanitizeBlueprint(blueprint), (error: any) => error instanceof DeclarationError && message.test(error.message))

describe('workflow declarations', () => {
  it('accepts the workshop blueprint and derives what the engine needs', () => {
    const blueprint = sanitizeBlueprint(workshop)
    const reservations = blueprint.collections.find((c) => c.name === 'reservations')!
    assert.deepEqual(reservations.stateMachines![0].initial, ['Asked'], 'the schema default is the initial state')
    assert.ok(!reservations.dataSchema.required.includes('number'), 'callers need not send generated fields')
    assert.ok(!reservations.dataSchema.required.includes('fee'), 'nor looked-up ones')
    assert.ok(!reservations.dataSchema.properties.guests.items.required.includes('badge'), 'nor generated fields of array items')
    assert.ok(reservations.schema.required.includes('number'), 'the stored record still has them')
    const contacts = blueprint.collections.find((c) => c.name === 'contacts')!
    assert.deepEqual(contacts.masks, [
      { path: 'phone', keepStart: 3, keepEnd: 1, char: '#' },
      { path: 'others.phone', keepStart: 2, keepEnd: 2, char: '*' }
    ])
  })

  it('names an unknown state, role or field of a state machine', () => {
    refuses(variant('reservations', (c) => ({ ...c, stateMachines: { state: { transitions: [{ from: 'Asked', to: 'Done' }] } } })), /"Done" is not one of Asked, Accepted/)
    refuses(variant('reservations', (c) => ({ ...c, stateMachines: { state: { transitions: [{ from: 'Asked', to: 'Accepted', roles: ['Chief'] }] } } })), /unknown role "Chief"/)
    refuses(variant('reservations', (c) => ({ ...c, stateMachines: { code: { transitions: [{ from: 'a', to: 'b' }] } } })), /must be a top-level Enum\(\) field/)
    refuses(variant('reservations', (c) => ({ ...c, stateMachines: { state: { transitions: [{ from: 'Asked', to: 'Accepted' }], stamps: { Accepted: { nowhere: '{{now}}' } } } } })), /unknown field "nowhere"/)
  })

  it('names unknown collections of triggers, lookups and rollups', () => {
    refuses(variant('reservations', (c) => ({ ...c, triggers: [{ on: ['create'], create: 'letters', data: {} }] })), /trigger names unknown collection "letters"/)
    refuses(variant('reservations', (c) => ({ ...c, lookups: [{ field: 'roomId', collection: 'halls', query: {} }] })), /lookup names unknown collection "halls"/)
    refuses(variant('invoices', (c) => ({ ...c, rollups: [{ from: 'payments', via: 'amount', set: { paid: { sum: 'amount' } } }] })), /"payments.amount" must be a single Ref\('invoices'\)/)
    refuses(variant('reservations', (c) => ({ ...c, triggers: [{ on: ['find' as any], create: 'messages', data: {} }] })), /`on` must list create, update, patch or remove/)
  })

  it('names bad generated values, overlaps, sameAs fields and masks', () => {
    refuses(variant('reservations', (c) => ({ ...c, generate: { nowhere: { kind: 'id' } } })), /generate names unknown field "nowhere"/)
    refuses(variant('reservations', (c) => ({ ...c, generate: { code: { kind: 'value' } } })), /needs a `value` template/)
    refuses(variant('reservations', (c) => ({ ...c, noOverlap: [{ start: 'code', end: 'end', scope: ['roomId'] }] })), /"code" must be a DateTime\(\) field/)
    refuses(variant('payments', (c) => ({ ...c, schema: { ...c.schema, properties: { ...c.schema.properties, invoiceId: { ...c.schema.properties.invoiceId, 'x-ref': { collection: 'invoices', onDelete: 'restrict', check: true, sameAs: ['flatId'] } } } } as any })), /sameAs field "flatId"/)
    refuses(variant('rooms', (c) => ({ ...c, schema: { ...c.schema, properties: { ...c.schema.properties, fee: { ...c.schema.properties.fee, 'x-mask': {} } } } as any })), /masked field "fee" must be a string/)
  })
})
