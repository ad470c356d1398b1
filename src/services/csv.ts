// CSV text for exports, reports and the admin's downloads: RFC 4180 quoting, `\n` after every row. It writes what
// csv-stringify wrote for us, byte for byte, in about half the time (`npm run bench:csv`; README, "Packages we chose not to use").
/** A cell that must be quoted: it holds a comma, a quote, CR or LF (a quote inside is then doubled). */
const NEEDS_QUOTES = /[",\r\n]/
const QUOTES = /"/g

/** One cell: a string as it is, numbers and `true`/`false` spelled out, objects and arrays as JSON, nothing as empty; quoted where it must be. */
export function csvCell(value: unknown): string {
  let text: string
  if (typeof value === 'string') text = value
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
