// CSV encoders side by side, on pages of appointments as an Admin's export has them (seven columns, an array as a
// JSON cell): µs per row (the page's text made bytes, as the response stream does; the best of ROUNDS interleaved
// rounds, the machine may be shared) and whether each writes the same bytes as ours, which are csv-stringify's
// (test/services/csv.test.ts). The others are not dependencies (csv-stringify was, until this measure replaced it):
// `npm install --no-save csv-stringify @fast-csv/format papaparse` to include them; each is skipped otherwise.
// Usage: npm run bench:csv [-- --rows 1000 --seconds 1 --rounds 3]
import { PassThrough } from 'node:stream'
import { ByteChunk } from '../src/services/byte-chunk.js'
import { csvLine, csvRecord, csvRows } from '../src/services/csv.js'

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? process.argv[index + 1] : fallback
}
const ROWS = Number(argument('rows', '1000'))
const SECONDS = Number(argument('seconds', '1'))
const ROUNDS = Number(argument('rounds', '3'))

type Doc = Record<string, any>
const COLUMNS = ['_id', 'ManagerId', 'AppointedDate', 'Attendees', 'Status', 'CreatedAt', 'UpdatedAt']
const hex = (i: number) => i.toString(16).padStart(24, '0')
const page: Doc[] = Array.from({ length: ROWS }, (_, i) => {
  const at = new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString()
  return { _id: hex(1e6 + i), ManagerId: hex(i % 2), AppointedDate: at, Attendees: [{ DeveloperId: hex(10 + (i % 2)) }], Status: 'Scheduled', CreatedAt: at, UpdatedAt: at }
})
/** Cells that stress the quoting: every character that needs it, spaces, a formula, numbers, booleans, nothing. */
const edges: unknown[][] = [
  ['plain', 'a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', '\r\n', ' lead', 'trail ', '', '=SUM(A1)', '-3', 'é ü 漢字 😀'],
  [0, -1.5, 1e21, Number.NaN, true, false, '""', ',', '"', 'tab\there', '12345678901234567890', '[{"a":1}]']
]

/**
 * What exports.ts did before: csv-stringify's sync API on the page's cell arrays, booleans spelled out; formula-like
 * texts after an apostrophe (`escape_formulas`, as ours writes them; ours also escapes `'=…`, which no edge holds).
 */
const CSV_OPTIONS = { cast: { boolean: (value: boolean) => String(value) }, escape_formulas: true }
const cell = (record: Doc, path: string) => {
  const value = path.split('.').reduce<any>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), record)
  if (value === undefined || value === null) return ''
  return typeof value === 'object' ? JSON.stringify(value) : value
}
const cellsOf = (records: Doc[]) => records.map((record) => COLUMNS.map((column) => cell(record, column)))
const arrays = cellsOf(page)

/** A third-party encoder if it is installed. */
const optional = (name: string): Promise<any> => import(name).catch(() => console.log(`${name} not installed: skipped`))

async function streamed(stringifyStream: (options: object) => any, rows: unknown[][]) {
  const csv = stringifyStream(CSV_OPTIONS)
  const out = new PassThrough()
  let text = ''
  out.on('data', (chunk: string) => (text += chunk))
  csv.pipe(out)
  for (const row of rows) csv.write(row)
  csv.end()
  await new Promise((resolve) => out.on('end', resolve))
  return text
}

type Encoder = { name: string; run: (rows: unknown[][], records: Doc[]) => string | Buffer | Promise<string> }
const bytes = (output: string | Buffer) => (typeof output === 'string' ? Buffer.from(output) : output)
const ours = (rows: unknown[][]) => rows.map(csvLine).join('')
const encoders: Encoder[] = []
const csvStringify = await optional('csv-stringify')
if (csvStringify) {
  const sync = await import('csv-stringify/sync' as string)
  encoders.push(
    { name: 'csv-stringify sync, cells from records (before)', run: (_, records) => sync.stringify(cellsOf(records), CSV_OPTIONS) },
    { name: 'csv-stringify sync, a page of arrays', run: (rows) => sync.stringify(rows, CSV_OPTIONS) },
    { name: 'csv-stringify stream, row by row', run: (rows) => streamed(csvStringify.stringify, rows) }
  )
}
encoders.push(
  { name: 'ours (csvLine), a page of arrays', run: ours },
  { name: 'ours (csvRows), cells from records', run: (_, records) => csvRows(COLUMNS)(records) },
  {
    name: 'ours into a ByteChunk, as the export (after)',
    run: (_, records) => {
      const chunk = new ByteChunk(256 * 1024)
      const row = csvRecord(COLUMNS)
      for (const record of records) chunk.line(row(record))
      return chunk.take()
    }
  }
)
const fastCsv = await optional('@fast-csv/format')
if (fastCsv) encoders.push({ name: '@fast-csv/format writeToString, arrays', run: (rows) => fastCsv.writeToString(rows, { includeEndRowDelimiter: true }) })
const papaparse = await optional('papaparse')
if (papaparse) encoders.push({ name: 'papaparse unparse, arrays', run: (rows) => `${papaparse.default.unparse(rows, { newline: '\n' })}\n` })

/** µs per row of one round: the encoder's text of the page, then its bytes. */
async function time(encoder: Encoder) {
  for (let i = 0; i < 20; i++) bytes(await encoder.run(arrays, page))
  let rows = 0
  const started = performance.now()
  while (performance.now() - started < SECONDS * 1000) {
    bytes(await encoder.run(arrays, page))
    rows += ROWS
  }
  return ((performance.now() - started) * 1000) / rows
}

const reference = Buffer.from(ours(arrays))
const edgeReference = Buffer.from(ours(edges))
console.log(`CSV encoders: pages of ${ROWS} appointments (${COLUMNS.length} columns), best of ${ROUNDS} rounds of ${SECONDS} s`)
const best = new Map<Encoder, number>()
for (let round = 0; round < ROUNDS; round++) {
  for (const encoder of encoders) best.set(encoder, Math.min(best.get(encoder) ?? Infinity, await time(encoder)))
}
console.log('encoder'.padEnd(50), 'µs/row'.padStart(7), 'vs first'.padStart(10), '  same bytes (page, edge cases)')
const before = best.get(encoders[0])!
for (const encoder of encoders) {
  const perRow = best.get(encoder)!
  const samePage = bytes(await encoder.run(arrays, page)).equals(reference)
  const sameEdges = encoder.name.includes('records') || encoder.name.includes('export') ? '—' : bytes(await encoder.run(edges, [])).equals(edgeReference) ? 'yes' : 'no'
  console.log(encoder.name.padEnd(50), perRow.toFixed(2).padStart(7), `${(before / perRow).toFixed(1)}×`.padStart(10), `  ${samePage ? 'yes' : 'no'}, ${sameEdges}`)
}
