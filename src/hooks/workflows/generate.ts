// Generated values: unique codes, numbered sequences, ids and caller/time stamps, filled in when a record is created (or, with `on: 'write'`, changed).
import { randomBytes, randomInt } from 'node:crypto'
import { Conflict } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, GeneratedValueInput } from '../../schemas/types.js'
import { isEmpty, now, type Rec, writesOf } from './shared.js'
import { fill } from './templates.js'

const DIGITS = '0123456789'
const ATTEMPTS = 20

export function generate(collection: Collection) {
  const entries = Object.entries(collection.generate ?? {})
  /** Last number of each sequence, read once from the store, then counted here (one app instance per store). */
  const counters = new Map<string, Promise<{ last: number }>>()
  /** Codes handed to calls still being written, so two concurrent calls never draw the same one. */
  const pending = new Set<string>()

  function nextInSequence(context: HookContext, path: string, prefix: string) {
    let counter = counters.get(path)
    if (!counter) {
      const query = { [path]: { $gte: prefix, $lt: `${prefix}\uffff` }, $sort: { [path]: -1 }, $limit: 1, $select: ['_id', path] }
      counter = (context.service as any)._find({ paginate: false, query }).then(([highest]: Rec[]) => ({
        last: highest ? Number(String(highest[path]).slice(prefix.length)) || 0 : 0
      }))
      counters.set(path, counter!)
      counter!.catch(() => counters.delete(path))
    }
    return counter!.then((state) => ++state.last)
  }

  async function uniqueCode(context: HookContext, path: string, spec: GeneratedValueInput, taken: Set<string>) {
    const alphabet = spec.alphabet ?? DIGITS
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const code = Array.from({ length: spec.length ?? 6 }, () => alphabet[randomInt(alphabet.length)]).join('')
      const key = `${path}\u0000${code}`
      if (pending.has(key)) continue
      pending.add(key)
      const clash = await (context.service as any)._find({ paginate: false, query: { [path]: code, $limit: 1, $select: ['_id'] } })
      if (clash.length) {
        pending.delete(key)
        continue
      }
      taken.add(key)
      return code
    }
    throw new Conflict(`No unused ${path} could be generated; the collection needs a longer code or a larger alphabet`)
  }

  async function valueFor(context: HookContext, path: string, spec: GeneratedValueInput, record: Rec, taken: Set<string>): Promise<unknown> {
    switch (spec.kind) {
      case 'code':
        return path.includes('.') ? Array.from({ length: spec.length ?? 6 }, () => (spec.alphabet ?? DIGITS)[randomInt((spec.alphabet ?? DIGITS).length)]).join('') : uniqueCode(context, path, spec, taken)
      case 'sequence': {
        const prefix = spec.prefix ?? ''
        return `${prefix}${String(await nextInSequence(context, path, prefix)).padStart(spec.digits ?? 6, '0')}`
      }
      case 'id':
        return randomBytes(12).toString('hex')
      case 'value':
        return fill<Rec>({ value: spec.value }, { user: context.params.user, now: now(), data: record }).value
    }
  }

  /**
   * Fills `field` in every item of the array (or object) at `top`, for paths like `checkpoints._id`. With `forced`,
   * a caller's value is replaced, except in items kept exactly as stored (`kept`), which stay as they were.
   */
  async function fillNested(context: HookContext, value: any, segments: string[], spec: GeneratedValueInput, record: Rec, taken: Set<string>, forced: boolean, kept: Set<string>): Promise<any> {
    if (Array.isArray(value)) return Promise.all(value.map((item) => fillNested(context, item, segments, spec, record, taken, forced, kept)))
    if (!value || typeof value !== 'object' || kept.has(JSON.stringify(value))) return value
    const [head, ...rest] = segments
    if (rest.length) return { ...value, [head]: await fillNested(context, value[head], rest, spec, record, taken, forced, kept) }
    return isEmpty(value[head]) || forced ? { ...value, [head]: await valueFor(context, head, spec, record, taken) } : value
  }

  /** A caller never chooses codes, sequence numbers or who they are; ids of array items and plain values (a time) they may give. */
  const forcedFor = (spec: GeneratedValueInput, external: boolean) =>
    external && (!!spec.overwrite || spec.kind === 'code' || spec.kind === 'sequence' || (spec.kind === 'value' && /\{\{\s*user\./.test(JSON.stringify(spec.value ?? ''))))

  return async (context: HookContext, next: NextFunction) => {
    const external = !!context.params.provider
    const taken = new Set<string>()
    for (const write of await writesOf(context)) {
      for (const [path, spec] of entries) {
        const [top, ...rest] = path.split('.')
        if (rest.length) {
          // Items of arrays (`checkpoints._id`) get their value whenever the caller writes them.
          if (write.given[top] !== undefined) {
            const kept = new Set<string>(external ? [write.before?.[top] ?? []].flat().map((item: unknown) => JSON.stringify(item)) : [])
            write.set({ [top]: await fillNested(context, write.after[top], rest, spec, write.after, taken, forcedFor(spec, external), kept) })
          }
        } else if (context.method === 'create') {
          if (!isEmpty(write.after[path]) && !forcedFor(spec, external)) continue
          const value = await valueFor(context, path, spec, write.after, taken)
          if (value !== undefined) write.set({ [path]: value })
        } else if (spec.on === 'write') {
          // Stamped on every change; a caller's own value stands only where it may give one (internal calls, or not forced).
          if (!isEmpty(write.given[path]) && !forcedFor(spec, external)) continue
          const value = await valueFor(context, path, spec, write.after, taken)
          if (value !== undefined) write.set({ [path]: value })
        } else if (context.method === 'update' && write.given[path] === undefined && write.before?.[path] !== undefined) {
          // A full replace keeps the generated values the caller left out.
          write.set({ [path]: write.before[path] })
        }
      }
    }
    try {
      return await next()
    } finally {
      for (const key of taken) pending.delete(key)
    }
  }
}
