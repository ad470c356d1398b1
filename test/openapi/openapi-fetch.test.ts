// Tools nobody here wrote, on the live document: openapi-typescript generates the types, and the example of
// docs/client.md (openapi-fetch with qs as its query serializer) type-checks against them and runs against the server.
import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import createClient from 'openapi-fetch'
import openapiTS, { astToString } from 'openapi-typescript'
import { createProject, type Consumer } from '../client/consumer.js'
import { login, request, startServer, tempDir, type TestServer } from '../helpers.js'

const MARKER = '<!-- test/openapi/openapi-fetch.test.ts'

/** The first `ts` block after the line naming this test in docs/client.md. */
async function documentedExample() {
  const text = await readFile(new URL('../../docs/client.md', import.meta.url), 'utf8')
  const after = text.slice(text.indexOf(MARKER))
  const block = /```ts\n([\s\S]*?)```/.exec(after)
  assert.ok(text.includes(MARKER) && block, 'docs/client.md holds the openapi-fetch example')
  return block[1]
}

describe('openapi-typescript and openapi-fetch on the live document', function () {
  this.timeout(90_000)
  let server: TestServer
  let dir: string
  let project: Consumer

  before(async () => {
    server = await startServer('appointments', { demo: true })
    dir = await tempDir('quillbase-openapi-fetch-')
    project = await createProject(dir, ['openapi-fetch', 'qs', '@types/qs'])
    const types = astToString(await openapiTS(new URL(`${server.url}/openapi.json`)))
    await writeFile(path.join(dir, 'src', 'api.d.ts'), types)
    await project.write('example.ts', await documentedExample())
  })
  after(async () => {
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('generates types in which defaulted request fields are optional and $select records partial', async () => {
    const types = await readFile(path.join(dir, 'src', 'api.d.ts'), 'utf8')
    assert.match(types, /AppointmentPartial: \{/)
    assert.match(types, /Status\?: "Scheduled" \| "Cancelled"/)
  })

  it('type-checks the documented example against the generated types', async () => {
    const { code, output } = await project.typecheck()
    assert.equal(code, 0, output)
  })

  it('runs the documented example: the query arrives in the bracket form the server parses', async () => {
    const output = await project.run('example.ts', { API_URL: server.url })
    const maria = await login(server.url, 'maria@example.com', 'quillbase-demo')
    const expected = await request(server.url, 'GET', `/appointments?ManagerId[$in][0]=${maria.user._id}&$or[0][Status]=Scheduled&$or[1][AppointedDate][$gte]=2030-01-01T00:00:00Z&$sort[AppointedDate]=1`, { token: maria.accessToken })
    assert.equal(expected.status, 200)
    assert.ok(expected.body.total > 0)
    const [total, dates] = output.trim().split(' ', 2)
    assert.equal(Number(total), expected.body.total, output)
    assert.ok(dates.startsWith(expected.body.data[0].AppointedDate), output)
  })

  it('needs that serializer: the default one refuses a list inside an operator', async () => {
    const api = createClient<any>({ baseUrl: server.url })
    await assert.rejects(api.GET('/appointments', { params: { query: { ManagerId: { $in: ['a'] } } } }), /Deeply-nested arrays\/objects/)
  })
})
