// Every entity and field of seed 001 that has fields (kept in seed-fields.json) is declared by the programmes blueprint, of its kind.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { loadBlueprint } from '../../../src/blueprints/index.js'
import type { Collection } from '../../../src/schemas/types.js'

const seed = JSON.parse(readFileSync(new URL('./seed-fields.json', import.meta.url), 'utf8')) as {
  collections: Record<string, { seed: string; fields: Record<string, { kind: string; seed?: string }> }>
  unique: Record<string, string[]>
}

/** The schema at a dot path. */
const schemaAt = (schema: any, path: string): any => path.split('.').reduce((current, key) => current?.properties?.[key], schema)

function checkKind(schema: any, kind: string): string | undefined {
  if (kind.startsWith('[')) return schema.type === 'array' ? checkKind(schema.items, kind.slice(1, -1)) : 'should be a list'
  if (kind.startsWith('Ref:')) return schema['x-ref']?.collection === kind.slice(4) ? undefined : `should be a Ref('${kind.slice(4)}')`
  if (kind.startsWith('Enum:')) {
    const values = kind.slice(5).split(',')
    return JSON.stringify([...(schema.enum ?? [])].sort()) === JSON.stringify(values.sort()) ? undefined : `should be an Enum of ${values.join(', ')}`
  }
  const checks: Record<string, (s: any) => boolean> = {
    String: (s) => s.type === 'string',
    Text: (s) => s.type === 'string' && s.maxLength >= 2000,
    Number: (s) => s.type === 'number' || s.type === 'integer',
    Boolean: (s) => s.type === 'boolean',
    Date: (s) => s.type === 'string' && s.format === 'date-time',
    Object: (s) => s.type === 'object' && !!s.properties,
    JSON: (s) => s.type === 'object' && (s.additionalProperties === true || s.patternProperties !== undefined || typeof s.additionalProperties === 'object'),
    File: (s) => s.type === 'string' && !!s['x-file']
  }
  return checks[kind](schema) ? undefined : `should be ${kind}, is ${JSON.stringify({ type: schema.type, format: schema.format })}`
}

describe('the programmes blueprint declares seed 001', () => {
  let collections: Map<string, Collection>
  before(async () => {
    const blueprint = await loadBlueprint('programmes')
    collections = new Map(blueprint.collections.map((c) => [c.name, c]))
  })

  it('has a service for each of the seed’s 10 entities with fields', () => {
    assert.equal(Object.keys(seed.collections).length, 10)
    for (const name of Object.keys(seed.collections)) assert.ok(collections.has(name), `missing collection ${name}`)
  })

  for (const [name, { seed: seedName, fields }] of Object.entries(seed.collections)) {
    describe(`${seedName} → ${name}`, () => {
      for (const [path, { kind, seed: spelled }] of Object.entries(fields)) {
        it(`declares ${path} (${kind}${spelled ? `; seed: ${spelled}` : ''})`, () => {
          const collection = collections.get(name)!
          const declared = [collection.timestamps.createdAt, collection.timestamps.updatedAt].includes(path) ? collection.resultSchema.properties[path] : schemaAt(collection.schema, path)
          assert.ok(declared, `${name} does not declare ${path}`)
          const problem = checkKind(declared, kind)
          assert.equal(problem, undefined, `${name}.${path} ${problem}`)
        })
      }
    })
  }

  it('has the unique indexes that keep one email, one membership, one application per programme and user, one certificate code', () => {
    for (const [name, fields] of Object.entries(seed.unique)) {
      const found = collections.get(name)!.indexes.some((index) => index.unique && JSON.stringify(Object.keys(index.fields)) === JSON.stringify(fields))
      assert.ok(found, `${name} has no unique index on ${fields.join(', ')}`)
    }
  })

  it('derives profile_Complete, generates certificate codes and stamps the deciders', () => {
    assert.equal(typeof collections.get('users')!.derive, 'function')
    assert.equal(collections.get('certificates')!.generate!.certificate_code.kind, 'code')
    const machine = (name: string, field: string) => collections.get(name)!.stateMachines!.find((m) => m.field === field)!
    assert.equal(machine('programme-applications', 'Status').stamps.Approved.approvedDeclined_By, '{{user._id}}')
    assert.equal(machine('programmes', 'Status').stamps.archived.archivedby, '{{user._id}}')
    assert.equal(machine('certificates', 'status').stamps.approved.approvedBy, '{{user._id}}')
  })
})
