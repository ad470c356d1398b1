// Keyset pages (`params.sqliteCursor`): every match of a query, page after page, each page a seek in an index however deep.
import { GeneralError } from '@feathersjs/errors'
import type { Row, SqliteCollection } from './sqlite-collection.js'

/**
 * Reading every match page by page (`params.sqliteCursor`): each page starts after the row the previous one ended on,
 * which the adapter notes here. When the query's equalities fix the leading paths of a declared index (a permission's
 * `{ ManagerId: me }`), the pages walk that index: its next column, then the row id (SQLite's indexes end with it);
 * then the records without a value there. Otherwise they walk storage order. Either way a page is a seek, never a
 * sort of every match. `$sort` and `$skip` are ignored.
 */
export interface SqliteCursor {
  /** The collection paged: a hook's own reads of other collections, given the same params, ignore the cursor. */
  collection: string
  /** The row id the last page ended on. */
  last?: number
  /** Its value in the index column walked, if any. */
  key?: unknown
  /** Past the index column's values: the records without one (missing or null), in storage order. */
  nulls?: boolean
  /** The order the first page walked; a later page whose query walks another is refused rather than skip records. */
  order?: string
}

type Doc = Record<string, any>

const isPlainObject = (value: unknown): value is Doc => !!value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
const isValue = (value: unknown) => typeof value === 'string' || typeof value === 'number' || value instanceof Date

/** Plain paths that the query's top-level conditions fix to one string, number or date: what an index seeks. */
export function fixedPaths(Model: SqliteCollection, conditions: Doc): Set<string> {
  const fixed = new Set<string>()
  for (const [path, condition] of Object.entries(conditions)) {
    if (path.startsWith('$') || path === Model.id || Model.kind(path) !== 'scalar') continue
    const value = isPlainObject(condition) && Object.keys(condition).length === 1 && '$eq' in condition ? condition.$eq : condition
    if (isValue(value)) fixed.add(path)
  }
  return fixed
}

/** A page's row: its row id (where the next page starts) and its document; not the `id` column, which no caller of a page reads. */
export type PageRow = Pick<Row, 'rid' | 'doc'>

/** The next page of `cursor` over the rows matching `where` (its parameters `params`), at most `limit` rows (all without one). */
export function keysetPage(Model: SqliteCollection, cursor: SqliteCursor, conditions: Doc, where: string, params: unknown[], limit?: number): PageRow[] {
  const seek = Model.keysetOrder(fixedPaths(Model, conditions))?.seek
  const order = seek ? `${seek.sql} ${seek.direction < 0 ? 'DESC' : 'ASC'}` : 'rid'
  if (cursor.order !== undefined && cursor.order !== order) throw new GeneralError(`The query of this read changed between its pages (${cursor.order}, then ${order})`)
  cursor.order = order
  const max = limit ?? -1
  let rows: PageRow[] = []
  if (seek && !cursor.nulls) {
    const [from, past] = seek.direction < 0 ? ['<=', '<'] : ['>=', '>']
    const after = cursor.last === undefined ? `${seek.sql} IS NOT NULL` : `${seek.sql} ${from} ? AND (${seek.sql} ${past} ? OR (${seek.sql} = ? AND rid > ?))`
    const values = cursor.last === undefined ? [] : [cursor.key, cursor.key, cursor.key, cursor.last]
    rows = Model.all(`SELECT rid, doc FROM ${Model.table} WHERE ${where} AND ${after} ORDER BY ${order}, rid LIMIT ?`, [...params, ...values, max])
    if (rows.length) {
      // The key of the last row only, as SQLite has it (a tagged date, a number…): computed for every row it costs a third of the page.
      const last = rows[rows.length - 1].rid
      Object.assign(cursor, { last, key: Model.get(`SELECT ${seek.sql} AS k FROM ${Model.table} WHERE rid = ?`, [last])?.k })
    }
    if (limit !== undefined && rows.length === limit) return rows
    Object.assign(cursor, { nulls: true, last: undefined, key: undefined })
  }
  const rest = limit === undefined ? -1 : limit - rows.length
  const last = cursor.last ?? 0
  // A query that is one path into arrays (a Developer's `Attendees.DeveloperId`) walks the index table, in row id order.
  const keys = seek ? undefined : Model.keysOnly(where)
  const sql = keys
    ? `SELECT rid, doc FROM ${Model.table} WHERE rid IN (SELECT DISTINCT rid FROM ${Model.keysTable} WHERE ${keys} AND rid > ? ORDER BY rid LIMIT ?) ORDER BY rid`
    : `SELECT rid, doc FROM ${Model.table} WHERE ${where}${seek ? ` AND ${seek.sql} IS NULL` : ''} AND rid > ? ORDER BY rid LIMIT ?`
  const more = Model.all(sql, [...params, last, rest])
  if (more.length) cursor.last = more[more.length - 1].rid
  return rows.concat(more)
}
