// The JSON Schema → TypeScript emitter, on the shapes TypeBox declarations produce.
import assert from 'node:assert/strict'
import { Type } from '@sinclair/typebox'
import { declareType, typeOf } from '../../src/client/typescript.js'
import { Enum, Password } from '../../src/schemas/fields.js'

const output = { direction: 'output' as const }
const input = { direction: 'input' as const }
const flat = (type: string) => type.replace(/\s+/g, ' ')

describe('the TypeScript emitter', () => {
  it('types scalars, enums, constants and nullable fields', () => {
    assert.equal(typeOf(Type.String(), output), 'string')
    assert.equal(typeOf(Type.Integer(), output), 'number')
    assert.equal(typeOf(Type.Boolean(), output), 'boolean')
    assert.equal(typeOf(Enum(['Accepted', 'Declined']), output), '"Accepted" | "Declined"')
    assert.equal(typeOf(Type.Literal('Point'), output), '"Point"')
    assert.equal(typeOf(Type.Union([Type.String(), Type.Null()]), output), 'string | null')
    assert.equal(typeOf({ type: ['string', 'null'] }, output), 'string | null')
    assert.equal(typeOf(Type.Unknown(), output), 'unknown')
  })

  it('types arrays, tuples (draft-07 and 2020-12) and parenthesizes unions inside them', () => {
    assert.equal(typeOf(Type.Array(Type.String()), output), 'string[]')
    assert.equal(typeOf(Type.Array(Type.Union([Type.String(), Type.Number()])), output), '(string | number)[]')
    assert.equal(typeOf(Type.Tuple([Type.Number(), Type.Number()]), output), '[number, number]')
    assert.equal(typeOf({ type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'number' } }, output), '[string, ...number[]]')
  })

  it('types objects: required and optional keys, quoted keys, free keys', () => {
    const schema = Type.Object({ Name: Type.String(), 'Attendees.Status': Type.Optional(Type.String()), Nested: Type.Object({ Row: Type.Integer() }) })
    assert.equal(flat(typeOf(schema, output)), '{ Name: string "Attendees.Status"?: string Nested: { Row: number } }')
    assert.equal(flat(typeOf(Type.Record(Type.String(), Type.Unknown()), output)), '{ [key: string]: unknown }')
    assert.equal(flat(typeOf({ type: 'object', additionalProperties: { type: 'number' } }, output)), '{ [key: string]: number }')
  })

  it('leaves write-only (secret) fields out of what is returned, and read-only fields out of what is sent', () => {
    const schema = Type.Object({ email: Type.String(), password: Password(), _id: Type.String({ readOnly: true }) })
    const returned = flat(typeOf(schema, output))
    const sent = flat(typeOf(schema, input))
    assert.doesNotMatch(returned, /password/)
    assert.match(returned, /_id: string/)
    assert.match(sent, /password: string/)
    assert.doesNotMatch(sent, /_id/)
  })

  it('makes fields with a default optional in what is sent, required in what is returned', () => {
    const schema = Type.Object({ Status: Enum(['Scheduled', 'Cancelled'], { default: 'Scheduled' }) })
    assert.match(flat(typeOf(schema, input)), /Status\?: "Scheduled" \| "Cancelled"/)
    assert.match(flat(typeOf(schema, output)), /Status: "Scheduled" \| "Cancelled"/)
  })

  it('uses an alias where one is given', () => {
    const alias = (schema: any) => (schema.format === 'date-time' ? 'IsoDate' : undefined)
    assert.equal(flat(typeOf(Type.Object({ At: Type.String({ format: 'date-time' }) }), { ...output, alias })), '{ /** @format date-time */ At: IsoDate }')
  })

  it('declares an interface with documentation from descriptions', () => {
    const text = declareType('Report', Type.Object({ Count: Type.Integer({ description: 'Meetings held' }) }, { description: 'A report' }), output)
    assert.equal(text, '/** A report */\nexport interface Report {\n  /** Meetings held */\n  Count: number\n}\n')
  })
})
