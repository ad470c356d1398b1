// The appointments blueprint served with feathers-casl 2.2.0's `authorize` hook and channel helper in place of the
// engine's gate/authorize/publishers; everything else (store, validation, references, secrets, login, rules from data) is ours.
import type { AddressInfo } from 'node:net'
import { authenticate } from '@feathersjs/authentication'
import { feathers, type HookContext, type NextFunction } from '@feathersjs/feathers'
import { bodyParser, errorHandler, koa, parseAuthentication, rest } from '@feathersjs/koa'
import socketio from '@feathersjs/socketio'
import { createAliasResolver, createMongoAbility, type MongoAbility } from '@casl/ability'
import { authorize, feathersCasl, getChannelsWithReadAbility } from 'feathers-casl'
import type { EngineApp } from '../../src/app.js'
import { loadBlueprint } from '../../src/blueprints/index.js'
import { references, referrersOf } from '../../src/hooks/references.js'
import { encryptionKey, hideSecrets, protectSecrets } from '../../src/hooks/secrets.js'
import { timestamps } from '../../src/hooks/timestamps.js'
import { validation } from '../../src/hooks/validate.js'
import { Permissions } from '../../src/permissions/abilities.js'
import { RBAC_COLLECTIONS } from '../../src/schemas/rbac.js'
import { setupAuthentication, UserCache } from '../../src/services/authentication.js'
import { seedAccessControl } from '../../src/services/bootstrap.js'
import { SERVICE_METHODS } from '../../src/services/collection.js'
import { createStore } from '../../src/services/store.js'
import { testSettings, type TestServer } from '../helpers.js'

/** feathers-casl checks Feathers method names (`find`, `get`, `patch`, `remove`); the stored rules say `read`, `update`, `delete`. */
const resolveAction = createAliasResolver({ read: ['get', 'find'], update: ['patch'], delete: ['remove'] })

export async function startFeathersCaslServer(): Promise<TestServer> {
  const blueprint = await loadBlueprint('appointments')
  const settings = testSettings()
  const app = koa(feathers()) as unknown as EngineApp
  const store = await createStore({})
  const permissions = new Permissions(app, { ...blueprint.users.auth!, anonymousRole: blueprint.anonymousRole })
  const abilityFor = async (user?: Record<string, any>): Promise<MongoAbility> =>
    createMongoAbility((await permissions.abilityFor(user)).rules as any, { resolveAction }) as MongoAbility
  Object.assign(app, { blueprint, store, permissions, ready: false })

  app.set('authentication', {
    secret: settings.authSecret,
    entity: 'user',
    service: blueprint.users.name,
    authStrategies: ['jwt', 'local'],
    jwtOptions: { header: { typ: 'access' }, audience: 'quillbase', algorithm: 'HS256', expiresIn: '1h' },
    local: { usernameField: 'email', passwordField: 'password' }
  })
  app.use(errorHandler())
  app.use(parseAuthentication())
  app.use(bodyParser())
  app.configure(rest())
  app.configure(socketio() as any)
  // Our embedded store's codec understands `$nor`, as @feathersjs/mongodb does.
  app.configure(feathersCasl({ defaultAdapter: '@feathersjs/mongodb' }))

  const key = encryptionKey(settings.encryptionKey!)
  const referrers = referrersOf(blueprint.collections)
  const jwt = authenticate('jwt')
  for (const collection of blueprint.collections) {
    app.use(collection.name, await store.createService(collection), { methods: SERVICE_METHODS, events: collection.events })
    const caslOptions = { modelName: (context: HookContext) => context.path, availableFields: ['_id', ...collection.fields] }
    app.service(collection.name).hooks({
      around: {
        all: [
          hideSecrets(collection),
          (context: HookContext, next: NextFunction) => (context.params.authentication ? jwt(context, next) : next()),
          async (context: HookContext, next: NextFunction) => {
            if (context.params.provider) context.params.ability = await abilityFor(context.params.user)
            return next()
          },
          validation(collection),
          references(collection, referrers),
          timestamps(collection),
          protectSecrets(collection, key)
        ]
      },
      // Its documented form: the same hook before and after (as an around hook it loses pages: `data: [{}]` for six users).
      before: { all: [authorize(caslOptions)] },
      after: { all: [authorize(caslOptions)] }
    } as any)
    await store.ensureIndexes(collection)
  }
  setupAuthentication(app, blueprint.users, new UserCache(), { attempts: 1000, windowSeconds: 60, sharedKey: 'quillbase:feathers-casl-test' })
  for (const name of RBAC_COLLECTIONS) {
    for (const event of ['created', 'updated', 'patched', 'removed']) app.service(name).on(event, () => permissions.invalidate())
  }

  // feathers-casl's documented channel setup: the connection's ability is built at login and read on every event.
  app.on('connection', (connection: any) => app.channel('anonymous').join(connection))
  app.on('login', async (result: any, { connection }: any) => {
    if (!connection) return
    connection.ability = await abilityFor(result.user)
    app.channel('anonymous').leave(connection)
    app.channel('authenticated').join(connection)
  })
  app.publish((data: any, context: HookContext) => {
    const collection = blueprint.collections.find((c) => c.name === context.path)
    const availableFields = collection ? ['_id', ...collection.fields] : undefined
    return getChannelsWithReadAbility(app, data, context, { channels: app.channel('authenticated'), availableFields }) as any
  })

  const server = await app.listen(0)
  await seedAccessControl(app, blueprint)
  await blueprint.demo!(app)
  const { port } = server.address() as AddressInfo
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir: '',
    async close() {
      await app.teardown()
      await store.close()
    }
  }
}
