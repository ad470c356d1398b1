// Recurrence: a master record (a flag and a pattern) has its occurrences as records of the same collection pointing at
// it, made for a rolling window (RFC 5545 rules through `rrule`, in UTC), kept in step when the master changes, removed
// with it (the instances' cascading reference). All-day records are dates: 00:00 UTC of the day as written.
import { Unprocessable } from '@feathersjs/errors'
import type { Application, HookContext, NextFunction, Params } from '@feathersjs/feathers'
import rrulePackage from 'rrule'
import type { Collection, Recurrence, ScheduleInput } from '../../schemas/types.js'
import { adapterOf, itemsOf, present, type Rec, recordsBefore, WRITES, writesOf, type Write } from './shared.js'

const { RRule } = rrulePackage
const FREQUENCY: Record<string, number> = { daily: RRule.DAILY, weekly: RRule.WEEKLY, monthly: RRule.MONTHLY, yearly: RRule.YEARLY }
const WEEKDAY: Record<string, unknown> = { monday: RRule.MO, tuesday: RRule.TU, wednesday: RRule.WE, thursday: RRule.TH, friday: RRule.FR, saturday: RRule.SA, sunday: RRule.SU }
const DAY = 86_400_000
/** Most instances one master has at once (a daily series over the default window has 365). */
export const MAX_INSTANCES = 1000

const time = (value: string) => new Date(value).getTime()
const iso = (ms: number) => new Date(ms).toISOString()
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
/** `2031-03-05T00:00`, with or without seconds, fraction or offset: a time that names the start of its day. */
const MIDNIGHT = /T00:00(:00(\.0+)?)?(Z|[+-]\d{2}:?\d{2})?$/i

/** The day as written (in its own offset, never shifted to another day by UTC), at 00:00 UTC; `upTo`: a later time takes the next day. */
function dayOf(value: string, upTo = false): number {
  const day = Date.parse(`${value.slice(0, 10)}T00:00:00.000Z`)
  return upTo && !MIDNIGHT.test(value) ? day + DAY : day
}

/** An all-day record's start and end as whole days, the end after the start. */
function keepWholeDays(recurrence: Recurrence, write: Write) {
  const { after } = write
  if (!recurrence.allDay || !after[recurrence.allDay] || typeof after[recurrence.start] !== 'string' || typeof after[recurrence.end] !== 'string') return
  const start = dayOf(after[recurrence.start])
  const end = Math.max(dayOf(after[recurrence.end], true), start + DAY)
  const days = { [recurrence.start]: iso(start), [recurrence.end]: iso(end) }
  if (time(after[recurrence.start]) !== start || time(after[recurrence.end]) !== end) write.set(days)
}

/** Where instances exist now: from the master's start (or today, when later) to `aheadDays` beyond that. */
function windowOf(recurrence: Recurrence, master: Rec, now = Date.now()) {
  const from = Math.max(time(master[recurrence.start]), now)
  return { from, to: from + recurrence.aheadDays * DAY }
}

/** Start times of the master's instances within the window: its pattern's occurrences after its own start. */
export function occurrences(recurrence: Recurrence, master: Rec, now = Date.now()): number[] {
  const pattern = master[recurrence.pattern.field]
  if (!master[recurrence.master] || !pattern) return []
  const part = (name?: string): any => (name ? pattern[name] : undefined)
  const start = time(master[recurrence.start])
  const until: string | undefined = part(recurrence.pattern.until)
  const count: number | undefined = part(recurrence.pattern.count)
  const rule = new RRule({
    freq: FREQUENCY[pattern[recurrence.pattern.frequency]],
    interval: part(recurrence.pattern.interval) ?? 1,
    dtstart: new Date(start),
    ...(part(recurrence.pattern.weekdays)?.length && { byweekday: part(recurrence.pattern.weekdays).map((day: string) => WEEKDAY[day]) }),
    ...(present(part(recurrence.pattern.monthDay)) && { bymonthday: part(recurrence.pattern.monthDay) }),
    // An end date at midnight names its day: occurrences on it are included.
    ...(present(until) && { until: new Date(MIDNIGHT.test(until) ? time(until) + DAY - 1 : time(until)) }),
    ...(present(count) && { count })
  })
  const window = windowOf(recurrence, master, now)
  const dates = rule.all((date, index) => date.getTime() <= window.to && index <= MAX_INSTANCES).map((date) => date.getTime())
  let after = dates.filter((at) => at > start)
  // The master is the first of `count`, whether or not its own start fits the rule.
  if (present(count) && dates[0] !== start) after = after.slice(0, count - 1)
  return after.filter((at) => at >= window.from).slice(0, MAX_INSTANCES)
}

/** An instance: the master's fields (those it passes on) at another time, pointing at it. */
function instanceAt(recurrence: Recurrence, master: Rec, at: number): Rec {
  const duration = time(master[recurrence.end]) - time(master[recurrence.start])
  const copied = Object.fromEntries(recurrence.copied.filter((field) => present(master[field])).map((field) => [field, master[field]]))
  return { ...copied, [recurrence.master]: false, [recurrence.instanceOf]: master._id, [recurrence.start]: iso(at), [recurrence.end]: iso(at + duration) }
}

/**
 * Brings a master's instances in step: those not yet started that no longer fall on
 * an occurrence are removed, those that do follow the fields the master changed, missing ones are made. Instances that
 * have started are history and stay. `extend`: only occurrences after the latest instance are made (the daily task),
 * so an occurrence removed on its own does not come back. Returns how many were made.
 */
export async function reconcile(app: Application, collection: Collection, master: Rec, options: { previous?: Rec; params?: Params; extend?: boolean } = {}) {
  const recurrence = collection.recurrence!
  const service = app.service(collection.name)
  const params = options.params ?? {}
  const existing = (await adapterOf(app, collection.name)._find({ paginate: false, query: { [recurrence.instanceOf]: master._id } })) as Rec[]
  const wanted = occurrences(recurrence, master)
  if (options.extend) {
    const latest = Math.max(time(master[recurrence.start]), ...existing.map((instance) => time(instance[recurrence.start])))
    const fresh = wanted.filter((at) => at > latest)
    if (fresh.length) await service.create(fresh.map((at) => instanceAt(recurrence, master, at)), params)
    return fresh.length
  }
  const now = Date.now()
  const open = existing.filter((instance) => time(instance[recurrence.start]) >= now)
  const wantedAt = new Set(wanted)
  const stays = open.filter((instance) => wantedAt.has(time(instance[recurrence.start])))
  const gone = open.filter((instance) => !wantedAt.has(time(instance[recurrence.start])))
  const have = new Set(stays.map((instance) => time(instance[recurrence.start])))
  const fresh = wanted.filter((at) => !have.has(at))
  if (gone.length) await service.remove(null, { ...params, query: { _id: { $in: gone.map((instance) => instance._id) } } })
  const previous = options.previous
  const changed = previous ? recurrence.copied.filter((field) => !same(previous[field], master[field])) : []
  const duration = time(master[recurrence.end]) - time(master[recurrence.start])
  const lengthChanged = previous && time(previous[recurrence.end]) - time(previous[recurrence.start]) !== duration
  if (stays.length && (changed.length || lengthChanged)) {
    // `null` removes what the master no longer has.
    const changes = Object.fromEntries(changed.map((field) => [field, master[field] ?? null]))
    if (!lengthChanged) await service.patch(null, changes, { ...params, query: { _id: { $in: stays.map((instance) => instance._id) } } })
    else for (const instance of stays) await service.patch(instance._id, { ...changes, [recurrence.end]: iso(time(instance[recurrence.start]) + duration) }, params)
  }
  if (fresh.length) await service.create(fresh.map((at) => instanceAt(recurrence, master, at)), params)
  return fresh.length
}

/** What a change must touch for the instances to follow: the flag, pattern, times, or a field they take. */
const followed = (recurrence: Recurrence) => [recurrence.master, recurrence.pattern.field, recurrence.start, recurrence.end, ...recurrence.copied]

/** The hook of a collection declaring `recurrence`. */
export function recurring(collection: Collection) {
  const recurrence = collection.recurrence!
  const label = collection.label.toLowerCase()
  return async (context: HookContext, next: NextFunction) => {
    if (!WRITES.includes(context.method)) return next()
    for (const write of await writesOf(context)) {
      const { after } = write
      if (after[recurrence.master] && present(after[recurrence.instanceOf])) {
        throw new Unprocessable(`An instance of a recurring record of ${label} cannot recur itself`, { [recurrence.master]: `set on an instance (${recurrence.instanceOf})` })
      }
      if (after[recurrence.master] && !present(after[recurrence.pattern.field])) {
        throw new Unprocessable(`A recurring record of ${label} needs its ${recurrence.pattern.field}`, { [recurrence.pattern.field]: 'required when recurring' })
      }
      keepWholeDays(recurrence, write)
    }
    const before = await recordsBefore(context)
    await next()
    const params = context.params.user ? { user: context.params.user } : {}
    for (const record of itemsOf<Rec>(context.result)) {
      const previous = before.find((b) => b._id === record._id)
      if (!record[recurrence.master] && !previous?.[recurrence.master]) continue
      if (previous && followed(recurrence).every((field) => same(previous[field], record[field]))) continue
      await reconcile(context.app, collection, record, { previous, params })
    }
  }
}

/** The engine's daily task moving every master's window on. */
export function rollRecurrences(app: Application, collections: Collection[]): ScheduleInput {
  return {
    name: 'recurring-instances',
    description: 'Every day, each recurring master gets its instances up to its window’s new end',
    cron: '40 2 * * *',
    async run({ params }) {
      let made = 0
      for (const collection of collections.filter((c) => c.recurrence)) {
        const masters = adapterOf(app, collection.name)
        const query = { [collection.recurrence!.master]: true, $sort: { _id: 1 }, $limit: 100 }
        for (let skip = 0; ; skip += 100) {
          const page = (await masters._find({ paginate: false, query: { ...query, $skip: skip } })) as Rec[]
          for (const master of page) made += await reconcile(app, collection, master, { params, extend: true })
          if (page.length < 100) break
        }
      }
      return { made }
    }
  }
}
