// One table of queries and the records MongoDB returns for them, run against any store through the engine's `Store` interface.
import assert from 'node:assert/strict'
import { Type } from '@sinclair/typebox'
import { DateTime, defineCollection } from '../../src/schemas/fields.js'
import { sanitizeCollection } from '../../src/schemas/sanitize.js'
import type { Store } from '../../src/services/store.js'

export interface SemanticStore {
  store: Store
  cleanup(): Promise<void>
}

const fixture = sanitizeCollection(
  defineCollection({
    name: 'query-semantics',
    schema: Type.Object({
      label: Type.String(),
      n: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
      s: Type.Optional(Type.String()),
      at: Type.Optional(DateTime()),
      flag: Type.Optional(Type.Boolean()),
      tags: Type.Optional(Type.Array(Type.String())),
      parts: Type.Optional(Type.Array(Type.Object({ kind: Type.String(), qty: Type.Number(), _code: Type.Optional(Type.String()) }))),
      meta: Type.Optional(Type.Object({ rank: Type.Optional(Type.Number()), owner: Type.Optional(Type.String()) }))
    }),
    timestamps: false,
    // Indexed and unindexed paths both appear below, so a store's index paths are checked too.
    indexes: [{ fields: { n: 1 } }, { fields: { s: 1, at: -1 } }, { fields: { 'parts.kind': 1 } }, { fields: { tags: 1 } }]
  })
)

const records = [
  { label: 'A', n: 1, s: 'apple', at: '2024-01-01T00:00:00.000Z', flag: true, tags: ['red', 'green'], parts: [{ kind: 'bolt', qty: 2 }, { kind: 'nut', qty: 10 }], meta: { rank: 2, owner: 'x' } },
  { label: 'B', n: 2, s: 'Banana', at: '2024-06-01T00:00:00.000Z', flag: false, tags: ['green'], parts: [{ kind: 'nut', qty: 1, _code: 'n1' }], meta: { rank: 1, owner: 'y' } },
  { label: 'C', n: 10, s: 'cherry', at: '2023-12-31T23:59:59.999Z', tags: [], parts: [], meta: { rank: 3 } },
  { label: 'D', n: null, s: 'Émile', flag: false, parts: [{ kind: 'bolt', qty: 5 }] },
  { label: 'E', s: 'zebra', at: '2025-01-01T00:00:00.000Z', tags: ['red'] },
  { label: 'F', n: 2.5, meta: { owner: 'x' } },
  { label: 'G', n: -1, s: '10' },
  { label: 'H', n: 0, s: '9', flag: true }
]

interface Case {
  name: string
  query: Record<string, any>
  /** Labels expected; in this order when `ordered`, else as a set. */
  expected: string[]
  ordered?: boolean
}

// Expected results are MongoDB's (no collation: strings compare by code point; null matches missing).
export const CASES: Case[] = [
  { name: 'equality on a string', query: { s: 'apple' }, expected: ['A'] },
  { name: 'equality on a number', query: { n: 2 }, expected: ['B'] },
  { name: '$eq', query: { s: { $eq: 'zebra' } }, expected: ['E'] },
  { name: 'null matches null and missing', query: { n: null }, expected: ['D', 'E'] },
  { name: '$ne null: present and not null', query: { n: { $ne: null } }, expected: ['A', 'B', 'C', 'F', 'G', 'H'] },
  { name: '$exists false', query: { n: { $exists: false } }, expected: ['E'] },
  { name: '$exists true counts null as present', query: { n: { $exists: true } }, expected: ['A', 'B', 'C', 'D', 'F', 'G', 'H'] },
  { name: '$gt on numbers skips null and missing', query: { n: { $gt: 1 } }, expected: ['B', 'C', 'F'] },
  { name: '$gte and $lt together', query: { n: { $gte: 0, $lt: 2 } }, expected: ['A', 'H'] },
  { name: '$lte', query: { n: { $lte: 0 } }, expected: ['G', 'H'] },
  { name: 'a string bound never matches numbers', query: { n: { $gt: '1' } }, expected: [] },
  { name: '$in with null matches missing too', query: { n: { $in: [1, 10, null] } }, expected: ['A', 'C', 'D', 'E'] },
  { name: '$nin matches missing', query: { n: { $nin: [1, 2] } }, expected: ['C', 'D', 'E', 'F', 'G', 'H'] },
  { name: 'string $gt by code point', query: { s: { $gt: 'a' } }, expected: ['A', 'C', 'D', 'E'] },
  { name: 'string $lt by code point (digits and capitals first)', query: { s: { $lt: 'B' } }, expected: ['G', 'H'] },
  { name: 'date equality', query: { at: '2024-06-01T00:00:00.000Z' }, expected: ['B'] },
  { name: 'date range', query: { at: { $gte: '2024-01-01T00:00:00.000Z', $lt: '2025-01-01T00:00:00.000Z' } }, expected: ['A', 'B'] },
  { name: 'boolean false', query: { flag: false }, expected: ['B', 'D'] },
  { name: 'boolean true', query: { flag: true }, expected: ['A', 'H'] },
  { name: '$ne true matches false and missing', query: { flag: { $ne: true } }, expected: ['B', 'C', 'D', 'E', 'F', 'G'] },
  { name: 'an array matches a scalar it contains', query: { tags: 'green' }, expected: ['A', 'B'] },
  { name: '$in on an array', query: { tags: { $in: ['red'] } }, expected: ['A', 'E'] },
  { name: '$all', query: { tags: { $all: ['red', 'green'] } }, expected: ['A'] },
  { name: 'an array equals an array', query: { tags: [] }, expected: ['C'] },
  { name: '$ne on an array: no element equals', query: { tags: { $ne: 'red' } }, expected: ['B', 'C', 'D', 'F', 'G', 'H'] },
  { name: '$nin on an array', query: { tags: { $nin: ['red', 'green'] } }, expected: ['C', 'D', 'F', 'G', 'H'] },
  { name: 'dotted path into an array of sub-documents', query: { 'parts.kind': 'bolt' }, expected: ['A', 'D'] },
  { name: 'dotted path into an array to a key starting with _', query: { 'parts._code': 'n1' }, expected: ['B'] },
  { name: 'dotted path into an array with $in', query: { 'parts.kind': { $in: ['nut', 'washer'] } }, expected: ['A', 'B'] },
  { name: 'dotted path into an array with a range', query: { 'parts.qty': { $gt: 4 } }, expected: ['A', 'D'] },
  { name: 'dotted $ne into an array: no element equals', query: { 'parts.kind': { $ne: 'nut' } }, expected: ['C', 'D', 'E', 'F', 'G', 'H'] },
  { name: 'two dotted conditions may match different elements', query: { 'parts.kind': 'bolt', 'parts.qty': { $gte: 10 } }, expected: ['A'] },
  { name: '$elemMatch needs one element to match all', query: { parts: { $elemMatch: { kind: 'bolt', qty: { $gte: 10 } } } }, expected: [] },
  { name: '$elemMatch', query: { parts: { $elemMatch: { kind: 'nut', qty: { $gt: 5 } } } }, expected: ['A'] },
  { name: '$elemMatch on scalars', query: { tags: { $elemMatch: { $gte: 'r' } } }, expected: ['A', 'E'] },
  { name: 'dotted path into an object', query: { 'meta.owner': 'x' }, expected: ['A', 'F'] },
  { name: 'dotted range into an object', query: { 'meta.rank': { $gte: 2 } }, expected: ['A', 'C'] },
  { name: 'dotted $exists', query: { 'meta.owner': { $exists: true } }, expected: ['A', 'B', 'F'] },
  { name: '$icontains: contains, ignoring case', query: { s: { $icontains: 'AN' } }, expected: ['B'] },
  { name: '$icontains ignores the case of accented letters', query: { s: { $icontains: 'éMI' } }, expected: ['D'] },
  { name: '$icontains takes its operand as text, not a pattern', query: { s: { $icontains: '.' } }, expected: [] },
  { name: '$icontains matches digits in text, never numbers or dates', query: { $or: [{ s: { $icontains: '1' } }, { n: { $icontains: '1' } }, { at: { $icontains: '2024' } }] }, expected: ['G'] },
  { name: '$icontains on an array of strings', query: { tags: { $icontains: 'RE' } }, expected: ['A', 'B', 'E'] },
  { name: '$icontains through an array of sub-documents', query: { 'parts.kind': { $icontains: 'OL' } }, expected: ['A', 'D'] },
  { name: '$icontains with another operator', query: { s: { $icontains: 'a', $ne: 'apple' } }, expected: ['B', 'E'] },
  { name: '$or', query: { $or: [{ s: 'apple' }, { n: { $gt: 5 } }] }, expected: ['A', 'C'] },
  { name: '$and', query: { $and: [{ tags: 'green' }, { flag: false }] }, expected: ['B'] },
  // `$nor` reaches the store inside `$and`, as the engine sends an inverted permission.
  { name: '$nor', query: { $and: [{ $nor: [{ tags: 'red' }, { n: null }] }] }, expected: ['B', 'C', 'F', 'G', 'H'] },
  { name: '$or inside $and with a field', query: { flag: { $exists: true }, $and: [{ $or: [{ n: 0 }, { n: 2 }] }] }, expected: ['B', 'H'] },
  { name: 'sort strings by code point, missing first', query: { $sort: { s: 1 } }, expected: ['F', 'G', 'H', 'B', 'A', 'C', 'E', 'D'], ordered: true },
  { name: 'sort numbers descending, null and missing last, then a second key', query: { $sort: { n: -1, label: 1 } }, expected: ['C', 'F', 'B', 'A', 'H', 'G', 'D', 'E'], ordered: true },
  { name: 'sort dates as dates', query: { $sort: { at: 1, label: 1 } }, expected: ['D', 'F', 'G', 'H', 'C', 'A', 'B', 'E'], ordered: true },
  { name: 'sort by a dotted path', query: { $sort: { 'meta.rank': 1, label: 1 } }, expected: ['D', 'E', 'F', 'G', 'H', 'B', 'A', 'C'], ordered: true },
  { name: 'filter, sort, skip and limit', query: { n: { $ne: 10 }, $sort: { n: 1, label: 1 }, $skip: 2, $limit: 3 }, expected: ['G', 'H', 'A'], ordered: true }
]

export function querySemantics(label: string, makeStore: () => Promise<SemanticStore>, options: { skip?: string[] } = {}) {
  describe(`query semantics on ${label}`, () => {
    let made: SemanticStore
    let service: any
    const ids = new Map<string, string>()

    before(async () => {
      made = await makeStore()
      service = await made.store.createService(fixture)
      await made.store.ensureIndexes(fixture)
      for (const record of (await service.create(records)) as any[]) ids.set(record.label, record._id)
    })

    after(async () => {
      await made?.cleanup()
    })

    const labels = (found: any[]) => found.map((record) => record.label)
    const check = (name: string, fn: () => Promise<void>) => (options.skip?.includes(name) ? it.skip : it)(name, fn)

    for (const { name, query, expected, ordered } of CASES) {
      check(name, async () => {
        const found = labels(await service.find({ query, paginate: false }))
        if (ordered) assert.deepEqual(found, expected)
        else assert.deepEqual(found.sort(), [...expected].sort())
      })
    }

    check('total counts every match, not the page', async () => {
      const page = await service.find({ query: { n: { $ne: 10 }, $sort: { n: 1, label: 1 }, $limit: 2 } })
      assert.equal(page.total, 7)
      assert.deepEqual(labels(page.data), ['D', 'E'])
    })

    check('$select keeps the id and the listed paths', async () => {
      const [record] = await service.find({ query: { label: 'A', $select: ['label', 'meta.rank'] }, paginate: false })
      assert.deepEqual(record, { _id: ids.get('A'), label: 'A', meta: { rank: 2 } })
    })

    check('ids are strings, and $in on ids', async () => {
      assert.ok([...ids.values()].every((id) => typeof id === 'string'))
      const found = await service.find({ query: { _id: { $in: [ids.get('B'), ids.get('G')] } }, paginate: false })
      assert.deepEqual(labels(found).sort(), ['B', 'G'])
    })

    check('dates come back as the ISO strings written', async () => {
      const record = await service.get(ids.get('C'))
      assert.equal(record.at, '2023-12-31T23:59:59.999Z')
    })

    check('an unknown operator is a 400', async () => {
      await assert.rejects(service.find({ query: { s: { $regex: '^a' } } }), { code: 400 })
    })
  })
}
