// The declaration API: defaults filled, schemas derived, and mistakes named before anything runs.
import assert from 'node:assert/strict'
import { DeclarationError, sanitizeBlueprint, sanitizeCollection } from '../../src/schemas/sanitize.js'
import { DateTime, Email, Enum, Password, Ref, Secret, Type } from '../../src/schemas/fields.js'
import { compile, dataAjv, queryAjv } from '../../src/schemas/validators.js'
import appointmentsBlueprint from '../../src/blueprints/appointments/index.js'

const notes = {
  name: 'notes',
  schema: Type.Object({
    title: Type.String(),
    owner: Ref('users', { onDelete: 'cascade' }),
    tags: Type.Optional(Type.Array(Type.String())),
    due: Type.Optional(DateTime()),
    token: Type.Optional(Secret()),
    kind: Enum(['a', 'b'], { default: 'a' }),
    parts: Type.Array(Type.Object({ author: Ref('users'), at: DateTime() }))
  })
}

describe('declaring a collection', () => {
  const collection = sanitizeCollection(notes)

  it('fills defaults: label, timestamps, pagination, title field', () => {
    assert.equal(collection.label, 'Notes')
    assert.deepEqual(collection.timestamps, { createdAt: 'createdAt', updatedAt: 'updatedAt' })
    assert.deepEqual(collection.pagination, { default: 20, max: 200 })
    assert.equal(collection.admin.titleField, 'title')
  })
  it('finds references (nested ones too), secrets and dates in the schema', () => {
    assert.deepEqual(collection.references.map((r) => [r.path, r.collection, r.onDelete, r.many]), [
      ['owner', 'users', 'cascade', false],
      ['parts.author', 'users', 'restrict', true]
    ])
    assert.deepEqual(collection.secrets, [{ path: 'token', kind: 'encrypt' }])
    assert.deepEqual(collection.dates, ['due', 'parts.at', 'createdAt', 'updatedAt'])
  })
  it('leaves secrets out of results and queries but accepts them in data', () => {
    assert.ok(!('token' in collection.resultSchema.properties))
    assert.ok(!('token' in collection.querySchema.properties))
    assert.ok('token' in collection.dataSchema.properties)
  })
  it('derives a data validator that rejects unknown keys at every depth and fills defaults', async () => {
    const validate = compile(dataAjv, collection.dataSchema)
    const valid: any = await validate({ title: 't', owner: 'u', parts: [] })
    assert.equal(valid.kind, 'a')
    await assert.rejects(validate({ title: 't', owner: 'u', parts: [{ author: 'u', at: '2030-01-01T00:00:00Z', extra: 1 }] }))
  })
  it('derives a query validator with operators per field, dotted sub-fields and coercion of REST strings', async () => {
    const validate = compile(queryAjv, collection.querySchema)
    const query: any = await validate({ 'parts.author': 'u', due: { $gt: '2030-01-01T00:00:00Z' }, $limit: '5', $sort: { due: '-1' } })
    assert.equal(query.$limit, 5)
    assert.equal(query.$sort.due, -1)
    await assert.rejects(validate({ title: { $regex: 'x' } }))
    await assert.rejects(validate({ $where: 'true' }))
  })

  it('names the mistake in a bad declaration', () => {
    assert.throws(() => sanitizeCollection({ ...notes, name: 'Bad Name' }), DeclarationError)
    assert.throws(() => sanitizeCollection({ ...notes, name: 'health' }), /reserved/)
    assert.throws(() => sanitizeCollection({ ...notes, schema: Type.Object({ _id: Type.String() }) }), /set by the engine/)
    assert.throws(() => sanitizeCollection({ ...notes, indexes: [{ fields: { nope: 1 } }] }), /unknown field "nope"/)
    assert.throws(() => sanitizeCollection({ ...notes, auth: { roleField: 'role' } }), /email/)
    assert.throws(
      () => sanitizeCollection({ name: 'people', schema: Type.Object({ email: Email(), password: Password() }), auth: { roleField: 'role' } }),
      /role field "role"/
    )
    assert.throws(() => sanitizeCollection({ ...notes, actions: { patch: { data: Type.Object({}), run: async () => ({}) } } }), /action "patch"/)
    assert.throws(() => sanitizeCollection({ ...notes, name: 'sign-up' }), /reserved/)
  })

  it('names mistakes in forward-only fields, carried fields, sign-up and recovery', () => {
    const refused = (input: any, message: RegExp) => assert.throws(() => sanitizeCollection(input), (error: any) => error instanceof DeclarationError && message.test(error.message))
    refused({ ...notes, forwardOnly: { kind: ['a'] } }, /forwardOnly "kind" must order every value of the field: a, b/)
    refused({ ...notes, forwardOnly: { title: true } }, /forwardOnly "title" must be an Enum\(\) with its order, or `true` on a number or DateTime\(\) field/)
    refused({ ...notes, forwardOnly: { nope: true } }, /forwardOnly "nope" names unknown field/)
    assert.deepEqual(sanitizeCollection({ ...notes, forwardOnly: { kind: true, due: true } }).forwardOnly, [{ field: 'kind', order: ['a', 'b'] }, { field: 'due' }])
    refused({ ...notes, stateMachines: { kind: { transitions: [{ from: 'a', to: 'b' }], carries: ['title'] } } }, /carries "title": it must be an optional top-level field/)
    const people = {
      name: 'people',
      schema: Type.Object({ email: Email(), password: Password(), role: Type.String(), question: Type.Optional(Type.String()), answer: Type.Optional(Type.String()), token: Type.Optional(Password()), expires: Type.Optional(DateTime()) })
    }
    const auth = (extra: object) => ({ ...people, auth: { roleField: 'role', roleBy: 'name' as const, ...extra } })
    refused(auth({ signUp: { roles: [] } }), /signUp needs the `roles`/)
    refused(auth({ recovery: {} }), /recovery needs `securityQuestion` or `emailToken`/)
    refused(auth({ recovery: { securityQuestion: { question: 'question', answer: 'answer' } } }), /recovery answer field "answer" must be a declared Password\(\) field/)
    refused(auth({ recovery: { emailToken: { token: 'token', expires: 'question' } } }), /recovery expiry field "question" must be a declared DateTime\(\) field/)
    const recovering = sanitizeCollection(auth({ recovery: { emailToken: { token: 'token', expires: 'expires' } } }))
    assert.equal(recovering.auth!.recovery!.emailToken!.ttlMinutes, 60)
    assert.equal(recovering.dataSchema.properties.token.readOnly, true, 'the token is the engine’s to write')
  })

  it('takes OAuth providers on the user collection, defaults filled, and names their mistakes', () => {
    const refused = (input: any, message: RegExp) => assert.throws(() => sanitizeCollection(input), (error: any) => error instanceof DeclarationError && message.test(error.message))
    const members = {
      name: 'members',
      schema: Type.Object({
        email: Email(),
        password: Type.Optional(Password()),
        role: Enum(['climber', 'staff'], { default: 'climber' }),
        ssoId: Type.Optional(Type.String()),
        access: Type.Optional(Secret()),
        refresh: Type.Optional(Secret()),
        expires: Type.Optional(DateTime()),
        linked: Type.Boolean({ default: false }),
        name: Type.Optional(Type.String())
      }),
      indexes: [{ fields: { ssoId: 1 as const }, unique: true, sparse: true }]
    }
    const sso = (provider: object, extra: object = {}) => ({ ...members, ...extra, auth: { roleField: 'role', roleBy: 'name' as const, oauth: { sso: { idField: 'ssoId', ...provider } } } })
    const [provider] = sanitizeCollection(sso({ tokens: { access: 'access', refresh: 'refresh', expiresAt: 'expires' }, profile: { name: 'name' } })).auth!.oauth!
    assert.deepEqual(provider, {
      name: 'sso',
      idField: 'ssoId',
      idClaim: 'sub',
      scope: ['openid', 'email', 'profile'],
      authorizeParams: {},
      emailVerifiedClaim: 'email_verified',
      profile: { name: ['name'] },
      tokens: { access: 'access', refresh: 'refresh', expiresAt: 'expires' }
    })
    assert.deepEqual(sanitizeCollection(sso({ scope: ['calendar'] })).auth!.oauth![0].scope, ['openid', 'calendar'], 'openid always asked for')
    refused({ ...sso({}), auth: { roleField: 'role', oauth: { 'Big-Name': { idField: 'ssoId' } } } }, /oauth provider "Big-Name": a name of lower-case letters and digits/)
    refused({ ...sso({}), auth: { roleField: 'role', oauth: { jwt: { idField: 'ssoId' } } } }, /not local or jwt/)
    refused(sso({ idField: 'ghost' }), /oauth provider "sso": idField "ghost" must be a declared string field/)
    refused(sso({ idField: 'access' }), /idField "access" must be a declared string field/)
    refused(sso({}, { indexes: [] }), /idField "ssoId" needs a unique index/)
    refused(sso({ tokens: { access: 'name' } }), /access token field "name" must be a declared Secret\(\) field/)
    refused(sso({ tokens: { access: 'access', refresh: 'password' } }), /refresh token field "password" must be a declared Secret\(\) field/)
    refused(sso({ tokens: { access: 'access', refresh: 'refresh' } }), /tokens with a `refresh` field need `expiresAt` too/)
    refused(sso({ tokens: { access: 'access', expiresAt: 'name' } }), /expiresAt field "name" must be a declared DateTime\(\) field/)
    refused(sso({ connectedField: 'name' }), /connectedField "name" must be a declared boolean field/)
    refused(sso({ lastLoginField: 'linked' }), /lastLoginField "linked" must be a declared DateTime\(\) field/)
    refused(sso({ profile: { access: 'name' } }), /profile field "access" must be a declared field that is not a secret/)
    refused(sso({ profile: { name: [] } }), /profile field "name" needs the claims it is filled from/)
    const noDefault = { ...members, schema: Type.Object({ ...members.schema.properties, role: Enum(['climber', 'staff']) }) }
    refused({ ...noDefault, auth: { roleField: 'role', oauth: { sso: { idField: 'ssoId' } } } }, /declare the `role` of the users it creates/)
    assert.throws(() => sanitizeCollection({ name: 'oauth', schema: Type.Object({ x: Type.String() }) }), /name is reserved by the engine/)
  })
})

describe('declaring a blueprint', () => {
  it('accepts the appointments blueprint', () => {
    const blueprint = sanitizeBlueprint(appointmentsBlueprint)
    assert.equal(blueprint.users.name, 'users')
  })
  it('refuses a reference to an undeclared collection, a missing RBAC collection and unknown permission names', () => {
    const base = appointmentsBlueprint
    assert.throws(() => sanitizeBlueprint({ ...base, collections: [...base.collections, { name: 'extra', schema: Type.Object({ x: Ref('ghosts') }) }] }), /unknown collection "ghosts"/)
    assert.throws(() => sanitizeBlueprint({ ...base, collections: base.collections.filter((c) => c.name !== 'roles') }), /roles/)
    assert.throws(() => sanitizeBlueprint({ ...base, roles: [{ RoleName: 'X', permissions: ['nope'] }, ...base.roles] }), /unknown permission "nope"/)
    assert.throws(() => sanitizeBlueprint({ ...base, adminRole: 'Ghost' }), /adminRole/)
    const users = base.collections.find((c) => c.name === 'users')!
    const withSignUp = (signUp: any) => ({ ...base, collections: base.collections.map((c) => (c === users ? { ...users, auth: { ...users.auth!, signUp } } : c)) })
    assert.throws(() => sanitizeBlueprint(withSignUp({ roles: ['Ghost'] })), /signUp names unknown role "Ghost"/)
    assert.throws(() => sanitizeBlueprint(withSignUp({ roles: ['Developer'], creates: [{ collection: 'ghosts', data: {} }] })), /signUp creates records of unknown collection "ghosts"/)
    const withOAuth = { ...base, collections: base.collections.map((c) => (c === users ? { ...users, indexes: [...(users.indexes ?? []), { fields: { Name: 1 as const }, unique: true }], auth: { ...users.auth!, oauth: { sso: { idField: 'Name', role: 'Ghost' } } } } : c)) }
    assert.throws(() => sanitizeBlueprint(withOAuth), /oauth provider "sso" names unknown role "Ghost"/)
  })
  it('refuses a seeded permission whose action or subject nothing checks, naming the right one for a method name', () => {
    const base = appointmentsBlueprint
    const withPermission = (Action: string, Subject: string) => ({ ...base, permissions: [...base.permissions, { PermissionName: 'extra', Action, Subject }] })
    assert.equal(sanitizeBlueprint(withPermission('respond', 'appointments')).permissions.length, base.permissions.length + 1)
    assert.equal(sanitizeBlueprint(withPermission('read', 'audit-log')).permissions.length, base.permissions.length + 1)
    assert.throws(() => sanitizeBlueprint(withPermission('remove', 'appointments')), /permission "extra": action "remove" is one nothing checks \("remove" is a service method: its action is "delete"\)/)
    assert.throws(() => sanitizeBlueprint(withPermission('patch', 'appointments')), /its action is "update"/)
    assert.throws(() => sanitizeBlueprint(withPermission('approve', 'appointments')), /action "approve" is one nothing checks \(the actions checked are "manage", "create", "read", "update", "delete", "access", "respond"\)/)
    assert.throws(() => sanitizeBlueprint(withPermission('read', 'appointment')), /permission "extra": subject "appointment" is not a collection, "admin", "audit-log" or "all"/)
  })
  it('takes a tenancy whose tenants are declared and referenced by the field, and names a bad one', () => {
    const base = appointmentsBlueprint
    assert.deepEqual(sanitizeBlueprint({ ...base, tenancy: { collection: 'users', field: 'ManagerId' } }).tenancy, { collection: 'users', field: 'ManagerId' })
    assert.throws(() => sanitizeBlueprint({ ...base, tenancy: { collection: 'ghosts', field: 'ManagerId' } }), /tenancy: collection "ghosts" is not declared/)
    assert.throws(() => sanitizeBlueprint({ ...base, tenancy: { collection: 'roles', field: 'ManagerId' } }), /no collection has a field "ManagerId" referencing "roles"/)
  })

  it('takes dashboard charts over declared collections, enum series and date-time periods, and names a bad one', () => {
    const base = appointmentsBlueprint
    const chart = { name: 'per-week', title: 'Per week', collection: 'appointments', over: { field: 'AppointedDate', per: 'week' as const, from: -4, to: 3 }, by: 'Status' }
    assert.equal(sanitizeBlueprint({ ...base, dashboard: [chart] }).dashboard?.length, 1)
    const refused = (change: Record<string, unknown>, message: RegExp) =>
      assert.throws(() => sanitizeBlueprint({ ...base, dashboard: [{ ...chart, ...change } as any] }), (error: any) => error instanceof DeclarationError && message.test(error.message))
    refused({ collection: 'ghosts' }, /collection "ghosts" is not declared/)
    refused({ by: 'ManagerId' }, /by: "ManagerId" is not an Enum field/)
    refused({ over: { field: 'Status', per: 'week', from: 0, to: 1 } }, /over: "Status" is not a DateTime field/)
    refused({ over: { field: 'AppointedDate', per: 'year', from: 0, to: 1 } }, /over.per must be day, week or month/)
    refused({ over: { field: 'AppointedDate', per: 'day', from: 0, to: 400 } }, /at most 60 periods/)
    refused({ name: 'Per Week' }, /name must be lower-case/)
    assert.throws(() => sanitizeBlueprint({ ...base, dashboard: [chart, chart] }), /declared twice/)
  })

  it('takes scheduled tasks with a cron expression, and names a bad one', () => {
    const base = appointmentsBlueprint
    const run = async () => undefined
    assert.deepEqual(sanitizeBlueprint(base).schedules, [])
    assert.deepEqual(sanitizeBlueprint({ ...base, schedules: [{ name: 'hourly', cron: '0 * * * *', run }] }).schedules.map((s) => s.name), ['hourly'])
    const refused = (schedules: any[], message: RegExp) => assert.throws(() => sanitizeBlueprint({ ...base, schedules }), (error: any) => error instanceof DeclarationError && message.test(error.message))
    refused([{ name: 'typo', cron: '0 25 * * *', run }], /schedule "typo": cron "0 25 \* \* \*" is not valid: .*0-23/)
    refused([{ name: 'words', cron: 'every hour', run }], /schedule "words": cron "every hour" is not valid/)
    refused([{ name: 'short', cron: '0 *', run }], /expected 5 fields/)
    refused([{ name: 'zone', cron: '0 * * * *', timezone: 'Mars/Olympus', run }], /in time zone "Mars\/Olympus" is not valid/)
    refused([{ name: 'Bad Name', cron: '0 * * * *', run }], /name must be lower-case/)
    refused([{ name: 'no-run', cron: '0 * * * *' }], /`run` must be a function/)
    refused([{ name: 'twice', cron: '0 * * * *', run }, { name: 'twice', cron: '5 * * * *', run }], /schedule "twice" is declared twice/)
  })
})
