// The Feathers params of a request handled by a Koa middleware of ours (exports, files): the transport's params, and the
// caller authenticated once with the JWT strategy (revoked tokens, ended sessions), as the REST transport would.
import type { Params } from '@feathersjs/feathers'
import type { Context } from 'koa'
import type { EngineApp } from '../engine.js'

export async function callerParams(app: EngineApp, ctx: Context): Promise<Params> {
  const feathers = (ctx as any).feathers ?? {}
  const params: Params = { ...feathers, provider: 'rest', headers: ctx.request.headers, query: ctx.query }
  if (feathers.authentication) {
    const result = await (app.service('authentication') as any).authenticate(feathers.authentication, { provider: 'rest' }, 'jwt')
    Object.assign(params, { authentication: feathers.authentication, authenticated: true, user: result.user })
  }
  return params
}
