// The CSV encoder of exports, reports and the admin's downloads: RFC 4180 quoting, exactly as csv-stringify wrote it
// (the bytes below are what csv-stringify 6.9 gave for the same cells, with `escape_formulas` for the formula-like
// ones), and csv-parse reads every cell back.
import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import { csvCell, csvLine, csvRows, unescapeFormula } from '../../src/services/csv.js'

describe('CSV encoding', () => {
  it('quotes a cell holding a comma, a quote, CR or LF, doubling its quotes; leaves every other cell as it is (a formula-like one after an apostrophe)', () => {
    const cells = ['plain', 'a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', '\r\n', ' lead', 'trail ', '', '=SUM(A1)', '-3', 'é ü 漢字 😀', '""', 'tab\there']
    const line = csvLine(cells)
    assert.equal(line, `plain,"a,b","say ""hi""","line\nbreak","cr\rhere","'\r\n", lead,trail ,,'=SUM(A1),'-3,é ü 漢字 😀,"""""",tab\there\n`)
    assert.deepEqual(parse(line)[0].map(unescapeFormula), cells, 'read back, apostrophes taken off as an import does')
  })

  it("writes a text a spreadsheet would run as a formula after an apostrophe (OWASP's list); an import takes exactly that one off", () => {
    // After white space too: a spreadsheet that trims cells as it opens the file would run them.
    const formulas = ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\tlead', '\rcr', '＝1+1', '＋1', '－1', '＠x', ' =1+1', '  @x', '\u00A0=1', '\u200B=1', '\uFEFF+1', '\u3000-1', '\n=1']
    for (const text of formulas) {
      const cell = csvCell(text)
      assert.equal(parse(`${cell}\n`)[0][0], `'${text}`, `${JSON.stringify(text)} is written as text`)
      assert.equal(unescapeFormula(`'${text}`), text)
    }
    // Texts that already start with apostrophes before such a character get one more, so the round trip is exact.
    assert.equal(csvCell("'=x"), "''=x")
    assert.equal(unescapeFormula("''=x"), "'=x")
    // Any other text keeps its apostrophe both ways; numbers are never escaped (-1.5 stays a number to a spreadsheet).
    for (const text of ["'Tis", "''quoted", "'", 'a=b', 'x-1', ' lead', '\u00A0x', ' ']) {
      assert.equal(csvCell(text), text)
      assert.equal(unescapeFormula(text), text)
    }
    assert.equal(csvLine([-1.5, -2]), '-1.5,-2\n')
  })

  it('spells out numbers and booleans, writes objects and arrays as JSON, nothing as an empty cell', () => {
    assert.equal(csvLine([0, -1.5, 1e21, Number.NaN, true, false, null, undefined, [{ a: 1 }], { b: 'x,y' }]), '0,-1.5,1e+21,NaN,true,false,,,"[{""a"":1}]","{""b"":""x,y""}"\n')
    assert.equal(csvCell(''), '')
    assert.equal(csvLine([]), '\n')
  })

  it('reads dotted paths of each record, an empty cell where a step is missing or not an object', () => {
    const rows = csvRows(['_id', 'Address.City', 'Address.Geo.Lat', 'Tags'])
    const text = rows([
      { _id: 'a', Address: { City: 'Nice, FR', Geo: { Lat: 43.7 } }, Tags: ['x'] },
      { _id: 'b', Address: 'nowhere' },
      { _id: 'c' }
    ])
    assert.equal(text, 'a,"Nice, FR",43.7,"[""x""]"\nb,,,\nc,,,\n')
    assert.equal(rows([]), '')
  })
})
