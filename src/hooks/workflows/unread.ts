// Unread counts: a reader's record (a chat membership) keeps how many records of another collection follow the same
// thing (the chat's messages) since its read mark, not counting the reader's own. Each is one indexed count query,
// run again for every reader of that thing when such a record is created, moved or removed, and for one reader when
// its read mark moves, in the change's transaction on the embedded store. Unlike a rollup or a plain count the counted
// set differs per reader (their mark, their own records), so every reader is counted on its own.
import type { Application, HookContext, NextFunction } from '@feathersjs/feathers'
import type { Collection, Unread } from '../../schemas/types.js'
import { adapterOf, CHANGES, changedBy, patchKept, present, type Rec, storedCount, writesOf } from './shared.js'

/** How many records this reader has not read. */
async function unreadFor(app: Application, unread: Unread, reader: Rec): Promise<number> {
  if (!present(reader[unread.key])) return 0
  const query: Rec = { [unread.via]: reader[unread.key] }
  if (unread.author && present(reader[unread.reader])) query[unread.author] = { $ne: reader[unread.reader] }
  if (present(reader[unread.readUntil])) query[unread.createdAt] = { $gt: reader[unread.readUntil] }
  return storedCount(app, unread.from, query)
}

/** Counts one reader again and keeps the count when it moved (the reader did nothing: `patchKept`). */
async function recount(app: Application, readers: string, unread: Unread, reader: Rec) {
  const count = await unreadFor(app, unread, reader)
  if (reader[unread.field] !== count) await patchKept(app, readers, reader._id, { [unread.field]: count })
}

/** The hook of a reader collection: counted when created, counted again when its key, reader or read mark changes. */
export function keptUnread(collection: Collection) {
  return async (context: HookContext, next: NextFunction) => {
    if (!['create', 'update', 'patch'].includes(context.method)) return next()
    for (const write of await writesOf(context)) {
      for (const unread of collection.unread) {
        const moved = !write.before || [unread.key, unread.reader, unread.readUntil].some((field) => JSON.stringify(write.before![field]) !== JSON.stringify(write.after[field]))
        if (moved) write.set({ [unread.field]: await unreadFor(context.app, unread, write.after) })
        // A full replace keeps the count it does not carry.
        else if (context.method === 'update') write.set({ [unread.field]: write.before![unread.field] ?? 0 })
      }
    }
    return next()
  }
}

/** The hook of a counted collection (messages): its records' changes recount the readers of what they follow. None when nothing counts it. */
export function unreadOver(counted: Collection, collections: Collection[]) {
  const declared = collections.flatMap((readers) => readers.unread.filter((unread) => unread.from === counted.name).map((unread) => ({ readers: readers.name, unread })))
  if (!declared.length) return undefined
  return async (context: HookContext, next: NextFunction) => {
    if (!CHANGES.includes(context.method)) return next()
    const { before, after } = await changedBy(context, next)
    for (const { readers, unread } of declared) {
      const counts = (record: Rec) => [unread.via, unread.author].filter(Boolean).map((field) => JSON.stringify(record[field!]))
      // An edit that moves nothing (a message's text) recounts nobody.
      const touched = [...after, ...before].filter((record) => {
        const other = (context.method === 'create' || context.method === 'remove' ? undefined : [...before, ...after].find((r) => r !== record && String(r._id) === String(record._id)))
        return !other || JSON.stringify(counts(other)) !== JSON.stringify(counts(record))
      })
      const values = new Set(touched.map((record) => record[unread.via]).filter(present).map(String))
      for (const value of values) {
        for (const reader of (await adapterOf(context.app, readers)._find({ paginate: false, query: { [unread.key]: value } })) as Rec[]) {
          await recount(context.app, readers, unread, reader)
        }
      }
    }
  }
}
