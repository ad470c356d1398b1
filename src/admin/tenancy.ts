// The tenant switcher (blueprint `tenancy`): a caller who may read every tenant sees each record's tenant in lists and
// may narrow the panel to one tenant; the choice is kept in their session and added to every list, count and picker.
import type { MongoAbility } from '@casl/ability'
import { BadRequest, Forbidden, NotFound } from '@feathersjs/errors'
import type { Context, Middleware, Next } from 'koa'
import type { EngineApp } from '../engine.js'
import type { Collection, TenancyInput } from '../schemas/types.js'
import type { Caller } from './caller.js'
import type { Query } from './filter.js'
import { ADMIN_PROVIDER } from './resource.js'

/** Where the switcher posts `?id=<tenant>` (no id: every tenant), below the panel's root. */
export const TENANT_PATH = '/api/quillbase/tenant'

const ID = /^[\w-]{1,64}$/

/** The collection's records name their tenant (a top-level reference to the tenants); the tenants themselves are not scoped. */
export const isTenantScoped = (tenancy: TenancyInput | undefined, collection: Collection): tenancy is TenancyInput =>
  !!tenancy && collection.name !== tenancy.collection && collection.references.some((ref) => ref.path === tenancy.field && !ref.many && ref.collection === tenancy.collection)

/**
 * Reads every tenant: a rule granting `read` on the tenants without conditions (a SuperAdmin's `manage all`). An Admin
 * limited to their own society has only a conditional one, and never sees the switcher.
 */
export const readsEveryTenant = (ability: MongoAbility, tenancy: TenancyInput | undefined): tenancy is TenancyInput =>
  !!tenancy && ability.rulesFor('read', tenancy.collection).some((rule) => !rule.inverted && !rule.conditions && !rule.fields)

/** The tenant a caller narrowed the panel to, for a collection it applies to. */
export function tenantCondition(app: EngineApp, caller: Caller, collection: Collection): Query | undefined {
  const { tenancy } = app.blueprint
  if (!caller.tenant || !isTenantScoped(tenancy, collection)) return undefined
  return { [tenancy.field]: caller.tenant }
}


/** The session's tenant, for callers who may still read every tenant (a demoted SuperAdmin's choice is dropped). */
export function sessionTenant(app: EngineApp, ability: MongoAbility, session: Record<string, any> | null | undefined): string | undefined {
  const tenant = session?.quillbaseTenant
  return typeof tenant === 'string' && readsEveryTenant(ability, app.blueprint.tenancy) ? tenant : undefined
}

/** `POST <root>/api/quillbase/tenant?id=<id>`: checks the caller and the tenant (read as the caller), keeps it in the session. */
export function tenantRoute(app: EngineApp, rootPath: string, callerOf: (ctx: Context) => Caller | undefined): Middleware {
  const path = `${rootPath}${TENANT_PATH}`
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== path) return next()
    const error = (failure: { code: number; toJSON(): object }) => {
      ctx.status = failure.code
      ctx.body = failure.toJSON()
    }
    if (ctx.method !== 'POST') return error(new BadRequest('POST the tenant to switch to'))
    const caller = callerOf(ctx)
    const { tenancy } = app.blueprint
    if (!caller) return error(new Forbidden('Log in to the admin panel first'))
    if (!readsEveryTenant(caller.ability, tenancy)) return error(new Forbidden('Only callers who may read every tenant switch between them'))
    const id = typeof ctx.query.id === 'string' && ctx.query.id !== '' ? ctx.query.id : undefined
    if (id !== undefined) {
      if (!ID.test(id)) return error(new BadRequest(`Not a ${tenancy.collection} id: ${id}`))
      try {
        await app.service(tenancy.collection).get(id, { provider: ADMIN_PROVIDER, user: caller.user } as any)
      } catch (failure: any) {
        return error(failure?.code === 404 || failure?.code === 400 ? new NotFound(`No ${tenancy.collection} record ${id}`) : failure)
      }
    }
    if (id) ctx.session!.quillbaseTenant = id
    else delete ctx.session!.quillbaseTenant
    ctx.body = { tenant: id ?? null }
  }
}
