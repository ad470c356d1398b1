// GET /openapi.json for every blueprint: a valid OpenAPI 3.1 document naming every service, whose schemas describe real answers.
import assert from 'node:assert/strict'
import { Validator } from '@seriousme/openapi-schema-validator'
// The 2020-12 meta-schema check: the OpenAPI validator accepts any object as a Schema Object.
import { Ajv2020 } from 'ajv/dist/2020.js'
import { blueprintNames, loadBlueprint } from '../../src/blueprints/index.js'
import { typeNames } from '../../src/client/names.js'
import type { Blueprint } from '../../src/schemas/types.js'
import { fileFields } from '../../src/services/files.js'
import { login, request, startServer, upload, type TestServer } from '../helpers.js'
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

      it('describes the engine paths a client uses beside the collections, as they answer: file uploads and downloads, the audit log', async () => {
        const validate = responseValidator(document)
        const files = blueprint.collections.flatMap((c) => fileFields(c).filter((f) => !f.readOnly).map((f) => ({ collection: c.name, field: f.path, types: f.types })))
        if (!files.length) assert.equal(document.paths['/files'], undefined, 'no file field, no upload path')
        else {
          assert.deepEqual(document.paths['/files'].post.parameters.find((p: any) => p.name === 'collection').schema.enum, [...new Set(files.map((f) => f.collection))])
          assert.deepEqual(Object.keys(document.paths['/files/{id}']).sort(), ['get', 'head'])
          // An upload the document's schema describes, and its refusal: the first field that takes a text file.
          const text = files.find((f) => !f.types?.length || f.types.some((t) => t.startsWith('text/')))
          if (text) {
            const target = `collection=${text.collection}&field=${encodeURIComponent(text.field)}`
            const stored = await upload(server.url, target, 'a,b\n1,2\n', 'a.csv', 'text/csv', token)
            validate.response('POST', '/files', stored)
            validate.response('POST', '/files', await upload(server.url, target, 'a', 'a.csv', 'text/csv'))
          }
        }
        // The blueprint's administrator reads the whole log where their role may (elsewhere a 403, as documented).
        const entries = await request(server.url, 'GET', '/audit-log?$limit=2', { token })
        validate.response('GET', '/audit-log', entries)
        if (entries.status === 200 && entries.body.data[0]) validate.response('GET', `/audit-log/${entries.body.data[0]._id}`, await request(server.url, 'GET', `/audit-log/${entries.body.data[0]._id}`, { token }))
        validate.response('GET', '/audit-log', await request(server.url, 'GET', '/audit-log'))
        assert.deepEqual(document.paths['/appointments']?.get.responses['200']['x-exports'] ?? document.paths[`/${blueprint.collections[0].name}`].get.responses['200']['x-exports'], ['text/csv', 'application/x-ndjson'])
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

      it('documents $select on every record operation, and the partial records it answers', async () => {
        const validate = responseValidator(document)
        const types = typeNames(blueprint.collections)
        for (const collection of blueprint.collections) {
          for (const [path, verbs] of [[`/${collection.name}`, ['get', 'post']], [`/${collection.name}/{id}`, ['get', 'put', 'patch', 'delete']]] as const) {
            for (const verb of verbs) {
              const names = document.paths[path][verb].parameters.map((p: any) => deref(document, p).name)
              assert.ok(names.includes('$select'), `${verb} ${path}: $select`)
            }
          }
          const page = await request(server.url, 'GET', `/${collection.name}?$select=_id&$limit=1`, { token })
          assert.equal(page.status, 200)
          validate.response('GET', `/${collection.name}`, page)
          const [first] = page.body.data
          if (!first) continue
          const one = await request(server.url, 'GET', `/${collection.name}/${first._id}?$select=_id`, { token })
          assert.deepEqual(Object.keys(one.body), ['_id'])
          validate.response('GET', `/${collection.name}/{id}`, one)
          // The whole record's schema still requires its fields: only the partial one admits the answer.
          const result = document.components.schemas[types.get(collection.name)!.result]
          if (result.required?.length > 1) assert.throws(() => validate.schema(`#/components/schemas/${types.get(collection.name)!.result}`, one.body))
        }
      })

      it('gives Swagger UI only query values to pre-fill that the server accepts', async () => {
        // What Swagger UI pre-fills: the parameter's example (or first of examples), else its schema's example or default;
        // an object or list parameter without any of those it fills from its schema, which the server may refuse.
        const prefill = (p: any) => p.example ?? (Object.values<any>(p.examples ?? {})[0]?.value) ?? deref(document, p.schema).example ?? deref(document, p.schema).default
        for (const collection of blueprint.collections) {
          for (const [path, item] of Object.entries<any>(document.paths).filter(([path]) => path.split('/')[1] === collection.name)) {
            for (const [verb, operation] of Object.entries<any>(item).filter(([verb]) => verb !== 'parameters')) {
              const parameters = (operation.parameters ?? []).map((p: any) => deref(document, p)).filter((p: any) => p.in === 'query')
              const values: Record<string, unknown> = {}
              for (const parameter of parameters) {
                const schema = deref(document, parameter.schema)
                const value = prefill(parameter)
                if (value !== undefined) values[parameter.name] = value
                else assert.ok(!['object', 'array'].includes(schema.type) || parameter.style === 'form', `${verb} ${path} ${parameter.name}: Swagger UI would make up a value`)
              }
              // Every method validates its query with the same schema: ask `find`, which changes nothing.
              const res = await request(server.url, 'GET', `/${collection.name}${queryString(parameters, values)}`, { token })
              assert.equal(res.status, 200, `${verb} ${path}: ${queryString(parameters, values)} → ${JSON.stringify(res.body)}`)
            }
          }
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
        // Each declared signal about a record just made, as its request schema says, answered as its response schema says.
        const signals = blueprint.collections.flatMap((collection) => Object.keys(collection.signals).map((signal) => ({ collection, signal })))
        for (const { collection, signal } of signals) {
          const id = context.ids[collection.name]
          assert.ok(id, `a ${collection.name} record to signal about (${JSON.stringify(outcomes)})`)
          const body = { ...(sample({ $ref: `#/components/schemas/${types.get(collection.name)!.signals[signal].data}` }, context) as object), id }
          const res = await request(server.url, 'POST', `/${collection.name}/${signal}`, { token, body })
          assert.equal(res.status, 201, JSON.stringify(res.body))
          validate.response('POST', `/${collection.name}/${signal}`, res)
          const refused = await request(server.url, 'POST', `/${collection.name}/${signal}`, { body })
          assert.equal(refused.status, 401)
          validate.response('POST', `/${collection.name}/${signal}`, refused)
        }
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
