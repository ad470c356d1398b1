// What conversations are made of, on a small task-board blueprint unrelated to any seed: signals relayed to a record's
// readers only (src/services/signals.ts), unread counts kept per reader (unread.ts), and triggers that notify the items
// an array field gained, readers only, with referenced records in their templates (triggers.ts); and the sanitize checks.
import assert from 'node:assert/strict'
import { DateTime, Email, Enum, Password, Ref, Type, defineCollection } from '../../../src/schemas/fields.js'
import { DeclarationError } from '../../../src/schemas/errors.js'
import { rbacCollections } from '../../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../../src/schemas/sanitize.js'
import type { BlueprintInput, CollectionInput } from '../../../src/schemas/types.js'
import { connect, eventually, signIn, startServer, wait, type Caller, type TestServer } from '../../helpers.js'

const PASSWORD = 'board-pass'
const ME = '{{user._id}}'
const MINE = { board_id: { $in: '{{user.boards}}' } }

const users = defineCollection({
  name: 'users',
  schema: Type.Object({
    name: Type.String(),
    email: Email(),
    password: Password(),
    role: Enum(['Lead', 'Member']),
    boards: Type.Optional(Type.Array(Ref('boards', { onDelete: 'nullify' }), { readOnly: true }))
  }),
  auth: { roleField: 'role', roleBy: 'name' },
  rollups: [{ from: 'seats', via: 'user_id', set: { boards: { collect: 'board_id' } } }],
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const boards = defineCollection({
  name: 'boards',
  schema: Type.Object({ name: Type.String(), member_ids: Type.Optional(Type.Array(Ref('users', { onDelete: 'nullify' }), { readOnly: true })) }),
  rollups: [{ from: 'seats', via: 'board_id', set: { member_ids: { collect: 'user_id' } } }],
  signals: { pointing: { data: Type.Object({ x: Type.Integer({ minimum: 0, maximum: 10000 }) }), perMinute: 5 } }
})

const seats = defineCollection({
  name: 'seats',
  schema: Type.Object({
    board_id: Ref('boards', { onDelete: 'cascade' }),
    user_id: Ref('users', { onDelete: 'cascade' }),
    seen_until: Type.Optional(DateTime()),
    unseen: Type.Optional(Type.Integer({ readOnly: true }))
  }),
  unread: { unseen: { from: 'cards', via: 'board_id', key: 'board_id', reader: 'user_id', author: 'author_id', readUntil: 'seen_until' } },
  indexes: [{ fields: { board_id: 1, user_id: 1 }, unique: true }]
})

const cards = defineCollection({
  name: 'cards',
  schema: Type.Object({
    board_id: Ref('boards', { onDelete: 'cascade' }),
    title: Type.String(),
    author_id: Ref('users', { readOnly: true }),
    assignees: Type.Optional(Type.Array(Ref('users'), { uniqueItems: true })),
    mentions: Type.Optional(Type.Array(Ref('users'), { uniqueItems: true }))
  }),
  generate: { author_id: { kind: 'value', value: ME, overwrite: true } },
  triggers: [
    { on: ['create', 'patch'], create: 'alerts', with: { board: 'board_id' }, forEach: { added: 'assignees' }, data: { user_id: '{{each}}', text: 'You have "{{record.title}}" on {{board.name}}' } },
    { on: ['create', 'patch'], create: 'alerts', forEach: { added: 'mentions', readersOnly: true }, data: { user_id: '{{each}}', text: 'Mentioned on "{{record.title}}"' } }
  ],
  indexes: [{ fields: { board_id: 1, createdAt: 1 } }]
})

const alerts = defineCollection({ name: 'alerts', schema: Type.Object({ user_id: Ref('users', { onDelete: 'cascade' }), text: Type.String() }) })

const board: BlueprintInput = {
  name: 'board',
  version: '0.0.1',
  description: 'Task boards, their seats and cards.',
  collections: [...rbacCollections, users, boards, seats, cards, alerts],
  roles: [
    { RoleName: 'Lead', permissions: ['lead-all'] },
    { RoleName: 'Member', permissions: ['member-self', 'member-boards', 'member-seats', 'member-seen', 'member-cards', 'member-post', 'member-edit', 'member-alerts'] }
  ],
  permissions: [
    { PermissionName: 'lead-all', Action: 'manage', Subject: 'all' },
    { PermissionName: 'member-self', Action: 'read', Subject: 'users' },
    { PermissionName: 'member-boards', Action: 'read', Subject: 'boards', Conditions: { member_ids: ME } },
    { PermissionName: 'member-seats', Action: 'read', Subject: 'seats', Conditions: { user_id: ME } },
    { PermissionName: 'member-seen', Action: 'update', Subject: 'seats', Conditions: { user_id: ME }, Fields: ['seen_until'] },
    { PermissionName: 'member-cards', Action: 'read', Subject: 'cards', Conditions: MINE },
    { PermissionName: 'member-post', Action: 'create', Subject: 'cards', Conditions: MINE },
    { PermissionName: 'member-edit', Action: 'update', Subject: 'cards', Conditions: { author_id: ME } },
    { PermissionName: 'member-alerts', Action: 'read', Subject: 'alerts', Conditions: { user_id: ME } }
  ],
  adminRole: 'Lead',
  async demo(app: any) {
    const people = await app.service('users').create(['lead', 'ann', 'ben', 'cat'].map((name) => ({ name, email: `${name}@board.example.com`, password: PASSWORD, role: name === 'lead' ? 'Lead' : 'Member' })))
    const [roadmap] = await app.service('boards').create([{ name: 'Roadmap' }, { name: 'Elsewhere' }])
    // Ann and Ben sit at the roadmap; Cat sits at no board.
    await app.service('seats').create([people[1], people[2]].map((user: any) => ({ board_id: roadmap._id, user_id: user._id })))
  }
}

describe('conversations on a task board: signals, unread counts, trigger recipients', function () {
  this.timeout(60_000)
  let server: TestServer
  let ann: Caller, ben: Caller, cat: Caller
  let roadmap: any
  const seatOf = async (user: Caller) => (await server.app.service('seats').find({ paginate: false, query: { board_id: roadmap._id, user_id: user.user._id } }))[0] as any

  before(async () => {
    server = await startServer(board)
    ;[ann, ben, cat] = await Promise.all(['ann', 'ben', 'cat'].map((name) => signIn(server.url, `${name}@board.example.com`, PASSWORD)))
    roadmap = (await server.app.service('boards').find({ paginate: false, query: { name: 'Roadmap' } }))[0]
  })
  after(() => server?.close(true))

  describe('signals', () => {
    it('reach the other readers of the record over Socket.io, never the sender or a non-reader', async () => {
      const sockets = await Promise.all([ann, ben, cat].map((user) => connect(server.url, user.token)))
      const [annSocket, benSocket, catSocket] = sockets
      try {
        const sent = await annSocket.call('create', 'boards/pointing', { id: roadmap._id, x: 42 })
        assert.deepEqual(sent, { id: roadmap._id, from: ann.user._id, x: 42 })
        assert.ok(await eventually(() => benSocket.events.some((e) => e.name === 'boards pointing')))
        assert.deepEqual(benSocket.events.find((e) => e.name === 'boards pointing')!.data, { id: roadmap._id, from: ann.user._id, x: 42 })
        await wait(100)
        assert.equal(annSocket.events.filter((e) => e.name === 'boards pointing').length, 0, 'not echoed')
        assert.equal(catSocket.events.filter((e) => e.name === 'boards pointing').length, 0, 'a non-reader hears nothing')
        // A non-reader cannot send one about it either: to them the record does not exist.
        await assert.rejects(catSocket.call('create', 'boards/pointing', { id: roadmap._id, x: 1 }), (error: any) => error.code === 404)
        await assert.rejects(annSocket.call('create', 'boards/pointing', { id: roadmap._id, x: 'far' }), (error: any) => error.code === 400)
        await assert.rejects(annSocket.call('create', 'boards/pointing', { id: roadmap._id, x: 1, extra: true }), (error: any) => error.code === 400)
        assert.equal(catSocket.events.filter((e) => e.name.startsWith('boards')).length, 0)
      } finally {
        for (const socket of sockets) socket.close()
      }
    })

    it('go over REST too for a signed-in reader, not for an anonymous caller, and are limited per sender and record', async () => {
      const anonymous = await fetch(`${server.url}/boards/pointing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: roadmap._id, x: 1 }) })
      assert.equal(anonymous.status, 401)
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await ben.post('/boards/pointing', { id: roadmap._id, x: i })).status)
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429], 'perMinute 5')
      const refused = await ben.post('/boards/pointing', { id: roadmap._id, x: 9 })
      assert.ok(refused.body.data.retryAfter >= 1)
    })
  })

  describe('unread counts', () => {
    it('count the others’ cards since the reader’s mark, recounted on new cards, removals and a moved mark; only the reader hears theirs', async () => {
      const sockets = await Promise.all([ann, ben, cat].map((user) => connect(server.url, user.token)))
      const [annSocket, benSocket, catSocket] = sockets
      try {
        assert.equal((await seatOf(ben)).unseen, 0)
        const first = await ann.post('/cards', { board_id: roadmap._id, title: 'Plan Q3' })
        assert.equal(first.status, 201, JSON.stringify(first.body))
        await ann.post('/cards', { board_id: roadmap._id, title: 'Plan Q4' })
        await ben.post('/cards', { board_id: roadmap._id, title: 'My own' })
        assert.equal((await seatOf(ben)).unseen, 2, 'Ann’s two cards, not his own')
        assert.equal((await seatOf(ann)).unseen, 1, 'Ben’s card')
        const benSeat = await seatOf(ben)
        assert.ok(await eventually(() => benSocket.events.some((e) => e.name === 'seats patched' && e.data._id === benSeat._id && e.data.unseen === 2)))
        await wait(100)
        assert.equal(annSocket.events.filter((e) => e.name === 'seats patched' && e.data._id === benSeat._id).length, 0, 'another reader’s count is theirs alone')
        assert.equal(catSocket.events.filter((e) => e.name.startsWith('seats') || e.name.startsWith('cards')).length, 0)

        assert.equal((await ben.patch(`/seats/${benSeat._id}`, { unseen: 0 })).status, 400, 'the count is the engine’s')
        const marked = await ben.patch(`/seats/${benSeat._id}`, { seen_until: first.body.createdAt })
        assert.equal(marked.status, 200, JSON.stringify(marked.body))
        assert.equal(marked.body.unseen, 1, 'Plan Q4 came after the mark')
        await server.app.service('cards').remove(first.body._id)
        assert.equal((await seatOf(ben)).unseen, 1, 'a read card removed changes nothing')
        assert.equal((await seatOf(ann)).unseen, 1)
        const q4 = (await server.app.service('cards').find({ paginate: false, query: { title: 'Plan Q4' } }))[0]
        await server.app.service('cards').remove(q4._id)
        assert.equal((await seatOf(ben)).unseen, 0)
        assert.equal((await ann.patch(`/cards/${(await server.app.service('cards').find({ paginate: false, query: { title: 'My own' } }))[0]._id}`, { title: 'x' })).status, 403)
      } finally {
        for (const socket of sockets) socket.close()
      }
    })
  })

  describe('trigger recipients', () => {
    const alertsOf = async (user: Caller) => ((await server.app.service('alerts').find({ paginate: false, query: { user_id: user.user._id } })) as any[]).map((a) => a.text)

    it('alert each assignee a change added, once, with the referenced board in the text', async () => {
      const card = await ann.post('/cards', { board_id: roadmap._id, title: 'Ship it', assignees: [ben.user._id] })
      assert.equal(card.status, 201, JSON.stringify(card.body))
      assert.deepEqual(await alertsOf(ben), ['You have "Ship it" on Roadmap'])
      await ann.patch(`/cards/${card.body._id}`, { assignees: [ben.user._id, ann.user._id] })
      await ann.patch(`/cards/${card.body._id}`, { title: 'Ship it now' })
      assert.deepEqual(await alertsOf(ben), ['You have "Ship it" on Roadmap'], 'not again for staying assigned')
      assert.deepEqual(await alertsOf(ann), ['You have "Ship it" on Roadmap'])
    })

    it('alert only the mentioned users who may read the record', async () => {
      const card = await ann.post('/cards', { board_id: roadmap._id, title: 'Hello', mentions: [ben.user._id, cat.user._id] })
      assert.equal(card.status, 201, JSON.stringify(card.body))
      assert.ok((await alertsOf(ben)).includes('Mentioned on "Hello"'))
      assert.deepEqual(await alertsOf(cat), [], 'Cat may not read the card: no alert tells her about it')
    })
  })

  describe('declarations', () => {
    const withCollection = (changes: Partial<CollectionInput>, name = 'cards') => ({
      ...board,
      collections: board.collections.map((c) => (c.name === name ? { ...c, ...changes } : c))
    })
    const refused = (input: BlueprintInput, message: RegExp) => assert.throws(() => sanitizeBlueprint(input), (error: any) => error instanceof DeclarationError && message.test(error.message))

    it('refuses misdeclared signals', () => {
      refused(withCollection({ signals: { patched: { data: Type.Object({}) } } }, 'boards'), /signal "patched" must be a camelCase name/)
      refused(withCollection({ signals: { pointing: { data: Type.String() as any } } }, 'boards'), /`data` must be a Type.Object/)
      refused(withCollection({ signals: { pointing: { data: Type.Object({ from: Type.String() }) } } }, 'boards'), /may not declare from/)
      refused(withCollection({ signals: { pointing: { data: Type.Object({}), perMinute: 0 } } }, 'boards'), /perMinute must be a whole number/)
    })

    it('refuses misdeclared unread counts', () => {
      const unread = seats.unread!.unseen
      refused(withCollection({ unread: { seen_until: unread } }, 'seats'), /must be a top-level Type.Integer\(\) field declared readOnly/)
      refused(withCollection({ unread: { unseen: { ...unread, from: 'nowhere' } } }, 'seats'), /unknown collection "nowhere"/)
      refused(withCollection({ unread: { unseen: { ...unread, via: 'author_id' } } }, 'seats'), /must be single references to the same collection/)
      refused(withCollection({ unread: { unseen: { ...unread, readUntil: 'board_id' } } }, 'seats'), /readUntil "board_id" must be a DateTime\(\) field/)
      refused(withCollection({ unread: { unseen: { ...unread, reader: 'board_id' } } }, 'seats'), /reader "board_id" must be a single Ref\('users'\)/)
      refused(withCollection({ unread: { unseen: { ...unread, from: 'alerts', via: 'user_id' } } }, 'seats'), /must be single references to the same collection/)
    })

    it('refuses misdeclared trigger recipients and `with` records', () => {
      const trigger = cards.triggers![0]
      refused(withCollection({ triggers: [{ ...trigger, forEach: { added: 'title' } }] }), /forEach.added "title" must be a top-level array field/)
      refused(withCollection({ triggers: [{ ...trigger, with: { record: 'board_id' } }] }), /with "record" must be a name other than/)
      refused(withCollection({ triggers: [{ ...trigger, with: { board: 'assignees' } }] }), /must be a top-level single Ref\(\) field/)
      refused(withCollection({ triggers: [{ on: ['patch'], create: 'alerts', forEach: { added: 'boards', readersOnly: true }, data: { user_id: '{{each}}', text: 'x' } }] }, 'users'), /readersOnly needs "boards" to be an array of Ref\('users'\)/)
    })
  })
})
