// The SQLite adapter's own promises beyond the conformance suite: errors, atomic multi writes, persistence, safe SQL.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteService } from '../../../src/services/adapters/sqlite.js'
import { SqliteDatabase } from '../../../src/services/adapters/sqlite-database.js'

const open = (filename?: string) => new SqliteDatabase({ filename })
/** No array anywhere: every path is one value, as a unique index needs. */
const flat = { shape: { arrays: [], freeform: [] } }

describe('SQLite adapter: own behaviour', () => {
  let dir: string
  const databases: SqliteDatabase[] = []
  const service = (name = 'things', options: Record<string, any> = {}) => {
    const database = open()
    databases.push(database)
    return new SqliteService({ Model: database.collection(name, flat), multi: true, ...options })
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quillbase-sqlite-'))
  })
  after(async () => {
    databases.forEach((database) => database.close())
    await rm(dir, { recursive: true, force: true })
  })

  it('generates string ids: 24 hex characters, the time in seconds first (new records go to the end of the id index), then 16 random', async () => {
    const things = service()
    const before = Math.floor(Date.now() / 1000)
    const docs = await things.create(Array.from({ length: 600 }, (_, n) => ({ n })))
    const after = Math.floor(Date.now() / 1000)
    for (const doc of docs) {
      assert.match(doc._id, /^[0-9a-f]{24}$/)
      const seconds = parseInt(doc._id.slice(0, 8), 16)
      assert.ok(seconds >= before && seconds <= after, `${doc._id} starts with the time`)
    }
    // More ids than one draw of random bytes holds (4 KB: 512 ids), all different in their random part.
    assert.equal(new Set(docs.map((doc: any) => doc._id.slice(8))).size, 600)
  })

  it('stores and reads back dates, nested arrays and a key named __proto__ as they were, and refuses a string that looks like a stored date', async () => {
    const things = service()
    const at = new Date('2030-01-02T03:04:05.678Z')
    const data = JSON.parse('{"__proto__": {"a": 1}, "list": [{"at": null}, 2, "x"]}')
    data.list[0].at = at
    data.when = at
    const created = await things.create(data)
    const read = await things.get(created._id)
    for (const doc of [created, read]) {
      assert.equal(Object.getPrototypeOf(doc), Object.prototype)
      assert.deepEqual(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value, { a: 1 })
      assert.ok(doc.when instanceof Date && doc.when.getTime() === at.getTime())
      assert.ok(doc.list[0].at instanceof Date && doc.list[0].at.getTime() === at.getTime())
      assert.deepEqual(doc.list.slice(1), [2, 'x'])
    }
    await assert.rejects(things.create({ list: ['\uFDD02030-01-01T00:00:00.000Z'] }), { name: 'BadRequest', message: /U\+FDD0 \(field '0'\)/ })
  })

  it('a unique index violation is a 409 Conflict; a failed multi create leaves nothing behind', async () => {
    const things = service()
    things.getModel().ensureIndex({ fields: { email: 1 }, unique: true })
    const a = await things.create({ email: 'a@x.io' })
    const b = await things.create({ email: 'b@x.io' })
    await assert.rejects(things.create({ email: 'a@x.io' }), { name: 'Conflict', code: 409 })
    await assert.rejects(things.create([{ email: 'c@x.io' }, { email: 'd@x.io' }, { email: 'a@x.io' }]), { name: 'Conflict' })
    assert.equal((await things.find({ paginate: false })).length, 2, 'multi create rolled back')
    await assert.rejects(things.patch(b._id, { email: 'a@x.io' }), { name: 'Conflict' })
    await assert.rejects(things.update(b._id, { email: 'a@x.io' }), { name: 'Conflict' })
    await assert.rejects(things.create({ _id: a._id, email: 'e@x.io' }), { name: 'Conflict' }, 'a taken id')
    assert.equal((await things.get(b._id)).email, 'b@x.io')
  })

  it('counts a missing field as one value of a unique index, as MongoDB does; a sparse one skips records without it', async () => {
    const labels = service()
    labels.getModel().ensureIndex({ fields: { name: 1, owner: 1 }, unique: true })
    await labels.create({ name: 'Meeting' })
    await assert.rejects(labels.create({ name: 'Meeting' }), { name: 'Conflict' }, 'two global labels of one name')
    await assert.rejects(labels.create({ name: 'Meeting', owner: null }), { name: 'Conflict' }, 'null and missing are the same value')
    await labels.create({ name: 'Meeting', owner: 'u1' })
    await labels.create({ name: 'Meeting', owner: 'u2' })
    await assert.rejects(labels.create({ name: 'Meeting', owner: 'u1' }), { name: 'Conflict' })
    const accounts = service()
    accounts.getModel().ensureIndex({ fields: { externalId: 1 }, unique: true, sparse: true })
    await accounts.create({ name: 'a' })
    await accounts.create({ name: 'b' })
    await accounts.create({ externalId: 'x' })
    await assert.rejects(accounts.create({ externalId: 'x' }), { name: 'Conflict' })
    assert.equal((await accounts.find({ paginate: false })).length, 3)
  })

  it('refuses a unique index on a path that may hold an array (SQLite cannot enforce it per element)', () => {
    const database = open()
    databases.push(database)
    assert.throws(() => database.collection('tagged').ensureIndex({ fields: { tags: 1 }, unique: true }), { name: 'BadRequest' })
  })

  it('refuses $ and dotted keys in data, at any depth, with a 400', async () => {
    const things = service()
    const doc = await things.create({ name: 'x' })
    await assert.rejects(things.create({ nested: { $bad: 1 } }), { name: 'BadRequest' })
    await assert.rejects(things.patch(doc._id, { $set: { name: 'y' } } as any), { name: 'BadRequest' })
    await assert.rejects(things.update(doc._id, { 'a.b': 1 } as any), { name: 'BadRequest' })
    assert.equal((await things.get(doc._id)).name, 'x')
  })

  it('an unknown operator, a malformed operand or a strange field name is a 400, never a 500', async () => {
    const things = service('things', { operators: ['$regex', '$where', '$elemMatch'] })
    await things.create({ name: 'x' })
    for (const query of [{ name: { $regex: 'x' } }, { name: { $where: '1' } }, { name: { $in: 'x' } }, { "name') OR 1=1 --": 'x' }, { name: { $elemMatch: 5 } }]) {
      await assert.rejects(things.find({ query }), { code: 400 }, JSON.stringify(query))
    }
  })

  it('values are bound, never part of the SQL: quotes and SQL in values are just values', async () => {
    const things = service()
    const tricky = "x' OR '1'='1"
    await things.create([{ name: tricky }, { name: 'other' }])
    assert.deepEqual((await things.find({ query: { name: tricky }, paginate: false })).map((d: any) => d.name), [tricky])
    assert.equal((await things.find({ query: { name: "nobody' OR 1=1 --" }, paginate: false })).length, 0)
  })

  it('get + $select of a missing id is a 404', async () => {
    await assert.rejects(service().get('nope', { query: { $select: ['name'] } }), { name: 'NotFound' })
  })

  it('patch sets top-level keys; nested objects are replaced whole; the id stays', async () => {
    const things = service()
    const doc = await things.create({ name: 'n', profile: { a: 1, b: 2 }, keep: true })
    assert.deepEqual(await things.patch(doc._id, { profile: { a: 5 }, _id: 'ignored' }), { _id: doc._id, name: 'n', profile: { a: 5 }, keep: true })
  })

  it('a file database runs in WAL mode with synchronous=FULL (commits survive power loss), journals in memory, a read-only reader, and one owner', () => {
    const filename = join(dir, 'pragmas.sqlite')
    const database = open(filename)
    try {
      assert.equal(database.db.pragma('journal_mode', { simple: true }), 'wal')
      assert.equal(database.db.pragma('synchronous', { simple: true }), 2)
      assert.equal(database.db.pragma('temp_store', { simple: true }), 2)
      assert.equal(database.db.pragma('wal_autocheckpoint', { simple: true }), 10000)
      assert.equal(database.reader.pragma('query_only', { simple: true }), 1)
      assert.throws(() => open(filename), /in use by another quillbase process/)
    } finally {
      database.close()
    }
    open(filename).close()
  })

  it('keeps documents, dates and indexes across close and reopen of the file', async () => {
    const filename = join(dir, 'persist.sqlite')
    let database = open(filename)
    let things = new SqliteService({ Model: database.collection('things', flat) })
    things.getModel().ensureIndex({ fields: { slug: 1 }, unique: true })
    const created = await things.create({ slug: 'one', nested: { a: 1 }, at: new Date('2024-01-02T03:04:05Z') })
    await things.patch(created._id, { title: 'Patched' })
    await things.remove((await things.create({ slug: 'two' }))._id)
    database.close()

    database = open(filename)
    things = new SqliteService({ Model: database.collection('things', flat) })
    assert.deepEqual(await things.find({ paginate: false }), [{ _id: created._id, slug: 'one', nested: { a: 1 }, at: new Date('2024-01-02T03:04:05Z'), title: 'Patched' }])
    await assert.rejects(things.create({ slug: 'one' }), { name: 'Conflict' }, 'the unique index is in the file')
    database.close()
  })
  it('an unfiltered total is the kept count, right after inserts, removes, a failed multi create and a reopen', async () => {
    const filename = join(dir, 'counts.sqlite')
    let database = open(filename)
    // A table from before kept counts: rows written with the count's table and triggers dropped.
    database.collection('things', flat)
    database.db.exec('DROP TRIGGER "things$count$insert"; DROP TRIGGER "things$count$delete"; DELETE FROM "quillbase$counts"')
    database.db.exec(`INSERT INTO "things" (id, doc) VALUES ('a', '{"_id":"a"}'), ('b', '{"_id":"b"}')`)
    database.close()

    database = open(filename)
    const things = new SqliteService({ Model: database.collection('things', flat), multi: true, paginate: { default: 10, max: 10 } })
    things.getModel().ensureIndex({ fields: { slug: 1 }, unique: true })
    const total = async () => ((await things.find({ query: { $limit: 0 } })) as any).total
    const counted = () => (database.db.prepare('SELECT count(*) AS n FROM "things"').get() as { n: number }).n
    assert.equal(await total(), 2, 'counted once for a table without a kept count')
    await things.create([{ slug: 'x' }, { slug: 'y' }, { slug: 'z' }])
    await assert.rejects(things.create([{ slug: 'w' }, { slug: 'x' }]), { name: 'Conflict' })
    await things.remove(null, { query: { slug: { $in: ['y', 'z'] } } })
    assert.equal(await total(), 3)
    assert.equal(await total(), counted())
    const unfiltered = things.getModel().countQuery('1', [])
    const plan = database.db.prepare(`EXPLAIN QUERY PLAN ${unfiltered.sql}`).all(...unfiltered.params) as { detail: string }[]
    assert.ok(!plan.some((line) => /^SCAN /.test(line.detail)), `an unfiltered total reads no table: ${plan.map((l) => l.detail)}`)
    database.close()
    database = open(filename)
    const reopened = new SqliteService({ Model: database.collection('things', flat), paginate: { default: 10, max: 10 } })
    assert.equal(((await reopened.find({ query: { $limit: 0 } })) as any).total, 3)
    database.close()
  })
  it('a collection that expires records keeps no counts: no trigger on its writes, totals without the expired, earlier kept counts dropped', async () => {
    const filename = join(dir, 'expiring.sqlite')
    const shape = { shape: { arrays: ['tags'], freeform: [] } }
    const triggers = (database: SqliteDatabase) =>
      (database.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('log', 'log$keys')`).all() as { name: string }[]).map((row) => row.name)
    // A file from before: the log kept counts (the same collection without `expires`).
    let database = open(filename)
    let log = new SqliteService({ Model: database.collection('log', shape), multi: true })
    log.getModel().ensureIndex({ fields: { actor: 1, at: -1 } })
    log.getModel().ensureIndex({ fields: { tags: 1 } })
    await log.create([{ actor: 'a', tags: ['t'], at: new Date() }])
    assert.ok(triggers(database).length >= 4, 'counted before')
    database.close()

    database = open(filename)
    databases.push(database)
    log = new SqliteService({ Model: database.collection('log', { ...shape, expires: true }), multi: true, paginate: { default: 10, max: 10 } })
    for (const index of [{ fields: { actor: 1, at: -1 } }, { fields: { tags: 1 } }, { fields: { at: 1 as const }, expireAfterSeconds: 3600 }]) log.getModel().ensureIndex(index as any)
    assert.deepEqual(triggers(database), [], 'no trigger left on its tables')
    assert.equal((database.db.prepare(`SELECT count(*) AS n FROM "quillbase$counts" WHERE name = 'log'`).get() as { n: number }).n, 0)
    assert.equal((database.db.prepare(`SELECT count(*) AS n FROM "quillbase$values" WHERE name = 'log'`).get() as { n: number }).n, 0)
    await log.create([
      { actor: 'a', tags: ['t'], at: new Date() },
      { actor: 'a', tags: ['t'], at: new Date(Date.now() - 7200_000) },
      { actor: 'b', at: new Date() }
    ])
    const total = async (query: Record<string, unknown>) => ((await log.find({ query: { ...query, $limit: 1 } })) as any).total
    assert.equal(await total({}), 3, 'the expired one left out')
    assert.equal(await total({ actor: 'a' }), 2)
    assert.equal(await total({ tags: 't' }), 2)
    await log.remove(null, { query: { actor: 'b' } })
    assert.equal(await total({}), 2)
  })

  it('a total whose only condition is a path into arrays is counted in the index table alone, and right', async () => {
    const database = open()
    databases.push(database)
    const things = new SqliteService({ Model: database.collection('tagged', { shape: { arrays: ['tags'], freeform: [] } }), multi: true, paginate: { default: 10, max: 10 } })
    things.getModel().ensureIndex({ fields: { tags: 1 } })
    await things.create(Array.from({ length: 30 }, (_, i) => ({ n: i % 3, tags: i % 2 ? ['odd', 'x'] : ['even', 'x', 'x'] })))
    const total = async (query: Record<string, unknown>) => ((await things.find({ query: { ...query, $limit: 1 } })) as any).total
    assert.equal(await total({ tags: 'odd' }), 15)
    assert.equal(await total({ tags: 'x' }), 30, 'a record holding the value twice counts once')
    assert.equal(await total({ tags: 'odd', n: 1 }), 5, 'with another condition, counted on the records')
    const seen: string[] = []
    const count = things.getModel().countQuery.bind(things.getModel())
    things.getModel().countQuery = (...args: Parameters<typeof count>) => {
      const query = count(...args)
      seen.push(query.sql)
      return query
    }
    await total({ tags: 'odd' })
    await total({ tags: 'odd', n: 1 })
    await total({ tags: { $in: ['odd', 'even'] } })
    assert.match(seen[0], /^SELECT coalesce\(sum\(n\), 0\) AS n FROM "quillbase\$values" WHERE /, 'one string: its kept count')
    assert.match(seen[1], /^SELECT count\(\*\) AS n FROM "tagged" WHERE /)
    assert.match(seen[2], /^SELECT count\(DISTINCT rid\) AS n FROM "tagged\$keys" WHERE /)
    assert.equal(await total({ tags: { $in: ['odd', 'even'] } }), 30)
  })

  it('an unsorted page whose only condition is a path into arrays is cut in the index table, in storage order, each record once', async () => {
    const database = open()
    databases.push(database)
    const things = new SqliteService({ Model: database.collection('labelled', { shape: { arrays: ['tags'], freeform: [] } }), multi: true, paginate: { default: 10, max: 50 } })
    const model = things.getModel()
    model.ensureIndex({ fields: { tags: 1 } })
    const created = (await things.create(Array.from({ length: 40 }, (_, i) => ({ n: i, tags: i % 4 === 0 ? ['a', 'b', 'a'] : i % 4 === 1 ? ['b'] : ['c'] })))) as any[]
    // Later writes move no record in storage order: a patched record keeps its place.
    await things.patch(created[4]._id, { tags: ['b', 'a'] })
    await things.remove(created[8]._id)
    const statements: string[] = []
    const all = model.all.bind(model)
    model.all = (sql: string, params: unknown[]) => (statements.push(sql), all(sql, params))
    const page = async (query: Record<string, unknown>, $skip: number, $limit: number) =>
      ((await things.find({ query: { ...query, $skip, $limit } })) as any).data.map((thing: any) => thing.n)
    for (const query of [{ tags: 'a' }, { tags: { $in: ['a', 'b'] } }, { tags: { $ne: 'c' } }]) {
      const every = (await things.find({ paginate: false, query: { ...query, $sort: { n: 1 } } })) as any[]
      const expected = every.map((thing) => thing.n)
      const pages = [...(await page(query, 0, 3)), ...(await page(query, 3, 3)), ...(await page(query, 6, 50))]
      assert.deepEqual(pages, expected, `pages of ${JSON.stringify(query)} in storage order, each record once`)
    }
    model.all = all
    const cut = statements.filter((sql) => sql.includes('"labelled$keys"') && / ORDER BY rid LIMIT \? OFFSET \?\) ORDER BY rid$/.test(sql))
    assert.ok(cut.length >= 6, `pages cut in the index table:\n${statements.join('\n')}`)
    const plan = (database.db.prepare(`EXPLAIN QUERY PLAN ${cut[0]}`).all('tags', 'a', 3, 0) as { detail: string }[]).map((line) => line.detail)
    assert.ok(!plan.some((line) => line.includes('TEMP B-TREE')), `read in index order, nothing sorted: ${plan.join('; ')}`)
  })

  it('a total whose only condition is one string on a counted path is a kept count, right after any mix of writes, a rollback and a reopen', async () => {
    const filename = join(dir, 'values.sqlite')
    const shape = { shape: { arrays: ['tags'], freeform: [] } }
    const declare = (database: SqliteDatabase) => {
      const things = new SqliteService({ Model: database.collection('valued', shape), multi: true, paginate: { default: 10, max: 10 }, operators: ['$eq'] })
      things.getModel().ensureIndex({ fields: { owner: 1, at: -1 } })
      things.getModel().ensureIndex({ fields: { tags: 1 } })
      return things
    }
    let database = open(filename)
    // Records from before the counts: the counting starts from what is stored.
    database.collection('valued', shape)
    database.db.exec(`INSERT INTO "valued" (id, doc) VALUES ('p', '{"_id":"p","owner":"o1","tags":["t1"]}'), ('q', '{"_id":"q","owner":"o2"}')`)
    let things = declare(database)
    const owners = ['o1', 'o2', 'o3']
    const tags = ['t1', 't2', 't3']
    const check = async (when: string) => {
      for (const value of owners) {
        const total = ((await things.find({ query: { owner: value, $limit: 1 } })) as any).total
        const all = (await things.find({ query: { owner: value }, paginate: false })) as any[]
        assert.equal(total, all.length, `${when}: owner ${value}`)
      }
      for (const value of tags) {
        const total = ((await things.find({ query: { tags: { $eq: value }, $limit: 1 } })) as any).total
        const all = (await things.find({ query: { tags: value }, paginate: false })) as any[]
        assert.equal(total, all.length, `${when}: tag ${value}`)
      }
    }
    await check('before any write')
    // A fixed pseudo-random sequence (the same every run): creates, patches that move or drop the value, updates, removes.
    let seed = 7
    const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n
    const value = () => [owners[next(3)], 42, null, new Date(Date.UTC(2026, 0, 1 + next(5)))][next(10) < 7 ? 0 : next(4)]
    for (let step = 0; step < 300; step++) {
      const stored = (await things.find({ paginate: false })) as any[]
      const target = stored.length ? stored[next(stored.length)] : undefined
      const op = target ? next(5) : 0
      const tagList = () => Array.from({ length: next(4) }, () => tags[next(3)])
      if (op === 0) await things.create({ owner: value(), tags: tagList(), at: new Date() })
      else if (op === 1) await things.patch(target._id, { owner: value() })
      else if (op === 2) await things.patch(target._id, { tags: tagList() })
      else if (op === 3) await things.update(target._id, next(2) ? { tags: tagList() } : { owner: value() })
      else await things.remove(target._id)
    }
    await things.patch(null, { owner: 'o3' }, { query: { owner: 'o1' } })
    await things.remove(null, { query: { tags: 't2' } })
    await check('after 300 writes')
    await assert.rejects(
      database.transaction(async () => {
        await things.create([{ owner: 'o1', tags: ['t1', 't1'] }, { owner: 'o2' }])
        await things.patch(null, { owner: 'o1' }, { query: { owner: 'o3' } })
        throw new Error('rolled back')
      }),
      /rolled back/
    )
    await check('after a rolled-back transaction')
    database.close()
    database = open(filename)
    databases.push(database)
    things = declare(database)
    await check('after a reopen')
  })

  describe('keyset pages (sqliteCursor)', () => {
    /** Every page of `query` through one cursor, `size` records a page (a short page is the last). */
    const walk = async (things: SqliteService, query: Record<string, any>, size = 10) => {
      const cursor = { collection: things.getModel().name }
      const seen: any[] = []
      for (let pages = 0; pages < 1000; pages++) {
        const page = (await things.find({ sqliteCursor: cursor, paginate: false, query: { ...query, $limit: size } } as any)) as unknown as any[]
        seen.push(...page)
        if (page.length < size) return seen
      }
      throw new Error('the cursor never ended')
    }
    const ids = (docs: any[]) => docs.map((doc) => doc._id).sort()

    it('walk the index the filter leads, past ties across page boundaries, then the records without a value there', async () => {
      const things = service('keyed')
      things.getModel().ensureIndex({ fields: { owner: 1, n: -1 } })
      // Four records per value of n (ties straddle the pages of 10), some without n, one with a string n, and others' records.
      const created = await things.create([
        ...Array.from({ length: 120 }, (_, i) => ({ owner: i % 4 === 3 ? 'b' : 'a', n: Math.floor(i / 4), label: `r${i}` })),
        ...Array.from({ length: 13 }, (_, i) => ({ owner: 'a', label: `none${i}` })),
        { owner: 'a', n: null, label: 'null' },
        { owner: 'a', n: 'ten', label: 'text' }
      ])
      const mine = created.filter((doc: any) => doc.owner === 'a')
      const seen = await walk(things, { owner: 'a' })
      assert.equal(seen.length, mine.length)
      assert.deepEqual(ids(seen), ids(mine), 'every match once, no other')
      assert.deepEqual(seen.find((doc) => doc.label === 'r0'), mine.find((doc: any) => doc.label === 'r0'), 'whole records')
      const numbers = seen.filter((doc) => typeof doc.n === 'number').map((doc) => doc.n)
      assert.deepEqual(numbers, [...numbers].sort((x, y) => y - x), 'in the index order: n descending')
      assert.equal(seen[0].n, 'ten', 'text sorts above numbers in SQLite, first when descending')
      assert.ok(seen.slice(-14).every((doc) => doc.n === undefined || doc.n === null), 'then those without n')
    })

    it('a filter no index leads with walks storage order; so does a path into arrays, through the index table', async () => {
      const things = new SqliteService({ Model: open().collection('loose', { shape: { arrays: ['tags'], freeform: [] } }), multi: true })
      things.getModel().ensureIndex({ fields: { tags: 1 } })
      const created = await things.create(Array.from({ length: 47 }, (_, n) => ({ n, color: n % 2 ? 'red' : 'blue', tags: n % 3 ? ['x', 'y'] : ['y'] })))
      for (const [query, test] of [[{ color: 'red' }, (doc: any) => doc.color === 'red'], [{ tags: 'x' }, (doc: any) => doc.tags.includes('x')]] as const) {
        const seen = await walk(things, query, 7)
        assert.deepEqual(seen.map((doc) => doc.n), created.filter(test).map((doc: any) => doc.n), `${JSON.stringify(query)}: storage order, each once`)
      }
      things.getModel().database.close()
    })

    it('records written while it walks: ahead of the cursor they are read, behind it they are not, none twice', async () => {
      const things = service('moving')
      things.getModel().ensureIndex({ fields: { owner: 1, n: 1 } })
      await things.create(Array.from({ length: 30 }, (_, i) => ({ owner: 'a', n: i % 10 })))
      const cursor = { collection: 'moving' }
      const page = () => things.find({ sqliteCursor: cursor, paginate: false, query: { owner: 'a', $limit: 10 } } as any) as unknown as Promise<any[]>
      const first = await page()
      assert.deepEqual(first.map((doc) => doc.n), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3])
      const [behind, tie, ahead] = (await things.create([{ owner: 'a', n: 1 }, { owner: 'a', n: 3 }, { owner: 'a', n: 9 }])) as any[]
      const rest = [...(await page()), ...(await page()), ...(await page())]
      const seen = [...first, ...rest].map((doc) => doc._id)
      assert.equal(new Set(seen).size, seen.length, 'none twice')
      assert.ok(!seen.includes(behind._id))
      assert.ok(seen.includes(tie._id) && seen.includes(ahead._id), 'an equal value with a later row id is ahead')
    })

    it('a later page whose query walks another index is refused; a cursor for another collection is ignored', async () => {
      const things = service('switched')
      things.getModel().ensureIndex({ fields: { owner: 1, n: -1 } })
      await things.create(Array.from({ length: 30 }, (_, n) => ({ n, owner: n % 3 ? 'a' : 'b' })))
      const cursor = { collection: 'switched' }
      await things.find({ sqliteCursor: cursor, paginate: false, query: { owner: 'a', $limit: 5 } } as any)
      await assert.rejects(things.find({ sqliteCursor: cursor, paginate: false, query: { $limit: 5 } } as any), { name: 'GeneralError' })
      const other = (await things.find({ sqliteCursor: { collection: 'elsewhere', last: 1e9 }, paginate: false, query: { owner: 'b', $sort: { n: -1 }, $limit: 3 } } as any)) as unknown as any[]
      assert.deepEqual(other.map((doc) => doc.n), [27, 24, 21])
    })
  })
})
