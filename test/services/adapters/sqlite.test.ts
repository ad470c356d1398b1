import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as errors from '@feathersjs/errors'
import { feathers } from '@feathersjs/feathers'
import { SqliteService } from '../../../src/services/adapters/sqlite.js'
import { SqliteDatabase } from '../../../src/services/adapters/sqlite-database.js'
import { EmbeddedStore } from '../../../src/services/store.js'
import { querySemantics } from '../query-semantics.js'
import { testSuite } from './conformance.js'

const events = ['testing']

describe('SQLite adapter: conformance (in memory)', () => {
  const database = new SqliteDatabase()
  const app = feathers<{ people: SqliteService; 'people-customid': SqliteService }>()
  app.use('people', new SqliteService({ Model: database.collection('people'), events }))
  app.use('people-customid', new SqliteService({ Model: database.collection('people-customid', { id: 'customid' }), events, id: 'customid' }))
  after(() => database.close())

  testSuite(app, errors, 'people', '_id')
  testSuite(app, errors, 'people-customid', 'customid')
})

describe('SQLite adapter: conformance (file)', () => {
  const app = feathers<{ 'people-file': SqliteService }>()
  let dir: string
  let database: SqliteDatabase

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quillbase-sqlite-'))
    database = new SqliteDatabase({ filename: join(dir, 'quillbase.sqlite') })
    app.use('people-file', new SqliteService({ Model: database.collection('people-file'), events }))
  })

  after(async () => {
    database.close()
    await rm(dir, { recursive: true, force: true })
  })

  // `app` is read lazily by the suite (in hooks and tests), so registering in `before` is fine
  testSuite(app, errors, 'people-file', '_id')
})

querySemantics('SQLite (in memory)', async () => {
  const store = new EmbeddedStore({})
  return { store, cleanup: () => store.close() }
})

querySemantics('SQLite (file)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quillbase-sqlite-'))
  const store = new EmbeddedStore({ dataDir })
  return { store, cleanup: async () => (await store.close(), await rm(dataDir, { recursive: true, force: true })) }
})
