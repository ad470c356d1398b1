// The client's declarations follow the collection declarations: a schema change is a type change.
import assert from 'node:assert/strict'
import { clientDeclarations } from '../../src/client/declarations.js'
import { singular, typeNames } from '../../src/client/names.js'
import { DateTime, Enum, Password, Ref, Type, defineCollection } from '../../src/schemas/fields.js'
import { COMPARISON_OPERATORS, LIST_OPERATORS } from '../../src/schemas/query.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint, sanitizeCollection } from '../../src/schemas/sanitize.js'
import type { BlueprintInput, CollectionInput } from '../../src/schemas/types.js'

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ email: Type.String({ format: 'email' }), password: Password(), RoleId: Ref('roles') }),
  auth: { roleField: 'RoleId' }
})

function blueprintWith(...collections: CollectionInput<any>[]): BlueprintInput {
  return { name: 'probe', version: '0.0.1', description: '', collections: [...rbacCollections, users, ...collections], roles: [{ RoleName: 'Admin', permissions: [] }], permissions: [], adminRole: 'Admin' }
}

const declarationsOf = (...collections: CollectionInput<any>[]) => clientDeclarations(sanitizeBlueprint(blueprintWith(...collections)))

/** The body of `export interface <name> … { … }` in the declarations, whitespace collapsed. */
function interfaceBody(declarations: string, name: string): string {
  const match = new RegExp(`export interface ${name}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\}\\n`).exec(declarations)
  assert.ok(match, `interface ${name} not found`)
  return match[1].replace(/\s+/g, ' ').trim()
}

describe('the client declarations', () => {
  it('change when a field type changes', () => {
    const before = declarationsOf(defineCollection({ name: 'tickets', schema: Type.Object({ Seats: Type.Integer() }) }))
    const after = declarationsOf(defineCollection({ name: 'tickets', schema: Type.Object({ Seats: Type.String() }) }))
    assert.match(interfaceBody(before, 'Ticket'), /Seats: number/)
    assert.match(interfaceBody(after, 'Ticket'), /Seats: string/)
    assert.match(interfaceBody(before, 'TicketQueryFields'), /Seats\?: FieldQuery<number>/)
    assert.match(interfaceBody(after, 'TicketQueryFields'), /Seats\?: TextQuery<string>/, 'free text takes $icontains')
  })

  it('change when a field is added, becomes optional, or an enum gains a value', () => {
    const base = declarationsOf(defineCollection({ name: 'tickets', schema: Type.Object({ Kind: Enum(['a', 'b']) }) }))
    const changed = declarationsOf(defineCollection({ name: 'tickets', schema: Type.Object({ Kind: Type.Optional(Enum(['a', 'b', 'c'])), Note: Type.String() }) }))
    assert.equal(interfaceBody(base, 'TicketData'), 'Kind: "a" | "b"')
    assert.equal(interfaceBody(changed, 'TicketData'), 'Kind?: "a" | "b" | "c" Note: string')
  })

  it('keep secret fields out of results and queries, and in what is sent', () => {
    const declarations = declarationsOf()
    assert.doesNotMatch(interfaceBody(declarations, 'User'), /password/)
    assert.doesNotMatch(interfaceBody(declarations, 'UserQueryFields'), /password/)
    assert.match(interfaceBody(declarations, 'UserData'), /password: string/)
    assert.match(interfaceBody(declarations, 'UserPatch'), /password\?: string/)
  })

  it('type every operator the engine accepts in a query', () => {
    const declarations = declarationsOf()
    const fieldQuery = /export type FieldQuery<T> = ([\s\S]*?)\n\n/.exec(declarations)![1]
    for (const operator of COMPARISON_OPERATORS) assert.match(fieldQuery, new RegExp(`\\${operator}\\?: T\\n`))
    for (const operator of LIST_OPERATORS) assert.match(fieldQuery, new RegExp(`\\${operator}\\?: T\\[\\]`))
    assert.doesNotMatch(fieldQuery, /\$icontains/)
    const textQuery = /export type TextQuery<T> = ([\s\S]*?)\n\n/.exec(declarations)![1]
    assert.match(textQuery, /\$icontains\?: string/)
  })

  it('let a patch remove an optional field with null, never a required one', () => {
    const declarations = declarationsOf(defineCollection({ name: 'tickets', schema: Type.Object({ Seats: Type.Integer(), Note: Type.Optional(Type.String()) }) }))
    assert.match(interfaceBody(declarations, 'TicketPatch'), /Seats\?: number\b(?! \| null)/)
    assert.match(interfaceBody(declarations, 'TicketPatch'), /Note\?: string \| null/)
  })

  it("leave the engine's fields out of what is sent; a patch may send those inside items back as read", () => {
    const answer = Type.Object({ Who: Type.String(), Said: Type.Optional(Type.String({ readOnly: true })) })
    const declarations = declarationsOf(defineCollection({ name: 'tickets', schema: Type.Object({ Seats: Type.Integer(), Count: Type.Optional(Type.Integer({ readOnly: true })), Answers: Type.Array(answer) }) }))
    // Before: an optional read-only field (`null` removes it, so wrapped in anyOf) was offered to patches, which the service refuses.
    assert.doesNotMatch(interfaceBody(declarations, 'TicketPatch'), /Count/)
    assert.doesNotMatch(interfaceBody(declarations, 'TicketData'), /Count|Said/)
    assert.match(interfaceBody(declarations, 'TicketPatch'), /Answers\?: \{[^}]*Who: string[^}]*Said\?: string[^}]*\}\[\]/)
    assert.match(declarations, /Sent back only as it was read: a changed value is refused \(400\)/)
  })

  it('type declared actions and custom events', () => {
    const declarations = declarationsOf(
      defineCollection({
        name: 'tickets',
        schema: Type.Object({ Seats: Type.Integer() }),
        events: ['sold-out'],
        actions: { refund: { data: Type.Object({ Reason: Type.String() }), description: 'Gives the money back', run: async ({ record }) => record } }
      })
    )
    assert.equal(interfaceBody(declarations, 'TicketRefundData'), '/** Id of the record the action applies to */ id: string Reason: string')
    assert.match(interfaceBody(declarations, 'TicketService'), /refund\(data: TicketRefundData, params\?: Params<TicketQuery>\): Promise<Ticket>/)
    assert.match(interfaceBody(declarations, 'TicketEvents'), /"sold-out": unknown/)
  })

  it('type a signal: what is sent, the event the others receive, and its one create', () => {
    const declarations = declarationsOf(
      defineCollection({ name: 'tickets', schema: Type.Object({ Seats: Type.Integer() }), signals: { viewing: { data: Type.Object({ seat: Type.Optional(Type.Integer()) }) } } })
    )
    assert.match(interfaceBody(declarations, 'TicketViewingSignalData'), /^\/\*\* Id of the record of tickets the signal is about \*\/ id: string seat\?: number$/)
    assert.match(interfaceBody(declarations, 'TicketViewingSignal'), /id: string seat\?: number \/\*\* Id of the sender \*\/ from: string$/)
    assert.equal(interfaceBody(declarations, 'TicketViewingSignalService'), 'create(data: TicketViewingSignalData, params?: Params): Promise<TicketViewingSignal>')
    assert.match(interfaceBody(declarations, 'TicketEvents'), /viewing: TicketViewingSignal/)
    assert.match(interfaceBody(declarations, 'ServiceTypes'), /"tickets\/viewing": TicketViewingSignalService/)
  })

  it('type a public lookup: its answer (declared fields, a referenced one too, and expired) and its one get', () => {
    const declarations = declarationsOf(
      defineCollection({
        name: 'tickets',
        schema: Type.Object({ Code: Type.String(), Seats: Type.Integer(), Note: Type.Optional(Type.String()), Owner: Ref('users'), Until: Type.Optional(DateTime()) }),
        indexes: [{ fields: { Code: 1 }, unique: true }],
        publicLookup: { by: 'Code', fields: { seats: 'Seats', note: 'Note', owner: 'Owner.email' }, expires: 'Until' }
      })
    )
    const answer = interfaceBody(declarations, 'TicketLookup')
    for (const field of [/^seats: number note\?: string /, / owner: string /, /expired: boolean$/]) assert.match(answer, field)
    assert.doesNotMatch(answer, /Code\??:|Until\??:/, 'only the declared fields')
    assert.equal(interfaceBody(declarations, 'TicketLookupService'), 'get(Code: string, params?: Params): Promise<TicketLookup>')
    assert.match(interfaceBody(declarations, 'ServiceTypes'), /"tickets\/verify": TicketLookupService/)
  })
})

describe('type names', () => {
  it('singularize the last word of a collection name', () => {
    assert.deepEqual(['appointments', 'amenities', 'addresses', 'boxes', 'status', 'staff'].map(singular), ['appointment', 'amenity', 'address', 'box', 'status', 'staff'])
  })

  it('never collide, nor shadow the names the declarations use', () => {
    const names = typeNames(['user', 'users', 'records', 'params'].map((name) => sanitizeCollection({ name, schema: Type.Object({ a: Type.String() }) })))
    assert.deepEqual([...names.values()].map((n) => n.result), ['User', 'Users', 'Records', 'Param'])
  })
})
