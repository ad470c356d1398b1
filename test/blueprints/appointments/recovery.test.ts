// Appointments password recovery by e-mailed token (seed 000's resetPasswordToken / resetPasswordExpires), end to end:
// the reset mail goes through a real local SMTP server, the token is stored hashed, works once, and the reset ends
// every session of the account.
import assert from 'node:assert/strict'
import { DEMO_USERS, eventually, login, pastTokenSecond, request, startServer, startSmtpServer, type TestServer } from '../../helpers.js'

describe('appointments password recovery by e-mailed token', () => {
  let server: TestServer
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>
  before(async () => {
    smtp = await startSmtpServer()
    server = await startServer('appointments', { smtpUrl: smtp.url, passwordResetUrl: 'https://app.example.com/reset' })
  })
  after(async () => {
    await server?.close()
    await smtp?.close()
  })

  const recover = (email: string) => request(server.url, 'POST', '/password-recovery', { body: { email } })
  const tokenIn = (text: string) => /Reset token: (\S+)/.exec(text)?.[1]
  const mailTo = async (email: string, count = 1) => {
    assert.ok(await eventually(() => smtp.to(email).length >= count, 10_000), `mail ${count} to ${email}`)
    return smtp.to(email)[count - 1]
  }

  it('answers a known and an unknown address alike, and mails only the account a link with its token', async () => {
    const unknown = await recover('nobody@example.com')
    const known = await recover(DEMO_USERS.dev.toUpperCase())
    assert.equal(known.status, 201)
    assert.deepEqual([unknown.status, unknown.body], [known.status, known.body])
    const message = await mailTo(DEMO_USERS.dev)
    const token = tokenIn(message.text)!
    assert.ok(message.text.includes(`https://app.example.com/reset?token=${encodeURIComponent(token)}`), message.text)
    assert.deepEqual(smtp.to('nobody@example.com'), [])
    const [stored] = (await server.app.service('users').find({ paginate: false, query: { email: DEMO_USERS.dev } })) as any[]
    assert.match(stored.resetPasswordToken, /^\$2[aby]\$/, 'stored as a hash')
    assert.ok(Date.parse(stored.resetPasswordExpires) > Date.now())
  })

  it('resets the password once with the token, ends the old session, and clears the token', async () => {
    const before = await login(server.url, DEMO_USERS.omar, 'quillbase-demo')
    await pastTokenSecond(before.accessToken)
    assert.equal((await recover(DEMO_USERS.omar)).status, 201)
    const token = tokenIn((await mailTo(DEMO_USERS.omar)).text)!
    const reset = await request(server.url, 'POST', '/password-reset', { body: { token, password: 'omar-new-password' } })
    assert.equal(reset.status, 201, JSON.stringify(reset.body))
    assert.equal((await request(server.url, 'GET', '/appointments', { token: before.accessToken })).status, 401)
    assert.ok((await login(server.url, DEMO_USERS.omar, 'omar-new-password')).accessToken)
    assert.equal((await request(server.url, 'POST', '/password-reset', { body: { token, password: 'omar-third-password' } })).status, 401, 'single-use')
    const [stored] = (await server.app.service('users').find({ paginate: false, query: { email: DEMO_USERS.omar } })) as any[]
    assert.equal(stored.resetPasswordToken, undefined)
    assert.equal(stored.resetPasswordExpires, undefined)
  })

  it('refuses an expired token', async () => {
    assert.equal((await recover(DEMO_USERS.maria)).status, 201)
    const token = tokenIn((await mailTo(DEMO_USERS.maria)).text)!
    const [maria] = (await server.app.service('users').find({ paginate: false, query: { email: DEMO_USERS.maria } })) as any[]
    await server.app.service('users').patch(maria._id, { resetPasswordExpires: new Date(Date.now() - 60_000).toISOString() })
    const late = await request(server.url, 'POST', '/password-reset', { body: { token, password: 'maria-new-password' } })
    assert.equal(late.status, 401)
    assert.ok((await login(server.url, DEMO_USERS.maria, 'quillbase-demo')).accessToken, 'the old password still works')
  })

  it('lets no one write the token, an admin included (400)', async () => {
    const admin = await login(server.url, DEMO_USERS.admin, 'quillbase-demo')
    const [dev] = (await server.app.service('users').find({ paginate: false, query: { email: DEMO_USERS.dev } })) as any[]
    const forged = await request(server.url, 'PATCH', `/users/${dev._id}`, { token: admin.accessToken, body: { resetPasswordToken: 'chosen-by-admin' } })
    assert.equal(forged.status, 400)
    assert.match(forged.body.message, /resetPasswordToken is read-only/)
  })

  it('has no question to offer: the answer carries only the message', async () => {
    const response = await recover(DEMO_USERS.admin)
    assert.deepEqual(Object.keys(response.body), ['message'])
    assert.equal((await request(server.url, 'POST', '/password-reset', { body: { email: DEMO_USERS.admin, answer: 'x', password: 'whatever-pass' } })).status, 400)
  })
})
