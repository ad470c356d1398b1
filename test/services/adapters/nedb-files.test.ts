// An old data folder (NeDB's line files) is converted at first start: every record, counts checked, old files kept aside.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { convertNedbFolder, readNedbFile } from '../../../src/services/adapters/nedb-files.js'
import { SqliteDatabase } from '../../../src/services/adapters/sqlite-database.js'
import { DATABASE_FILE } from '../../../src/services/store.js'
import { startServer, tempDir } from '../../helpers.js'

const lines = (...docs: unknown[]) => docs.map((doc) => (typeof doc === 'string' ? doc : JSON.stringify(doc))).join('\n')
const MANAGER = 'mgr0000000000001'
const at = (iso: string) => ({ $$date: Date.parse(iso) })

/** A folder as NeDB left it: appends, replacements, deletions, index lines, `$$date`s and a torn last line. */
async function oldFolder() {
  const dir = await tempDir('quillbase-nedb-folder-')
  await writeFile(
    path.join(dir, 'users.db'),
    lines(
      { _id: MANAGER, Name: 'Old Maria', email: 'old.maria@example.com', RoleId: 'role000000000001', CreatedAt: at('2024-03-01T10:00:00.000Z') },
      { $$indexCreated: { fieldName: 'email', unique: true, sparse: false } },
      { _id: 'gone000000000001', Name: 'Gone', email: 'gone@example.com', RoleId: 'role000000000001' },
      { $$deleted: true, _id: 'gone000000000001' },
      { _id: MANAGER, Name: 'Maria (renamed)', email: 'old.maria@example.com', RoleId: 'role000000000001', CreatedAt: at('2024-03-01T10:00:00.000Z') },
      '{"_id":"torn000000000001","Name":"Half writ'
    )
  )
  const appointments = Array.from({ length: 25 }, (_, i) => ({
    _id: `appt${String(i).padStart(12, '0')}`,
    ManagerId: MANAGER,
    AppointedDate: at(new Date(Date.UTC(2030, 0, 1 + i)).toISOString()),
    Attendees: [{ DeveloperId: MANAGER, Status: 'Accepted', ResponseTime: at('2029-12-01T00:00:00.000Z') }],
    Status: 'Scheduled'
  }))
  await writeFile(path.join(dir, 'appointments.db'), lines(...appointments, { $$deleted: true, _id: appointments[0]._id }) + '\n')
  return dir
}

describe('old NeDB data folders', () => {
  it('reads a NeDB file as NeDB did: last version of each record, deletions applied, torn line skipped', async () => {
    const dir = await oldFolder()
    try {
      const { records, skippedLines } = readNedbFile(path.join(dir, 'users.db'))
      assert.equal(skippedLines, 1)
      assert.deepEqual(records, [{ _id: MANAGER, Name: 'Maria (renamed)', email: 'old.maria@example.com', RoleId: 'role000000000001', CreatedAt: new Date('2024-03-01T10:00:00.000Z') }])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('are converted at first start: every record queryable, dates as dates, the old files moved aside', async () => {
    const dir = await oldFolder()
    const server = await startServer('appointments', { dataDir: dir, demo: true })
    try {
      const appointments = server.app.service('appointments') as any
      assert.equal(((await appointments._find({ paginate: false })) as any[]).length, 24)
      const page = await appointments._find({ query: { AppointedDate: { $gte: '2030-01-20T00:00:00.000Z' }, $sort: { AppointedDate: -1 }, $limit: 2 } })
      assert.equal(page.total, 6)
      assert.deepEqual(page.data.map((a: any) => a.AppointedDate), ['2030-01-25T00:00:00.000Z', '2030-01-24T00:00:00.000Z'])
      assert.equal(((await appointments._find({ paginate: false, query: { 'Attendees.DeveloperId': MANAGER } })) as any[]).length, 24, 'the multikey index was filled')
      const maria = await (server.app.service('users') as any)._get(MANAGER)
      assert.equal(maria.Name, 'Maria (renamed)')
      assert.equal(maria.CreatedAt, '2024-03-01T10:00:00.000Z')
      assert.equal(((await (server.app.service('users') as any)._find({ paginate: false, query: { email: 'old.maria@example.com' } })) as any[]).length, 1)

      const files = await readdir(dir)
      assert.ok(!files.includes('users.db') && !files.includes('appointments.db'), 'no NeDB file is left to convert again')
      const backup = files.find((file) => file.startsWith('nedb-backup-'))
      assert.ok(backup, 'the old files were kept')
      assert.deepEqual((await readdir(path.join(dir, backup))).sort(), ['appointments.db', 'users.db'])
    } finally {
      await server.close(false)
    }
    const again = await startServer('appointments', { dataDir: dir })
    try {
      assert.equal(((await (again.app.service('appointments') as any)._find({ paginate: false })) as any[]).length, 24, 'a restart converts nothing twice')
    } finally {
      await again.close()
    }
  })

  it('a conversion cut short before the files were moved only moves them at the next start', async () => {
    const dir = await oldFolder()
    try {
      const database = new SqliteDatabase({ filename: path.join(dir, DATABASE_FILE) })
      convertNedbFolder(dir, database)
      // The files come back as if the move had not happened.
      const backup = (await readdir(dir)).find((file) => file.startsWith('nedb-backup-'))!
      for (const file of ['users.db', 'appointments.db']) await writeFile(path.join(dir, file), '')
      const second = convertNedbFolder(dir, database)
      assert.deepEqual(second?.collections, [])
      assert.equal(database.collection('appointments').count('1', []), 24)
      assert.ok(existsSync(path.join(dir, backup)))
      database.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
