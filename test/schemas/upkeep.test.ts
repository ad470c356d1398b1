// Declarations of what the engine keeps (counts, recurrence, caches): filled in, and each mistake named before anything runs.
import assert from 'node:assert/strict'
import { DeclarationError, sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import type { BlueprintInput, CollectionInput } from '../../src/schemas/types.js'
import { gym } from '../hooks/workflows/gym.js'

/** The gym with one collection's declaration changed. */
const gymWith = (name: string, change: (collection: CollectionInput) => Partial<CollectionInput>): BlueprintInput => ({
  ...gym,
  collections: gym.collections.map((collection) => (collection.name === name ? { ...collection, ...change(collection) } : collection))
})

const refused = (blueprint: BlueprintInput, message: RegExp) =>
  assert.throws(() => sanitizeBlueprint(blueprint), (error: any) => error instanceof DeclarationError && message.test(error.message))

describe('declaring what the engine keeps', () => {
  const declared = sanitizeBlueprint(gym)
  const collection = (name: string) => declared.collections.find((c) => c.name === name)!

  it('fills counts (key `_id`, no scope), recurrence (window, what instances take) and caches (bounds)', () => {
    assert.deepEqual(collection('trainers').counts, [{ field: 'classCount', from: 'classes', via: 'trainerId', key: '_id', scope: [], where: { cancelled: false } }])
    assert.deepEqual(collection('rooms').counts?.[0].scope, ['ownerId'])
    const recurrence = collection('classes').recurrence!
    assert.equal(recurrence.aheadDays, 400)
    assert.deepEqual(recurrence.copied.sort(), ['cancelled', 'ownerId', 'room', 'title', 'trainerId', 'wholeDay'])
    assert.deepEqual(collection('rooms').cache, { ttlSeconds: 60, maxEntries: 500 })
    assert.equal(collection('classes').cache, undefined)
  })

  describe('counts', () => {
    const count = (change: Record<string, unknown>) => gymWith('rooms', (rooms) => ({ counts: { uses: { ...rooms.counts!.uses, ...change } } }))
    it('needs a readOnly integer field', () => {
      refused(gymWith('rooms', () => ({ counts: { name: { from: 'classes', via: 'room', key: 'name' } } })), /count "name" must be a top-level integer field/)
      refused(gymWith('trainers', (trainers) => ({ schema: { ...trainers.schema, properties: { ...trainers.schema.properties, classCount: { type: 'integer' } } } as any })), /declare the field readOnly/)
    })
    it('names a collection, its field, this collection’s key and scope', () => {
      refused(count({ from: 'lessons' }), /names unknown collection "lessons"/)
      refused(count({ via: 'hall' }), /"classes.hall" is not a top-level field/)
      refused(count({ key: 'title' }), /key "title" is not a top-level field/)
      refused(count({ scope: ['teamId'] }), /scope field "teamId" is not a top-level field/)
      refused(count({ key: undefined }), /a scope needs a `key`/)
    })
    it('counts by id only through a single Ref to this collection', () => {
      refused(gymWith('trainers', () => ({ counts: { classCount: { from: 'classes', via: 'room' } } })), /"classes.room" must be a single Ref\('trainers'\)/)
    })
  })

  describe('recurrence', () => {
    const recurrence = (change: Record<string, unknown>) => gymWith('classes', (classes) => ({ recurrence: { ...classes.recurrence!, ...change } }))
    const pattern = (change: Record<string, unknown>) => gymWith('classes', (classes) => ({ recurrence: { ...classes.recurrence!, pattern: { ...classes.recurrence!.pattern, ...change } } }))
    it('needs a boolean flag, date-time start and end, a boolean allDay', () => {
      refused(recurrence({ master: 'title' }), /master "title" must be a top-level boolean field/)
      refused(recurrence({ start: 'title' }), /start "title" must be a top-level DateTime\(\) field/)
      refused(recurrence({ allDay: 'room' }), /allDay "room" must be a top-level boolean field/)
    })
    it('reads the pattern’s parts as the engine understands them', () => {
      refused(pattern({ field: 'title' }), /pattern field "title" must be a top-level object field/)
      refused(pattern({ frequency: 'interval' }), /pattern frequency "interval" must be an Enum of daily, weekly, monthly, yearly/)
      refused(pattern({ weekdays: 'every' }), /pattern weekdays "every" must be an array of an Enum of monday/)
      refused(pattern({ until: 'times' }), /pattern until "times" must be a DateTime\(\)/)
      refused(pattern({ count: 'nothing' }), /pattern count "nothing" must be an integer/)
    })
    it('needs the instances’ reference to cascade from their master, and a sane window', () => {
      refused(recurrence({ instanceOf: 'trainerId' }), /instanceOf "trainerId" must be a top-level Ref\('classes', \{ onDelete: 'cascade' \}\)/)
      refused(recurrence({ except: ['colour'] }), /except names unknown field "colour"/)
      refused(recurrence({ aheadDays: 0 }), /aheadDays must be a whole number of days/)
    })
  })

  describe('cache', () => {
    it('takes `true` or positive bounds, and no own read hooks', () => {
      refused(gymWith('rooms', () => ({ cache: { ttlSeconds: 0 } })), /cache ttlSeconds must be a positive whole number/)
      refused(gymWith('rooms', () => ({ cache: 'yes' as any })), /cache must be `true` or/)
      refused(gymWith('rooms', () => ({ after: { find: [() => undefined] } })), /own find\/get hooks/)
    })
  })
})
