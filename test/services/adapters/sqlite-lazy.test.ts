// Stored text written out as JSON without a parse (`untagText`), and lazy records (`sqlite-lazy.ts`), which keep it until
// something touches them: byte for byte what parsing the text and writing it again gives, or no answer at all.
import assert from 'node:assert/strict'
import { DATE_TAG, parseAsJSON, stringify, untagText } from '../../../src/services/adapters/sqlite-json.js'
import { lazyRecord, storedTextOf } from '../../../src/services/adapters/sqlite-lazy.js'
import { SqliteService } from '../../../src/services/adapters/sqlite.js'
import { SqliteDatabase } from '../../../src/services/adapters/sqlite-database.js'

const at = new Date(Date.UTC(2027, 0, 2, 3, 4, 5, 6))
/** Documents as the store keeps them: dates at every depth, strings JSON must escape, keys in JS's own order. */
const documents: Record<string, any>[] = [
  { _id: 'a', title: 'plain', at, CreatedAt: at },
  { _id: 'b', title: 'quote " backslash \\ slash / tab \t newline \n nul \u0000 bell \u0007', at },
  { _id: 'c', title: 'é ü 中文 😀 \u2028 \u2029 lone \ud800 surrogate', days: [at, new Date(0), at], nested: { when: at, list: [{ at }, [at]] } },
  { _id: 'd', looksLikeADate: '2027-01-02T03:04:05.006Z', title: `a tag ${DATE_TAG} inside`, at },
  { _id: 'e', title: `"${DATE_TAG}quoted"`, at },
  { _id: 'f', title: `x:"${DATE_TAG}` , tags: [`,"${DATE_TAG}`], at },
  { _id: 'g', 10: 'ten', 2: 'two', b: 1, a: 2, own: Object.defineProperty({ at }, '__proto__', { value: at, enumerable: true, writable: true, configurable: true }), numbers: [0.1, 1e21, -1.5e-7, 123456789012345680000, -0], flags: [true, false, null], empty: {}, none: [] },
  { _id: 'h', free: { [`${DATE_TAG}key`]: at, 'k"ey': at, 'k\\ey': 'v' } },
  { _id: 'i', 'a:"': at, '[': [at, 'x', at] }
]
const written = documents.map((doc) => stringify(doc))

describe('stored text as JSON (untagText)', () => {
  it('is JSON.stringify of the parsed document, dates as ISO strings, wherever it answers', () => {
    let answered = 0
    for (const text of written) {
      const untagged = untagText(text)
      if (untagged === undefined) continue
      answered++
      assert.equal(untagged, JSON.stringify(parseAsJSON(text)), text)
      assert.ok(!untagged.includes(DATE_TAG), 'every tag was a date’s, and went')
    }
    assert.ok(answered >= 5, `answered ${answered}`)
  })

  it('answers nothing where a U+FDD0 is not a date’s tag: inside a string, after an escaped quote, at the start of a key', () => {
    for (const id of ['d', 'e', 'f', 'h']) assert.equal(untagText(written[documents.findIndex((doc) => doc._id === id)]), undefined, id)
    assert.equal(untagText(`{"a":"${DATE_TAG}x\\"y"}`), undefined, 'an escape in a tagged string')
    assert.equal(untagText(`{"a": "${DATE_TAG}2027-01-01T00:00:00.000Z"}`), undefined, 'text stringify did not write')
    assert.equal(untagText(`{"a":"${DATE_TAG}2027`), undefined, 'cut short')
  })

  it('answers the text as it is without tags, and drops each date’s tag in objects and arrays', () => {
    assert.equal(untagText('{"a":"b"}'), '{"a":"b"}')
    assert.equal(untagText(written[0]), `{"_id":"a","title":"plain","at":"${at.toISOString()}","CreatedAt":"${at.toISOString()}"}`)
    assert.equal(untagText(stringify({ list: [at, at] })), `{"list":["${at.toISOString()}","${at.toISOString()}"]}`)
  })

  it('parseAsJSON gives the stored documents back, dates as ISO strings', () => {
    for (const [index, text] of written.entries()) {
      const walked = JSON.parse(JSON.stringify(documents[index]))
      assert.deepEqual(parseAsJSON(text), walked, text)
    }
  })
})

describe('lazy records', () => {
  const text = written[2]

  it('keep their stored text until something reads them, then are the parsed document', () => {
    const record = lazyRecord(text)
    assert.equal(storedTextOf(record), text)
    assert.equal(Object.getPrototypeOf(record), Object.prototype, 'a plain object, unopened')
    assert.equal(storedTextOf(record), text)
    assert.equal(record._id, 'c')
    assert.equal(storedTextOf(record), undefined, 'opened by a read')
    assert.deepEqual({ ...record }, parseAsJSON(text))
    assert.equal(JSON.stringify(record), JSON.stringify(parseAsJSON(text)))
  })

  it('open on any look or change: keys, in, spread, JSON, a write, a delete', () => {
    const looks: ((record: any) => unknown)[] = [
      (r) => Object.keys(r),
      (r) => 'title' in r,
      (r) => ({ ...r }),
      (r) => JSON.stringify(r),
      (r) => (r.title = 'changed'),
      (r) => delete r.title,
      (r) => Object.hasOwn(r, 'title'),
      (r) => Object.defineProperty(r, 'x', { value: 1 }),
      (r) => Object.freeze(r)
    ]
    for (const look of looks) {
      const record = lazyRecord(text)
      look(record)
      assert.equal(storedTextOf(record), undefined, String(look))
    }
    const changed = lazyRecord(text)
    changed.title = 'changed'
    assert.equal(JSON.parse(JSON.stringify(changed)).title, 'changed')
  })

  it('are found only where asked for (sqliteLazy), and never with $select', async () => {
    const database = new SqliteDatabase()
    try {
      const service = new SqliteService({ Model: database.collection('notes', { shape: { arrays: ['tags'], freeform: [] } }), dates: 'string' })
      await service._create([{ title: 'one', at, tags: ['x'] }, { title: 'two', at }])
      const lazy = (await service._find({ paginate: false, sqliteLazy: true } as any)) as unknown as any[]
      assert.ok(lazy.every((record) => storedTextOf(record) !== undefined))
      assert.deepEqual(lazy.map((record) => ({ ...record })), await service._find({ paginate: false }))
      const plain = (await service._find({ paginate: false, query: { $select: ['title'] }, sqliteLazy: true } as any)) as unknown as any[]
      assert.ok(plain.every((record) => storedTextOf(record) === undefined))
      assert.deepEqual(Object.keys(plain[0]), ['_id', 'title'])
      assert.ok(((await service._find({ paginate: false })) as any[]).every((record) => storedTextOf(record) === undefined))
      // What a query's equality proves about the records it finds (permissions/access.ts, `foundReadWhole`).
      assert.equal(service.findsOnlyEqual('title', 'one'), true)
      assert.equal(service.findsOnlyEqual('tags', 'x'), false, 'a path into an array')
      assert.equal(service.findsOnlyEqual('_id', 'a'), false, 'the id column')
      assert.equal(service.findsOnlyEqual('title', 1), false, 'not a string')
      for (const value of ['[1]', '{"a":1}', `${DATE_TAG}2027`]) assert.equal(service.findsOnlyEqual('title', value), false, value)
    } finally {
      database.close()
    }
  })
})
