// Mentoring accounts: mentees and new mothers sign themselves up with their one profile (mentors and admins never),
// onboarding moves forward only, and a forgotten password is reset by the security question; over real HTTP and Socket.io.
import assert from 'node:assert/strict'
import { connect, login, pastTokenSecond, request, serverStore, startServer } from '../../helpers.js'
import { EMULATOR_GAPS, itUnlessEmulator } from '../../services/adapters/mongo-target.js'
import { mentoringWorld, type World } from './world.js'

let counter = 0
const fresh = (name: string) => {
  const n = `${Date.now().toString(36)}${++counter}`
  return { username: `${name}_${n}`, email: `${name}.${n}@example.com` }
}

describe('mentoring accounts', () => {
  let world: World
  before(async () => {
    world = await mentoringWorld()
  })
  const signUp = (body: unknown, url = world.url) => request(url, 'POST', '/sign-up', { body })
  const person = (name: string, extra: Record<string, unknown> = {}) => ({ ...fresh(name), password: `${name}-password`, fullName: name, ...extra })

  describe('sign-up', () => {
    for (const role of ['mentee', 'new_mother']) {
      it(`lets an anonymous caller register as ${role}, with their one profile, and logs them in`, async () => {
        const body = person('joiner', { role, profile: { position: 'Analyst', goals: 'Grow', skills: ['sql'] } })
        const response = await signUp(body)
        assert.equal(response.status, 201, JSON.stringify(response.body))
        const { accessToken, user, records } = response.body
        assert.equal(user.role, role)
        assert.equal(user.active, true)
        assert.equal(records.profiles.userId, user._id)
        assert.equal(records.profiles.userRole, role, 'the profile follows the user’s role')
        assert.equal(records.profiles.onboardingStatus, 'not_started')
        const profiles = await request(world.url, 'GET', '/profiles', { token: accessToken })
        assert.ok(profiles.body.data.some((profile: any) => profile._id === records.profiles._id), 'their own profile is readable')
        assert.equal((await world.find('profiles', { userId: user._id })).length, 1)
      })
    }

    for (const role of ['mentor', 'admin']) {
      it(`refuses sign-up as ${role} (403) and creates nothing`, async () => {
        const body = person('climber', { role })
        const response = await signUp(body)
        assert.equal(response.status, 403)
        assert.match(response.body.message, /Sign-up is open to mentee, new_mother only; other accounts \(\w+\) are given by an administrator/)
        assert.deepEqual(await world.find('users', { email: body.email }), [])
      })
    }

    it('needs a role, and refuses fields a newcomer may not set (400): active, capacity', async () => {
      assert.equal((await signUp(person('nobody'))).status, 400)
      assert.equal((await signUp(person('sleeper', { role: 'mentee', active: false }))).status, 400)
      const capacity = await signUp(person('capacity', { role: 'mentee', profile: { maxMenteeCapacity: 5 } }))
      assert.equal(capacity.status, 400)
      assert.match(capacity.body.message, /profile\.maxMenteeCapacity may not be given at sign-up/)
    })

    itUnlessEmulator('refuses a taken username with 409 and leaves no profile behind', EMULATOR_GAPS.unique, async () => {
      const body = person('dup', { role: 'mentee', username: 'maya' })
      const response = await signUp(body)
      assert.equal(response.status, 409, JSON.stringify(response.body))
      assert.deepEqual(await world.find('users', { email: body.email }), [])
    }, serverStore === 'emulator')

    it('limits sign-ups per IP address (429)', async () => {
      const limited = await startServer('mentoring', { demo: false, signUpsPerIp: 1 })
      try {
        assert.equal((await signUp(person('first', { role: 'mentee' }), limited.url)).status, 201)
        const second = await signUp(person('second', { role: 'mentee' }), limited.url)
        assert.equal(second.status, 429)
        assert.ok(second.body.data.retryAfter > 0)
      } finally {
        await limited.close()
      }
    })
  })

  describe('onboarding', () => {
    it('moves forward only: status along not_started → in_progress → completed, the step upwards; completion stamped once', async () => {
      const response = await signUp(person('onboard', { role: 'new_mother' }))
      const token = response.body.accessToken
      const profile = response.body.records.profiles._id
      const patch = (body: unknown) => request(world.url, 'PATCH', `/profiles/${profile}`, { token, body })
      assert.equal((await patch({ onboardingStatus: 'in_progress', onboardingStep: 2 })).status, 200)
      const back = await patch({ onboardingStep: 1 })
      assert.equal(back.status, 409)
      assert.match(back.body.message, /onboardingStep moves forward only/)
      assert.equal((await patch({ onboardingStatus: 'not_started' })).status, 409)
      const done = await patch({ onboardingStatus: 'completed', onboardingStep: 5 })
      assert.equal(done.status, 200)
      assert.ok(done.body.onboardingCompletedAt, 'completion stamped')
      const reopened = await patch({ onboardingStatus: 'in_progress' })
      assert.equal(reopened.status, 409)
      assert.match(reopened.body.message, /onboardingStatus moves forward only: it cannot go back from completed to in_progress/)
      const admin = await world.as('admin')
      assert.equal((await admin.patch(`/profiles/${profile}`, { onboardingStep: 0 })).status, 409, 'an admin does not move it back either')
      const stored = (await world.find('profiles', { _id: profile }))[0]
      assert.equal(stored.onboardingStep, 5)
      assert.equal(stored.onboardingCompletedAt, done.body.onboardingCompletedAt)
    })
  })

  describe('password recovery by security question', () => {
    it('shows the question of an account, and a made-up one for an unknown address, in the same answer', async () => {
      const maya = await request(world.url, 'POST', '/password-recovery', { body: { email: 'maya@example.com' } })
      assert.equal(maya.status, 201)
      assert.equal(maya.body.securityQuestion, 'Your first programming language?')
      const unknown = await request(world.url, 'POST', '/password-recovery', { body: { email: 'nobody@example.com' } })
      assert.equal(unknown.status, 201)
      assert.deepEqual(Object.keys(unknown.body).sort(), Object.keys(maya.body).sort())
      assert.equal(unknown.body.message, maya.body.message)
    })

    it('resets the password with the right answer, ending every session over REST and Socket.io', async () => {
      const body = person('forgetful', { role: 'mentee', securityQuestion: 'First pet?', securityAnswer: 'Biscuit' })
      assert.equal((await signUp(body)).status, 201)
      const session = await login(world.url, body.email, body.password)
      const socket = await connect(world.url, session.accessToken)
      await pastTokenSecond(session.accessToken)
      try {
        assert.equal((await request(world.url, 'POST', '/password-reset', { body: { email: body.email, answer: 'biscuit', password: 'brand-new-pass' } })).status, 401)
        const reset = await request(world.url, 'POST', '/password-reset', { body: { email: body.email, answer: 'Biscuit', password: 'brand-new-pass' } })
        assert.equal(reset.status, 201, JSON.stringify(reset.body))
        assert.equal((await request(world.url, 'GET', '/profiles', { token: session.accessToken })).status, 401)
        await assert.rejects(socket.call('find', 'profiles', {}), { code: 401 })
        assert.equal((await request(world.url, 'POST', '/authentication', { body: { strategy: 'local', email: body.email, password: body.password } })).status, 401)
        assert.equal((await login(world.url, body.email, 'brand-new-pass')).user.email, body.email)
      } finally {
        socket.close()
      }
    })

    it('keeps the answer hashed and never returns it, not even to an admin or its owner', async () => {
      const admin = await world.as('admin')
      const maya = await world.as('maya')
      for (const caller of [admin, maya]) {
        const seen = await caller.get(`/users/${maya.user._id}`)
        assert.equal(seen.status, 200)
        assert.equal('securityAnswer' in seen.body, false)
        assert.equal(seen.body.securityQuestion, 'Your first programming language?')
      }
      const [stored] = await world.find('users', { _id: maya.user._id })
      assert.match(stored.securityAnswer, /^\$2[aby]\$/)
    })

    it('limits wrong answers per account (429)', async () => {
      const body = person('guesser', { role: 'mentee', securityQuestion: 'Street?', securityAnswer: 'Elm' })
      assert.equal((await signUp(body)).status, 201)
      const attempt = (answer: string) => request(world.url, 'POST', '/password-reset', { body: { email: body.email, answer, password: 'guessed-pass' } })
      for (let i = 0; i < 5; i++) assert.equal((await attempt(`oak-${i}`)).status, 401)
      assert.equal((await attempt('Elm')).status, 429)
    })
  })
})
