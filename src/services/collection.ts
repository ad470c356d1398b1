// The one generic service factory: a declared collection becomes a Feathers service with the engine's hook chain.
import { authenticate } from '@feathersjs/authentication'
import { BadRequest } from '@feathersjs/errors'
import type { Application, HookContext, NextFunction, Params } from '@feathersjs/feathers'
import { authorize, gate } from '../hooks/authorize.js'
import { emails } from '../hooks/emails.js'
import { sentSize, storedSize } from '../hooks/record-size.js'
import { references, type Referrers } from '../hooks/references.js'
import { rejectUnsafeKeys } from '../hooks/safe-keys.js'
import { hideSecrets, protectSecrets } from '../hooks/secrets.js'
import { timestamps } from '../hooks/timestamps.js'
import { nestedReadOnly, validInput, validation } from '../hooks/validate.js'
import { ranges } from '../hooks/ranges.js'
import { masking, maskedSort, workflowHooks } from '../hooks/workflows/index.js'
import type { Permissions } from '../permissions/abilities.js'
import { permittedPublisher } from '../permissions/channels.js'
import { actionInputSchema } from '../schemas/actions.js'
import { compile, dataAjv } from '../schemas/validators.js'
import type { Collection } from '../schemas/types.js'
import type { Store } from './store.js'
import { audited } from './audit.js'
import { ReadCache } from './cache.js'
import { fileFields, type Files } from './files.js'
import type { Documents } from './documents.js'
import type { ExportJobs } from './export-jobs.js'
import type { Imports } from './imports.js'
import type { Reports } from './reports.js'
import { holdEvents, transactional } from './transactions.js'

export const SERVICE_METHODS = ['find', 'get', 'create', 'update', 'patch', 'remove']

export interface EngineParts {
  store: Store
  permissions: Permissions
  referrers: Referrers
  encryptionKey: Buffer
  /** The audit log's store service, which `audited` appends to (absent: no audit log). */
  audit?: any
  /** Uploaded files: links records to the files their `File()` fields hold. */
  files?: Files
  /** Bulk imports: the hook of `importer` collections. */
  imports?: Imports
  /** Export jobs: the hook of `exporter` collections. */
  exportJobs?: ExportJobs
  /** Generated reports: the hook of collections with `aggregates`. */
  reports?: Reports
  /** Rendered documents: the hook of collections that declare a `document`. */
  documents?: Documents
}

/** A token, when given, must be valid; without one the caller is anonymous and permissions decide. */
const authenticateIfPresent = () => {
  const jwt = authenticate('jwt')
  return (context: HookContext, next: NextFunction) => (context.params.authentication ? jwt(context, next) : next())
}

/** Declared actions take `{ id, ...input }`; the input is checked against the action's own schema. */
function validateAction(collection: Collection) {
  const validators = Object.fromEntries(Object.entries(collection.actions).map(([name, action]) => [name, compile(dataAjv, actionInputSchema(action))]))
  return async (context: HookContext, next: NextFunction) => {
    const validate = validators[context.method]
    if (validate) context.data = await validInput(validate, context.data)
    return next()
  }
}

export async function createCollectionService(app: Application, collection: Collection, parts: EngineParts) {
  const service = await parts.store.createService(collection)
  const actionNames = Object.keys(collection.actions)
  for (const [name, action] of Object.entries(collection.actions)) {
    service[name] = async ({ id, ...data }: { id: string }, params: Params) => {
      const record = await service._get(id)
      // The action's change is audited as the action, through the caller's transport.
      const audit = { method: name, transport: params.provider ?? 'internal' }
      const patch = (changes: Record<string, unknown>) => app.service(collection.name).patch(id, changes, { user: params.user, audit })
      return action.run({ app, record, data, user: params.user, params, patch })
    }
  }

  app.use(collection.name, service, { methods: [...SERVICE_METHODS, ...actionNames], events: collection.events })
  // After feathers-sync's wrapper: a held event travels to other instances only once committed.
  holdEvents(app.service(collection.name) as any, parts.store)
  const cache = collection.cache && new ReadCache(collection.cache)
  if (cache) {
    cache.listen(app.service(collection.name) as any, parts.store)
    Object.assign(app.service(collection.name), { readCache: cache })
  }
  app.service(collection.name).hooks({
    around: {
      all: [
        // Outermost: everything the call reads and writes, its hooks' nested calls included, is one transaction.
        transactional(parts.store),
        hideSecrets(collection),
        authenticateIfPresent(),
        gate(collection, parts.permissions),
        // Before the size check: its JSON.stringify would overflow the stack on data nested thousands of levels deep.
        rejectUnsafeKeys(),
        sentSize(collection),
        emails(collection),
        validation(collection),
        validateAction(collection),
        // Outside authorize, so it masks what authorize let through; workflows run once the call is authorized.
        ...(collection.masks?.length ? [masking(collection, parts.permissions)] : []),
        authorize(collection),
        nestedReadOnly(collection),
        ...(collection.ranges?.length ? [ranges(collection)] : []),
        ...(collection.masks?.length ? [maskedSort(collection)] : []),
        ...workflowHooks(app, collection),
        storedSize(collection),
        ...(parts.reports && collection.aggregates ? [parts.reports.hook(collection)] : []),
        ...(parts.imports && collection.importer ? [parts.imports.hook(collection)] : []),
        ...(parts.exportJobs && collection.exporter ? [parts.exportJobs.hook(collection)] : []),
        ...(parts.documents && collection.document ? [parts.documents.hook(collection)] : []),
        ...(parts.files && fileFields(collection).length ? [parts.files.hook(collection)] : []),
        references(collection, parts.referrers),
        timestamps(collection),
        protectSecrets(collection, parts.encryptionKey),
        ...(parts.audit ? [audited(collection, () => parts.audit)] : []),
        // Innermost: the store's answer to the authorized query, nothing the caller's own hooks above decide.
        ...(cache ? [cache.hook(parts.store)] : [])
      ]
    },
    before: collection.before,
    after: collection.after
  } as any)
  app.service(collection.name).publish(permittedPublisher(app, collection, parts.permissions) as any)
  await parts.store.ensureIndexes(collection)
}
