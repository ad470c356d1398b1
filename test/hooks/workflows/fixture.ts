// A small blueprint that is not the society one, using every workflow declaration, and a server for it.
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { createApp, type EngineApp } from '../../../src/app.js'
import { DateTime, Email, Enum, Masked, Password, Ref, Type, defineCollection } from '../../../src/schemas/fields.js'
import { rbacCollections } from '../../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../../src/schemas/sanitize.js'
import type { BlueprintInput, PermissionInput } from '../../../src/schemas/types.js'
import { login, serverDatabase, tempDir, testSettings } from '../../helpers.js'
import type { MongoTarget } from '../../services/adapters/mongo-target.js'

export const PASSWORD = 'workshop-pass'
const team = () => Ref('teams')

const teams = defineCollection({ name: 'teams', schema: Type.Object({ name: Type.String() }) })

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Boss', 'Clerk']), teamId: team() }),
  auth: { roleField: 'role', roleBy: 'name' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const rooms = defineCollection({
  name: 'rooms',
  schema: Type.Object({ teamId: team(), name: Type.String(), open: Type.Boolean({ default: true }), fee: Type.Number({ default: 0 }) })
})

const reservations = defineCollection({
  name: 'reservations',
  schema: Type.Object({
    teamId: team(),
    roomId: Ref('rooms', { sameAs: ['teamId'] }),
    start: DateTime(),
    end: DateTime(),
    state: Enum(['Asked', 'Accepted', 'Declined', 'Withdrawn'], { default: 'Asked' }),
    code: Type.String(),
    number: Type.String(),
    askedBy: Ref('users'),
    changedBy: Type.Optional(Ref('users')),
    acceptedBy: Type.Optional(Ref('users')),
    acceptedAt: Type.Optional(DateTime()),
    reason: Type.Optional(Type.String()),
    /** The answer given with the latest move of `state`. */
    note: Type.Optional(Type.String()),
    fee: Type.Number(),
    guests: Type.Optional(Type.Array(Type.Object({ name: Type.String(), badge: Type.String() })))
  }),
  generate: {
    code: { kind: 'code', length: 6 },
    number: { kind: 'sequence', prefix: 'R-', digits: 4 },
    askedBy: { kind: 'value', value: '{{user._id}}', overwrite: true },
    changedBy: { kind: 'value', value: '{{user._id}}', on: 'write' },
    'guests.badge': { kind: 'id' }
  },
  stateMachines: {
    state: {
      transitions: [
        { from: 'Asked', to: ['Accepted', 'Declined'], roles: ['Boss'] },
        { from: ['Asked', 'Accepted'], to: 'Withdrawn' }
      ],
      requires: { Declined: ['reason'] },
      carries: ['note'],
      stamps: { Accepted: { acceptedBy: '{{user._id}}', acceptedAt: '{{now}}' } }
    }
  },
  lookups: [{ field: 'roomId', collection: 'rooms', query: { _id: '{{data.roomId}}', open: true }, copy: { fee: 'fee' }, message: 'This room is closed' }],
  noOverlap: [{ start: 'start', end: 'end', scope: ['roomId'], when: { state: 'Accepted' } }],
  triggers: [
    {
      on: ['create'],
      create: 'messages',
      forEach: { collection: 'users', query: { teamId: '{{record.teamId}}', role: 'Boss' } },
      data: { userId: '{{each._id}}', teamId: '{{record.teamId}}', text: 'Reservation {{record.number}} asks for a room' }
    },
    { on: ['patch'], when: { state: 'Accepted' }, create: 'messages', data: { userId: '{{record.askedBy}}', teamId: '{{record.teamId}}', text: 'Reservation {{record.number}} accepted by {{user.name}}' } }
  ]
})

/** Codes from a tiny alphabet: two possible values, so running out can be tested. */
const badges = defineCollection({
  name: 'badges',
  schema: Type.Object({ teamId: team(), code: Type.String() }),
  generate: { code: { kind: 'code', length: 1, alphabet: 'AB' } }
})

const messages = defineCollection({
  name: 'messages',
  schema: Type.Object({ userId: Ref('users', { onDelete: 'cascade' }), teamId: team(), text: Type.String() })
})

const invoices = defineCollection({
  name: 'invoices',
  schema: Type.Object({
    teamId: team(),
    total: Type.Number(),
    paid: Type.Optional(Type.Number()),
    payments: Type.Optional(Type.Integer()),
    lastMethod: Type.Optional(Type.String()),
    methods: Type.Optional(Type.Array(Type.String())),
    due: Type.Optional(Type.Number()),
    settled: Type.Optional(Type.Boolean())
  }),
  rollups: [{ from: 'payments', via: 'invoiceId', where: { ok: true }, set: { paid: { sum: 'amount' }, payments: { count: true }, lastMethod: { last: 'method' }, methods: { collect: 'method' } } }],
  derive: (invoice) => ({ due: invoice.total - (invoice.paid ?? 0), settled: invoice.total - (invoice.paid ?? 0) <= 0 })
})

const payments = defineCollection({
  name: 'payments',
  schema: Type.Object({ teamId: team(), invoiceId: Ref('invoices', { sameAs: ['teamId'] }), amount: Type.Number(), method: Type.String({ default: 'cash' }), ok: Type.Boolean({ default: false }) })
})

const contacts = defineCollection({
  name: 'contacts',
  schema: Type.Object({
    teamId: team(),
    name: Type.String(),
    phone: Masked(Type.String(), { keepStart: 3, keepEnd: 1, char: '#' }),
    others: Type.Optional(Type.Array(Type.Object({ phone: Masked(Type.String()) })))
  })
})

/** A user's desk: seats taken and guests rolled up from accepted visits by the desk's owner (a rollup keyed by ownerId). */
const desks = defineCollection({
  name: 'desks',
  schema: Type.Object({
    teamId: team(),
    ownerId: Ref('users'),
    seats: Type.Integer({ minimum: 0 }),
    open: Type.Boolean({ default: true }),
    taken: Type.Optional(Type.Integer()),
    free: Type.Optional(Type.Integer()),
    guestIds: Type.Optional(Type.Array(Ref('users')))
  }),
  rollups: [{ from: 'visits', via: 'hostId', key: 'ownerId', where: { state: 'Accepted' }, set: { taken: { count: true }, guestIds: { collect: 'guestId' } } }],
  derive: (desk) => ({ free: Math.max(0, desk.seats - (desk.taken ?? 0)) })
})

/** A guest visiting a host: accepted only while the host's desk has a free seat, ended only after its day, refused only by the host. */
const visits = defineCollection({
  name: 'visits',
  schema: Type.Object({
    teamId: team(),
    hostId: Ref('users'),
    guestId: Ref('users'),
    day: DateTime(),
    state: Enum(['Asked', 'Accepted', 'Refused', 'Ended'], { default: 'Asked' })
  }),
  stateMachines: {
    state: {
      transitions: [
        {
          from: 'Asked',
          to: 'Accepted',
          roles: ['Boss'],
          guards: [
            { exists: { collection: 'desks', query: { ownerId: '{{record.hostId}}', open: true } }, message: 'The host’s desk is closed' },
            { exists: { collection: 'desks', query: { ownerId: '{{record.hostId}}', free: { $gt: 0 } } }, message: 'The host’s desk has no free seat' }
          ]
        },
        { from: 'Asked', to: 'Refused', guards: [{ when: { hostId: '{{user._id}}' }, message: 'Only the host refuses a visit' }] },
        { from: 'Accepted', to: 'Ended', guards: [{ when: { day: { $lte: '{{now}}' } }, message: 'A visit ends after its day' }] }
      ]
    }
  },
  // Guests come from the host's team: a 403, not a 422, when the guest is not a team mate.
  lookups: [{ field: 'guestId', collection: 'users', query: { _id: '{{data.guestId}}', teamId: '{{data.teamId}}' }, code: 403, message: 'Guests come from your own team' }]
})

const TEAM = '{{user.teamId}}'
const scoped = ['rooms', 'reservations', 'badges', 'messages', 'invoices', 'payments', 'contacts', 'desks', 'visits']
const permissions: PermissionInput[] = [
  ...scoped.map((name) => ({ PermissionName: `boss-${name}`, Action: 'manage', Subject: name, Conditions: { teamId: TEAM } })),
  { PermissionName: 'read-users', Action: 'read', Subject: 'users', Conditions: { teamId: TEAM } },
  { PermissionName: 'clerk-rooms', Action: 'read', Subject: 'rooms', Conditions: { teamId: TEAM } },
  { PermissionName: 'clerk-ask', Action: 'create', Subject: 'reservations', Conditions: { teamId: TEAM } },
  { PermissionName: 'clerk-read', Action: 'read', Subject: 'reservations', Conditions: { teamId: TEAM } },
  { PermissionName: 'clerk-update', Action: 'update', Subject: 'reservations', Conditions: { teamId: TEAM }, Fields: ['state', 'reason', 'note'] },
  { PermissionName: 'own-messages', Action: 'read', Subject: 'messages', Conditions: { userId: '{{user._id}}' } },
  { PermissionName: 'clerk-contacts', Action: 'read', Subject: 'contacts', Conditions: { teamId: TEAM } },
  { PermissionName: 'clerk-visits', Action: 'manage', Subject: 'visits', Conditions: { teamId: TEAM } },
  { PermissionName: 'clerk-unmask-desk', Action: 'unmask', Subject: 'contacts', Conditions: { teamId: TEAM, name: 'Front desk' } }
]

export const workshop: BlueprintInput = {
  name: 'workshop',
  version: '0.0.1',
  description: 'Rooms reserved by clerks and accepted by bosses; invoices paid by payments.',
  collections: [...rbacCollections, teams, users, rooms, reservations, badges, messages, invoices, payments, contacts, desks, visits],
  roles: [
    { RoleName: 'Boss', permissions: [...scoped.map((name) => `boss-${name}`), 'read-users'] },
    { RoleName: 'Clerk', permissions: ['read-users', 'clerk-rooms', 'clerk-ask', 'clerk-read', 'clerk-update', 'own-messages', 'clerk-contacts', 'clerk-unmask-desk', 'clerk-visits'] }
  ],
  permissions,
  adminRole: 'Boss',
  async demo(app: any) {
    for (const name of ['red', 'blue']) {
      const { _id: teamId } = await app.service('teams').create({ name })
      for (const [person, role] of [['boss', 'Boss'], ['clerk', 'Clerk']]) {
        await app.service('users').create({ name: `${name} ${person}`, email: `${person}@${name}.example.com`, password: PASSWORD, role, teamId })
      }
      await app.service('rooms').create({ teamId, name: 'Big room', fee: 40 })
      await app.service('rooms').create({ teamId, name: 'Closed room', open: false })
    }
  }
}

export interface Workshop {
  app: EngineApp
  url: string
  dataDir: string
  /** The MongoDB database when `serverStore` is MongoDB. */
  database?: MongoTarget
  as(email: string): Promise<{ token: string; user: any }>
  internal(path: string): any
  close(removeData?: boolean): Promise<void>
}

/** A workshop server on a fresh store (where `serverStore` says), or on the store of a previous one (a restart). */
export async function startWorkshop(previous?: Pick<Workshop, 'dataDir' | 'database'>): Promise<Workshop> {
  const dir = previous?.dataDir ?? (await tempDir('quillbase-workshop-'))
  const database = previous ? previous.database : await serverDatabase()
  const app = await createApp(sanitizeBlueprint(workshop), testSettings({ dataDir: dir, mongodbUrl: database?.url }))
  const server = await app.listen(0)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const sessions = new Map<string, Promise<{ token: string; user: any }>>()
  return {
    app,
    url,
    dataDir: dir,
    database,
    as(email) {
      if (!sessions.has(email)) sessions.set(email, login(url, email, PASSWORD).then(({ accessToken, user }) => ({ token: accessToken, user })))
      return sessions.get(email)!
    },
    internal: (path) => app.service(path),
    async close(removeData = true) {
      await app.shutdown()
      if (!removeData) return
      await database?.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** Team ids and rooms by team name, read internally. */
export async function lookupTeam(workshop: Workshop, name: 'red' | 'blue') {
  const [team] = await workshop.internal('teams').find({ paginate: false, query: { name } })
  const rooms = await workshop.internal('rooms').find({ paginate: false, query: { teamId: team._id } })
  return { teamId: team._id as string, room: rooms.find((r: any) => r.open), closedRoom: rooms.find((r: any) => !r.open) }
}

export type Team = Awaited<ReturnType<typeof lookupTeam>>

/** Registers a workshop server for the enclosing suite: started before its tests, closed after them. */
export function withWorkshop() {
  const suite = {} as { workshop: Workshop; red: Team; blue: Team; restart(): Promise<void> }
  const load = async (workshop: Workshop) => {
    Object.assign(suite, { workshop, red: await lookupTeam(workshop, 'red'), blue: await lookupTeam(workshop, 'blue') })
  }
  suite.restart = async () => {
    const previous = suite.workshop
    await previous.close(false)
    await load(await startWorkshop(previous))
  }
  before(async () => load(await startWorkshop()))
  after(() => suite.workshop.close())
  return suite
}
