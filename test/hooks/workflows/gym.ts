// A small blueprint unrelated to any seed, for what the engine keeps by itself: a gym whose trainers count their classes
// (by id) and whose rooms count the classes held in them (by name: a member's own room of that name, else the shared
// one), classes that repeat (a series' later classes as records), and rooms read through a cache.
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { createApp, type EngineApp } from '../../../src/app.js'
import { DateTime, Email, Enum, Password, Ref, Type, defineCollection } from '../../../src/schemas/fields.js'
import { rbacCollections } from '../../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../../src/schemas/sanitize.js'
import type { Settings } from '../../../src/engine.js'
import type { BlueprintInput } from '../../../src/schemas/types.js'
import { login, serverDatabase, tempDir, testSettings } from '../../helpers.js'

export const PASSWORD = 'gym-pass'
export const MEMBERS = { manager: 'manager@gym.example.com', ana: 'ana@gym.example.com', ben: 'ben@gym.example.com' } as const
export type Member = keyof typeof MEMBERS

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Manager', 'Member']) }),
  auth: { roleField: 'role', roleBy: 'name' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const tally = () => Type.Integer({ minimum: 0, default: 0, readOnly: true })

const trainers = defineCollection({
  name: 'trainers',
  schema: Type.Object({ name: Type.String(), classCount: tally() }),
  counts: { classCount: { from: 'classes', via: 'trainerId', where: { cancelled: false } } }
})

const rooms = defineCollection({
  name: 'rooms',
  schema: Type.Object({ name: Type.String(), ownerId: Type.Optional(Ref('users', { onDelete: 'cascade' })), uses: tally(), note: Type.Optional(Type.String()) }),
  counts: { uses: { from: 'classes', via: 'room', key: 'name', scope: ['ownerId'] } },
  cache: true
})

const weekday = Enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])

const classes = defineCollection({
  name: 'classes',
  schema: Type.Object({
    ownerId: Ref('users', { onDelete: 'cascade' }),
    trainerId: Type.Optional(Ref('trainers', { onDelete: 'nullify' })),
    room: Type.Optional(Type.String()),
    title: Type.String(),
    startsAt: DateTime(),
    endsAt: DateTime(),
    wholeDay: Type.Boolean({ default: false }),
    cancelled: Type.Boolean({ default: false }),
    repeats: Type.Boolean({ default: false }),
    repeat: Type.Optional(Type.Object({
      every: Enum(['daily', 'weekly', 'monthly', 'yearly']),
      interval: Type.Optional(Type.Integer({ minimum: 1 })),
      on: Type.Optional(Type.Array(weekday)),
      dayOfMonth: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
      until: Type.Optional(DateTime()),
      times: Type.Optional(Type.Integer({ minimum: 1 }))
    })),
    seriesId: Type.Optional(Ref('classes', { onDelete: 'cascade' })),
    /** The front desk's note on one class: never passed on to a series' classes. */
    note: Type.Optional(Type.String()),
    booking: Type.Optional(Type.String())
  }),
  indexes: [{ fields: { booking: 1 }, unique: true, sparse: true }, { fields: { seriesId: 1 } }],
  recurrence: {
    master: 'repeats',
    pattern: { field: 'repeat', frequency: 'every', interval: 'interval', weekdays: 'on', monthDay: 'dayOfMonth', until: 'until', count: 'times' },
    instanceOf: 'seriesId',
    start: 'startsAt',
    end: 'endsAt',
    allDay: 'wholeDay',
    except: ['note'],
    aheadDays: 400
  },
  // A class titled "Fire drill" sounds an alarm that cannot be stored: the whole create is undone.
  triggers: [{ on: ['create'], when: { title: 'Fire drill' }, create: 'alarms', data: { message: '' } }]
})

const alarms = defineCollection({ name: 'alarms', schema: Type.Object({ message: Type.String({ minLength: 1 }) }) })

export const gym: BlueprintInput = {
  name: 'gym',
  version: '0.0.1',
  description: 'Trainers, rooms and repeating classes.',
  collections: [...rbacCollections, users, trainers, rooms, classes, alarms],
  roles: [
    { RoleName: 'Manager', permissions: ['manage-all'] },
    { RoleName: 'Member', permissions: ['read-shared-rooms', 'manage-own-rooms', 'read-trainers', 'manage-own-classes'] }
  ],
  permissions: [
    { PermissionName: 'manage-all', Action: 'manage', Subject: 'all' },
    { PermissionName: 'read-shared-rooms', Action: 'read', Subject: 'rooms', Conditions: { ownerId: { $exists: false } } },
    { PermissionName: 'manage-own-rooms', Action: 'manage', Subject: 'rooms', Conditions: { ownerId: '{{user._id}}' } },
    { PermissionName: 'read-trainers', Action: 'read', Subject: 'trainers' },
    { PermissionName: 'manage-own-classes', Action: 'manage', Subject: 'classes', Conditions: { ownerId: '{{user._id}}' } }
  ],
  adminRole: 'Manager',
  async demo(app: any) {
    await app.service('users').create(Object.entries(MEMBERS).map(([who, email]) => ({ name: who, email, password: PASSWORD, role: who === 'manager' ? 'Manager' : 'Member' })))
    await app.service('trainers').create([{ name: 'Tess' }, { name: 'Umar' }])
    await app.service('rooms').create([{ name: 'Studio' }, { name: 'Pool' }])
  }
}

export interface Gym {
  app: EngineApp
  url: string
  /** A member's id and token (signed in over HTTP once per gym). */
  as(who: Member): Promise<{ _id: string; token: string }>
  find(path: string, query?: Record<string, unknown>): Promise<any[]>
  close(): Promise<void>
}

/** The gym on the embedded store in a fresh folder, or on a fresh MongoDB database in the MongoDB pass (or `mongodbUrl`). */
export async function startGym(overrides: Partial<Settings> = {}): Promise<Gym> {
  const dataDir = await tempDir('quillbase-gym-')
  const mongo = overrides.mongodbUrl ? undefined : await serverDatabase()
  const app = await createApp(sanitizeBlueprint(gym), testSettings({ dataDir, mongodbUrl: mongo?.url, ...overrides }))
  const server = await app.listen(0)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const signedIn = new Map<Member, Promise<{ _id: string; token: string }>>()
  return {
    app,
    url,
    as(who) {
      if (!signedIn.has(who)) signedIn.set(who, login(url, MEMBERS[who], PASSWORD).then(({ accessToken, user }) => ({ _id: user._id, token: accessToken })))
      return signedIn.get(who)!
    },
    find: async (path, query = {}) => (await app.service(path).find({ paginate: false, query })) as any[],
    async close() {
      await app.shutdown()
      await mongo?.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}
