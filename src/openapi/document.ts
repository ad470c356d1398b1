// The OpenAPI 3.1 document of a blueprint, built from the same sanitized declarations the services run on.
import { createMongoAbility, type MongoAbility } from '@casl/ability'
import { typeNames, type CollectionTypeNames } from '../client/names.js'
import { METHOD_ACTIONS } from '../permissions/access.js'
import { orderedRules, toRawRule, type PermissionRecord } from '../permissions/rules.js'
import type { Blueprint, Collection, JsonSchema } from '../schemas/types.js'
import { QueryComponents } from './query.js'
import { auditCollection } from '../services/audit.js'
import { fileFields } from '../services/files.js'
import { ACCOUNT_PATHS } from '../schemas/sanitize.js'
import { accountServices, actionInputSchema, lookupServices, signalServices, authenticationRequestSchema, authenticationResultSchema, errorSchema, listSchema, maskedForReaders, requestSchema, toOpenApiSchema } from './schemas.js'

export type OpenApiDocument = Record<string, any>

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: JsonSchema) => ({ 'application/json': { schema } })
const kebabCase = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()
const errorResponse = (name: string, code: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Error'), example: { name, message: description, code: Number(code), className: kebabCase(name) } } }
})

/** Error responses every operation may give, by status; each operation lists those that apply. */
const ERRORS: Record<string, [string, string]> = {
  '400': ['BadRequest', 'Invalid query or data; `data` maps each field to its problem'],
  '401': ['NotAuthenticated', 'Missing, invalid or expired token'],
  '403': ['Forbidden', 'The caller\'s role does not allow this'],
  '404': ['NotFound', 'No record with this id (or none the caller may see)'],
  '405': ['MethodNotAllowed', 'Method not allowed here'],
  '409': ['Conflict', 'A unique value is taken, or the record is still referenced'],
  '413': ['PayloadTooLarge', 'Request body too large, or a record larger than its collection allows (`data`: collection, size, limit in bytes of JSON)'],
  '422': ['Unprocessable', 'Well-formed, but a rule of the collection refuses it (missing reference, state, lookup); `data` names the field'],
  '429': ['TooManyRequests', 'Too many requests (or failed logins); retry after the seconds in the `Retry-After` header'],
  '500': ['GeneralError', 'Unexpected server error (details are logged, never sent)']
}
const errors = (...codes: string[]) => Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/responses/${ERRORS[code][0]}` }]))

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Record id (`_id`)' }

const BEARER = { bearerAuth: [] }

/** An operation's security: a bearer token, or none where the anonymous role may do it. */
const securityOf = (anonymous: MongoAbility, subject: string, ...methods: string[]) =>
  methods.some((method) => anonymous.can(METHOD_ACTIONS[method] ?? method, subject)) ? [BEARER, {}] : [BEARER]

/**
 * A list's answer: a page as JSON, or, as `Accept` asks, every record the query finds as CSV or NDJSON (no pages:
 * `$limit` and `$skip` are not applied; the same permissions and field rules). Those two are said in the description
 * and `x-exports`, not as more `content`: typed clients (openapi-fetch) make one union of every media type of a
 * response, and the page's fields would no longer type-check.
 */
const listResponse = (description: string, page: JsonSchema) => ({
  description: `${description}. With \`Accept: text/csv\` or \`Accept: application/x-ndjson\`: every record the query finds, in one download (\`Content-Disposition: attachment\`), as the caller may read them, without pagination (CSV: a header of the fields the caller may read, nested ones as dotted paths, arrays as JSON cells; NDJSON: a record per line)`,
  content: json(page),
  'x-exports': ['text/csv', 'application/x-ndjson']
})

/** A record as answered: whole, or with some fields left out (`$select`, or fields the caller's role may not read). */
const record = (names: CollectionTypeNames) => ({ anyOf: [ref(names.result), ref(names.partial)] })
const PARTIAL = `; with \`$select\`, or fields the caller may not read, only some of its fields`

function collectionPaths(collection: Collection, names: CollectionTypeNames, anonymous: MongoAbility, queries: QueryComponents) {
  const tags = [collection.name]
  const security = (...methods: string[]) => securityOf(anonymous, collection.name, ...methods)
  const ok = (description: string, schema: JsonSchema) => ({ description, content: json(schema) })
  const { all: query, select } = queries.add(collection, names)
  const one = record(names)
  const many = { type: 'array', items: one }
  const actions = Object.keys(collection.actions)
  const body = (schema: JsonSchema) => ({ required: true, content: json(schema) })

  const post: Record<string, any> = {
    tags,
    operationId: `${names.result}_create`,
    summary: `Create a ${names.result} (or several, from an array)`,
    security: security('create'),
    parameters: [select],
    requestBody: body({ oneOf: [ref(names.data), { type: 'array', items: ref(names.data) }] }),
    responses: { '201': ok(`Created: the record (or records)${PARTIAL}`, { oneOf: [one, many] }), ...errors('400', '401', '403', '409', '413', '422', '429', '500') }
  }
  if (actions.length) {
    // Feathers 5 takes custom methods as `POST /<path>` with `X-Service-Method`; one path and verb hold one operation.
    post.summary = `Create a ${names.result}, or run an action (${actions.join(', ')}) named by X-Service-Method`
    post.description = actions.map((a) => `- \`${a}\`: ${collection.actions[a].description ?? ''} Body: \`${names.actions[a]}\`.`).join('\n')
    post.parameters = [
      select,
      { name: 'X-Service-Method', in: 'header', required: false, schema: { type: 'string', enum: actions }, description: 'Runs the named action instead of `create`' }
    ]
    post.requestBody = body({ oneOf: [ref(names.data), { type: 'array', items: ref(names.data) }, ...actions.map((a) => ref(names.actions[a]))] })
    post.responses['200'] = ok(`Action result: the record as it is now${PARTIAL}`, one)
    post.responses = { ...post.responses, ...errors('404', '405') }
    post.security = security('create', ...actions)
    post['x-actions'] = Object.fromEntries(actions.map((a) => [a, { header: { 'X-Service-Method': a }, schema: ref(names.actions[a]) }]))
  }

  return {
    [`/${collection.name}`]: {
      'x-service': { path: collection.name, methods: ['find', 'get', 'create', 'update', 'patch', 'remove', ...actions], events: collection.events },
      get: {
        tags,
        operationId: `${names.result}_find`,
        security: security('find'),
        summary: `Find ${collection.name} (one page, with the total)`,
        parameters: query,
        responses: { '200': listResponse(`One page of results${PARTIAL} each`, ref(names.list)), ...errors('400', '401', '403', '429', '500') }
      },
      post,
      patch: {
        tags,
        operationId: `${names.result}_patchMany`,
        security: security('patch'),
        summary: `Patch every ${names.result} the query matches`,
        parameters: query,
        requestBody: body(ref(names.patch)),
        responses: { '200': ok(`The patched records${PARTIAL} each`, many), ...errors('400', '401', '403', '409', '413', '422', '429', '500') }
      },
      delete: {
        tags,
        operationId: `${names.result}_removeMany`,
        security: security('remove'),
        summary: `Remove every ${names.result} the query matches`,
        parameters: query,
        responses: { '200': ok(`The removed records${PARTIAL} each`, many), ...errors('400', '401', '403', '409', '422', '429', '500') }
      }
    },
    [`/${collection.name}/{id}`]: {
      parameters: [idParameter],
      get: {
        tags,
        operationId: `${names.result}_get`,
        security: security('get'),
        summary: `Get a ${names.result}`,
        parameters: [select],
        responses: { '200': ok(`The record${PARTIAL}`, one), ...errors('400', '401', '403', '404', '429', '500') }
      },
      put: {
        tags,
        operationId: `${names.result}_update`,
        security: security('update'),
        summary: `Replace a ${names.result}`,
        parameters: [select],
        requestBody: body(ref(names.data)),
        responses: { '200': ok(`The record${PARTIAL}`, one), ...errors('400', '401', '403', '404', '409', '413', '422', '429', '500') }
      },
      patch: {
        tags,
        operationId: `${names.result}_patch`,
        security: security('patch'),
        summary: `Change some fields of a ${names.result}`,
        parameters: [select],
        requestBody: body(ref(names.patch)),
        responses: { '200': ok(`The record${PARTIAL}`, one), ...errors('400', '401', '403', '404', '409', '413', '422', '429', '500') }
      },
      delete: {
        tags,
        operationId: `${names.result}_remove`,
        security: security('remove'),
        summary: `Remove a ${names.result}`,
        parameters: [select],
        responses: { '200': ok(`The removed record${PARTIAL}`, one), ...errors('401', '403', '404', '409', '422', '429', '500') }
      }
    }
  }
}

function collectionSchemas(collection: Collection, names: CollectionTypeNames) {
  const result = toOpenApiSchema(maskedForReaders({ ...collection.resultSchema, title: names.result, description: collection.description || collection.label }))
  const schemas: Record<string, JsonSchema> = {
    [names.result]: result,
    [names.partial]: {
      ...result,
      title: names.partial,
      description: `${names.result} with only some fields: those \`$select\` names, or those the caller may read (\`_id\` always)`,
      required: ['_id']
    },
    [names.data]: requestSchema(toOpenApiSchema({ ...collection.dataSchema, title: names.data })),
    [names.patch]: toOpenApiSchema({ ...collection.patchSchema, title: names.patch }),
    [names.list]: { ...listSchema(record(names)), title: names.list }
  }
  for (const [action, definition] of Object.entries(collection.actions)) {
    schemas[names.actions[action]] = requestSchema(toOpenApiSchema({ ...actionInputSchema(definition), title: names.actions[action] }))
  }
  return schemas
}

/** What each account service's `POST` says in the document, by its path. */
const ACCOUNT_OPERATIONS: Record<string, (blueprint: Blueprint) => { operationId: string; summary: string; created: string; errors: string[] }> = {
  [ACCOUNT_PATHS.signUp]: (blueprint) => ({
    operationId: 'signUp',
    summary: `Register as ${blueprint.users.auth!.signUp!.roles.join(' or ')} (no token needed), with the records created alongside; answers a token. Limited per IP address`,
    created: 'Registered and logged in',
    errors: ['400', '403', '409', '422', '429', '500']
  }),
  [ACCOUNT_PATHS.recovery]: (blueprint) => {
    const { emailToken, securityQuestion } = blueprint.users.auth!.recovery!
    const ways = [emailToken && 'mails a reset token', securityQuestion && 'answers the security question'].filter(Boolean).join(' and ')
    return { operationId: 'requestPasswordRecovery', summary: `Forgotten password: ${ways}; the same answer whether or not the address has an account`, created: 'Recovery started (if the account exists)', errors: ['400', '429', '500'] }
  },
  [ACCOUNT_PATHS.reset]: () => ({
    operationId: 'resetPassword',
    summary: 'Sets a new password with the mailed token (single-use, expires) or the security answer; ends every session of the account',
    created: 'Password changed',
    errors: ['400', '401', '429', '500']
  })
}

/** `POST /sign-up`, `/password-recovery` and `/password-reset`, where the user collection declares them. */
function accountPaths(blueprint: Blueprint, schemas: Record<string, JsonSchema>, user: string) {
  const paths: Record<string, unknown> = {}
  for (const service of accountServices(blueprint, ref(user))) {
    const operation = ACCOUNT_OPERATIONS[service.path](blueprint)
    schemas[`${service.type}Request`] = toOpenApiSchema(service.data)
    schemas[`${service.type}Result`] = service.result
    paths[`/${service.path}`] = {
      post: {
        tags: ['accounts'],
        operationId: operation.operationId,
        summary: operation.summary,
        security: [],
        requestBody: { required: true, content: json(ref(`${service.type}Request`)) },
        responses: { '201': { description: operation.created, content: json(ref(`${service.type}Result`)) }, ...errors(...operation.errors) }
      }
    }
  }
  return paths
}

/** `GET /<collection>/<path>/{code}` of each declared `publicLookup`: anonymous, its declared fields and `expired`. */
function lookupPaths(blueprint: Blueprint, names: Map<string, CollectionTypeNames>, schemas: Record<string, JsonSchema>) {
  const paths: Record<string, unknown> = {}
  for (const { collection, route, by, result } of lookupServices(blueprint)) {
    const type = names.get(collection.name)!.lookup!.result
    schemas[type] = toOpenApiSchema({ ...result, title: type })
    const { readOnly: _readOnly, ...code } = collection.resultSchema.properties[by]
    paths[`/${route}/{code}`] = {
      get: {
        tags: [collection.name],
        operationId: `${type}_get`,
        summary: `Look a record of ${collection.name} up by its ${by} (no token needed): only ${Object.keys(collection.publicLookup!.fields).join(', ')} and expired. Limited per IP address`,
        security: [],
        parameters: [{ name: 'code', in: 'path', required: true, schema: toOpenApiSchema(code), description: `The record's ${by}` }],
        responses: { '200': { description: 'The record’s public fields', content: json(ref(type)) }, ...errors('400', '404', '429', '500') }
      }
    }
  }
  return paths
}

/** `POST /<collection>/<name>` of each declared signal: signed-in callers who may read the record; relayed, never stored. */
function signalPaths(blueprint: Blueprint, names: Map<string, CollectionTypeNames>, schemas: Record<string, JsonSchema>) {
  const paths: Record<string, unknown> = {}
  for (const { collection, name, path, data, event } of signalServices(blueprint)) {
    const type = names.get(collection.name)!.signals[name]
    schemas[type.data] = toOpenApiSchema({ ...data, title: type.data })
    schemas[type.event] = toOpenApiSchema({ ...event, title: type.event })
    const perMinute = collection.signals[name].perMinute
    paths[`/${path}`] = {
      post: {
        tags: [collection.name],
        operationId: `${type.event}_create`,
        summary: `Sends the \`${name}\` signal about a record of ${collection.name} you may read: its other readers receive the \`${collection.name} ${name}\` event over Socket.io. Nothing is stored. At most ${perMinute} per minute per sender and record`,
        security: [BEARER],
        requestBody: { required: true, content: json(ref(type.data)) },
        responses: { '201': { description: 'The event as sent to the others', content: json(ref(type.event)) }, ...errors('400', '401', '404', '429', '500') }
      }
    }
  }
  return paths
}

function enginePaths() {
  const tags = ['authentication']
  return {
    '/authentication': {
      post: {
        tags,
        operationId: 'authenticate',
        summary: 'Log in (local: email + password) or re-authenticate (jwt); answers a token',
        security: [],
        requestBody: { required: true, content: json(ref('AuthenticationRequest')) },
        responses: { '201': { description: 'Authenticated', content: json(ref('AuthenticationResult')) }, ...errors('400', '401', '429', '500') }
      },
      delete: {
        tags,
        operationId: 'logout',
        summary: 'Log out: the token is refused from then on, over REST and Socket.io and on every instance, until it expires',
        security: [{ bearerAuth: [] }],
        responses: { '200': { description: 'Logged out', content: json(ref('AuthenticationResult')) }, ...errors('401', '429', '500') }
      }
    },
    '/health': {
      get: {
        tags: ['health'],
        operationId: 'health',
        summary: 'Ready to serve',
        security: [],
        responses: {
          '200': { description: 'The server can serve', content: json(ref('Health')) },
          '503': { description: 'Still starting', content: json(ref('Health')) }
        }
      }
    }
  }
}

/** `POST /files` and `GET /files/{id}`, where a collection declares a `File()` field (`fields`: collection → field paths). */
function filePaths(fields: Record<string, string[]>) {
  const tags = ['files']
  const named = Object.entries(fields).map(([collection, paths]) => `${collection}: ${paths.join(', ')}`).join('; ')
  const download = (method: string) => ({
    tags,
    operationId: `file_${method}`,
    summary: `${method === 'head' ? 'The headers of a download' : 'Download a file'}: for a caller who may read a record that holds its URL (else 404, as for a file that does not exist). \`Range\` is honoured`,
    security: [BEARER, {}],
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{24}$' }, description: 'The id in the file\'s URL (`/files/<id>`)' }],
    responses: {
      '200': { description: 'The file, with its `Content-Type`, `Content-Length` and `Content-Disposition`', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
      '206': { description: 'The range asked for (`Content-Range`)', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
      '404': { $ref: '#/components/responses/NotFound' },
      '416': { description: 'A range outside the file (`Content-Range: bytes */<size>`)', content: json(ref('Error')) },
      ...errors('429', '500')
    }
  })
  return {
    '/files': {
      post: {
        tags,
        operationId: 'file_upload',
        summary: `Upload a file for a declared file field (${named}), streamed to the store; the record then takes its \`url\`. For a caller who may create or change that field`,
        security: [BEARER],
        parameters: [
          { name: 'collection', in: 'query', required: true, schema: { type: 'string', enum: Object.keys(fields) }, description: 'The collection of the field' },
          { name: 'field', in: 'query', required: true, schema: { type: 'string' }, description: 'The `File()` field (a dotted path)' }
        ],
        requestBody: {
          required: true,
          content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } }
        },
        responses: {
          '201': { description: 'Stored; give `url` to the record', content: json(ref('FileUpload')) },
          ...errors('400', '401', '403', '413', '422', '429', '500')
        }
      }
    },
    '/files/{id}': { get: download('get'), head: download('head') }
  }
}

const FILE_UPLOAD: JsonSchema = {
  type: 'object',
  description: 'An upload: `url` is the value for the record\'s file field',
  properties: {
    _id: { type: 'string' },
    url: { type: 'string', pattern: '^/files/[0-9a-f]{24}$' },
    name: { type: 'string' },
    type: { type: 'string', description: 'The content type found from the bytes' },
    size: { type: 'integer', minimum: 0 },
    uploadedAt: { type: 'string', format: 'date-time' }
  },
  required: ['_id', 'url', 'name', 'type', 'size', 'uploadedAt']
}

/** `GET /audit-log` and `/audit-log/{id}`: read only (every write is a 405). */
function auditPaths(collection: Collection, names: CollectionTypeNames, queries: QueryComponents) {
  const tags = [collection.name]
  const { all: query } = queries.add(collection, names)
  const readRule = 'An Admin (who may read `audit-log`) reads every entry; anyone else the history of one record they may read: `collection` and `recordId` in the query (else 403), only entries that changed a field they may read, each limited to those fields'
  return {
    [`/${collection.name}`]: {
      'x-service': { path: collection.name, methods: ['find', 'get'], events: [] },
      get: {
        tags,
        operationId: `${names.result}_find`,
        security: [BEARER],
        summary: `Find entries of the audit log (one page, with the total). ${readRule}`,
        parameters: query,
        responses: { '200': listResponse('One page of entries', ref(names.list)), ...errors('400', '401', '403', '429', '500') }
      }
    },
    [`/${collection.name}/{id}`]: {
      parameters: [idParameter],
      get: {
        tags,
        operationId: `${names.result}_get`,
        security: [BEARER],
        summary: 'Get an entry (an Admin)',
        responses: { '200': { description: 'The entry', content: json(ref(names.result)) }, ...errors('401', '403', '404', '429', '500') }
      }
    }
  }
}

/** The anonymous role's ability as the blueprint declares it (the live one differs only once admins edit permissions). */
export function declaredAnonymousAbility(blueprint: Blueprint): MongoAbility {
  const role = blueprint.roles.find((r) => r.RoleName === blueprint.anonymousRole)
  const permissions = blueprint.permissions.filter((p) => role?.permissions.includes(p.PermissionName))
  return createMongoAbility(orderedRules(permissions.map((p) => toRawRule(p as PermissionRecord)))) as MongoAbility
}

/** `anonymous`: what a caller without a token may do; each operation's `security` says whether it needs a token. */
export function openApiDocument(blueprint: Blueprint, anonymous: MongoAbility = declaredAnonymousAbility(blueprint)): OpenApiDocument {
  const names = typeNames(blueprint.collections)
  const user = names.get(blueprint.users.name)!.result
  const paths: Record<string, unknown> = enginePaths()
  const schemas: Record<string, JsonSchema> = {}
  const queries = new QueryComponents()
  for (const collection of blueprint.collections) {
    Object.assign(paths, collectionPaths(collection, names.get(collection.name)!, anonymous, queries))
    Object.assign(schemas, collectionSchemas(collection, names.get(collection.name)!))
  }
  Object.assign(schemas, queries.schemas)
  schemas.Error = errorSchema
  schemas.Health = {
    type: 'object',
    properties: { status: { enum: ['ok', 'starting'] }, blueprint: { const: blueprint.name }, version: { const: blueprint.version }, store: { type: 'string' } },
    required: ['status', 'blueprint', 'version']
  }
  schemas.AuthenticationRequest = toOpenApiSchema(authenticationRequestSchema(blueprint.users))
  schemas.AuthenticationResult = authenticationResultSchema(ref(user))
  Object.assign(paths, accountPaths(blueprint, schemas, user))
  Object.assign(paths, lookupPaths(blueprint, names, schemas))
  Object.assign(paths, signalPaths(blueprint, names, schemas))
  const fields = Object.fromEntries(blueprint.collections.map((c) => [c.name, fileFields(c).filter((f) => !f.readOnly).map((f) => f.path)]).filter(([, paths]) => paths.length))
  if (Object.keys(fields).length) {
    Object.assign(paths, filePaths(fields))
    schemas.FileUpload = FILE_UPLOAD
  }
  const audit = auditCollection(365)
  const auditNames = typeNames([...blueprint.collections, audit]).get(audit.name)!
  Object.assign(paths, auditPaths(audit, auditNames, queries))
  const { [auditNames.result]: entry, [auditNames.partial]: partial, [auditNames.list]: list } = collectionSchemas(audit, auditNames)
  Object.assign(schemas, { [auditNames.result]: entry, [auditNames.partial]: partial, [auditNames.list]: list }, queries.schemas)

  return {
    openapi: '3.1.0',
    info: {
      title: `quillbase: ${blueprint.name}`,
      version: blueprint.version,
      description: blueprint.description,
      'x-blueprint': { name: blueprint.name, version: blueprint.version }
    },
    servers: [{ url: '/' }],
    // Every operation states its own security: anonymous where the anonymous role may do it, a bearer token otherwise.
    security: [BEARER],
    tags: [
      { name: 'authentication', description: 'Log in and out' },
      ...(blueprint.users.auth?.signUp || blueprint.users.auth?.recovery ? [{ name: 'accounts', description: 'Sign-up and password recovery' }] : []),
      ...blueprint.collections.map((c) => ({ name: c.name, description: c.description || c.label })),
      ...(paths['/files'] ? [{ name: 'files', description: 'Uploads for file fields, and their downloads' }] : []),
      { name: 'audit-log', description: 'Every change to every record, read as permissions allow' },
      { name: 'health', description: 'Readiness' }
    ],
    paths,
    components: {
      schemas,
      parameters: queries.parameters,
      // Only the error responses some operation refers to (a blueprint without actions has no 405).
      responses: Object.fromEntries(
        Object.entries(ERRORS)
          .filter(([, [name]]) => JSON.stringify(paths).includes(`"#/components/responses/${name}"`))
          .map(([code, [name, description]]) => [name, errorResponse(name, code, description)])
      ),
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `accessToken` from `POST /authentication`' } }
    }
  }
}
