// Issue 8, items 3 and 4: hidden and masked values must not be learnt one guess at a time, whatever method carries the query.
import assert from 'node:assert/strict'
import { connect, login, request, startServer, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'

describe('probing hidden fields: appointments as a Developer', () => {
  let server: TestServer
  let dev: { accessToken: string; user: any }
  let samId: string
  let omarId: string
  before(async () => {
    server = await startServer('appointments')
    dev = await login(server.url, 'dev@example.com', PASSWORD)
    const users = (await request(server.url, 'GET', '/users?$limit=50', { token: dev.accessToken })).body.data
    samId = users.find((u: any) => u.email === 'sam@example.com')._id
    omarId = users.find((u: any) => u.email === 'omar@example.com')._id
  })
  after(() => server?.close())

  /** Two guesses at a hidden value must get the same answer, right or wrong. */
  async function sameAnswer(method: string, right: string, wrong: string, body?: unknown) {
    const hit = await request(server.url, method, right, { token: dev.accessToken, body })
    const miss = await request(server.url, method, wrong, { token: dev.accessToken, body })
    assert.equal(hit.status, miss.status, `the right guess answered ${hit.status}, the wrong one ${miss.status}: ${JSON.stringify(hit.body)}`)
    assert.ok(hit.status < 500, JSON.stringify(hit.body))
    return hit
  }

  it('cannot learn whom a user blocked by getting their record with a query on BlockedUser', async () => {
    await sameAnswer('GET', `/users/${samId}?BlockedUser=${omarId}`, `/users/${samId}?BlockedUser=${dev.user._id}`)
  })

  it('cannot learn when a user was changed by getting their record with a range on updatedAt', async () => {
    await sameAnswer('GET', `/users/${samId}?updatedAt[$gt]=2000-01-01T00:00:00.000Z`, `/users/${samId}?updatedAt[$gt]=2999-01-01T00:00:00.000Z`)
  })

  it('still gets a record with a query on fields they may read', async () => {
    const own = await request(server.url, 'GET', `/users/${dev.user._id}?BlockedUser[$ne]=${omarId}`, { token: dev.accessToken })
    assert.equal(own.status, 200, JSON.stringify(own.body))
    const named = await request(server.url, 'GET', `/users/${samId}?Name=Sam%20Okafor`, { token: dev.accessToken })
    assert.equal(named.status, 200, JSON.stringify(named.body))
  })

  describe('with a permission to rename any user (and still not to read their block list)', () => {
    before(async () => {
      const admin = await login(server.url, 'admin@example.com', PASSWORD)
      const permission = await request(server.url, 'POST', '/permissions', {
        token: admin.accessToken,
        body: { PermissionName: 'rename-users', Action: 'update', Subject: 'users', Fields: ['Name'] }
      })
      assert.equal(permission.status, 201, JSON.stringify(permission.body))
      const roles = (await request(server.url, 'GET', '/roles?RoleName=Developer', { token: admin.accessToken })).body.data
      const [mapping] = (await request(server.url, 'GET', `/role-permission-mappings?RoleId=${roles[0]._id}`, { token: admin.accessToken })).body.data
      const patched = await request(server.url, 'PATCH', `/role-permission-mappings/${mapping._id}`, {
        token: admin.accessToken,
        body: { Permission_ids: [...mapping.Permission_ids, permission.body._id] }
      })
      assert.equal(patched.status, 200, JSON.stringify(patched.body))
    })

    it('cannot probe BlockedUser through a patch by id', async () => {
      await sameAnswer('PATCH', `/users/${samId}?BlockedUser=${omarId}`, `/users/${samId}?BlockedUser=${dev.user._id}`, { Name: 'Sam Okafor' })
    })

    it('cannot probe BlockedUser through a multi patch over Socket.io', async () => {
      const socket = await connect(server.url, dev.accessToken)
      try {
        const answer = async (blocked: string) => {
          try {
            return await socket.call<any[]>('patch', 'users', null, { Name: 'Sam Okafor' }, { _id: samId, BlockedUser: blocked })
          } catch (error: any) {
            return error.code
          }
        }
        assert.deepEqual(await answer(omarId), await answer(dev.user._id))
      } finally {
        socket.close()
      }
    })
  })
})

describe('probing hidden and masked fields: society as a resident', () => {
  let server: TestServer
  let asha: { accessToken: string; user: any }
  let rohanResident: any
  before(async () => {
    server = await startServer('society')
    asha = await login(server.url, 'asha@example.com', PASSWORD)
    rohanResident = (await request(server.url, 'GET', '/residents?name=Rohan%20Gupta', { token: asha.accessToken })).body.data[0]
  })
  after(() => server?.close())

  const get = (path: string) => request(server.url, 'GET', path, { token: asha.accessToken })

  it('cannot learn a neighbour’s move-in date by getting their record with a range', async () => {
    const early = await get(`/residents/${rohanResident._id}?moveInDate[$gt]=1900-01-01T00:00:00.000Z`)
    const late = await get(`/residents/${rohanResident._id}?moveInDate[$gt]=2999-01-01T00:00:00.000Z`)
    assert.equal(early.status, late.status, `moveInDate range answered ${early.status} vs ${late.status}`)
  })

  it('cannot learn a neighbour’s vehicle by getting their record with a query on it', async () => {
    const full = (await server.app.service('residents').get(rohanResident._id)) as any
    const plate = full.vehicles?.[0]?.registrationNumber
    assert.ok(plate, 'precondition: the demo neighbour has a vehicle')
    const hit = await get(`/residents/${rohanResident._id}?vehicles.registrationNumber=${encodeURIComponent(plate)}`)
    const miss = await get(`/residents/${rohanResident._id}?vehicles.registrationNumber=NO-SUCH-PLATE`)
    assert.equal(hit.status, miss.status, `vehicle query answered ${hit.status} vs ${miss.status}`)
  })

  it('cannot order the society by a masked phone (the sort would place a guess against a neighbour’s number)', async () => {
    const sorted = await get('/residents?$sort[phone]=1')
    assert.equal(sorted.status, 403, JSON.stringify(sorted.body))
    assert.match(sorted.body.message, /masked field "phone"/)
    const descending = await get('/residents?$sort[phone]=-1&$limit=1')
    assert.equal(descending.status, 403)
  })

  it('cannot compare a neighbour’s masked phone with a range', async () => {
    const below = await get(`/residents?phone[$gt]=9800000000&_id=${rohanResident._id}`)
    const above = await get(`/residents?phone[$gt]=9990000000&_id=${rohanResident._id}`)
    assert.equal(below.status, 200, JSON.stringify(below.body))
    assert.deepEqual(below.body, above.body, 'a range on the masked phone told it apart')
  })

  it('may sort the records they may all unmask (their own flat) by phone', async () => {
    const own = await get(`/residents?flatId=${asha.user.flatId}&$sort[phone]=-1`)
    assert.equal(own.status, 200, JSON.stringify(own.body))
    const phones = own.body.data.map((r: any) => r.phone)
    assert.ok(phones.length >= 2 && phones.every((p: string) => !p.includes('*')))
    assert.deepEqual(phones, [...phones].sort().reverse())
  })
})
