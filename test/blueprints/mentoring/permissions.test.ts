// Who reads what: sessions and what belongs to them stay with their pair (REST and Socket.io), profiles by role and
// match, private notes with their creator, mental-health chats with their user alone (admins included), tokens never returned.
import assert from 'node:assert/strict'
import { eventually, wait } from '../../helpers.js'
import { PEOPLE, days, mentoringWorld, type Person, type World } from './world.js'

describe('mentoring permissions', () => {
  let world: World
  before(async () => {
    world = await mentoringWorld()
  })

  describe('sessions belong to their mentor and mentee', () => {
    for (const who of ['grace', 'alan', 'maya', 'priya', 'nina'] as Person[]) {
      it(`${who} finds only sessions, notes, action items and feedback they take part in`, async () => {
        const caller = await world.as(who)
        const me = caller.user._id
        let seen = 0
        for (const path of ['sessions', 'session-notes', 'action-items', 'feedback']) {
          const response = await caller.get(`/${path}`, { $limit: 200 })
          assert.equal(response.status, 200, `${path}: ${JSON.stringify(response.body)}`)
          for (const record of response.body.data) assert.ok([record.mentorId, record.menteeId].includes(me), `${who} read someone else’s ${path} record`)
          seen += response.body.data.length
        }
        assert.ok(seen > 0)
      })
    }

    it('another mentee cannot get, change or remove a session of Grace and Maya', async () => {
      const [session] = await world.find('sessions', { mentorId: await world.id('grace'), menteeId: await world.id('maya') })
      for (const who of ['noah', 'alan', 'nina'] as Person[]) {
        const caller = await world.as(who)
        assert.ok([403, 404].includes((await caller.get(`/sessions/${session._id}`)).status), `${who} read it`)
        assert.ok([403, 404].includes((await caller.patch(`/sessions/${session._id}`, { agenda: 'mine now' })).status), `${who} changed it`)
        assert.ok([403, 404].includes((await caller.remove(`/sessions/${session._id}`)).status), `${who} removed it`)
      }
    })

    it('a session is only created for oneself, between the two sides of an approved match', async () => {
      const maya = await world.as('maya')
      const body = { mentorId: await world.id('grace'), title: 'x', date: days(20), duration: 30, status: 'requested' }
      assert.equal((await maya.post('/sessions', { ...body, menteeId: await world.id('noah') })).status, 403, 'for someone else')
      const unmatched = await maya.post('/sessions', { ...body, mentorId: await world.id('alan'), menteeId: maya.user._id })
      assert.equal(unmatched.status, 422)
      assert.match(unmatched.body.message, /approved match/)
      assert.equal((await maya.post('/sessions', { ...body, menteeId: maya.user._id })).status, 201)
    })

    it('socket events of a session reach its pair and admins, never another pair', async () => {
      const listeners: Person[] = ['admin', 'grace', 'maya', 'noah', 'alan', 'priya']
      const sockets = Object.fromEntries(await Promise.all(listeners.map(async (w) => [w, await world.socket(w)] as const)))
      try {
        const grace = await world.as('grace')
        const created = await grace.post('/sessions', { mentorId: grace.user._id, menteeId: await world.id('maya'), title: 'Socket check', date: days(12), duration: 30, status: 'proposed' })
        assert.equal(created.status, 201, JSON.stringify(created.body))
        const heard = (w: Person) => sockets[w].events.some((e) => e.name === 'sessions created' && e.data?._id === created.body._id)
        assert.ok(await eventually(() => heard('grace') && heard('maya') && heard('admin')))
        await wait(150)
        for (const w of ['noah', 'alan', 'priya'] as Person[]) assert.equal(heard(w), false, `${w} heard another pair’s session`)
        const page = await sockets.noah.call('find', 'sessions', { $limit: 200 })
        for (const session of page.data) assert.ok([session.mentorId, session.menteeId].includes((await world.as('noah')).user._id))
        await assert.rejects(sockets.noah.call('get', 'sessions', created.body._id), (error: any) => [403, 404].includes(error.code))
      } finally {
        for (const socket of Object.values(sockets)) socket.close()
      }
    })
  })

  describe('profiles', () => {
    it('a mentor’s profile is read by everyone signed in; a mentee’s by its user, their approved mentors and admins', async () => {
      const mayaProfile = (await world.find('profiles', { userId: await world.id('maya') }))[0]
      const graceProfile = (await world.find('profiles', { userId: await world.id('grace') }))[0]
      for (const who of PEOPLE) assert.equal((await (await world.as(who)).get(`/profiles/${graceProfile._id}`)).status, 200, `${who} reads a mentor profile`)
      for (const who of ['maya', 'grace', 'admin'] as Person[]) assert.equal((await (await world.as(who)).get(`/profiles/${mayaProfile._id}`)).status, 200, `${who} reads Maya’s`)
      for (const who of ['alan', 'margaret', 'noah', 'nina'] as Person[]) assert.ok([403, 404].includes((await (await world.as(who)).get(`/profiles/${mayaProfile._id}`)).status), `${who} read Maya’s`)
    })

    it('a mentor finds mentor profiles and their own mentees’, nobody else’s', async () => {
      const alan = await world.as('alan')
      const page = await alan.get('/profiles', { $limit: 100 })
      const priya = await world.id('priya')
      for (const profile of page.body.data) assert.ok(profile.userRole === 'mentor' || profile.userId === priya, JSON.stringify(profile))
      assert.ok(page.body.data.some((p: any) => p.userId === priya))
    })

    it('nobody but an admin changes a role, and the profile follows the user’s role', async () => {
      const maya = await world.as('maya')
      assert.equal((await maya.patch(`/users/${maya.user._id}`, { role: 'admin' })).status, 403)
      const admin = await world.as('admin')
      const user = await world.internal('users').create({ username: 'promoted', email: 'promoted@example.com', fullName: 'To Promote', role: 'mentee', password: 'long-enough-1' })
      const profile = await world.internal('profiles').create({ userId: user._id })
      assert.equal(profile.userRole, 'mentee')
      assert.equal((await admin.patch(`/users/${user._id}`, { role: 'mentor' })).status, 200)
      assert.equal((await world.internal('profiles').get(profile._id)).userRole, 'mentor')
    })
  })

  describe('private notes', () => {
    it('a private note is read by its creator alone: not the other participant, not an admin', async () => {
      const [privateNote] = await world.find('session-notes', { createdById: await world.id('grace'), isPrivate: true })
      const [shared] = await world.find('session-notes', { createdById: await world.id('grace'), isPrivate: false })
      assert.equal((await (await world.as('grace')).get(`/session-notes/${privateNote._id}`)).status, 200)
      for (const who of ['maya', 'admin', 'noah'] as Person[]) {
        const caller = await world.as(who)
        assert.ok([403, 404].includes((await caller.get(`/session-notes/${privateNote._id}`)).status), `${who} read Grace’s private note`)
        const page = await caller.get('/session-notes', { $limit: 200 })
        assert.ok(!page.body.data.some((n: any) => n._id === privateNote._id))
      }
      assert.equal((await (await world.as('maya')).get(`/session-notes/${shared._id}`)).status, 200, 'the other participant reads a shared note')
    })

    it('only a participant writes a note on a session', async () => {
      const [session] = await world.find('sessions', { mentorId: await world.id('grace'), menteeId: await world.id('maya') })
      const noah = await world.as('noah')
      const response = await noah.post('/session-notes', { sessionId: session._id, createdById: noah.user._id, notes: 'I was not there' })
      assert.equal(response.status, 422)
      assert.equal((await noah.post('/session-notes', { sessionId: session._id, createdById: await world.id('maya'), notes: 'as Maya' })).status, 403)
    })
  })

  describe('mental-health chats are read by their user alone', () => {
    it('no other user reads Nina’s chats, whatever the role, admins included', async () => {
      const [chat] = await world.find('mental-health-chats', { userId: await world.id('nina') })
      assert.equal((await (await world.as('nina')).get(`/mental-health-chats/${chat._id}`)).status, 200)
      for (const who of PEOPLE.filter((p) => p !== 'nina')) {
        const caller = await world.as(who)
        assert.ok([403, 404].includes((await caller.get(`/mental-health-chats/${chat._id}`)).status), `${who} read it`)
        const page = await caller.get('/mental-health-chats', { $limit: 200 })
        if (page.status === 200) for (const record of page.body.data) assert.equal(record.userId, caller.user._id, `${who} found someone else’s chat`)
        else assert.equal(page.status, 403)
        assert.ok([403, 404].includes((await caller.patch(`/mental-health-chats/${chat._id}`, { message: 'x' })).status))
        assert.ok([403, 404].includes((await caller.remove(`/mental-health-chats/${chat._id}`)).status))
      }
    })

    it('an admin gets nothing, even with a search by user, over Socket.io, or through the audit log', async () => {
      const admin = await world.as('admin')
      const nina = await world.id('nina')
      const page = await admin.get('/mental-health-chats', { userId: nina })
      assert.equal(page.status, 200)
      assert.deepEqual(page.body.data, [])
      const [chat] = await world.find('mental-health-chats', { userId: nina })
      assert.ok([403, 404].includes((await admin.get('/audit-log', { collection: 'mental-health-chats', recordId: chat._id })).status))
      const socket = await world.socket('admin')
      try {
        const ninaCaller = await world.as('nina')
        const sent = await ninaCaller.post('/mental-health-chats', { userId: ninaCaller.user._id, message: 'Today was a good day, I feel calmer and happy.', isFromUser: true })
        assert.equal(sent.status, 201, JSON.stringify(sent.body))
        await wait(200)
        assert.ok(!socket.events.some((e) => e.name.startsWith('mental-health-chats')), 'the admin heard a chat event')
        assert.deepEqual((await socket.call('find', 'mental-health-chats', { userId: nina })).data, [])
      } finally {
        socket.close()
      }
    })

    it('the sentiment is computed on the server, never taken from the client', async () => {
      const nina = await world.as('nina')
      const good = await nina.post('/mental-health-chats', { userId: nina.user._id, message: 'I feel wonderful and grateful today', isFromUser: true })
      assert.equal(good.body.sentiment, 'positive')
      const sad = await nina.post('/mental-health-chats', { userId: nina.user._id, message: 'I am exhausted, sad and anxious', isFromUser: true })
      assert.equal(sad.body.sentiment, 'negative')
      const forged = await nina.post('/mental-health-chats', { userId: nina.user._id, message: 'I am exhausted', isFromUser: true, sentiment: 'positive' })
      assert.equal(forged.status, 400)
      assert.equal((await nina.post('/mental-health-chats', { userId: nina.user._id, message: 'as the AI', isFromUser: false })).status, 403)
    })
  })

  describe('microsoft tokens', () => {
    it('are encrypted at rest, never returned, and read by their user only', async () => {
      const grace = await world.as('grace')
      const page = await grace.get('/microsoft-tokens')
      assert.equal(page.body.data.length, 1)
      assert.equal(page.body.data[0].accessToken, undefined)
      assert.equal(page.body.data[0].refreshToken, undefined)
      const stored = await (world.server.app.service('microsoft-tokens') as any)._get(page.body.data[0]._id)
      assert.ok(stored.accessToken && stored.accessToken !== 'demo-access-token', 'stored encrypted')
      for (const who of ['admin', 'maya', 'alan'] as Person[]) assert.deepEqual((await (await world.as(who)).get('/microsoft-tokens')).body.data, [])
    })
  })

  describe('resources', () => {
    it('a draft is seen by its uploader and admins only', async () => {
      const [draft] = await world.find('resources', { isPublished: false })
      for (const who of ['grace', 'admin'] as Person[]) assert.equal((await (await world.as(who)).get(`/resources/${draft._id}`)).status, 200)
      for (const who of ['alan', 'maya', 'nina'] as Person[]) assert.ok([403, 404].includes((await (await world.as(who)).get(`/resources/${draft._id}`)).status))
      const maya = await world.as('maya')
      assert.equal((await maya.post('/resources', { title: 'x', type: 'story', uploadedById: maya.user._id })).status, 403, 'mentees do not upload')
    })
  })
})
