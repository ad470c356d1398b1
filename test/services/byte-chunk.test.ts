// A page's bytes written line by line: exactly the UTF-8 of its lines, however far the buffer had to grow.
import assert from 'node:assert/strict'
import { ByteChunk } from '../../src/services/byte-chunk.js'

describe('ByteChunk', () => {
  it('holds exactly the UTF-8 of each line and its line feed, growing past what was expected', () => {
    const lines = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? `é ü 漢字 😀 ${i}` : i % 3 === 1 ? '' : `{"n":${i},"s":"${'x'.repeat(i)}"}`))
    const chunk = new ByteChunk(10)
    for (const line of lines) chunk.line(line)
    const expected = Buffer.from(lines.map((line) => `${line}\n`).join(''))
    assert.equal(chunk.length, expected.length)
    assert.ok(chunk.take().equals(expected))
  })

  it('takes nothing when nothing was written', () => {
    assert.equal(new ByteChunk(4096).take().length, 0)
  })
})
