// What one audit-log entry costs SQLite, by how it is stored and how many entries share a commit (1: a lone write;
// 4: about what group commit gives 10 connections in bench:audit; 1,000: a batch): the log's table with its id index and
// its three declared indexes (as `json_extract` expression indexes, as the store makes them), the same on plain columns,
// without indexes, and a journal (entries into an unindexed table, moved into the indexed one by one statement every
// 1,000: a design measured and dropped, docs/storage.md). WAL, synchronous=NORMAL, as bench:audit's servers run.
// Usage: npm run bench:audit-entries [-- --entries 50000]
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'

const index = process.argv.indexOf('--entries')
const ENTRIES = index > 0 ? Number(process.argv[index + 1]) : 50_000
const BATCHES = [1, 4, 10, 1000]
const MOVE_EVERY = 1000

/** An entry like the hook's for a patch of an appointment: two changed fields, the record among 5,000, one of 7 users. */
const entry = (i: number) => ({
  _id: (1e15 + i).toString(16).padStart(24, '0'),
  collection: 'appointments',
  recordId: (2e15 + (i % 5000)).toString(16).padStart(24, '0'),
  method: 'patch',
  transport: 'rest',
  actor: 'user',
  actorId: `65a000000000000000000${i % 7}`,
  at: `\uFDD0${new Date(1e12 + i * 1000).toISOString()}`,
  changes: [
    { field: 'AppointedDate', before: '"2031-01-01T09:00:00.000Z"', after: '"2031-01-01T10:00:00.000Z"' },
    { field: 'updatedAt', before: '"2026-12-03T10:00:00.000Z"', after: '"2026-12-03T10:00:01.000Z"' }
  ]
})
type Entry = ReturnType<typeof entry>

const TABLE = 'CREATE TABLE t (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)'
const EXPRESSION_INDEXES = `
  CREATE INDEX a ON t (json_extract(doc, '$.collection'), json_extract(doc, '$.recordId'), json_extract(doc, '$.at') DESC);
  CREATE INDEX b ON t (json_extract(doc, '$.actorId'), json_extract(doc, '$.at') DESC);
  CREATE INDEX c ON t (json_extract(doc, '$.at'));`

interface Layout {
  name: string
  schema: string
  /** Writes one entry (inside the batch's transaction); returns the µs spent moving a journal, if any. */
  writer: (db: Database.Database) => (e: Entry) => number
}

const asDoc = (db: Database.Database) => {
  const insert = db.prepare('INSERT INTO t (id, doc) VALUES (?, ?)')
  return (e: Entry) => (insert.run(e._id, JSON.stringify(e)), 0)
}

const LAYOUTS: Layout[] = [
  { name: 'the log: id + 3 expression indexes', schema: TABLE + ';' + EXPRESSION_INDEXES, writer: asDoc },
  {
    name: 'the same on plain columns',
    schema: `CREATE TABLE t (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, collection TEXT, recordId TEXT, actorId TEXT, at TEXT, doc TEXT NOT NULL);
      CREATE INDEX a ON t (collection, recordId, at DESC); CREATE INDEX b ON t (actorId, at DESC); CREATE INDEX c ON t (at);`,
    writer: (db) => {
      const insert = db.prepare('INSERT INTO t (id, collection, recordId, actorId, at, doc) VALUES (?, ?, ?, ?, ?, ?)')
      return (e) => (insert.run(e._id, e.collection, e.recordId, e.actorId, e.at, JSON.stringify(e)), 0)
    }
  },
  { name: 'id index only', schema: TABLE, writer: asDoc },
  { name: 'no index', schema: 'CREATE TABLE t (rid INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL)', writer: asDoc },
  {
    name: `journal, moved every ${MOVE_EVERY}`,
    schema: `${TABLE};${EXPRESSION_INDEXES}; CREATE TABLE j (rid INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL)`,
    writer: (db) => {
      const insert = db.prepare('INSERT INTO j (id, doc) VALUES (?, ?)')
      const move = db.prepare('INSERT INTO t (id, doc) SELECT id, doc FROM j ORDER BY rid')
      const clear = db.prepare('DELETE FROM j')
      let waiting = 0
      return (e) => {
        insert.run(e._id, JSON.stringify(e))
        if (++waiting < MOVE_EVERY) return 0
        const started = performance.now()
        move.run()
        clear.run()
        waiting = 0
        return (performance.now() - started) * 1000
      }
    }
  }
]

function measure(folder: string, layout: Layout, batch: number) {
  const file = path.join(folder, `${layout.name.replace(/\W+/g, '-')}-${batch}.sqlite`)
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec(layout.schema)
    const write = layout.writer(db)
    const entries = Array.from({ length: ENTRIES }, (_, i) => entry(i))
    let moving = 0
    const started = performance.now()
    for (let i = 0; i < ENTRIES; i += batch) {
      db.transaction(() => {
        for (let k = i; k < Math.min(i + batch, ENTRIES); k++) moving += write(entries[k])
      })()
    }
    return { perEntry: ((performance.now() - started) * 1000) / ENTRIES, moving: moving / ENTRIES }
  } finally {
    db.close()
  }
}

const folder = mkdtempSync(path.join(os.tmpdir(), 'quillbase-audit-entries-'))
try {
  console.log(`quillbase bench:audit-entries: ${ENTRIES.toLocaleString('en')} entries per layout and batch, µs per entry (WAL, synchronous=NORMAL)`)
  console.log('layout'.padEnd(38), ...BATCHES.map((batch) => `${batch} a commit`.padStart(14)))
  for (const layout of LAYOUTS) {
    const cells = BATCHES.map((batch) => {
      if (layout.name.startsWith('journal') && batch >= MOVE_EVERY) return '—'.padStart(14)
      const { perEntry, moving } = measure(folder, layout, batch)
      return `${perEntry.toFixed(1)}${moving ? ` (${moving.toFixed(1)})` : ''}`.padStart(14)
    })
    console.log(layout.name.padEnd(38), ...cells)
  }
  console.log('(journal: in brackets, the µs of each entry spent moving the journal into the indexed table)')
} finally {
  rmSync(folder, { recursive: true, force: true })
}
