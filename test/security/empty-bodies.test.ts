// A body the parser reads as nothing: on a collection whose schema requires no field, a POST without a body would
// create a record of defaults and a PUT of `{}` would clear every field of a record. Both are refused (400); a literal
// `{}` create is still a record of defaults, by the schema's own terms.
import assert from 'node:assert/strict'
import { Email, Enum, Password, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import type { BlueprintInput } from '../../src/schemas/types.js'
import { login, startServer, type TestServer } from '../helpers.js'

const PASSWORD = 'notes-pass'

const notes: BlueprintInput = {
  name: 'notes',
  version: '0.0.1',
  description: 'Sticky notes, every field optional.',
  collections: [
    ...rbacCollections,
    defineCollection({
      name: 'users',
      schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Writer']) }),
      auth: { roleField: 'role', roleBy: 'name' },
      indexes: [{ fields: { email: 1 }, unique: true }]
    }),
    defineCollection({
      name: 'notes',
      schema: Type.Object({ text: Type.Optional(Type.String({ maxLength: 200 })), colour: Type.Optional(Enum(['yellow', 'pink'], { default: 'yellow' })) })
    })
  ],
  roles: [{ RoleName: 'Writer', permissions: ['writer-notes'] }],
  permissions: [{ PermissionName: 'writer-notes', Action: 'manage', Subject: 'notes' }],
  adminRole: 'Writer',
  async demo(app: any) {
    await app.service('users').create({ name: 'Wren', email: 'wren@notes.example.com', password: PASSWORD, role: 'Writer' })
  }
}

describe('requests with no body, or an empty object, on a schema that requires no field', function () {
  this.timeout(30_000)
  let server: TestServer
  let token: string
  let note: any
  before(async () => {
    server = await startServer(notes)
    token = (await login(server.url, 'wren@notes.example.com', PASSWORD)).accessToken
    note = await server.app.service('notes').create({ text: 'buy milk', colour: 'pink' })
  })
  after(() => server?.close())

  const send = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, { method, body, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers } })
    return { status: res.status, body: await res.json() }
  }
  const count = async () => ((await server.app.service('notes').find({ paginate: false })) as any[]).length

  it('a POST without a body is a 400 and creates nothing; with `{}` it creates a record of the defaults', async () => {
    const before = await count()
    for (const body of [undefined, '']) {
      const refused = await send('POST', '/notes', body)
      assert.equal(refused.status, 400, JSON.stringify(refused.body))
      assert.match(refused.body.message, /no body/)
      assert.deepEqual(refused.body.data, { '(body)': 'is missing' }, JSON.stringify(refused.body))
    }
    assert.equal(await count(), before)
    const made = await send('POST', '/notes', '{}')
    assert.equal(made.status, 201, JSON.stringify(made.body))
    assert.equal(made.body.colour, 'yellow')
  })

  it('a PUT without a body, or with `{}`, is a 400 and the record keeps its fields', async () => {
    for (const body of [undefined, '', '{}', '\uFEFF{}']) {
      const refused = await send('PUT', `/notes/${note._id}`, body)
      assert.equal(refused.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(refused.body)}`)
    }
    const kept = await server.app.service('notes').get(note._id)
    assert.deepEqual([kept.text, kept.colour], ['buy milk', 'pink'])
    assert.equal((await send('PUT', `/notes/${note._id}`, JSON.stringify({ text: 'buy oat milk' }))).status, 200)
  })

  it('internal calls are not affected: the server may replace a record with its defaults', async () => {
    const replaced = (await server.app.service('notes').update(note._id, {})) as any
    assert.equal(replaced.text, undefined)
  })
})
