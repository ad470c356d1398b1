// The blueprints' hot reads (each demo role's list of each collection, and get by id) are served by indexes: EXPLAIN QUERY PLAN.
import assert from 'node:assert/strict'
import { SqliteCollection, type SoleEquality } from '../../../src/services/adapters/sqlite-collection.js'
import type { EmbeddedStore } from '../../../src/services/store.js'
import { login, request, startServer, type TestServer } from '../../helpers.js'

const PASSWORD = 'quillbase-demo'
const ROLES: Record<string, string[]> = {
  appointments: ['admin@example.com', 'maria@example.com', 'dev@example.com'],
  society: ['superadmin@example.com', 'admin.green@example.com', 'guard.green@example.com', 'asha@example.com']
}

interface Statement {
  table: string
  sql: string
  params: unknown[]
}

/** Every statement the adapter runs while `fn` runs (the real queries of the services, hooks and permissions included). */
async function capture(fn: () => Promise<void>): Promise<Statement[]> {
  const seen: Statement[] = []
  const { all, count } = SqliteCollection.prototype
  SqliteCollection.prototype.all = function (this: SqliteCollection, sql: string, params: unknown[]) {
    seen.push({ table: this.name, sql, params })
    return all.call(this, sql, params)
  }
  SqliteCollection.prototype.count = function (this: SqliteCollection, where: string, params: unknown[], sole?: SoleEquality) {
    seen.push({ table: this.name, ...this.countQuery(where, params, sole) })
    return count.call(this, where, params, sole)
  }
  try {
    await fn()
  } finally {
    Object.assign(SqliteCollection.prototype, { all, count })
  }
  return seen
}

const planOf = (server: TestServer, statement: Statement) =>
  ((server.app.store as EmbeddedStore).database.db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as { detail: string }[]).map(
    (line) => line.detail
  )

/**
 * Plan lines that read a whole table: `SCAN <table>` without an index. A read with no filter at all reads the
 * table by design (an Admin's first page stops after `$limit` rows in storage order; the permission cache loads roles).
 */
function fullScans(server: TestServer, statement: Statement): string[] {
  const plan = planOf(server, statement)
  if (/ WHERE 1( LIMIT \? OFFSET \?)?$/.test(statement.sql) && !plan.some((line) => line.includes('TEMP B-TREE'))) return []
  return plan.filter((detail) => /^SCAN /.test(detail) && !/USING (COVERING )?INDEX/.test(detail) && !/^SCAN json_/.test(detail))
}

for (const [blueprint, emails] of Object.entries(ROLES)) {
  describe(`index use of the ${blueprint} blueprint's hot reads`, function () {
    this.timeout(120_000)
    let server: TestServer
    before(async () => {
      server = await startServer(blueprint)
    })
    after(() => server?.close())

    for (const email of emails) {
      it(`as ${email}: every list and get by id of every collection uses an index`, async () => {
        const { accessToken } = await login(server.url, email, PASSWORD)
        const problems: string[] = []
        let lists = 0
        for (const collection of server.app.blueprint.collections) {
          let firstId: string | undefined
          const listed = await capture(async () => {
            const res = await request(server.url, 'GET', `/${collection.name}`, { token: accessToken })
            if (res.status === 200) {
              lists++
              firstId = res.body.data[0]?._id
            }
          })
          const got = firstId
            ? await capture(async () => {
                assert.equal((await request(server.url, 'GET', `/${collection.name}/${firstId}`, { token: accessToken })).status, 200)
              })
            : []
          for (const statement of [...listed, ...got].filter((s) => s.table === collection.name)) {
            for (const scan of fullScans(server, statement)) problems.push(`${collection.name}: ${scan} in ${statement.sql}`)
          }
        }
        assert.ok(lists > 0, 'the role lists some collection')
        assert.deepEqual(problems, [])
      })
    }
  })
}

describe('index use of sorted appointment lists', function () {
  this.timeout(60_000)
  let server: TestServer
  before(async () => {
    server = await startServer('appointments')
  })
  after(() => server?.close())

  const sortedPage = async (email: string, sort: string) => {
    const { accessToken } = await login(server.url, email, PASSWORD)
    const statements = await capture(async () => {
      assert.equal((await request(server.url, 'GET', `/appointments?${sort}`, { token: accessToken })).status, 200)
    })
    const page = statements.find((s) => s.table === 'appointments' && s.sql.includes('ORDER BY'))
    assert.ok(page, 'the list was read with ORDER BY')
    return planOf(server, page)
  }

  it('an Admin sorted by AppointedDate reads the AppointedDate index in order (no sorting, no scan)', async () => {
    const plan = await sortedPage('admin@example.com', '$sort[AppointedDate]=1')
    assert.ok(plan.some((line) => /USING INDEX "?appointments\$AppointedDate/.test(line)), plan.join('; '))
    assert.ok(!plan.some((line) => line.includes('TEMP B-TREE')), plan.join('; '))
  })

  it('a Manager sorted by AppointedDate (newest first) reads the ManagerId + AppointedDate index in order', async () => {
    const plan = await sortedPage('maria@example.com', '$sort[AppointedDate]=-1')
    assert.ok(plan.some((line) => /SEARCH appointments USING INDEX "?appointments\$ManagerId/.test(line)), plan.join('; '))
    assert.ok(!plan.some((line) => line.includes('TEMP B-TREE')), plan.join('; '))
  })

  it('a Developer sorted by AppointedDate finds their appointments through the index table, then sorts only those', async () => {
    const plan = await sortedPage('dev@example.com', '$sort[AppointedDate]=-1')
    assert.ok(plan.some((line) => /appointments\$keys/.test(line)), plan.join('; '))
    assert.ok(!plan.some((line) => /^SCAN appointments$/.test(line)), plan.join('; '))
  })
})

describe('index use at start-up', function () {
  this.timeout(120_000)

  for (const blueprint of ['appointments', 'calendar']) {
    it(`${blueprint}: the lookups of operations a stopped server left unfinished (imports, exports) use the status index`, async () => {
      let server: TestServer | undefined
      const statements = await capture(async () => {
        server = await startServer(blueprint)
      })
      try {
        const operations = server!.app.blueprint.collections.filter((c) => c.importer || c.exporter)
        assert.ok(operations.length > 0, `${blueprint} declares an import or export operation`)
        const byStatus = statements.filter((s) => operations.some((c) => c.name === s.table && s.sql.includes((c.importer ?? c.exporter)!.report.status)))
        assert.ok(byStatus.length >= operations.length, `each operation collection was looked up by status: ${byStatus.map((s) => s.sql).join('; ')}`)
        assert.deepEqual(byStatus.flatMap((s) => fullScans(server!, s).map((scan) => `${s.table}: ${scan} in ${s.sql}`)), [])
      } finally {
        await server?.close()
      }
    })
  }
})
