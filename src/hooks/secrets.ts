// Secret fields: passwords hashed, other secrets encrypted with AES-256-GCM; neither ever leaves the server.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { passwordHash } from '@feathersjs/authentication-local'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection } from '../schemas/types.js'

const VERSION = 'v1'

/** A 32-byte key from any configured string (hex of 64 chars used as is, anything else hashed). */
export function encryptionKey(secret: string): Buffer {
  return /^[0-9a-f]{64}$/i.test(secret) ? Buffer.from(secret, 'hex') : createHash('sha256').update(secret).digest()
}

export function encrypt(plain: string, key: Buffer): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':')
}

/** For server code that needs a secret back (e.g. a stored API token); throws if it was tampered with. */
export function decrypt(stored: string, key: Buffer): string {
  const [version, iv, tag, body] = stored.split(':')
  if (version !== VERSION) throw new Error('Unknown secret format')
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'))
  decipher.setAuthTag(Buffer.from(tag, 'base64'))
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8')
}

/** Before writes: hash or encrypt every secret value given. */
export function protectSecrets(collection: Collection, key: Buffer) {
  const hash = passwordHash({ strategy: 'local' })
  return async (context: HookContext, next: NextFunction) => {
    if (collection.secrets.length && context.data) {
      const protect = async (item: Record<string, any>) => {
        const copy = { ...item }
        for (const { path, kind } of collection.secrets) {
          if (typeof copy[path] !== 'string') continue
          copy[path] = kind === 'hash' ? await hash(copy[path], copy, context) : encrypt(copy[path], key)
        }
        return copy
      }
      if (!Array.isArray(context.data)) context.data = await protect(context.data)
      else {
        // One record at a time: bcryptjs hashes in chunks of up to 100 ms between turns of the event loop, and a
        // hundred hashes at once (an import's batch of users) ran their chunks in the same turn, the server silent ~10 s.
        const protectedItems = []
        for (const item of context.data) protectedItems.push(await protect(item))
        context.data = protectedItems
      }
    }
    return next()
  }
}

export function withoutSecrets(collection: Collection, record: any): any {
  if (!record || typeof record !== 'object' || !collection.secrets.length) return record
  const copy = { ...record }
  for (const { path } of collection.secrets) delete copy[path]
  return copy
}

/** After any call: external results and every event carry no secret field. */
export function hideSecrets(collection: Collection) {
  const strip = (result: any): any => {
    if (Array.isArray(result)) return result.map((r) => withoutSecrets(collection, r))
    if (result && Array.isArray(result.data)) return { ...result, data: result.data.map((r: any) => withoutSecrets(collection, r)) }
    return withoutSecrets(collection, result)
  }
  return async (context: HookContext, next: NextFunction) => {
    await next()
    if (!collection.secrets.length) return
    context.dispatch = strip(context.dispatch ?? context.result)
    if (context.params.provider) context.result = strip(context.result)
  }
}
