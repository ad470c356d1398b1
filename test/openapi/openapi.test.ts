// GET /openapi.json for every blueprint: a valid OpenAPI 3.1 document naming every service, whose schemas describe real answers.
import assert from 'node:assert/strict'
import { Validator } from '@seriousme/openapi-schema-validator'
// The 2020-12 meta-schema check: the OpenAPI validator accepts any object as a Schema Object.
import { Ajv2020 } from 'ajv/dist/2020.js'
import { blueprintNames, loadBlueprint } from '../../src/blueprints/index.js'
import { typeNames } from '../../src/client/names.js'
import type { Blueprint } from '../../src/schemas/types.js'
import { login, request, startServer, type TestServer } from '../helpers.js'
import { deref, queryString, sample, type SampleContext } from './requests.js'
import { responseValidator } from './responses.js'

const ADMIN = { adminEmail: 'openapi-admin@example.com', adminPassword: 'openapi-admin-password' }

const names = await blueprintNames()

describe('the OpenAPI document', function () {
  this.timeout(30_000)

  for (const name of names) {
    describe(`of the ${name} blueprint`, () => {
      let server: TestServer
      let blueprint: Blueprint
      let document: Record<string, any>
      let token: string
      let adminUser: Record<string, any>

      before(async () => {
        blueprint = await loadBlueprint(name)
        server = await startServer(name, { demo: false, ...ADMIN })
        const res = await request(server.url, 'GET', '/openapi.json')
        assert.equal(res.status, 200)
        assert.match(res.headers.get('content-type') ?? '', /application\/json/)
        document = res.body
        const session = await login(server.url, ADMIN.adminEmail, ADMIN.adminPassword)
        token = session.accessToken
        adminUser = session.user
      })
      after(() => server?.close())

      it('is valid OpenAPI 3.1', async () => {
        const validator = new Validator()
        const result = await validator.validate(document)
        assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2))
        assert.equal(validator.version, '3.1')
      })

      it('holds JSON Schema 2020-12 schemas', () => {
        const ajv = new Ajv2020({ strict: false })
        for (const [schemaName, schema] of Object.entries<any>(document.components.schemas)) {
          assert.ok(ajv.validateSchema(schema), `${schemaName}: ${ajv.errorsText(ajv.errors)}`)
        }
      })

      it('names the blueprint and its version', () => {
        assert.equal(document.info.version, blueprint.version)
        assert.match(document.info.title, new RegExp(name))
        assert.deepEqual(document.info['x-blueprint'], { name, version: blueprint.version })
      })

      it('has every service path with its methods and actions, plus authentication and health', () => {
        for (const collection of blueprint.collections) {
          const list = document.paths[`/${collection.name}`]
          const item = document.paths[`/${collection.name}/{id}`]
          assert.ok(list && item, `paths of ${collection.name}`)
          assert.deepEqual(Object.keys(list).filter((k) => !k.startsWith('x-')).sort(), ['delete', 'get', 'patch', 'post'])
          assert.deepEqual(Object.keys(item).filter((k) => k !== 'parameters').sort(), ['delete', 'get', 'patch', 'put'])
          const actions = Object.keys(collection.actions)
          assert.deepEqual(list['x-service'].methods, ['find', 'get', 'create', 'update', 'patch', 'remove', ...actions])
          if (actions.length) assert.deepEqual(list.post.parameters.find((p: any) => p.name === 'X-Service-Method').schema.enum, actions)
          const parameters = list.get.parameters.map((p: any) => deref(document, p).name)
          for (const field of Object.keys(collection.querySchema.properties)) assert.ok(parameters.includes(field), `${collection.name} query ${field}`)
        }
        assert.ok(document.paths['/authentication'].post && document.paths['/authentication'].delete)
        assert.ok(document.paths['/health'].get)
        assert.deepEqual(document.components.securitySchemes.bearerAuth, { ...document.components.securitySchemes.bearerAuth, type: 'http', scheme: 'bearer' })
      })

      it('answers a query built from its parameters with a page its schema describes', async () => {
        const validate = responseValidator(document)
        for (const collection of blueprint.collections) {
          const operation = document.paths[`/${collection.name}`].get
          const parameters = operation.parameters.map((p: any) => deref(document, p))
          const sortable = Object.keys(deref(document, parameters.find((p: any) => p.name === '$sort').schema).properties)
          const query = queryString(parameters, { $limit: 2, $skip: 0, $sort: { [sortable[sortable.length - 1]]: -1 }, _id: { $nin: ['000000000000000000000000', 'ffffffffffffffffffffffff'] } })
          const res = await request(server.url, 'GET', `/${collection.name}${query}`, { token })
          assert.equal(res.status, 200, `${collection.name}${query}: ${JSON.stringify(res.body)}`)
          validate.response('GET', `/${collection.name}`, res)
          assert.equal(res.body.limit, 2)
        }
      })

      it('accepts records built from its request schemas, and answers what its response schemas describe', async () => {
        const validate = responseValidator(document)
        const types = typeNames(blueprint.collections)
        const context: SampleContext = { document, ids: { [blueprint.users.name]: adminUser._id }, seed: 'a' }
        const roleField = blueprint.users.auth!.roleField
        if (blueprint.users.auth!.roleBy === 'id') context.ids.roles = adminUser[roleField]
        const outcomes: Record<string, number | string> = {}
        // Several passes: a collection referencing another is tried once the other has a record.
        for (let pass = 0; pass < 3; pass++) {
          for (const collection of blueprint.collections) {
            if (outcomes[collection.name] === 201) continue
            context.seed = `${collection.name}-${pass}`
            const body = sample({ $ref: `#/components/schemas/${types.get(collection.name)!.data}` }, context)
            if (body === undefined) {
              outcomes[collection.name] = 'no sample'
              continue
            }
            const res = await request(server.url, 'POST', `/${collection.name}`, { token, body })
            outcomes[collection.name] = res.status
            const responses = document.paths[`/${collection.name}`].post.responses
            const described = responses[String(res.status)]
            assert.ok(described, `${collection.name}: status ${res.status} is not in the document (${JSON.stringify(res.body)})`)
            if (res.status === 201) {
              validate.schema(`#/components/schemas/${types.get(collection.name)!.result}`, res.body)
              context.ids[collection.name] = res.body._id
              const read = await request(server.url, 'GET', `/${collection.name}/${res.body._id}`, { token })
              validate.response('GET', `/${collection.name}/${res.body._id}`, read)
            } else {
              assert.ok(res.status >= 400 && res.status < 500, `${collection.name}: ${res.status} ${JSON.stringify(res.body)}`)
              validate.response('POST', `/${collection.name}`, res)
            }
          }
        }
        assert.equal(outcomes.roles, 201, JSON.stringify(outcomes))
      })

      it('describes its errors', async () => {
        const validate = responseValidator(document)
        const collection = blueprint.collections[0]
        const bad = await request(server.url, 'GET', `/${collection.name}?notAField=1`, { token })
        assert.equal(bad.status, 400)
        validate.response('GET', `/${collection.name}`, bad)
        const missing = await request(server.url, 'GET', `/${collection.name}/does-not-exist`, { token })
        assert.equal(missing.status, 404)
        validate.response('GET', `/${collection.name}/does-not-exist`, missing)
      })

      it('logs in as its authentication schemas say', async () => {
        const validate = responseValidator(document)
        const res = await request(server.url, 'POST', '/authentication', { body: { strategy: 'local', email: ADMIN.adminEmail, password: ADMIN.adminPassword } })
        assert.equal(res.status, 201)
        validate.response('POST', '/authentication', res)
        const health = await request(server.url, 'GET', '/health')
        validate.response('GET', '/health', health)
      })
    })
  }
})
