// Query strings over REST are parsed with the limits the query schema states: long `$in` lists arrive whole, too long ones are a clear 400.
import assert from 'node:assert/strict'
import { MAX_LIST_VALUES } from '../../src/schemas/query.js'
import { login, request, startServer, type TestServer } from '../helpers.js'

describe('REST query strings', () => {
  let server: TestServer
  let token: string
  let ids: string[]
  before(async () => {
    server = await startServer('appointments')
    token = (await login(server.url, 'admin@example.com', 'quillbase-demo')).accessToken
    ids = (await request(server.url, 'GET', '/users?$limit=100', { token })).body.data.map((user: any) => user._id)
  })
  after(() => server?.close())

  /** `field[$in][0]=a&field[$in][1]=b…`, the form the Feathers REST client sends. */
  const indexed = (field: string, values: string[]) => values.map((value, i) => `${field}[$in][${i}]=${encodeURIComponent(value)}`).join('&')

  it('takes a $in list longer than 20 values, as the Feathers client writes it', async () => {
    const values = [...ids, ...Array.from({ length: 40 }, (_, i) => `none-${i}`)]
    const found = await request(server.url, 'GET', `/users?${indexed('_id', values)}&$limit=100`, { token })
    assert.equal(found.status, 200, JSON.stringify(found.body))
    assert.equal(found.body.total, ids.length)
  })

  it(`takes the schema's largest list (${MAX_LIST_VALUES} values)`, async () => {
    const values = [ids[0], ...Array.from({ length: MAX_LIST_VALUES - 1 }, (_, i) => String(i))]
    const found = await request(server.url, 'GET', `/users?${values.map((v) => `_id[$in][]=${v}`).join('&')}`, { token })
    assert.equal(found.status, 200, JSON.stringify(found.body))
    assert.equal(found.body.total, 1)
  })

  it('refuses a longer list with a clear 400, never cutting it', async () => {
    const values = Array.from({ length: MAX_LIST_VALUES + 1 }, (_, i) => String(i))
    const refused = await request(server.url, 'GET', `/users?${values.map((v) => `_id[$in][]=${v}`).join('&')}`, { token })
    assert.equal(refused.status, 400, JSON.stringify(refused.body))
    assert.equal(refused.body.name, 'BadRequest')
    assert.match(refused.body.message, new RegExp(`${MAX_LIST_VALUES}`))
  })
})
