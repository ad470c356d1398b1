// The panel's login page: our texts, the typed email kept after a failure, and refusals (the login limit) said plainly.
import { bodyParser } from '@feathersjs/koa'
import type AdminJS from 'adminjs'
import type { CurrentAdmin } from 'adminjs'
import type { Context, Middleware, Next } from 'koa'
import type { EngineApp } from '../engine.js'

/** What the login component (`components/login.js`) shows besides the form. */
interface LoginState {
  title: string
  description: string
  email?: string
  message?: string
}

/**
 * AdminJS's login template puts its props into `JSON.parse('…')` inside a script, unescaped: a typed `'` or `</script>`
 * would break the page or inject markup. Percent-encoded (quotes too), the state holds only `[A-Za-z0-9%._~!*()-]`.
 */
const encodeState = (state: LoginState) => encodeURIComponent(JSON.stringify(state)).replace(/'/g, '%27')

/** "15 minutes", "40 seconds": the wait the login limit announces in seconds. */
function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

/** The page's message and status for a refused login; `undefined` for errors that are not the caller's (rethrown). */
function refusal(error: any): { status: number; message: string; retryAfter?: number } | undefined {
  if (error?.code === 429) {
    const retryAfter = Number(error.data?.retryAfter) || undefined
    return { status: 429, retryAfter, message: `Too many failed logins for this account. Try again${retryAfter ? ` in ${waitText(retryAfter)}` : ' later'}.` }
  }
  if (error?.code === 400) return { status: 400, message: 'Enter an email and a password.' }
  return undefined
}

/** Our texts in every rendering of the login page (AdminJS's GET route included). */
export function brandLogin(admin: AdminJS, app: EngineApp) {
  const render = admin.renderLogin.bind(admin)
  const texts = { title: `quillbase · ${app.blueprint.name}`, description: app.blueprint.description || 'Administration of the collections of this backend.' }
  admin.renderLogin = (props: Record<string, any>) => {
    const { email, message, ...rest } = props
    return render({ ...rest, errorMessage: null, quillbase: encodeState({ ...texts, email, message: message ?? rest.errorMessage ?? undefined }) } as any)
  }
}

export type Authenticate = (email: string, password: string) => Promise<CurrentAdmin | null>

/**
 * POST `<root>/login`, in place of @adminjs/koa's (which shows every refusal as raw JSON and forgets the email):
 * a success starts the session as theirs does; a failure shows the form again with the email and the reason.
 */
export function loginRoute(admin: AdminJS, authenticate: Authenticate, failedMessage: string): Middleware {
  const { rootPath, loginPath } = admin.options
  const parse = bodyParser({ multipart: false, urlencoded: true, json: true, text: false })
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST' || ctx.path !== loginPath) return next()
    await parse(ctx, async () => {})
    const body: Record<string, unknown> = (ctx.request as any).body ?? {}
    // As sent: the authentication service refuses what is not a string (e.g. `{ "$in": […] }`) with its own 400.
    const { email, password } = body as { email: string; password: string }
    let adminUser: CurrentAdmin | null = null
    let failed: ReturnType<typeof refusal> = { status: 200, message: failedMessage }
    try {
      adminUser = await authenticate(email, password)
    } catch (error) {
      failed = refusal(error)
      // A client asking for JSON (not a browser's form) gets the Feathers error, as from the API.
      if (!failed || ctx.accepts('html', 'json') === 'json') throw error
    }
    if (adminUser) {
      ctx.session!.adminUser = adminUser
      const redirectTo = ctx.session!.redirectTo
      delete ctx.session!.redirectTo
      return ctx.redirect(redirectTo || rootPath)
    }
    ctx.status = failed.status
    if (failed.retryAfter) ctx.set('Retry-After', String(failed.retryAfter))
    ctx.type = 'html'
    ctx.body = await admin.renderLogin({ action: loginPath, errorMessage: null, email: typeof email === 'string' ? email : '', message: failed.message } as any)
  }
}
