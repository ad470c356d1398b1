// Where uploaded bytes live: files in `DATA_DIR/files` on the embedded store, GridFS (bucket `quillbase-files`) on MongoDB
// (`GridFiles`, in `store-mongo.ts`).
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { PassThrough, type Readable } from 'node:stream'

export interface FileStore {
  /** Streams `source` to the file `id` (24 hex characters); resolves once every byte is stored. */
  write(id: string, source: Readable): Promise<void>
  /** The file's bytes, or the inclusive byte range `start`–`end`. */
  read(id: string, range?: { start: number; end: number }): Readable
  /** Removes the file; a missing one is not an error. */
  remove(id: string): Promise<void>
}

const FILE_ID = /^[0-9a-f]{24}$/
/** A file id as stored: 24 hex characters, else an error. */
export const checkedFileId = (id: string) => {
  if (!FILE_ID.test(id)) throw new Error(`Invalid file id '${id}'`)
  return id
}

/**
 * A stream to return at once of the bytes `open` gives later. Piped with `pipeline`, not `pipe`: a reader that stops early
 * (an aborted download, a HEAD) destroys the returned stream, and with it the source and its file descriptor or cursor.
 */
export function openedLater(open: () => Promise<Readable>): Readable {
  const out = new PassThrough()
  open().then(
    (source) => pipeline(source, out).catch(() => undefined),
    (error) => out.destroy(error)
  )
  return out
}

export class DiskFiles implements FileStore {
  private _dir: Promise<string>
  private _temporary: boolean

  /** `dir` absent (an in-memory store): a temporary folder, removed by `close`. */
  constructor(dir?: string) {
    this._dir = dir ? mkdir(dir, { recursive: true }).then(() => dir) : mkdtemp(path.join(os.tmpdir(), 'quillbase-files-'))
    this._temporary = !dir
  }

  private async _path(id: string) {
    return path.join(await this._dir, checkedFileId(id))
  }

  async write(id: string, source: Readable) {
    const file = await this._path(id)
    try {
      await pipeline(source, createWriteStream(file, { flags: 'wx' }))
    } catch (error) {
      await rm(file, { force: true })
      throw error
    }
  }

  read(id: string, range?: { start: number; end: number }) {
    return openedLater(async () => createReadStream(await this._path(id), range))
  }

  async remove(id: string) {
    await rm(await this._path(id), { force: true })
  }

  async close() {
    if (this._temporary) await rm(await this._dir, { recursive: true, force: true })
  }
}
