// Compression of responses and caching of static assets: fingerprinted URLs are kept for a year, the rest revalidated.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Duplex, Stream } from 'node:stream'
import zlib from 'node:zlib'
import compress from 'koa-compress'
import compressible from 'compressible'
import type { Context, Middleware, Next } from 'koa'

export const IMMUTABLE = 'public, max-age=31536000, immutable'
export const REVALIDATE = 'no-cache'

/** Where `npm run build` leaves the assets compressed ahead (`<hash>.br`, `<hash>.gz`): beside the compiled `src/`. */
export const PRECOMPRESSED_DIR = fileURLToPath(new URL('../../precompressed/', import.meta.url))

export type Encoding = 'br' | 'gzip'
export const ENCODING_EXTENSIONS: Record<Encoding, string> = { br: 'br', gzip: 'gz' }

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

/**
 * Compresses `content`; `ahead` (for the build): brotli 10 with a 16 MB window, about 1.5 s per megabyte and 20% smaller
 * than brotli 4 (11 is twice as slow for 3% less), and gzip 9; else koa-compress's fast settings.
 */
export const compressAsset = (content: Buffer, encoding: Encoding, ahead = false): Promise<Buffer> =>
  encoding === 'br'
    ? brotli(content, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: ahead ? 10 : 4, [zlib.constants.BROTLI_PARAM_LGWIN]: ahead ? 24 : 22, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length } })
    : gzip(content, { level: ahead ? zlib.constants.Z_BEST_COMPRESSION : zlib.constants.Z_DEFAULT_COMPRESSION })

/** Text the MIME database does not know as compressible: NDJSON exports (`application/x-ndjson`). */
const NDJSON = /^application\/x-ndjson\b/i

/**
 * brotli or gzip, as the client accepts, for compressible bodies of 1 kB and more (koa-compress); skips what is already
 * encoded. koa-compress pipes a stream body into the compressor with `pipe`, which does not pass the body's error on: a
 * stream that failed after the headers (an export's page) left the compressed response open, the client waiting.
 * The error is passed on here, so the compressed response fails as an uncompressed one does.
 */
export function compression(): Middleware {
  const compressing = compress({ deflate: false, filter: (type) => NDJSON.test(type) || !!compressible(type) })
  return async (ctx, next) => {
    // No coding the client takes, not even identity (`identity;q=0`, `*;q=0`): koa-compress would then set an undefined
    // Content-Encoding (a 500). The body goes as it is, as most servers answer it, rather than a 406 for every request.
    if (ctx.acceptsEncodings('br', 'gzip', 'identity') === false) return next()
    let body: unknown
    await compressing(ctx, async () => {
      await next()
      body = ctx.body
    })
    const compressed = ctx.body
    if (body !== compressed && body instanceof Stream && compressed instanceof Duplex) body.once('error', (error) => compressed.destroy(error))
  }
}

/** A response that set no `Cache-Control` (pages, API answers, errors) is revalidated at each use. */
export const revalidateByDefault = (): Middleware => async (ctx: Context, next: Next) => {
  try {
    await next()
  } finally {
    if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', REVALIDATE)
  }
}

/** A short hash of an asset's content: its URL changes when, and only when, the content does. */
export const fingerprintOf = (content: Buffer | string) => createHash('sha256').update(content).digest('base64url').slice(0, 16)

/** brotli when accepted, else gzip: clients list them in any order, all at the same weight. */
const preferredEncoding = (ctx: Context): Encoding | undefined =>
  ctx.acceptsEncodings('br') === 'br' ? 'br' : ctx.acceptsEncodings('gzip') === 'gzip' ? 'gzip' : undefined

const COMPRESSIBLE = new Set(['.js', '.css', '.json', '.svg', '.html', '.map'])
export const isCompressible = (name: string) => COMPRESSIBLE.has(extname(name))

/** What a fingerprinted asset is: its name below the base path, and how to read it. */
export type AssetSources = Record<string, () => Promise<Buffer | string>>

interface Entry {
  hash: string
  body: Buffer
}

/** Compressed assets by their file in `precompressed/` (`<hash>.<extension>`), shared by every app of the process (each test server). */
const variants = new Map<string, Promise<Buffer>>()

/**
 * Static assets under fingerprinted URLs, `<base>v-<hash>/<name>`: browsers and proxies keep them for a year (the URL of a
 * changed asset is another one). Each is compressed once per process, or taken from the build's `precompressed/`.
 */
export class FingerprintedAssets {
  private _entries?: Promise<Map<string, Entry>>

  constructor(
    readonly base: string,
    private _sources: AssetSources,
    private _precompressed = PRECOMPRESSED_DIR
  ) {}

  /** Reads and hashes every asset, once. */
  entries(): Promise<Map<string, Entry>> {
    this._entries ??= Promise.all(
      Object.entries(this._sources).map(async ([name, read]): Promise<[string, Entry]> => {
        const content = await read()
        const body = Buffer.isBuffer(content) ? content : Buffer.from(content)
        return [name, { hash: fingerprintOf(body), body }]
      })
    ).then((list) => new Map(list))
    return this._entries
  }

  /** `v-<hash>/<name>`, relative to the base. */
  async path(name: string): Promise<string> {
    const entry = (await this.entries()).get(name)
    if (!entry) throw new Error(`No asset '${name}' under ${this.base}`)
    return `v-${entry.hash}/${name}`
  }

  /** Points a page's links to the assets (`"<base><name>"`) at their fingerprinted URLs. */
  async linkIn(html: string): Promise<string> {
    if (!html.includes(this.base)) return html
    for (const name of (await this.entries()).keys()) html = html.split(`"${this.base}${name}"`).join(`"${this.base}${await this.path(name)}"`)
    return html
  }

  /** Serves the fingerprinted URLs, and the plain `<base><name>` ones (revalidated) for links that predate them. */
  middleware(): Middleware {
    return async (ctx: Context, next: Next) => {
      if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.path.startsWith(this.base)) return next()
      const rest = ctx.path.slice(this.base.length)
      const fingerprinted = /^v-([\w-]+)\/(.+)$/.exec(rest)
      const name = fingerprinted ? fingerprinted[2] : rest
      const entry = (await this.entries()).get(name)
      if (!entry) return next()
      ctx.type = extname(name)
      if (fingerprinted?.[1] !== entry.hash) {
        // A plain URL, or an old hash (a page of the previous version, during a deploy): today's content, not to be kept.
        ctx.set('Cache-Control', REVALIDATE)
        ctx.body = entry.body
        return
      }
      ctx.set('Cache-Control', IMMUTABLE)
      ctx.vary('Accept-Encoding')
      const encoding = isCompressible(name) ? preferredEncoding(ctx) : undefined
      if (encoding) {
        ctx.body = await this._variant(entry, encoding)
        ctx.set('Content-Encoding', encoding)
      } else ctx.body = entry.body
    }
  }

  private _variant(entry: Entry, encoding: Encoding): Promise<Buffer> {
    const ahead = join(this._precompressed, `${entry.hash}.${ENCODING_EXTENSIONS[encoding]}`)
    let variant = variants.get(ahead)
    if (!variant) {
      variant = readFile(ahead).catch(() => compressAsset(entry.body, encoding))
      variants.set(ahead, variant)
    }
    return variant
  }
}
