// The AdminJS adapter at the service level: declarations → properties, filters → Feathers queries, writes through the services.
import assert from 'node:assert/strict'
import { Filter, ForbiddenError, ValidationError, type BaseResource, type CurrentAdmin } from 'adminjs'
import { adminFor, attachCaller, callerOf } from '../../src/admin/caller.js'
import { readsEveryTenant } from '../../src/admin/tenancy.js'
import { createAdmin } from '../../src/admin/index.js'
import type { FeathersProperty } from '../../src/admin/property.js'
import { FeathersResource, propertiesOf } from '../../src/admin/resource.js'
import { blueprintNames, loadBlueprint } from '../../src/blueprints/index.js'
import { startServer, type TestServer } from '../helpers.js'

describe('admin adapter', function () {
  this.timeout(20000)
  let server: TestServer
  let users: Record<string, any>
  let adminOf: (email: string) => Promise<CurrentAdmin>
  const resourceOf = (name: string) => new FeathersResource({ app: server.app, collection: server.app.blueprint.collections.find((c) => c.name === name)! })
  const propertyOf = (collection: string, path: string) => resourceOf(collection).property(path) as FeathersProperty
  const context = (currentAdmin: CurrentAdmin) => ({ currentAdmin }) as any
  const query = (resource: FeathersResource, filters: Record<string, unknown>) => resource.queryOf(new Filter(filters, resource))

  before(async () => {
    server = await startServer('appointments')
    const all = (await server.app.service('users').find({ paginate: false })) as any[]
    users = Object.fromEntries(all.map((user) => [user.email.split('@')[0], user]))
    adminOf = async (email) => {
      const user = users[email]
      return adminFor(user, await server.app.permissions.abilityFor(user), 'Name')
    }
  })
  after(() => server.close())

  describe('properties from the declarations of the appointments blueprint', () => {
    it('maps strings, formatted strings and the title field', () => {
      const name = propertyOf('users', 'Name')
      assert.equal(name.type(), 'string')
      assert.equal(name.isRequired(), true)
      assert.equal(name.isTitle(), true)
      const email = propertyOf('users', 'email')
      assert.equal(email.type(), 'string')
      assert.equal(propertyOf('bulk-uploads', 'file_url').isRequired(), false)
      assert.equal(propertyOf('permissions', 'Description').type(), 'textarea', 'long text gets a text area')
    })

    it('maps integers to numeric inputs, booleans and date-times', () => {
      assert.equal(propertyOf('bulk-uploads', 'TotalRecords').type(), 'float')
      assert.equal(propertyOf('reports', 'MeetingAttended').type(), 'float')
      assert.equal(propertyOf('permissions', 'Inverted').type(), 'boolean')
      assert.equal(propertyOf('appointments', 'AppointedDate').type(), 'datetime')
      assert.equal(propertyOf('users', 'resetPasswordExpires').type(), 'datetime')
    })

    it('maps enums to selects with their values', () => {
      const status = propertyOf('appointments', 'Status')
      assert.equal(status.type(), 'string')
      assert.deepEqual(status.availableValues(), ['Scheduled', 'Cancelled'])
    })

    it('maps references, single and arrays, to pickers of the referenced collection', () => {
      const manager = propertyOf('appointments', 'ManagerId')
      assert.equal(manager.type(), 'reference')
      assert.equal(manager.reference(), 'users')
      const blocked = propertyOf('users', 'BlockedUser')
      assert.equal(blocked.type(), 'reference')
      assert.equal(blocked.reference(), 'users')
      assert.equal(blocked.isArray(), true)
      const granted = propertyOf('role-permission-mappings', 'Permission_ids')
      assert.deepEqual([granted.reference(), granted.isArray()], ['permissions', true])
      assert.equal(propertyOf('role-permission-mappings', 'RoleId').reference(), 'roles')
    })

    it('maps arrays of objects to repeated groups of sub-properties', () => {
      const attendees = propertyOf('appointments', 'Attendees')
      assert.equal(attendees.type(), 'mixed')
      assert.equal(attendees.isArray(), true)
      const sub = Object.fromEntries(attendees.subProperties().map((p) => [p.name(), p as FeathersProperty]))
      assert.deepEqual(Object.keys(sub), ['DeveloperId', 'Status', 'ResponseTime'])
      assert.equal(sub.DeveloperId.reference(), 'users')
      assert.equal(sub.DeveloperId.isRequired(), true)
      assert.deepEqual(sub.Status.availableValues(), ['Accepted', 'Declined'])
      assert.equal(sub.ResponseTime.type(), 'datetime')
      assert.equal(sub.ResponseTime.fullPath(), 'Attendees.ResponseTime')
      const details = propertyOf('bulk-uploads', 'ErrorDetails')
      assert.deepEqual(details.subProperties().map((p) => [p.name(), p.type()]), [['Row', 'float'], ['Error', 'textarea']])
      assert.equal(resourceOf('appointments').property('Attendees.0.Status')?.fullPath(), 'Attendees.Status', 'indexes in paths are skipped')
    })

    it('maps nested objects to sub-properties', () => {
      const range = propertyOf('reports', 'DateRange')
      assert.equal(range.type(), 'mixed')
      assert.equal(range.isArray(), false)
      assert.deepEqual(range.subProperties().map((p) => [p.name(), p.type()]), [['StartDate', 'datetime'], ['Enddate', 'datetime']])
    })

    it('edits free-form objects as JSON text and string arrays as repeated inputs', () => {
      const conditions = propertyOf('permissions', 'Conditions')
      assert.equal(conditions.json, true)
      assert.equal(conditions.type(), 'textarea')
      assert.equal(conditions.toParam({ ManagerId: '{{user._id}}' }), '{\n  "ManagerId": "{{user._id}}"\n}')
      assert.deepEqual(conditions.toData('{"ManagerId":"{{user._id}}"}'), { ManagerId: '{{user._id}}' })
      assert.throws(() => conditions.toData('{nope'), ValidationError)
      const fields = propertyOf('permissions', 'Fields')
      assert.deepEqual([fields.type(), fields.isArray()], ['string', true])
    })

    it('shows a password only as an input of the edit form, and encrypted secrets nowhere', () => {
      const password = propertyOf('users', 'password')
      assert.equal(password.type(), 'password')
      assert.deepEqual(password.visibility(), { list: false, show: false, edit: true, filter: false })
      assert.equal(password.toData(''), undefined, 'an empty password input changes nothing')
      assert.equal(resourceOf('users').property('resetPasswordToken'), null)
    })

    it('adds the id and the engine timestamps as read-only, sortable properties', () => {
      const id = propertyOf('appointments', '_id')
      assert.equal(id.isId(), true)
      assert.equal(id.isEditable(), false)
      for (const stamp of ['CreatedAt', 'UpdatedAt']) {
        const property = propertyOf('appointments', stamp)
        assert.deepEqual([property.type(), property.isEditable(), property.isSortable()], ['datetime', false, true])
      }
      assert.equal(propertyOf('appointments', 'Attendees').isSortable(), false, 'arrays cannot be sorted on')
    })

    it('gives every field of every collection of every blueprint a type AdminJS can draw', async () => {
      const collections = []
      for (const name of await blueprintNames()) collections.push(...(await loadBlueprint(name)).collections)
      for (const collection of collections) {
        for (const property of propertiesOf(collection)) {
          assert.ok(['string', 'float', 'boolean', 'datetime', 'date', 'reference', 'mixed', 'textarea', 'password'].includes(property.type()), `${collection.name}.${property.name()}`)
          if (property.type() === 'mixed') assert.ok(property.subProperties().length > 0, `${collection.name}.${property.name()} has sub-properties`)
        }
      }
    })
  })

  describe('filters, sort and pages as Feathers queries', () => {
    it('matches free text (emails too) by "contains, ignoring case": the engine\'s $icontains', () => {
      assert.deepEqual(query(resourceOf('users'), { Name: 'patel' }), { Name: { $icontains: 'patel' } })
      assert.deepEqual(query(resourceOf('users'), { email: 'lin@' }), { email: { $icontains: 'lin@' } })
      assert.deepEqual(query(resourceOf('users'), { Name: 'Ada', RoleId: 'r1' }), { Name: { $icontains: 'Ada' }, RoleId: 'r1' })
    })

    it('matches enums, references and ids exactly', () => {
      assert.deepEqual(query(resourceOf('appointments'), { Status: 'Cancelled' }), { Status: 'Cancelled' })
      assert.deepEqual(query(resourceOf('appointments'), { ManagerId: 'abc' }), { ManagerId: 'abc' })
      assert.deepEqual(query(resourceOf('appointments'), { 'Attendees.DeveloperId': 'dev' }), { 'Attendees.DeveloperId': 'dev' })
      assert.deepEqual(query(resourceOf('appointments'), { _id: 'x1' }), { _id: 'x1' })
    })

    it('turns date ranges and partial dates into $gte/$lte/$lt', () => {
      const resource = resourceOf('appointments')
      assert.deepEqual(query(resource, { 'AppointedDate~~from': '2025-03-01T00:00:00.000Z', 'AppointedDate~~to': '2025-03-31T00:00:00.000Z' }), {
        AppointedDate: { $gte: '2025-03-01T00:00:00.000Z', $lte: '2025-03-31T00:00:00.000Z' }
      })
      assert.deepEqual(query(resource, { AppointedDate: '2025-03' }), { AppointedDate: { $gte: '2025-03-01T00:00:00.000Z', $lt: '2025-04-01T00:00:00.000Z' } })
      assert.deepEqual(query(resource, { 'AppointedDate~~from': '2025-03-01T00:00:00.000Z' }), { AppointedDate: { $gte: '2025-03-01T00:00:00.000Z' } })
    })

    it('turns numbers, comparisons and ranges typed in a filter into numeric conditions', () => {
      const resource = resourceOf('bulk-uploads')
      assert.deepEqual(query(resource, { TotalRecords: '100' }), { TotalRecords: 100 })
      assert.deepEqual(query(resource, { TotalRecords: '>=5' }), { TotalRecords: { $gte: 5 } })
      assert.deepEqual(query(resource, { TotalRecords: '1..3' }), { TotalRecords: { $gte: 1, $lte: 3 } })
      assert.deepEqual(query(resource, { 'TotalRecords~~from': '2', 'TotalRecords~~to': '9' }), { TotalRecords: { $gte: 2, $lte: 9 } })
      assert.deepEqual(query(resource, { TotalRecords: 'many' }), {}, 'a value that is no number is ignored')
    })

    it('reads booleans and ignores fields that cannot be filtered', () => {
      assert.deepEqual(query(resourceOf('permissions'), { Inverted: 'true' }), { Inverted: true })
      assert.deepEqual(query(resourceOf('permissions'), { Conditions: '{}', Nope: 'x' }), {})
      assert.deepEqual(query(resourceOf('users'), { password: 'secret' }), {})
    })

    it('finds, counts, sorts and pages through the service as the admin', async () => {
      const admin = await adminOf('admin')
      const resource = resourceOf('appointments')
      const cancelled = new Filter({ Status: 'Cancelled' }, resource)
      assert.equal(await resource.count(cancelled, context(admin)), 1)
      const maria = new Filter({ ManagerId: users.maria._id }, resource)
      const records = await resource.find(maria, { sort: { sortBy: 'AppointedDate', direction: 'desc' } }, context(admin))
      assert.equal(records.length, 2)
      const dates = records.map((r) => r.get('AppointedDate'))
      assert.deepEqual(dates, [...dates].sort().reverse())
      const everything = new Filter({}, resource)
      const page2 = await resource.find(everything, { limit: 3, offset: 3, sort: { sortBy: 'AppointedDate', direction: 'asc' } }, context(admin))
      assert.equal(page2.length, 1)
      const people = resourceOf('users')
      const found = await people.find(new Filter({ Name: 'ANAGE' }, people), {}, context(admin))
      assert.deepEqual(found.map((r) => r.get('Name')).sort(), ['Maria Manager', 'Omar Manager'])
      const many = await people.findMany([users.lin._id, users.sam._id, users.lin._id], context(admin))
      assert.deepEqual(many.map((r) => r.get('Name')).sort(), ['Lin Chen', 'Sam Okafor'])
    })

    it('filters inside arrays of objects and by date range through the service', async () => {
      const admin = await adminOf('admin')
      const resource = resourceOf('appointments')
      assert.equal(await resource.count(new Filter({ 'Attendees.DeveloperId': users.lin._id }, resource), context(admin)), 2)
      const now = new Date().toISOString()
      assert.equal(await resource.count(new Filter({ 'AppointedDate~~from': now }, resource), context(admin)), 3)
      assert.equal(await resource.count(new Filter({ 'AppointedDate~~to': now }, resource), context(admin)), 1)
    })
  })

  describe('writes go through the service as the logged-in user', () => {
    it('reports validation errors per field', async () => {
      const admin = await adminOf('admin')
      const roleId = users.lin.RoleId
      await assert.rejects(
        resourceOf('users').create({ Name: 'Nadia', email: 'not-an-email', password: 'long-enough-secret', RoleId: roleId }, context(admin)),
        (error: any) => error instanceof ValidationError && /email/.test(error.propertyErrors.email.message)
      )
    })

    it('creates a user with a hashed password that is never returned', async () => {
      const admin = await adminOf('admin')
      const created = await resourceOf('users').create(
        { Name: 'Nadia', email: 'nadia@example.com', password: 'long-enough-secret', RoleId: users.lin.RoleId, 'BlockedUser.0': users.omar._id },
        context(admin)
      )
      assert.equal(created.password, undefined)
      assert.deepEqual(created.BlockedUser, [users.omar._id])
      const stored = await (server.app.service('users') as any)._get(created._id)
      assert.match(stored.password, /^\$2[aby]\$/)
    })

    it('patches only what changed, so field-limited permissions hold', async () => {
      const maria = await adminOf('maria')
      const resource = resourceOf('users')
      const record = (await resource.findOne(users.maria._id, context(maria)))!
      // The form posts every field back; only Name changed, which Maria may update on her own record.
      const updated = await resource.update(users.maria._id, { ...record.params, Name: 'Maria M.', password: '' }, context(maria))
      assert.equal(updated.Name, 'Maria M.')
      await assert.rejects(
        resource.update(users.maria._id, { ...record.params, RoleId: users.admin.RoleId }, context(maria)),
        (error: any) => error instanceof ValidationError && /may not change field "RoleId"/.test(error.propertyErrors.RoleId?.message)
      )
    })

    it('stores JSON text as objects and refuses invalid JSON next to the field', async () => {
      const admin = await adminOf('admin')
      const resource = resourceOf('permissions')
      const created = await resource.create({ PermissionName: 'read-scheduled', Action: 'read', Subject: 'appointments', Conditions: '{ "Status": "Scheduled" }', Inverted: false }, context(admin))
      assert.equal(created.Conditions, '{\n  "Status": "Scheduled"\n}')
      const stored = await server.app.service('permissions').get(created._id)
      assert.deepEqual(stored.Conditions, { Status: 'Scheduled' })
      await assert.rejects(
        resource.create({ PermissionName: 'broken', Action: 'read', Subject: 'appointments', Conditions: '{ Status' }, context(admin)),
        (error: any) => error instanceof ValidationError && !!error.propertyErrors.Conditions
      )
      await resource.delete(created._id, context(admin))
    })

    it('removes a cleared optional field, and refuses to clear a required one next to it', async () => {
      const admin = await adminOf('admin')
      const resource = resourceOf('users')
      const [lin] = (await server.app.service('users').find({ paginate: false, query: { email: 'lin@example.com' } })) as any[]
      await server.app.service('users').patch(lin._id, { resetPasswordExpires: '2031-01-01T00:00:00.000Z' })
      const record = (await resource.findOne(lin._id, context(admin)))!
      await assert.rejects(
        resource.update(lin._id, { ...record.params, Name: '', resetPasswordExpires: '' }, context(admin)),
        (error: any) => {
          assert.ok(error instanceof ValidationError)
          // Only the required field is refused (Name: at least one character); clearing the optional one is fine.
          assert.deepEqual(Object.keys(error.propertyErrors), ['Name'], JSON.stringify(error.propertyErrors))
          return true
        }
      )
      const stored = await server.app.service('users').get(lin._id)
      assert.equal(stored.Name, lin.Name)
      assert.equal(stored.resetPasswordExpires, '2031-01-01T00:00:00.000Z', 'nothing is saved when a field is refused')
      const updated = await resource.update(lin._id, { ...record.params, resetPasswordExpires: '' }, context(admin))
      assert.ok(!('resetPasswordExpires' in updated), JSON.stringify(updated))
      assert.ok(!('resetPasswordExpires' in (await server.app.service('users').get(lin._id))))
    })

    it('reports every refusal as a ValidationError, field errors resolved (a taken unique value names its field)', async () => {
      const admin = await adminOf('admin')
      await assert.rejects(
        resourceOf('users').create({ Name: 'Twin', email: 'maria@example.com', password: 'long-enough-secret', RoleId: users.lin.RoleId }, context(admin)),
        (error: any) => error instanceof ValidationError && /already taken/.test(error.propertyErrors.email?.message ?? '') && /unique/.test(error.baseError?.message ?? '')
      )
    })

    it('turns conflicts into a message the form shows', async () => {
      const admin = await adminOf('admin')
      await assert.rejects(resourceOf('roles').delete(users.lin.RoleId, context(admin)), (error: any) => error instanceof ValidationError && /referenced/i.test(error.baseError?.message ?? ''))
    })

    it('lets a manager see and change only their own appointments', async () => {
      const maria = await adminOf('maria')
      const resource = resourceOf('appointments')
      const all = await resource.find(new Filter({}, resource), {}, context(maria))
      assert.equal(all.length, 2)
      assert.ok(all.every((record) => record.get('ManagerId') === users.maria._id))
      assert.equal(await resource.count(new Filter({}, resource), context(maria)), 2)
      const omars = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: users.omar._id } })) as any[]
      assert.equal(await resource.findOne(omars[0]._id, context(maria)), null, 'a record she may not read is one she cannot find (a ForbiddenError broke the page)')
      // Refused writes are ValidationErrors: AdminJS keeps the form (and what was typed) only for those.
      await assert.rejects(resource.update(omars[0]._id, { Status: 'Cancelled' }, context(maria)), (error: any) => error instanceof ValidationError && error.baseError?.type === 'forbidden')
      await assert.rejects(resourceOf('roles').create({ RoleName: 'Hacker' }, context(maria)), (error: any) => error instanceof ValidationError && error.baseError?.type === 'forbidden')
    })

    it('emits the same service events as the API', async () => {
      const admin = await adminOf('admin')
      const events: any[] = []
      const listener = (record: any) => events.push(record)
      server.app.service('reports').on('created', listener)
      try {
        const created = await resourceOf('reports').create(
          {
            CreatedBy: users.maria._id,
            'DateRange.StartDate': '2025-01-01T00:00:00.000Z',
            'DateRange.Enddate': '2025-01-31T00:00:00.000Z'
          },
          context(admin)
        )
        assert.deepEqual(created.DateRange, { StartDate: '2025-01-01T00:00:00.000Z', Enddate: '2025-01-31T00:00:00.000Z' })
        assert.equal(created.MeetingScheduled, 0, 'counted by the engine: no appointment in that range')
        assert.equal(events.length, 1)
        assert.equal(events[0]._id, created._id)
      } finally {
        server.app.service('reports').removeListener('created', listener)
      }
    })

    it('refuses calls without a logged-in caller', async () => {
      const resource = resourceOf('appointments')
      await assert.rejects(resource.count(new Filter({}, resource), context({ email: 'x' })), ForbiddenError)
    })
  })

  describe('what each role sees in the panel', () => {
    let admin: ReturnType<typeof createAdmin>
    before(() => {
      admin = createAdmin(server.app)
    })
    const resourceJSON = (id: string, currentAdmin: CurrentAdmin) => (admin.findResource(id) as BaseResource).decorate().toJSON(currentAdmin)

    it('shows access control to the admin only', async () => {
      const [root, maria] = [await adminOf('admin'), await adminOf('maria')]
      for (const id of ['roles', 'permissions', 'role-permission-mappings']) {
        assert.ok(resourceJSON(id, root).href, `admin lists ${id}`)
        assert.equal(resourceJSON(id, maria).href, null, `manager does not list ${id}`)
      }
      const appointments = resourceJSON('appointments', maria)
      assert.ok(appointments.href)
      assert.deepEqual(appointments.resourceActions.map((a: any) => a.name).sort(), ['exportCsv', 'list', 'new'])
      assert.equal(appointments.navigation?.name ?? null, null)
      assert.equal(resourceJSON('roles', root).navigation?.name, 'Access control')
    })

    it('uses the declared list columns', async () => {
      const json = resourceJSON('appointments', await adminOf('admin'))
      assert.deepEqual(json.listProperties.map((p: any) => p.propertyPath), ['AppointedDate', 'ManagerId', 'Status', 'CreatedAt'])
    })

    it('leaves out of forms the fields a user may not write', async () => {
      const json = resourceJSON('users', await adminOf('maria'))
      assert.deepEqual(json.editProperties.map((p: any) => p.propertyPath).sort(), ['BlockedUser', 'Name', 'password'])
      const full = resourceJSON('users', await adminOf('admin'))
      assert.ok(full.editProperties.some((p: any) => p.propertyPath === 'RoleId'))
    })

    it('checks record actions against the record', async () => {
      const maria = await adminOf('maria')
      const resource = admin.findResource('appointments') as BaseResource
      const records = (await server.app.service('appointments').find({ paginate: false })) as any[]
      const own = resource.build(records.find((r) => r.ManagerId === users.maria._id))
      const other = resource.build(records.find((r) => r.ManagerId === users.omar._id))
      const actions = (record: any) => resource.decorate().recordActions(record, maria).map((a) => a.name).sort()
      assert.deepEqual(actions(own), ['edit', 'show'])
      assert.deepEqual(actions(other), [])
    })
  })

  // The engine's `tenancy` on a fixture unrelated to any tenant blueprint: appointments "belong" to their manager.
  describe('tenancy (a declared tenant field narrows the panel for callers who read every tenant)', () => {
    const tenancy = { collection: 'users', field: 'ManagerId' }
    let declared: any
    before(() => {
      declared = server.app.blueprint.tenancy
      server.app.blueprint.tenancy = tenancy
    })
    after(() => {
      server.app.blueprint.tenancy = declared
    })
    const withTenant = (currentAdmin: CurrentAdmin, tenant?: string) => attachCaller({ ...currentAdmin }, { ...callerOf(currentAdmin)!, tenant })

    it('offers the switch to callers with an unconditional read of the tenants only', async () => {
      assert.equal(readsEveryTenant(callerOf(await adminOf('admin'))!.ability, tenancy), true)
      // A Manager reads the user directory with a field list, and their own record: not every tenant.
      assert.equal(readsEveryTenant(callerOf(await adminOf('maria'))!.ability, tenancy), false)
      assert.equal(readsEveryTenant(callerOf(await adminOf('admin'))!.ability, undefined), false)
    })

    it("narrows lists, counts and pickers to the tenant chosen, a filter on the same field kept beside it", async () => {
      const resource = resourceOf('appointments')
      const admin = await adminOf('admin')
      const all = await resource.count(new Filter({}, resource), context(admin))
      const marias = (await server.app.service('appointments').find({ paginate: false, query: { ManagerId: users.maria._id } })) as any[]
      assert.ok(marias.length > 0 && marias.length < all)
      const narrowed = withTenant(admin, users.maria._id)
      assert.equal(await resource.count(new Filter({}, resource), context(narrowed)), marias.length)
      const found = await resource.find(new Filter({}, resource), { limit: 500 }, context(narrowed))
      assert.deepEqual(found.map((record) => record.params.ManagerId), marias.map(() => users.maria._id))
      assert.equal(await resource.count(new Filter({ ManagerId: users.omar._id }, resource), context(narrowed)), 0)
      // The tenants themselves are not narrowed (the switcher lists them), nor are collections without the field.
      const everyUser = ((await server.app.service('users').find({ query: { $limit: 0 } })) as any).total
      assert.equal(await resourceOf('users').count(new Filter({}, resourceOf('users')), context(narrowed)), everyUser)
    })

    it('puts the tenant column and the switcher in the resource as such callers receive it', async () => {
      const json = createAdmin(server.app).findResource('appointments')!.decorate().toJSON(withTenant(await adminOf('admin'), users.maria._id)) as any
      assert.ok(json.listProperties.some((p: any) => p.propertyPath === 'ManagerId'))
      assert.deepEqual(json.tenancy, { path: 'ManagerId', label: 'Manager', resourceId: 'users', current: users.maria._id })
      const managers = createAdmin(server.app).findResource('appointments')!.decorate().toJSON(await adminOf('maria')) as any
      assert.equal(managers.tenancy, undefined)
    })
  })
})
