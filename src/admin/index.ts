// Mounts AdminJS at /admin on the Feathers Koa app: logging in with the same users, every action through the services.
import { createHmac } from 'node:crypto'
import AdminJS, { type CurrentAdmin } from 'adminjs'
import { buildAuthenticatedRouter } from '@adminjs/koa'
import type { Context, Middleware, Next } from 'koa'
import type { EngineApp, Settings } from '../engine.js'
import { withoutSecrets } from '../hooks/secrets.js'
import { sessionEnded } from '../services/authentication.js'
import { localAssets, panelScripts } from './assets.js'
import { attachCaller, callerOf, sessionAdminOf, type Caller } from './caller.js'
import { componentsBundle, dashboardData, DASHBOARD_COMPONENT } from './dashboard.js'
import { FeathersDatabase } from './database.js'
import { brandLogin, loginRoute } from './login.js'
import { workflowActions } from './actions.js'
import { operationRoutes } from './operation-routes.js'
import { operationLabels } from './operations.js'
import { narrowFieldsPerCaller, propertyLabels, resourceWithOptions } from './options.js'
import { FeathersResource } from './resource.js'
import { panelVocabulary } from './permission-editor.js'
import { ADMIN_ACCESS } from '../permissions/vocabulary.js'
import { sessionTenant, tenantRoute } from './tenancy.js'

export { FeathersDatabase } from './database.js'
export { FeathersResource } from './resource.js'
export { FeathersProperty } from './property.js'

export const ADMIN_ROOT = '/admin'

/** The permission that opens the panel: CASL action `access` on subject `admin`. */
export { ADMIN_ACCESS }

const SESSION_HOURS = 8

/** A wrong password, an unknown email and a user without `access admin` get the same answer. */
const INVALID_CREDENTIALS = 'Wrong email or password, or this account may not enter the admin panel'

let registered = false
function registerAdapter() {
  if (registered) return
  AdminJS.registerAdapter({ Database: FeathersDatabase, Resource: FeathersResource })
  registered = true
}

/** Without `adminCookieSecret`, a key derived from the JWT secret (itself kept in the data folder or configured). */
function cookieSecret(app: EngineApp, settings: Pick<Settings, 'adminCookieSecret'>) {
  if (settings.adminCookieSecret) return settings.adminCookieSecret
  const secret = app.get('authentication')?.secret
  if (!secret) throw new Error('mountAdmin needs the authentication settings (or adminCookieSecret) to sign its session cookie')
  return createHmac('sha256', secret).update('quillbase admin session').digest('hex')
}

/** Koa's compose, kept local: the panel's middleware run as one, only for paths under its root. */
function chain(middleware: Middleware[]): Middleware {
  return (ctx, next) => {
    const dispatch = (index: number): Promise<any> =>
      index === middleware.length ? next() : Promise.resolve(middleware[index](ctx, () => dispatch(index + 1)))
    return dispatch(0)
  }
}

/** Builds the AdminJS instance of an engine app: one resource per collection, the dashboard, the login texts. */
export function createAdmin(app: EngineApp, rootPath = ADMIN_ROOT): AdminJS {
  registerAdapter()
  const resources = new FeathersDatabase(app).resources()
  const labels = Object.fromEntries(app.blueprint.collections.map((collection) => [collection.name, collection.label]))
  // Button labels of declared actions and transitions ("Respond", "Mark Approved") and human field labels ("Manager"), per resource.
  const resourceTexts = Object.fromEntries(
    resources.map((resource) => [resource.id(), { actions: { ...workflowActions(resource).labels, ...operationLabels(resource) }, properties: propertyLabels(resource) }])
  )
  const vocabulary = panelVocabulary(app)
  const admin = new AdminJS({
    rootPath,
    loginPath: `${rootPath}/login`,
    logoutPath: `${rootPath}/logout`,
    resources: resources.map((resource) => resourceWithOptions(resource, vocabulary)),
    dashboard: {
      component: DASHBOARD_COMPONENT,
      handler: (_request, _response, context) => dashboardData(app, context.currentAdmin, rootPath)
    },
    branding: { companyName: `quillbase · ${app.blueprint.name}`, withMadeWithLove: false, logo: false },
    locale: {
      language: 'en',
      availableLanguages: ['en'],
      localeDetection: false,
      translations: {
        en: {
          labels,
          resources: resourceTexts,
          messages: { invalidCredentials: INVALID_CREDENTIALS }
        }
      }
    },
    settings: { defaultPerPage: 20 }
  })
  for (const resource of resources) narrowFieldsPerCaller(resource, app.blueprint.tenancy)
  brandLogin(admin, app)
  return admin
}

/** The user behind a session, read fresh, with their ability; `undefined` if removed or no longer allowed in. */
async function loadCaller(app: EngineApp, id: string, loggedInAt?: string): Promise<Caller | undefined> {
  const users = app.blueprint.users
  let stored: Record<string, any>
  try {
    stored = await app.service(users.name).get(id)
  } catch (error: any) {
    // Gone, or an id this store cannot even read (a session from another store): no caller.
    if (error?.code === 404 || error?.code === 400) return undefined
    throw error
  }
  // Deactivated, or the password changed since this session began (a cookie without its start counts as oldest).
  if (sessionEnded(users, stored, Date.parse(loggedInAt ?? '') || 0)) return undefined
  const user = withoutSecrets(users, stored)
  const ability = await app.permissions.abilityFor(user)
  if (!ability.can(ADMIN_ACCESS.action, ADMIN_ACCESS.subject)) return undefined
  return { user, ability, role: await app.permissions.roleNameOf(user) }
}

/** Email + password through the local strategy (the same as `POST /authentication`), then the `access admin` permission. */
async function authenticate(app: EngineApp, email: string, password: string): Promise<CurrentAdmin | null> {
  let user: Record<string, any>
  try {
    ;({ user } = await app.service('authentication').create({ strategy: 'local', email, password }, {}))
  } catch (error: any) {
    // A wrong login shows the form again; malformed input (400) and the login limit (429) are said by the login route.
    if (error?.code === 401) return null
    throw error
  }
  const ability = await app.permissions.abilityFor(user)
  if (!ability.can(ADMIN_ACCESS.action, ADMIN_ACCESS.subject)) return null
  // The record and ability are not kept in the cookie: they are loaded again at each request.
  return sessionAdminOf(user, app.blueprint.users.admin.titleField)
}

/**
 * Mounts the panel. Call it before the app's body parser: AdminJS parses its own (multipart) forms.
 * Services may be registered afterwards; resources look theirs up at each call.
 */
export async function mountAdmin(app: EngineApp, settings: Pick<Settings, 'adminCookieSecret'> = {}, rootPath = ADMIN_ROOT): Promise<AdminJS> {
  const admin = createAdmin(app, rootPath)
  ;(app as any).keys = [cookieSecret(app, settings)]

  // @adminjs/koa adds its session and asset middleware with `app.use`; collected here, they run only under the panel's root.
  const collected: Middleware[] = []
  const collector = { context: (app as any).context, use: (middleware: Middleware) => collected.push(middleware) }
  const login = (email: string, password: string) => authenticate(app, email, password)
  // @adminjs/koa needs `authenticate`; its POST login route is shadowed by ours (`loginRoute`), which runs first.
  const router = buildAuthenticatedRouter(admin, collector as any, {
    authenticate: login,
    sessionOptions: { key: 'quillbase.admin', signed: true, httpOnly: true, sameSite: 'lax', path: rootPath, maxAge: SESSION_HOURS * 3600 * 1000, renew: true }
  })

  const scripts = panelScripts(rootPath, componentsBundle())
  const attachSessionCaller: Middleware = async (ctx: Context, next: Next) => {
    const current: CurrentAdmin | undefined = ctx.session?.adminUser
    if (current && !ctx.path.startsWith(`${rootPath}/frontend/`)) {
      const caller = current.id ? await loadCaller(app, current.id, (current as any).loggedInAt) : undefined
      // Removed, or no longer allowed in: the router sends the browser back to the login page.
      if (caller) attachCaller(current, { ...caller, tenant: sessionTenant(app, caller.ability, ctx.session) })
      else delete ctx.session!.adminUser
    }
    return next()
  }
  const panel = chain([
    localAssets(rootPath, scripts),
    // AdminJS's own route would run Rollup at the first request (or, in production, serve a file only its bundler makes).
    scripts.middleware(),
    ...collected,
    loginRoute(admin, login, INVALID_CREDENTIALS),
    attachSessionCaller,
    // Before the data operations' routes, which answer 404 for every other path under the same base.
    tenantRoute(app, rootPath, (ctx) => callerOf(ctx.session?.adminUser)),
    operationRoutes(app, admin, rootPath),
    router.routes() as Middleware,
    router.allowedMethods() as Middleware
  ])
  app.use((ctx: Context, next: Next) => (ctx.path === rootPath || ctx.path.startsWith(`${rootPath}/`) ? panel(ctx, next) : next()))
  return admin
}
