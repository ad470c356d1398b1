// Where uploaded bytes live: files in `DATA_DIR/files` on the embedded store, GridFS (bucket `quillbase-files`) on MongoDB.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { PassThrough, type Readable } from 'node:stream'
import { GridFSBucket, ObjectId, type Db } from 'mongodb'

export interface FileStore {
  /** Streams `source` to the file `id` (24 hex characters); resolves once every byte is stored. */
  write(id: string, source: Readable): Promise<void>
  /** The file's bytes, or the inclusive byte range `start`–`end`. */
  read(id: string, range?: { start: number; end: number }): Readable
  /** Removes the file; a missing one is not an error. */
  remove(id: string): Promise<void>
}

const FILE_ID = /^[0-9a-f]{24}$/
const checked = (id: string) => {
  if (!FILE_ID.test(id)) throw new Error(`Invalid file id '${id}'`)
  return id
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
    return path.join(await this._dir, checked(id))
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
    const out = new PassThrough()
    this._path(id).then(
      (location) => createReadStream(location, range).on('error', (error) => out.destroy(error)).pipe(out),
      (error) => out.destroy(error)
    )
    return out
  }

  async remove(id: string) {
    await rm(await this._path(id), { force: true })
  }

  async close() {
    if (this._temporary) await rm(await this._dir, { recursive: true, force: true })
  }
}

export class GridFiles implements FileStore {
  private _bucket: Promise<GridFSBucket>

  constructor(db: Promise<Db>) {
    this._bucket = db.then((database) => new GridFSBucket(database, { bucketName: 'quillbase-files' }))
  }

  async write(id: string, source: Readable) {
    const bucket = await this._bucket
    await pipeline(source, bucket.openUploadStreamWithId(new ObjectId(checked(id)), id))
  }

  read(id: string, range?: { start: number; end: number }) {
    const out = new PassThrough()
    this._bucket.then(
      (bucket) =>
        bucket
          .openDownloadStream(new ObjectId(checked(id)), range ? { start: range.start, end: range.end + 1 } : {})
          .on('error', (error) => out.destroy(error))
          .pipe(out),
      (error) => out.destroy(error)
    )
    return out
  }

  async remove(id: string) {
    const bucket = await this._bucket
    await bucket.delete(new ObjectId(checked(id))).catch((error: any) => {
      if (!/FileNotFound|File not found/i.test(String(error?.message))) throw error
    })
  }

  async close() {}
}
