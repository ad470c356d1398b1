// Connectors on a fixture unrelated to any seed: a climbing gym's walls, each with its route-setting sessions kept in
// step with a partner's Outlook board (pull) and Google calendar (pull and push), under field names of its own, against
// the local Graph and Google servers. Bad declarations are named mistakes.
import assert from 'node:assert/strict'
import { DateTime, Enum, Ref, Type, defineCollection } from '../../src/schemas/fields.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import type { BlueprintInput, ConnectorInput } from '../../src/schemas/types.js'
import { checkConnectors } from '../../src/services/connectors/index.js'
import { ProviderServers } from '../calendar-providers.js'
import { finished, startServer, type TestServer } from '../helpers.js'
import { club } from './club.js'

const walls = defineCollection({
  name: 'walls',
  schema: Type.Object({
    ownerId: Ref('members', { onDelete: 'cascade' }),
    label: Type.String({ maxLength: 100 }),
    syncing: Type.Boolean({ default: true }),
    board: Type.Optional(Type.String({ maxLength: 200 })),
    gymCalendar: Type.Optional(Type.String({ maxLength: 200 })),
    boardCursor: Type.Optional(Type.String({ maxLength: 4000, readOnly: true })),
    gymCursor: Type.Optional(Type.String({ maxLength: 4000, readOnly: true })),
    lastRun: Type.Optional(DateTime())
  })
})

const sessions = defineCollection({
  name: 'sessions',
  schema: Type.Object({
    wallId: Ref('walls', { onDelete: 'cascade' }),
    ownerId: Ref('members', { onDelete: 'cascade' }),
    heading: Type.String({ minLength: 1, maxLength: 200 }),
    opens: DateTime(),
    closes: DateTime(),
    wholeDay: Type.Boolean({ default: false }),
    setterNotes: Type.Optional(Type.String({ maxLength: 2000 })),
    boardId: Type.Optional(Type.String({ maxLength: 500 })),
    boardTag: Type.Optional(Type.String({ maxLength: 500 })),
    gymId: Type.Optional(Type.String({ maxLength: 500 })),
    gymTag: Type.Optional(Type.String({ maxLength: 500 })),
    state: Enum(['fresh', 'ok', 'waiting', 'clash'], { default: 'fresh' }),
    problems: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 100 })),
    touched: Type.Optional(DateTime()),
    memory: Type.Optional(Type.Object({ board: Type.Optional(Type.String({ maxLength: 64 })), gym: Type.Optional(Type.String({ maxLength: 64 })) }, { readOnly: true }))
  })
})

const runs = defineCollection({
  name: 'runs',
  schema: Type.Object({
    memberId: Ref('members', { onDelete: 'cascade' }),
    source: Enum(['board', 'gym']),
    result: Enum(['fine', 'some', 'failed']),
    seen: Type.Integer(),
    added: Type.Integer(),
    changed: Type.Integer(),
    dropped: Type.Integer(),
    problems: Type.Array(Type.Object({ item: Type.Optional(Type.String()), text: Type.String(), code: Type.String() }), { maxItems: 1000 }),
    began: DateTime(),
    ended: DateTime(),
    took: Type.Integer()
  })
})

const connector: ConnectorInput = {
  where: { syncing: true },
  owner: 'ownerId',
  records: { collection: 'sessions', parent: 'wallId', owner: 'ownerId' },
  fields: { heading: 'title', opens: 'start', closes: 'end', wholeDay: 'allDay' },
  internal: ['setterNotes'],
  status: { field: 'state', synced: 'ok', pending: 'waiting', error: 'clash', errors: 'problems', at: 'touched', state: 'memory' },
  lastSynced: 'lastRun',
  log: {
    collection: 'runs',
    owner: 'memberId',
    status: { field: 'result', success: 'fine', partial: 'some', error: 'failed' },
    counts: { processed: 'seen', created: 'added', updated: 'changed', deleted: 'dropped' },
    errors: { field: 'problems', id: 'item', message: 'text', code: 'code' },
    startedAt: 'began',
    completedAt: 'ended',
    duration: 'took'
  },
  providers: {
    board: { kind: 'graph-calendar', oauth: 'partner', remoteId: 'board', cursor: 'boardCursor', id: 'boardId', etag: 'boardTag', log: { source: 'board' } },
    gym: { kind: 'google-calendar', oauth: 'partner', remoteId: 'gymCalendar', cursor: 'gymCursor', id: 'gymId', etag: 'gymTag', push: true, log: { source: 'gym' } }
  }
}

const gym = (declared: ConnectorInput = connector): BlueprintInput => ({
  ...club,
  name: 'gym',
  collections: [...club.collections, defineCollection({ ...walls, connector: declared }), sessions, runs]
})

describe('connectors (climbing gym fixture)', () => {
  const providers = new ProviderServers()
  let server: TestServer
  let wallId: string
  const run = () => server.app.connectors.run(server.app.blueprint.collections.find((c: any) => c.name === 'walls')!, wallId) as Promise<any>
  const logs = async () => (await server.app.service('runs').find({ paginate: false, query: { $sort: { began: 1 } } })) as any[]

  before(async () => {
    await providers.start()
    providers.tokens.add('partner-token')
    server = await startServer(gym(), {
      oauth: { partner: { clientId: 'gym', clientSecret: 'gym-secret', issuer: 'https://partner.example.com' } },
      graphUrl: providers.graphUrl,
      googleCalendarUrl: providers.googleUrl,
      // A schedule to run by hand (its ticks: midnight of 29 February only), overriding the declaration (none here).
      syncSchedule: '0 0 29 2 *',
      syncBackoffMs: 50
    })
    const member = await server.app.service('members').create({ email: 'setter@club.example.com', fullName: 'Route Setter', partnerAccess: 'partner-token' })
    wallId = (await server.app.service('walls').create({ ownerId: member._id, label: 'North wall', board: 'board-north', gymCalendar: 'gym-north' }))._id
    providers.graphPut('board-north', { id: 'b1', subject: 'Reset the overhang', start: { dateTime: '2026-12-14T07:00:00.0000000' }, end: { dateTime: '2026-12-14T11:00:00.0000000' }, isAllDay: false })
    providers.googlePut('gym-north', { id: 'gym-closed', summary: 'Gym closed', start: { date: '2026-12-25' }, end: { date: '2026-12-26' } })
  })
  after(async () => {
    await server?.close()
    await providers.close()
  })

  it('syncs under the declared names: records, their state and memory, one run record per provider with its counts', async () => {
    await run()
    const found = (await server.app.service('sessions').find({ paginate: false, query: { wallId } })) as any[]
    const overhang = found.find((s) => s.boardId === 'b1')
    assert.deepEqual([overhang.heading, new Date(overhang.opens).toISOString(), overhang.state], ['Reset the overhang', '2026-12-14T07:00:00.000Z', 'ok'])
    assert.ok(overhang.gymId && overhang.gymTag && overhang.memory.board && overhang.memory.gym)
    const closed = found.find((s) => s.gymId === 'gym-closed')
    assert.deepEqual([closed.heading, closed.wholeDay, new Date(closed.closes).toISOString()], ['Gym closed', true, '2026-12-26T00:00:00.000Z'])
    assert.deepEqual((await logs()).map((l) => [l.source, l.result, l.seen, l.added, l.changed, l.dropped]), [['board', 'fine', 1, 1, 0, 0], ['gym', 'fine', 2, 2, 0, 0]])
    const [wall] = (await server.app.service('walls').find({ paginate: false, query: { _id: wallId } })) as any[]
    assert.ok(wall.boardCursor && wall.gymCursor && wall.lastRun)
  })

  it('never sends an internal field, and a second run changes nothing', async () => {
    const [overhang] = (await server.app.service('sessions').find({ paginate: false, query: { boardId: 'b1' } })) as any[]
    await server.app.service('sessions').patch(overhang._id, { setterNotes: 'bring the long drill' })
    const since = providers.seen.length
    await run()
    assert.deepEqual(providers.requestsSince(since).filter((r) => r.method !== 'GET'), [], 'an internal change is not a change to send')
    assert.ok(!JSON.stringify(providers.seen.map((r) => r.body ?? null)).includes('long drill'))
    assert.deepEqual((await logs()).slice(-2).map((l) => [l.added, l.changed, l.dropped]), [[0, 0, 0], [0, 0, 0]])
  })

  it('queues a run per synced record at each scheduled tick, and none for a record not synced', async () => {
    const [member] = (await server.app.service('members').find({ paginate: false, query: { email: 'setter@club.example.com' } })) as any[]
    await server.app.service('walls').create({ ownerId: member._id, label: 'Paused wall', syncing: false, board: 'board-paused' })
    const before = (await logs()).length
    const tick = await finished(server.app, await server.app.jobs.runNow('sync-walls'))
    assert.deepEqual([tick.state, tick.result], ['completed', { queued: 1 }])
    for (let tries = 0; (await logs()).length < before + 2; tries++) {
      assert.ok(tries < 200, 'the queued run wrote its two run records')
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    assert.ok(!providers.seen.some((r) => r.path.includes('board-paused')), 'the paused wall is not synced')
  })

  it('names the mistakes of a connector declaration', () => {
    const check = (changed: Partial<ConnectorInput>, message: RegExp) =>
      assert.throws(() => checkConnectors(sanitizeBlueprint(gym({ ...connector, ...changed })).collections, ['sso', 'partner']), message)
    check({ internal: ['heading'] }, /"heading" is internal: it may not be mapped/)
    check({ fields: { ...connector.fields, nowhere: 'title' } }, /mapped field "nowhere" is not a field of "sessions"/)
    check({ providers: { ...connector.providers, board: { ...connector.providers.board, oauth: 'ghost' } } }, /"ghost" is not an OAuth provider/)
    check({ providers: { ...connector.providers, board: { ...connector.providers.board, cursor: 'label' } } }, /cursor "label" is the engine's: declare it readOnly/)
    check({ providers: { ...connector.providers, board: { ...connector.providers.board, push: true } } }, /push is only for google-calendar/)
    check({ providers: { ...connector.providers, other: { ...connector.providers.gym } } }, /status.state "memory" needs a property "other"/)
    check({ providers: { ...connector.providers, gym: { ...connector.providers.gym, removals: 'label' } } }, /removals "label" must be a readOnly array/)
    check({ status: { ...connector.status, synced: 'done' } }, /status value "done" is not in "state"'s Enum/)
    check({ records: { ...connector.records, parent: 'ownerId' } }, /records.parent "ownerId" must reference "walls"/)
  })
})
