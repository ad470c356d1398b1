// Old data folders: NeDB's `<collection>.db` files are converted into the SQLite file once, then moved aside.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs'
import path from 'node:path'
import type { SqliteDatabase } from './sqlite-database.js'
import { SqliteCollection } from './sqlite-collection.js'

export interface ConvertedCollection {
  name: string
  records: number
  /** Lines that were not JSON (a torn last line after a crash), skipped. */
  skippedLines: number
}

export interface Conversion {
  collections: ConvertedCollection[]
  /** Where the old files went. */
  backup: string
}

type Doc = Record<string, any>

/** NeDB wrote dates as `{ "$$date": <ms> }`; everything else is plain JSON. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (!value || typeof value !== 'object') return value
  const entries = Object.entries(value as Doc)
  if (entries.length === 1 && entries[0][0] === '$$date') return new Date(entries[0][1] as number)
  return Object.fromEntries(entries.map(([key, item]) => [key, revive(item)]))
}

/** The records of a NeDB file: each line a document, later lines replace earlier ones by `_id`, `$$deleted` removes. */
export function readNedbFile(file: string): { records: Doc[]; skippedLines: number } {
  const records = new Map<string, Doc>()
  let skippedLines = 0
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    let doc: Doc
    try {
      doc = JSON.parse(line)
    } catch {
      skippedLines++
      continue
    }
    if (doc.$$indexCreated !== undefined) continue // index metadata; the declarations' indexes are ensured at start
    if (doc.$$deleted === true) records.delete(String(doc._id))
    else if (doc._id !== undefined) records.set(String(doc._id), revive(doc) as Doc)
  }
  return { records: [...records.values()], skippedLines }
}

const COLLECTION_FILE = /^([A-Za-z0-9_-]+)\.db$/

/**
 * Converts every `<collection>.db` of `dataDir` into `database`, in one transaction with each count checked,
 * then moves the files to `nedb-backup-<timestamp>/`. A crash before the move leaves the conversion marked
 * done, so the next start only moves the files.
 */
export function convertNedbFolder(dataDir: string, database: SqliteDatabase): Conversion | undefined {
  const files = existsSync(dataDir) ? readdirSync(dataDir).filter((file) => COLLECTION_FILE.test(file)) : []
  if (!files.length) return undefined
  const collections: ConvertedCollection[] = []
  database.now(() => {
    for (const file of files) {
      const name = file.match(COLLECTION_FILE)![1]
      if (database.meta(`nedb-converted:${name}`)) continue
      const { records, skippedLines } = readNedbFile(path.join(dataDir, file))
      // A plain handle: the engine's own (with the schema's shape) is made later, by `createService`.
      const collection = new SqliteCollection(database, name, {})
      const before = collection.count('1', [])
      for (const record of records) collection.insert(record)
      const stored = collection.count('1', []) - before
      if (stored !== records.length) throw new Error(`Converting ${file}: ${records.length} records read but ${stored} stored`)
      database.setMeta(`nedb-converted:${name}`, JSON.stringify({ records: records.length, skippedLines, at: new Date().toISOString() }))
      collections.push({ name, records: records.length, skippedLines })
    }
  })
  const backup = path.join(dataDir, `nedb-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  mkdirSync(backup, { recursive: true })
  for (const file of files) renameSync(path.join(dataDir, file), path.join(backup, file))
  return { collections, backup }
}
