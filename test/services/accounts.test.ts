// Accounts a blueprint declares on its user collection, on the library fixture: self sign-up (roles, the records created
// with the user, one transaction, a limit per IP) and password recovery by security question and by e-mailed token
// (a real SMTP server receives the mail), over real HTTP and Socket.io.
import assert from 'node:assert/strict'
import { EMULATOR_GAPS, itUnlessEmulator } from './adapters/mongo-target.js'
import { connect, login, request, serverStore, signIn, startServer, startSmtpServer, eventually, pastTokenSecond, type TestServer } from '../helpers.js'
import { LIBRARIAN, PASSWORD, READER, library } from './library.js'

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>

let counter = 0
const uniqueEmail = (name: string) => `${name}-${Date.now()}-${++counter}@library.example.com`

describe('accounts declared on the user collection (library fixture)', function () {
  let server: TestServer
  let smtp: Smtp
  let url: string

  before(async () => {
    smtp = await startSmtpServer()
    server = await startServer(library, { smtpUrl: smtp.url })
    url = server.url
  })
  after(async () => {
    await server?.close()
    await smtp?.close()
  })

  const signUp = (body: unknown) => request(url, 'POST', '/sign-up', { body })
  const users = async (email: string) => (await server.app.service('users').find({ paginate: false, query: { email } })) as any[]

  describe('self sign-up', () => {
    it('registers a reader with their card in one call and logs them in', async () => {
      const email = uniqueEmail('ada')
      const response = await signUp({ name: 'Ada', email, password: 'ada-password', role: 'reader', question: 'Pet?', answer: 'Rex', card: { nickname: 'ada' } })
      assert.equal(response.status, 201, JSON.stringify(response.body))
      const { accessToken, user, records } = response.body
      assert.equal(user.role, 'reader')
      for (const secret of ['password', 'answer']) assert.equal(user[secret], undefined, `${secret} returned`)
      assert.equal(records.cards.userId, user._id)
      assert.equal(records.cards.stage, 'issued')
      const cards = await request(url, 'GET', '/cards', { token: accessToken })
      assert.deepEqual(cards.body.data.map((card: any) => card._id), [records.cards._id])
      const [entry] = (await server.app.service('audit-log').find({ paginate: false, query: { collection: 'users', recordId: user._id } })) as any[]
      assert.deepEqual([entry.actor, entry.actorId, entry.method, entry.transport], ['anonymous', undefined, 'signUp', 'rest'], 'the audit log says who signed up: nobody signed in')
    })

    it('signs up over Socket.io too, with the same role rule', async () => {
      const socket = await connect(url)
      try {
        const created = await socket.call('create', 'sign-up', { name: 'Sock', email: uniqueEmail('sock'), password: 'sock-password', card: { nickname: 'sock' } })
        assert.equal(created.user.role, 'reader')
        assert.ok(created.accessToken)
        await assert.rejects(socket.call('create', 'sign-up', { name: 'Boss', email: uniqueEmail('boss'), password: 'boss-password', role: 'librarian' }), { code: 403 })
      } finally {
        socket.close()
      }
    })

    it('takes the only open role when none is given', async () => {
      const response = await signUp({ name: 'Bo', email: uniqueEmail('bo'), password: 'bo-password', card: { nickname: 'bo' } })
      assert.equal(response.status, 201, JSON.stringify(response.body))
      assert.equal(response.body.user.role, 'reader')
    })

    it('refuses a role that is not open to sign-up with 403, and creates nothing', async () => {
      const email = uniqueEmail('mallory')
      const response = await signUp({ name: 'Mallory', email, password: 'mallory-password', role: 'librarian', card: { nickname: 'm' } })
      assert.equal(response.status, 403)
      assert.match(response.body.message, /Sign-up is open to reader only/)
      assert.deepEqual(await users(email), [])
    })

    it('refuses fields the declaration does not open, on the user and on the card (400)', async () => {
      for (const extra of [{ resetToken: 'x'.repeat(20) }, { card: { nickname: 'x', stage: 'retired' } }, { card: 'plain' }]) {
        const response = await signUp({ name: 'Eve', email: uniqueEmail('eve'), password: 'eve-password', card: { nickname: 'eve' }, ...extra })
        assert.equal(response.status, 400, JSON.stringify(extra))
        assert.equal(response.body.name, 'BadRequest')
      }
    })

    it('creates the user and their card together or not at all', async () => {
      const email = uniqueEmail('cy')
      // The card's nickname is required: the card fails after the user was written.
      const failed = await signUp({ name: 'Cy', email, password: 'cy-password' })
      assert.equal(failed.status, 400, JSON.stringify(failed.body))
      assert.deepEqual(await users(email), [])
      const again = await signUp({ name: 'Cy', email, password: 'cy-password', card: { nickname: 'cy' } })
      assert.equal(again.status, 201, JSON.stringify(again.body))
    })

    itUnlessEmulator('refuses an e-mail address already taken with 409', EMULATOR_GAPS.unique, async () => {
      const response = await signUp({ name: 'Twin', email: READER.toUpperCase(), password: 'twin-password', card: { nickname: 'twin' } })
      assert.equal(response.status, 409)
    }, serverStore === 'emulator')

    it('limits sign-ups per IP address (429), whatever their outcome', async () => {
      const limited = await startServer(library, { signUpsPerIp: 2 })
      try {
        const first = await request(limited.url, 'POST', '/sign-up', { body: { name: 'A', email: uniqueEmail('a'), password: 'a-password', card: { nickname: 'a' } } })
        assert.equal(first.status, 201)
        const refused = await request(limited.url, 'POST', '/sign-up', { body: { name: 'B', email: uniqueEmail('b'), password: 'b-password', role: 'librarian' } })
        assert.equal(refused.status, 403)
        const third = await request(limited.url, 'POST', '/sign-up', { body: { name: 'C', email: uniqueEmail('c'), password: 'c-password', card: { nickname: 'c' } } })
        assert.equal(third.status, 429)
        assert.match(third.body.message, /Too many sign-ups from this address/)
      } finally {
        await limited.close()
      }
    })
  })

  describe('forward-only fields', () => {
    let reader: Awaited<ReturnType<typeof signIn>>
    let cardId: string
    before(async () => {
      const email = uniqueEmail('fwd')
      await signUp({ name: 'Fwd', email, password: 'fwd-password', card: { nickname: 'fwd' } })
      reader = await signIn(url, email, 'fwd-password')
      cardId = (await reader.get('/cards')).body.data[0]._id
    })

    it('moves a card forward along the declared order, never back', async () => {
      const activated = await reader.patch(`/cards/${cardId}`, { stage: 'activated', loans: 2 })
      assert.equal(activated.status, 200, JSON.stringify(activated.body))
      const back = await reader.patch(`/cards/${cardId}`, { stage: 'issued' })
      assert.equal(back.status, 409)
      assert.match(back.body.message, /stage moves forward only: it cannot go back from activated to issued/)
      const fewer = await reader.patch(`/cards/${cardId}`, { loans: 1 })
      assert.equal(fewer.status, 409)
      assert.match(fewer.body.message, /loans moves forward only/)
      assert.equal((await reader.patch(`/cards/${cardId}`, { loans: 2 })).status, 200, 'staying is not going back')
      assert.equal((await reader.patch(`/cards/${cardId}`, { stage: 'retired' })).status, 200, 'skipping ahead is forward')
      assert.equal((await reader.patch(`/cards/${cardId}`, { stage: 'suspended' })).status, 409)
    })

    it('holds for a librarian and for internal calls, and a value once set is never cleared', async () => {
      const librarian = await signIn(url, LIBRARIAN, PASSWORD)
      assert.equal((await librarian.patch(`/cards/${cardId}`, { activatedAt: '2020-01-01T00:00:00.000Z' })).status, 200, 'a first value is forward')
      const cleared = await librarian.patch(`/cards/${cardId}`, { activatedAt: null })
      assert.equal(cleared.status, 409)
      assert.match(cleared.body.message, /activatedAt moves forward only: once set/)
      const earlier = await librarian.patch(`/cards/${cardId}`, { activatedAt: '2000-01-01T00:00:00.000Z' })
      assert.equal(earlier.status, 409)
      await assert.rejects(server.app.service('cards').patch(cardId, { stage: 'issued' }), { code: 409 })
      const stored = await server.app.service('cards').get(cardId)
      assert.equal(stored.stage, 'retired')
      assert.equal(stored.loans, 2)
    })
  })

  describe('password recovery by security question', () => {
    it('shows the question of an account, and a steady made-up one for an unknown address, with the same answer shape', async () => {
      const known = await request(url, 'POST', '/password-recovery', { body: { email: READER } })
      assert.equal(known.status, 201)
      assert.equal(known.body.securityQuestion, 'Favourite book?')
      const unknown = await request(url, 'POST', '/password-recovery', { body: { email: 'nobody@library.example.com' } })
      const again = await request(url, 'POST', '/password-recovery', { body: { email: 'nobody@library.example.com' } })
      assert.equal(unknown.status, 201)
      assert.deepEqual(Object.keys(unknown.body).sort(), Object.keys(known.body).sort())
      assert.equal(unknown.body.message, known.body.message)
      assert.equal(typeof unknown.body.securityQuestion, 'string')
      assert.equal(again.body.securityQuestion, unknown.body.securityQuestion)
    })

    it('resets the password with the right answer only, and ends every open session', async () => {
      const email = uniqueEmail('quiz')
      await signUp({ name: 'Quiz', email, password: 'quiz-password', question: 'Town?', answer: 'Leiden', card: { nickname: 'quiz' } })
      const before = await login(url, email, 'quiz-password')
      const socket = await connect(url, before.accessToken)
      await pastTokenSecond(before.accessToken)
      try {
        const wrong = await request(url, 'POST', '/password-reset', { body: { email, answer: 'leiden', password: 'new-password' } })
        assert.equal(wrong.status, 401)
        assert.equal(wrong.body.message, 'Wrong e-mail address or answer')
        const unknown = await request(url, 'POST', '/password-reset', { body: { email: 'nobody@library.example.com', answer: 'Leiden', password: 'new-password' } })
        assert.equal(unknown.status, 401)
        assert.equal(unknown.body.message, wrong.body.message)
        const tooShort = await request(url, 'POST', '/password-reset', { body: { email, answer: 'Leiden', password: 'short' } })
        assert.equal(tooShort.status, 400)
        const right = await request(url, 'POST', '/password-reset', { body: { email, answer: 'Leiden', password: 'new-password' } })
        assert.equal(right.status, 201, JSON.stringify(right.body))
        assert.equal((await request(url, 'GET', '/cards', { token: before.accessToken })).status, 401)
        await assert.rejects(socket.call('find', 'cards', {}), { code: 401 })
        assert.equal((await request(url, 'POST', '/authentication', { body: { strategy: 'local', email, password: 'quiz-password' } })).status, 401)
        assert.ok((await login(url, email, 'new-password')).accessToken)
      } finally {
        socket.close()
      }
    })

    it('never returns the answer, and keeps only its hash', async () => {
      const librarian = await signIn(url, LIBRARIAN, PASSWORD)
      const [reader] = await users(READER)
      const seen = await librarian.get(`/users/${reader._id}`)
      assert.equal(seen.status, 200)
      assert.equal('answer' in seen.body, false)
      assert.match(reader.answer, /^\$2[aby]\$/)
    })

    it('limits wrong answers per account (429), even for the right answer then', async () => {
      const email = uniqueEmail('guess')
      await signUp({ name: 'Guess', email, password: 'guess-password', question: 'Colour?', answer: 'Teal', card: { nickname: 'guess' } })
      const attempt = (answer: string) => request(url, 'POST', '/password-reset', { body: { email, answer, password: 'guessed-password' } })
      for (let i = 0; i < 5; i++) assert.equal((await attempt(`wrong-${i}`)).status, 401)
      const limited = await attempt('Teal')
      assert.equal(limited.status, 429)
      assert.equal((await login(url, email, 'guess-password')).user.email, email)
    })
  })

  describe('password recovery by e-mailed token', () => {
    const tokenIn = (text: string) => /Reset token: (\S+)/.exec(text)?.[1]

    async function mailedToken(email: string) {
      const response = await request(url, 'POST', '/password-recovery', { body: { email } })
      assert.equal(response.status, 201)
      assert.ok(await eventually(() => smtp.to(email).length > 0, 10_000), 'the mail arrives')
      return tokenIn(smtp.to(email).at(-1)!.text)!
    }

    it('answers the same whether the address has an account or not, and mails only an account', async () => {
      const email = uniqueEmail('mail')
      await signUp({ name: 'Mail', email, password: 'mail-password', card: { nickname: 'mail' } })
      const stranger = uniqueEmail('stranger')
      const unknown = await request(url, 'POST', '/password-recovery', { body: { email: stranger } })
      const known = await request(url, 'POST', '/password-recovery', { body: { email } })
      assert.equal(unknown.status, known.status)
      assert.equal(unknown.body.message, known.body.message)
      assert.deepEqual(Object.keys(unknown.body).sort(), Object.keys(known.body).sort())
      assert.ok(await eventually(() => smtp.to(email).length > 0, 10_000), 'the mail arrives')
      const [message] = smtp.to(email)
      assert.equal(message.subject, 'Reset your password')
      const token = tokenIn(message.text)
      assert.ok(token)
      // Mails go out in order: the stranger's request came first and sent nothing.
      assert.deepEqual(smtp.to(stranger), [])
      const [stored] = await users(email)
      assert.match(stored.resetToken, /^\$2[aby]\$/)
      assert.equal(stored.resetToken.includes(token!.split('.')[1]), false)
    })

    it('resets the password once with the mailed token, ending every session', async () => {
      const email = uniqueEmail('token')
      await signUp({ name: 'Token', email, password: 'token-password', card: { nickname: 'token' } })
      const session = await login(url, email, 'token-password')
      await pastTokenSecond(session.accessToken)
      const token = await mailedToken(email)
      const forged = await request(url, 'POST', '/password-reset', { body: { token: `${token.split('.')[0]}.not-the-secret`, password: 'forged-password' } })
      assert.equal(forged.status, 401)
      const reset = await request(url, 'POST', '/password-reset', { body: { token, password: 'token-new-password' } })
      assert.equal(reset.status, 201, JSON.stringify(reset.body))
      assert.equal((await request(url, 'GET', '/cards', { token: session.accessToken })).status, 401)
      assert.ok((await login(url, email, 'token-new-password')).accessToken)
      const reused = await request(url, 'POST', '/password-reset', { body: { token, password: 'token-third-password' } })
      assert.equal(reused.status, 401)
      assert.match(reused.body.message, /not valid/)
      const [stored] = await users(email)
      assert.equal(stored.resetToken, undefined)
      assert.equal(stored.resetExpires, undefined)
    })

    it('lets only one of two resets sent at once with the same token through', async () => {
      const email = uniqueEmail('race')
      await signUp({ name: 'Race', email, password: 'race-password', card: { nickname: 'race' } })
      const token = await mailedToken(email)
      const answers = await Promise.all(['race-first-pass', 'race-second-pass'].map((password) => request(url, 'POST', '/password-reset', { body: { token, password } })))
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 401])
    })

    it('refuses an expired token, and only the latest token works', async () => {
      const email = uniqueEmail('late')
      await signUp({ name: 'Late', email, password: 'late-password', card: { nickname: 'late' } })
      const first = await mailedToken(email)
      assert.ok(await eventually(() => smtp.to(email).length === 1, 10_000), 'the mail arrives')
      await request(url, 'POST', '/password-recovery', { body: { email } })
      assert.ok(await eventually(() => smtp.to(email).length === 2, 10_000), 'the mail arrives')
      const second = tokenIn(smtp.to(email)[1].text)!
      assert.equal((await request(url, 'POST', '/password-reset', { body: { token: first, password: 'late-new-password' } })).status, 401)
      const [user] = await users(email)
      await server.app.service('users').patch(user._id, { resetExpires: new Date(Date.now() - 1000).toISOString() })
      assert.equal((await request(url, 'POST', '/password-reset', { body: { token: second, password: 'late-new-password' } })).status, 401)
      assert.ok((await login(url, email, 'late-password')).accessToken)
    })

    it('does not let anyone set the token fields, a librarian included', async () => {
      const librarian = await signIn(url, LIBRARIAN, PASSWORD)
      const [reader] = await users(READER)
      const response = await librarian.patch(`/users/${reader._id}`, { resetToken: 'chosen-by-me-123' })
      assert.equal(response.status, 400)
      assert.match(response.body.message, /resetToken is read-only/)
    })

    it('refuses malformed requests with 400', async () => {
      for (const body of [{ email: { $ne: '' } }, {}, { email: 42 }]) assert.equal((await request(url, 'POST', '/password-recovery', { body })).status, 400, JSON.stringify(body))
      for (const body of [{ token: 'x' }, { password: 'only-a-password' }, { token: ['a'], password: 'p-password' }]) {
        assert.equal((await request(url, 'POST', '/password-reset', { body })).status, 400, JSON.stringify(body))
      }
    })
  })
})
