// A page of an export as one buffer, its text written in as UTF-8 line by line: no string of the whole page to
// flatten and then encode again (the stream's `Buffer.from` of a page cost a tenth of an export's time).

/** Lines of text written as UTF-8 into one buffer that grows as needed; `take` gives the bytes written. */
export class ByteChunk {
  private _buffer: Buffer
  private _length = 0

  /** `expected`: about how many bytes will be written (the previous page's), to grow seldom. */
  constructor(expected: number) {
    this._buffer = Buffer.allocUnsafe(Math.max(1024, expected))
  }

  /** `text` and a line feed. */
  line(text: string) {
    // A UTF-16 unit is at most 3 bytes of UTF-8: room for that, so a write is never cut short.
    const most = text.length * 3 + 1
    if (this._length + most > this._buffer.length) this._grow(most)
    this._length += this._buffer.write(text, this._length)
    this._buffer[this._length++] = 10
  }

  get length() {
    return this._length
  }

  /** The bytes written (only those: the rest of the buffer was never initialized). */
  take(): Buffer {
    return this._buffer.subarray(0, this._length)
  }

  private _grow(room: number) {
    const bigger = Buffer.allocUnsafe(Math.max(this._buffer.length * 2, this._length + room))
    this._buffer.copy(bigger, 0, 0, this._length)
    this._buffer = bigger
  }
}
