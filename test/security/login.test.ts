// Login and session security (issue 8: 1, 2, 7, 8, 9, 10), each reproduced over the transport the attack used.
import assert from 'node:assert/strict'
import { LocalStrategy } from '@feathersjs/authentication-local'
import { connect, eventually, login, redisAvailable, request, startInstancesOnRedis, startServer, tempDir, wait, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

type Client = Awaited<ReturnType<typeof connect>>

const localLogin = (server: TestServer, email: unknown, password: unknown = PASSWORD) =>
  request(server.url, 'POST', '/authentication', { body: { strategy: 'local', email, password } })

/** The hashes the local strategy's bcrypt comparison (`LocalStrategy#comparePassword`) was given, in any app of this process, while `run` ran. */
async function countingCompares<T>(run: () => Promise<T>): Promise<{ result: T; hashes: string[] }> {
  const hashes: string[] = []
  const original = LocalStrategy.prototype.comparePassword
  LocalStrategy.prototype.comparePassword = function (entity: any, password: string) {
    hashes.push(entity?.password)
    return original.call(this, entity, password)
  }
  try {
    return { result: await run(), hashes }
  } finally {
    LocalStrategy.prototype.comparePassword = original
  }
}

/** The bcrypt cost of a hash (`$2b$10$…` → 10). */
const costOf = (hash: string) => Number(hash.split('$')[2])

const statuses = (responses: { status: number }[]) =>
  responses.reduce<Record<number, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {})

describe('login and session security', function () {
  this.timeout(60000)
  let server: TestServer
  let admin: string
  before(async () => {
    server = await startServer('appointments', { loginAttempts: 3, loginWindowSeconds: 60 })
    admin = (await login(server.url, 'admin@example.com', PASSWORD)).accessToken
  })
  after(() => server?.close())

  /** A fresh Developer account (so limits and revocations of one test leave the others alone). */
  async function newUser(email: string, password = PASSWORD) {
    const [role] = (await server.app.service('roles').find({ paginate: false, query: { RoleName: 'Developer' } })) as any[]
    return server.app.service('users').create({ Name: email, email, password, RoleId: role._id })
  }

  describe('login takes strings only (1)', () => {
    it('refuses a query operator as email over REST with a 400, for a right password too', async () => {
      for (const email of [{ $in: ['maria@example.com'] }, { $gt: '' }, { $ne: 'nobody@example.com' }, ['maria@example.com']]) {
        const response = await localLogin(server, email)
        assert.equal(response.status, 400, `${JSON.stringify(email)} → ${response.status} ${JSON.stringify(response.body)}`)
        assert.equal(response.body.name, 'BadRequest')
        assert.equal(response.body.accessToken, undefined)
      }
    })

    it('refuses a non-string password, and a jwt login with a non-string token, with a 400', async () => {
      assert.equal((await localLogin(server, 'maria@example.com', { $ne: '' })).status, 400)
      assert.equal((await localLogin(server, 'maria@example.com', 12345678)).status, 400)
      const jwt = await request(server.url, 'POST', '/authentication', { body: { strategy: 'jwt', accessToken: { $ne: '' } } })
      assert.equal(jwt.status, 400, JSON.stringify(jwt.body))
    })

    it('refuses a query operator as email over Socket.io with a 400', async () => {
      const client = await connect(server.url)
      try {
        const error: any = await client.call('create', 'authentication', { strategy: 'local', email: { $in: ['maria@example.com'] }, password: PASSWORD }).catch((e) => e)
        assert.equal(error?.code, 400, JSON.stringify(error))
        assert.equal(error.accessToken, undefined)
      } finally {
        client.close()
      }
    })

    it('refuses a query operator as email in a JSON body on the admin panel’s login with a 400 and no session', async () => {
      const response = await fetch(`${server.url}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email: { $in: ['admin@example.com'] }, password: PASSWORD })
      })
      const body = await response.text()
      assert.equal(response.status, 400, body.slice(0, 200))
      assert.equal(JSON.parse(body).name, 'BadRequest')
      assert.equal(response.headers.getSetCookie().some((cookie) => cookie.startsWith('quillbase.admin=')), false)
    })
  })

  describe('failed-login limit (2)', () => {
    it('counts failures however the email is written, so a right password sent as an operator does not get in', async () => {
      await newUser('limit-a@example.com')
      for (let i = 0; i < 3; i++) assert.equal((await localLogin(server, 'limit-a@example.com', 'wrong-password')).status, 401)
      assert.equal((await localLogin(server, { $in: ['limit-a@example.com'] })).status, 400)
      assert.equal((await localLogin(server, ' LIMIT-A@example.com ')).status, 429, 'a differently written email shares the count')
      assert.equal((await localLogin(server, 'limit-a@example.com')).status, 429)
    })

    it('evaluates at most the allowed attempts of 30 parallel logins, and then refuses the right password', async () => {
      await newUser('limit-b@example.com')
      const { result, hashes } = await countingCompares(() =>
        Promise.all(Array.from({ length: 30 }, () => localLogin(server, 'limit-b@example.com', 'wrong-password')))
      )
      assert.deepEqual(statuses(result), { 401: 3, 429: 27 })
      assert.equal(hashes.length, 3, 'passwords checked')
      assert.equal((await localLogin(server, 'limit-b@example.com')).status, 429)
    })
  })

  describe('timing (7)', () => {
    it('checks a password against a hash of the same cost when the email is unknown', async () => {
      const known = await countingCompares(() => localLogin(server, 'lin@example.com', 'wrong-password'))
      const unknown = await countingCompares(() => localLogin(server, 'nobody-at-all@example.com', 'wrong-password'))
      assert.equal(known.result.status, 401)
      assert.equal(unknown.result.status, 401)
      assert.equal(unknown.hashes.length, 1, 'one bcrypt comparison for an unknown email, as for a known one')
      assert.equal(known.hashes.length, 1)
      assert.equal(typeof unknown.hashes[0], 'string')
      assert.equal(costOf(unknown.hashes[0]), costOf(known.hashes[0]))
      assert.notEqual(unknown.hashes[0], known.hashes[0])
    })
  })

  describe('emails are case-insensitive (8)', () => {
    it('stores an email trimmed and lower-cased, so a differently written one is a 409, and logs in however written', async () => {
      const [role] = (await server.app.service('roles').find({ paginate: false, query: { RoleName: 'Developer' } })) as any[]
      const created = await request(server.url, 'POST', '/users', { token: admin, body: { Name: 'Dup', email: ' DUP@Example.com ', password: PASSWORD, RoleId: role._id } })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      assert.equal(created.body.email, 'dup@example.com')
      const twin = await request(server.url, 'POST', '/users', { token: admin, body: { Name: 'dup', email: 'dup@example.com', password: PASSWORD, RoleId: role._id } })
      assert.equal(twin.status, 409, JSON.stringify(twin.body))
      assert.equal((await localLogin(server, 'Dup@EXAMPLE.com')).status, 201)
      const found = await request(server.url, 'GET', '/users?email=DUP@example.com', { token: admin })
      assert.equal(found.body.total, 1)
    })

    it('normalises on patch and update too', async () => {
      const user = await newUser('Patch.Me@Example.com')
      assert.equal(user.email, 'patch.me@example.com')
      const patched = await request(server.url, 'PATCH', `/users/${user._id}`, { token: admin, body: { email: 'Patched@Example.COM' } })
      assert.equal(patched.body.email, 'patched@example.com', JSON.stringify(patched.body))
      const { _id, CreatedAt, updatedAt, credentialsChangedAt, ...rest } = patched.body
      const updated = await request(server.url, 'PUT', `/users/${user._id}`, { token: admin, body: { ...rest, email: 'UPDATED@example.com', password: PASSWORD } })
      assert.equal(updated.body.email, 'updated@example.com', JSON.stringify(updated.body))
    })
  })

  describe('logout ends the token (9)', () => {
    it('issues tokens with a jti, and refuses a token after DELETE /authentication, over REST and Socket.io', async () => {
      await newUser('logout-a@example.com')
      const { accessToken } = await login(server.url, 'logout-a@example.com', PASSWORD)
      const payload = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString())
      assert.equal(typeof payload.jti, 'string')
      assert.equal((await request(server.url, 'GET', '/appointments', { token: accessToken })).status, 200)
      assert.equal((await request(server.url, 'DELETE', '/authentication', { token: accessToken })).status, 200)
      const after = await request(server.url, 'GET', '/appointments', { token: accessToken })
      assert.equal(after.status, 401, JSON.stringify(after.body))
      assert.equal(after.body.name, 'NotAuthenticated')
      const again = await request(server.url, 'POST', '/authentication', { body: { strategy: 'jwt', accessToken } })
      assert.equal(again.status, 401)
      await assert.rejects(connect(server.url, accessToken), (error: any) => error.code === 401)
      assert.equal((await request(server.url, 'DELETE', '/authentication', {})).status, 401, 'a logout without a token')
    })

    /** A user's socket and a witness's; after `logOut`, an event the witness hears must not reach the logged-out socket, then `check` runs. */
    async function afterLogout(name: string, logOut: (socket: Client, accessToken: string) => Promise<void>, check?: (socket: Client) => Promise<void>) {
      await newUser(`logout-${name}@example.com`)
      await newUser(`witness-${name}@example.com`)
      const { accessToken } = await login(server.url, `logout-${name}@example.com`, PASSWORD)
      const socket = await connect(server.url, accessToken)
      const witness = await connect(server.url, (await login(server.url, `witness-${name}@example.com`, PASSWORD)).accessToken)
      try {
        await logOut(socket, accessToken)
        const role = await server.app.service('roles').create({ RoleName: `Logout witness ${name}`, Description: 'readable by developers' })
        assert.ok(await eventually(() => witness.events.some((e) => e.name === 'roles created' && e.data._id === role._id)))
        await wait(200)
        assert.ok(!socket.events.some((e) => e.name === 'roles created'), 'the logged-out socket heard an event')
        await check?.(socket)
      } finally {
        socket.close()
        witness.close()
      }
    }

    it('stops an open socket whose token was logged out elsewhere from receiving events and calling', async () => {
      await afterLogout(
        'b',
        async (_socket, accessToken) => assert.equal((await request(server.url, 'DELETE', '/authentication', { token: accessToken })).status, 200),
        async (socket) => {
          const error: any = await socket.call('find', 'roles', {}).catch((e) => e)
          assert.equal(error?.code, 401, JSON.stringify(error))
        }
      )
    })

    it('ends the token of a socket that logs itself out, which then hears no more events', async () => {
      await afterLogout('c', async (socket, accessToken) => {
        await socket.call('remove', 'authentication', null)
        assert.equal((await request(server.url, 'GET', '/appointments', { token: accessToken })).status, 401)
      })
    })
  })

  describe('tokens of users that do not exist (10)', () => {
    it('answers a deleted user’s token with 401 NotAuthenticated over REST and Socket.io', async () => {
      const user = await newUser('deleted@example.com')
      const { accessToken } = await login(server.url, 'deleted@example.com', PASSWORD)
      await server.app.service('users').remove(user._id)
      const response = await request(server.url, 'GET', '/appointments', { token: accessToken })
      assert.equal(response.status, 401, JSON.stringify(response.body))
      assert.equal(response.body.name, 'NotAuthenticated')
      await assert.rejects(connect(server.url, accessToken), (error: any) => error.code === 401)
    })

    it('answers a validly signed token for an unknown subject with 401', async () => {
      const accessToken = await (server.app.service('authentication') as any).createAccessToken({}, { subject: 'no-such-user-id' })
      const response = await request(server.url, 'GET', '/appointments', { token: accessToken })
      assert.equal(response.status, 401, JSON.stringify(response.body))
      assert.equal(response.body.name, 'NotAuthenticated')
    })
  })
})

describe('emails in every collection that declares one (8)', function () {
  this.timeout(60000)
  let server: TestServer
  before(async () => (server = await startServer('society')))
  after(() => server?.close())

  it('normalises nested emails on write and emails in queries, in collections other than the users', async () => {
    const [society] = (await server.app.service('societies').find({ paginate: false, query: { name: 'Green Meadows' } })) as any[]
    const patched: any = await server.app.service('societies').patch(society._id, { contact: { ...society.contact, email: ' Office@GreenMeadows.Example.com ' } })
    assert.equal(patched.contact.email, 'office@greenmeadows.example.com')
    const admin = await login(server.url, 'ADMIN.green@example.com', PASSWORD)
    const found = await request(server.url, 'GET', '/residents?email=Rohan@Example.com', { token: admin.accessToken })
    assert.equal(found.status, 200, JSON.stringify(found.body))
    assert.equal(found.body.total, 1)
  })
})

describe('emails stored before they were normalised (8)', function () {
  this.timeout(60000)

  it('are lower-cased at start, except records whose emails would clash, which are reported and left as they are', async () => {
    const dataDir = await tempDir()
    let server = await startServer('appointments', { dataDir })
    const users = server.app.service('users') as any
    // Written as an older version stored them: straight into the store, past the hooks.
    const lin = (await users.find({ paginate: false, query: { email: 'lin@example.com' } }))[0]
    const { _id, email, Name, ...raw } = await users._get(lin._id)
    const mixed = await users._create({ ...raw, Name: 'Mixed', email: ' Mixed.Case@Example.com' })
    const upper = await users._create({ ...raw, Name: 'Upper', email: 'CLASH@example.com' })
    const lower = await users._create({ ...raw, Name: 'Lower', email: 'clash@example.com' })
    await server.close(false)
    const warnings: string[] = []
    const warn = console.warn
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '))
    try {
      server = await startServer('appointments', { dataDir })
    } finally {
      console.warn = warn
    }
    try {
      const stored = server.app.service('users') as any
      assert.equal((await stored._get(mixed._id)).email, 'mixed.case@example.com')
      assert.equal((await stored._get(upper._id)).email, 'CLASH@example.com')
      assert.equal((await stored._get(lower._id)).email, 'clash@example.com')
      const clash = warnings.find((warning) => warning.includes('"clash@example.com"'))
      assert.ok(clash, `no clash reported: ${JSON.stringify(warnings)}`)
      assert.ok(clash.includes(upper._id) && clash.includes(lower._id), clash)
      assert.equal((await localLogin(server, 'MIXED.case@example.com')).status, 201)
    } finally {
      await server.close()
    }
  })
})

describe('login and session security across two instances sharing Redis', function () {
  this.timeout(60000)
  let first: TestServer
  let second: TestServer
  // Keys live in the shared Redis: a fresh email per run.
  const run = `${process.pid}-${Date.now()}`

  before(async function () {
    if (!(await redisAvailable())) return this.skip()
    ;[first, second] = await startInstancesOnRedis('appointments', { loginAttempts: 3, loginWindowSeconds: 60 })
  })
  after(async () => {
    await first?.close()
    await second?.close()
  })

  /** The same account, with the same id, on both instances (each has its own embedded store; on MongoDB they would share it). */
  async function newUserOnBoth(email: string) {
    const [role] = (await first.app.service('roles').find({ paginate: false, query: { RoleName: 'Developer' } })) as any[]
    const created = await first.app.service('users').create({ Name: email, email, password: PASSWORD, RoleId: role._id })
    const [secondRole] = (await second.app.service('roles').find({ paginate: false, query: { RoleName: 'Developer' } })) as any[]
    const stored = await (first.app.service('users') as any)._get(created._id)
    await (second.app.service('users') as any)._create({ ...stored, RoleId: secondRole._id })
  }

  it('evaluates at most the allowed attempts of 30 parallel logins spread over both instances (2)', async () => {
    const email = `parallel-${run}@example.com`
    await newUserOnBoth(email)
    const { result, hashes } = await countingCompares(() =>
      Promise.all(Array.from({ length: 30 }, (_, i) => localLogin(i % 2 ? first : second, email, 'wrong-password')))
    )
    assert.deepEqual(statuses(result), { 401: 3, 429: 27 })
    assert.equal(hashes.length, 3, 'passwords checked on both instances together')
    assert.equal((await localLogin(first, email)).status, 429)
    assert.equal((await localLogin(second, email)).status, 429)
  })

  it('refuses on the other instance a token logged out on one, and its open socket there hears nothing more (9)', async () => {
    const email = `logout-${run}@example.com`
    const witnessEmail = `witness-${run}@example.com`
    await newUserOnBoth(email)
    await newUserOnBoth(witnessEmail)
    const { accessToken } = await login(second.url, email, PASSWORD)
    const socket = await connect(second.url, accessToken)
    const witness = await connect(second.url, (await login(second.url, witnessEmail, PASSWORD)).accessToken)
    try {
      assert.equal((await request(first.url, 'GET', '/appointments', { token: accessToken })).status, 200, 'one secret: tokens work on both')
      assert.equal((await request(first.url, 'DELETE', '/authentication', { token: accessToken })).status, 200)
      assert.equal((await request(second.url, 'GET', '/appointments', { token: accessToken })).status, 401)
      assert.ok(await eventually(() => !second.app.channel('authenticated').connections.some((c: any) => c.authentication?.accessToken === accessToken)))
      const role = await second.app.service('roles').create({ RoleName: `Witness ${run}`, Description: 'readable by developers' })
      assert.ok(await eventually(() => witness.events.some((e) => e.name === 'roles created' && e.data._id === role._id)))
      await wait(200)
      assert.ok(!socket.events.some((e) => e.name === 'roles created'), 'the logged-out socket heard an event')
    } finally {
      socket.close()
      witness.close()
    }
  })
})
