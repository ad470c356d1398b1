// Declared workflows of the mentoring blueprint: the session status machine per role, match approval within capacity
// (concurrent approvals included), feedback, messaging, connections, proxy requests, learning progress and support groups.
import assert from 'node:assert/strict'
import { serverStore } from '../../helpers.js'
import { days, mentoringWorld, type Person, type World } from './world.js'

describe('mentoring workflows', () => {
  let world: World
  before(async () => {
    world = await mentoringWorld()
  })

  /** A fresh session of an approved pair, stored internally in the given state. */
  const sessionOf = async (mentor: Person, mentee: Person, status: string, date = days(10), extra: Record<string, unknown> = {}) =>
    world.internal('sessions').create({ mentorId: await world.id(mentor), menteeId: await world.id(mentee), title: `${status} session`, date, duration: 45, status, ...extra })
  const move = async (who: Person, session: { _id: string }, body: Record<string, unknown>) => (await world.as(who)).patch(`/sessions/${session._id}`, body)

  describe('sessions', () => {
    it('a mentor proposes (only as proposed), the mentee confirms; a mentee requests, the mentor confirms', async () => {
      const grace = await world.as('grace')
      const maya = await world.as('maya')
      const base = { mentorId: grace.user._id, menteeId: maya.user._id, title: 'Career map', date: days(8), duration: 60 }
      assert.equal((await grace.post('/sessions', { ...base, status: 'requested' })).status, 403, 'a mentor does not request')
      const proposed = (await grace.post('/sessions', { ...base, status: 'proposed' })).body
      assert.equal(proposed.status, 'proposed')
      const selfConfirm = await move('grace', proposed, { status: 'confirmed' })
      assert.equal(selfConfirm.status, 403)
      assert.match(selfConfirm.body.message, /The mentor role may not change status from proposed to confirmed/)
      const confirmed = await move('maya', proposed, { status: 'confirmed', responseMessage: 'See you then' })
      assert.equal(confirmed.status, 200)
      assert.equal(confirmed.body.responseMessage, 'See you then')
      const requested = (await maya.post('/sessions', { ...base, status: 'requested' })).body
      assert.equal((await move('maya', requested, { status: 'confirmed' })).status, 403)
      assert.equal((await move('grace', requested, { status: 'rejected', responseMessage: 'Fully booked that week' })).status, 200)
      const again = await move('grace', requested, { status: 'confirmed' })
      assert.equal(again.status, 409)
      assert.match(again.body.message, /from rejected it can change to nothing \(final state\)/)
    })

    it('either side proposes a reschedule (proposedBy stamped); only the other accepts it, moving the date', async () => {
      const session = await sessionOf('grace', 'noah', 'confirmed', days(3))
      const noProposal = await move('grace', session, { status: 'rescheduled' })
      assert.equal(noProposal.status, 422)
      assert.match(noProposal.body.message, /proposedDate is required/)
      assert.equal((await move('grace', session, { status: 'rescheduled', proposedDate: days(5), proposedBy: await world.id('noah') })).status, 403, 'proposedBy is not the caller’s to write')
      const proposed = await move('grace', session, { status: 'rescheduled', proposedDate: days(5) })
      assert.equal(proposed.status, 200)
      assert.equal(proposed.body.proposedBy, await world.id('grace'), 'stamped with the caller')
      const ownAccept = await move('grace', session, { status: 'confirmed' })
      assert.equal(ownAccept.status, 409)
      assert.equal(ownAccept.body.message, 'A reschedule is accepted by the other participant')
      const accepted = await move('noah', session, { status: 'confirmed' })
      assert.equal(accepted.status, 200)
      assert.equal(accepted.body.date, days(5))
    })

    it('keeps responseMessage with the move that carried it: not rewritten alone (422), gone with a move without one', async () => {
      const session = await sessionOf('grace', 'maya', 'proposed')
      const confirmed = await move('maya', session, { status: 'confirmed', responseMessage: 'Works for me' })
      assert.equal(confirmed.body.responseMessage, 'Works for me')
      for (const who of ['maya', 'grace'] as Person[]) {
        const rewritten = await move(who, session, { responseMessage: 'Actually I never agreed' })
        assert.equal(rewritten.status, 422, who)
        assert.match(rewritten.body.message, /responseMessage is given with a change of status/)
      }
      const rescheduled = await move('grace', session, { status: 'rescheduled', proposedDate: days(12) })
      assert.equal(rescheduled.status, 200)
      assert.equal(rescheduled.body.responseMessage, undefined, 'the confirmation’s message does not answer the reschedule')
      const accepted = await move('maya', session, { status: 'confirmed', responseMessage: 'The new date is fine' })
      assert.equal(accepted.body.responseMessage, 'The new date is fine')
      assert.equal((await world.find('sessions', { _id: session._id }))[0].responseMessage, 'The new date is fine')
    })

    it('is completed only after its date, and cancelled by either side', async () => {
      const future = await sessionOf('alan', 'priya', 'confirmed', days(2))
      const early = await move('alan', future, { status: 'completed' })
      assert.equal(early.status, 409)
      assert.equal(early.body.message, 'A session is completed only after its date')
      const past = await sessionOf('alan', 'priya', 'confirmed', days(-1))
      assert.equal((await move('priya', past, { status: 'completed' })).status, 200)
      assert.equal((await move('priya', future, { status: 'cancelled' })).status, 200)
      const illegal = await move('alan', await sessionOf('alan', 'priya', 'proposed'), { status: 'completed' })
      assert.equal(illegal.status, 409)
      assert.deepEqual(illegal.body.data.allowed.sort(), ['cancelled', 'confirmed', 'rejected'])
    })

    it('a participant cannot move the date or the people directly', async () => {
      const session = await sessionOf('grace', 'maya', 'confirmed')
      assert.equal((await move('grace', session, { date: days(30) })).status, 403)
      assert.equal((await move('maya', session, { mentorId: await world.id('alan') })).status, 403)
    })
  })

  describe('matches', () => {
    const ask = async (mentee: Person, mentor: Person) => {
      const caller = await world.as(mentee)
      const response = await caller.post('/matches', { menteeId: caller.user._id, mentorId: await world.id(mentor), goal: 'Grow' })
      assert.equal(response.status, 201, JSON.stringify(response.body))
      return response.body
    }
    const profileOf = async (who: Person) => (await world.find('profiles', { userId: await world.id(who) }))[0]

    it('a mentee asks; only an admin approves or rejects, stamping adminId; the count follows approved matches', async () => {
      const match = await ask('olivia', 'margaret')
      const before = (await profileOf('margaret')).currentMenteeCount
      assert.equal((await (await world.as('margaret')).patch(`/matches/${match._id}`, { status: 'approved' })).status, 403)
      const admin = await world.as('admin')
      const approved = await admin.patch(`/matches/${match._id}`, { status: 'approved' })
      assert.equal(approved.status, 200, JSON.stringify(approved.body))
      assert.equal(approved.body.adminId, admin.user._id)
      assert.equal((await profileOf('margaret')).currentMenteeCount, before + 1)
      assert.ok((await profileOf('olivia')).matchedMentorIds.includes(await world.id('margaret')))
      await world.internal('matches').remove(match._id)
      assert.equal((await profileOf('margaret')).currentMenteeCount, before)
      const rejected = await admin.patch(`/matches/${(await ask('sam', 'margaret'))._id}`, { status: 'rejected' })
      assert.equal(rejected.body.adminId, admin.user._id)
    })

    it('refuses an approval for a full mentor or one not accepting new mentees (409)', async () => {
      const admin = await world.as('admin')
      const [pending] = await world.find('matches', { mentorId: await world.id('grace'), status: 'pending' })
      const full = await admin.patch(`/matches/${pending._id}`, { status: 'approved' })
      assert.equal(full.status, 409)
      assert.equal(full.body.message, 'This mentor is full: currentMenteeCount has reached maxMenteeCapacity')
      const alanProfile = await profileOf('alan')
      await world.internal('profiles').patch(alanProfile._id, { acceptingNewMentees: false })
      try {
        const closed = await admin.patch(`/matches/${(await ask('olivia', 'alan'))._id}`, { status: 'approved' })
        assert.equal(closed.status, 409)
        assert.equal(closed.body.message, 'This mentor is not accepting new mentees')
      } finally {
        await world.internal('profiles').patch(alanProfile._id, { acceptingNewMentees: true })
      }
    })

    it('gives the last place to exactly one of two concurrent approvals', async function () {
      if (serverStore !== 'embedded') this.skip() // race-free where a write and its follow-ups are one transaction (the embedded store)
      const mentor = await world.internal('users').create({ username: 'onespot', email: 'onespot@example.com', fullName: 'One Spot', role: 'mentor', password: 'long-enough-1' })
      await world.internal('profiles').create({ userId: mentor._id, maxMenteeCapacity: 1, acceptingNewMentees: true })
      const matches = await Promise.all(['noah', 'sam'].map(async (who) => world.internal('matches').create({ mentorId: mentor._id, menteeId: await world.id(who as Person) })))
      const admin = await world.as('admin')
      const results = await Promise.all(matches.map((m) => admin.patch(`/matches/${m._id}`, { status: 'approved' })))
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409])
      const [profile] = await world.find('profiles', { userId: mentor._id })
      assert.deepEqual([profile.currentMenteeCount, profile.openSlots], [1, 0])
      assert.equal((await world.find('matches', { mentorId: mentor._id, status: 'approved' })).length, 1)
    })
  })

  describe('feedback', () => {
    it('only by a participant of a completed session, rating 1–5', async () => {
      const maya = await world.as('maya')
      const completed = await sessionOf('grace', 'maya', 'completed', days(-3))
      const confirmed = await sessionOf('grace', 'maya', 'confirmed', days(3))
      assert.equal((await maya.post('/feedback', { sessionId: confirmed._id, fromUserId: maya.user._id, rating: 4 })).status, 422)
      assert.equal((await maya.post('/feedback', { sessionId: completed._id, fromUserId: maya.user._id, rating: 6 })).status, 400)
      const noah = await world.as('noah')
      assert.equal((await noah.post('/feedback', { sessionId: completed._id, fromUserId: noah.user._id, rating: 4 })).status, 422)
      const given = await maya.post('/feedback', { sessionId: completed._id, fromUserId: maya.user._id, rating: 4 })
      assert.equal(given.status, 201, JSON.stringify(given.body))
      assert.equal((await (await world.as('grace')).get(`/feedback/${given.body._id}`)).status, 200, 'the mentor reads it')
      assert.ok([403, 404].includes((await noah.get(`/feedback/${given.body._id}`)).status))
    })
  })

  describe('messaging and connections', () => {
    it('messages go only between accepted connections (403 otherwise); only the receiver marks one read', async () => {
      const maya = await world.as('maya')
      const noah = await world.as('noah')
      const toStranger = await maya.post('/direct-messages', { senderId: maya.user._id, receiverId: await world.id('priya'), message: 'hi' })
      assert.equal(toStranger.status, 403)
      assert.match(toStranger.body.message, /accepted connection/)
      const sent = await maya.post('/direct-messages', { senderId: maya.user._id, receiverId: noah.user._id, message: 'Coffee?' })
      assert.equal(sent.status, 201)
      assert.equal(sent.body.read, false)
      assert.equal((await maya.patch(`/direct-messages/${sent.body._id}`, { read: true })).status, 403)
      assert.equal((await noah.patch(`/direct-messages/${sent.body._id}`, { message: 'edited' })).status, 403)
      assert.equal((await noah.patch(`/direct-messages/${sent.body._id}`, { read: true })).body.read, true)
      assert.ok([403, 404].includes((await (await world.as('sam')).get(`/direct-messages/${sent.body._id}`)).status))
    })

    it('a connection is accepted or rejected by its receiver only; a pending one carries no messages', async () => {
      const [pending] = await world.find('user-connections', { requesterId: await world.id('priya'), status: 'pending' })
      const priya = await world.as('priya')
      assert.ok([403, 404].includes((await priya.patch(`/user-connections/${pending._id}`, { status: 'accepted' })).status))
      assert.equal((await priya.post('/direct-messages', { senderId: priya.user._id, receiverId: await world.id('sam'), message: 'hi' })).status, 403)
      assert.equal((await (await world.as('sam')).patch(`/user-connections/${pending._id}`, { status: 'accepted' })).status, 200)
      assert.equal((await priya.post('/direct-messages', { senderId: priya.user._id, receiverId: await world.id('sam'), message: 'hi' })).status, 201)
    })
  })

  describe('proxy requests', () => {
    it('made by a new mother, accepted or rejected by the named proxy, completed with actualEndDate', async () => {
      const rosa = await world.as('rosa')
      const body = { motherId: rosa.user._id, proxyId: await world.id('priya'), status: 'pending', startDate: days(40), expectedEndDate: days(120) }
      assert.equal((await (await world.as('maya')).post('/proxy-requests', { ...body, motherId: await world.id('maya') })).status, 403, 'not a new mother')
      const created = await rosa.post('/proxy-requests', body)
      assert.equal(created.status, 201, JSON.stringify(created.body))
      const byMother = await rosa.patch(`/proxy-requests/${created.body._id}`, { status: 'accepted' })
      assert.equal(byMother.status, 409)
      assert.equal(byMother.body.message, 'Only the named proxy accepts or rejects a proxy request')
      const priya = await world.as('priya')
      assert.equal((await priya.patch(`/proxy-requests/${created.body._id}`, { status: 'accepted' })).status, 200)
      assert.equal((await priya.patch(`/proxy-requests/${created.body._id}`, { status: 'completed', actualEndDate: days(100) })).status, 403, 'the mother records the end')
      assert.equal((await rosa.patch(`/proxy-requests/${created.body._id}`, { status: 'completed' })).status, 422)
      assert.equal((await rosa.patch(`/proxy-requests/${created.body._id}`, { status: 'completed', actualEndDate: days(100) })).status, 200)
    })
  })

  describe('learning progress and support groups', () => {
    it('progress is derived from the completed modules; completedAt stamped at 100', async () => {
      const noah = await world.as('noah')
      const [path] = await world.find('learning-paths')
      const started = await noah.post('/user-learning-progress', { userId: noah.user._id, pathId: path._id, completedModules: ['m1'] })
      assert.equal(started.status, 201, JSON.stringify(started.body))
      assert.deepEqual([started.body.progress, started.body.completedAt], [25, undefined])
      assert.equal((await noah.patch(`/user-learning-progress/${started.body._id}`, { progress: 100 })).status, 400)
      assert.equal((await noah.patch(`/user-learning-progress/${started.body._id}`, { completedModules: ['m1', 'nope'] })).status, 422)
      const done = await noah.patch(`/user-learning-progress/${started.body._id}`, { completedModules: ['m1', 'm2', 'm3', 'm4'] })
      assert.equal(done.body.progress, 100)
      assert.ok(done.body.completedAt)
    })

    it('memberCount and lastActive follow memberships', async () => {
      const [group] = await world.find('support-groups')
      const maya = await world.as('maya')
      const joined = await maya.post('/group-memberships', { userId: maya.user._id, groupId: group._id })
      assert.equal(joined.status, 201)
      const after = await world.internal('support-groups').get(group._id)
      assert.equal(after.memberCount, group.memberCount + 1)
      assert.equal(after.lastActive, joined.body.joinedAt)
      assert.equal((await maya.remove(`/group-memberships/${joined.body._id}`)).status, 200)
      assert.equal((await world.internal('support-groups').get(group._id)).memberCount, group.memberCount)
    })
  })
})
