// CSV text for exports, reports and the admin's downloads: RFC 4180 quoting, `\n` after every row. It writes what
// csv-stringify wrote for us with `escape_formulas`, byte for byte, in about half the time (`npm run bench:csv`; README,
// "Packages we chose not to use"), and also escapes formula characters after white space and what an import would
// otherwise unescape (below).
/** A cell that must be quoted: it holds a comma, a quote, CR or LF (a quote inside is then doubled). */
const NEEDS_QUOTES = /[",\r\n]/
const QUOTES = /"/g

/**
 * A text a spreadsheet would run as a formula when the file is opened (`=HYPERLINK(…)` typed as a user's Name, opened
 * by an Admin): it starts with `=`, `+`, `-`, `@`, a tab or CR, or their full-width forms (OWASP's list, csv-stringify's
 * `escape_formulas`), or with one of them after white space (spaces, no-break and zero-width spaces, a byte order mark:
 * a spreadsheet that trims a cell on opening would run ` =x` too). Such a text is written after an apostrophe, which
 * spreadsheets show as text. The same holds after apostrophes (`'=x`), so that an import, which takes one apostrophe
 * off exactly these texts, reads back what was written.
 */
export const FORMULA_LIKE = /^'*[\s\u200B]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/
/** A CSV cell's text as imported: the apostrophe `csvCell` put before a formula-like text taken off, any other text as it is. */
export const unescapeFormula = (text: string) => (text.charCodeAt(0) === 39 && FORMULA_LIKE.test(text.slice(1)) ? text.slice(1) : text)

/**
 * One cell: a string as it is (after an apostrophe if formula-like), numbers and `true`/`false` spelled out, objects
 * and arrays as JSON, nothing as empty; quoted where it must be.
 */
export function csvCell(value: unknown): string {
  let text: string
  if (typeof value === 'string') text = FORMULA_LIKE.test(value) ? `'${value}` : value
  else if (value === undefined || value === null) return ''
  else if (typeof value === 'object') text = JSON.stringify(value)
  else text = String(value)
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTES, '""')}"` : text
}

/** One row with its line end. */
export function csvLine(cells: readonly unknown[]): string {
  let line = ''
  for (let i = 0; i < cells.length; i++) line += i ? `,${csvCell(cells[i])}` : csvCell(cells[i])
  return `${line}\n`
}

/** Reads the value at a dotted path (`Address.City`), or undefined where a step is not an object. */
function pathReader(path: string): (record: Record<string, any>) => unknown {
  const keys = path.split('.')
  if (keys.length === 1) return (record) => record[path]
  return (record) => {
    let node: any = record
    for (const key of keys) node = node && typeof node === 'object' ? node[key] : undefined
    return node
  }
}

/** One record's row (without its line end), a column per dotted path: the paths are split once, not once per cell. */
export function csvRecord(columns: readonly string[]): (record: Record<string, any>) => string {
  const readers = columns.map(pathReader)
  return (record) => {
    let line = ''
    for (let i = 0; i < readers.length; i++) line += i ? `,${csvCell(readers[i](record))}` : csvCell(readers[i](record))
    return line
  }
}

/** Rows of records as text, a column per dotted path. */
export function csvRows(columns: readonly string[]): (records: readonly Record<string, any>[]) => string {
  const row = csvRecord(columns)
  return (records) => {
    let text = ''
    for (const record of records) text += `${row(record)}\n`
    return text
  }
}
