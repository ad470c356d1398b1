// Every error a caller sees is a Feathers error as JSON: a clear code, never a stack trace, never a driver's internals.
import { FeathersError, GeneralError, BadRequest, NotFound, convert } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Context, Next } from 'koa'

export class PayloadTooLarge extends FeathersError {
  constructor(message = 'Request body is too large', data?: unknown) {
    super(message, 'PayloadTooLarge', 413, 'payload-too-large', data)
  }
}

/** Turns anything thrown into a Feathers error fit for a caller; unexpected ones are logged and hidden behind a 500. */
export function toCallerError(error: any): FeathersError {
  let result: FeathersError
  if (error instanceof FeathersError) result = error
  else if (error?.status === 413 || error?.type === 'entity.too.large') result = new PayloadTooLarge()
  else if (error?.status >= 400 && error?.status < 500) result = convert({ ...error, name: undefined, code: error.status, message: error.message }) ?? new BadRequest(error.message)
  else if (error instanceof SyntaxError) result = new BadRequest('Malformed JSON body')
  else {
    console.error('[quillbase] unexpected error:', error)
    result = new GeneralError('Internal server error')
  }
  if (!(result instanceof FeathersError)) result = new BadRequest(String(error?.message ?? 'Bad request'))
  delete (result as any).stack
  delete (result as any).hook
  return result
}

/** koa-body's `onError`: a body that cannot be read (bad gzip, wrong charset) is the caller's fault, whatever threw. */
export function unreadableBody(error: any): never {
  if (error?.status >= 400 && error?.status < 500) throw error
  throw new BadRequest(`Unreadable request body: ${error?.message ?? 'unknown encoding'}`)
}

/** App-level around hook: calls from outside get caller-safe errors; internal calls keep the original. */
export const callerErrors = () => async (context: HookContext, next: NextFunction) => {
  try {
    await next()
  } catch (error) {
    throw context.params.provider ? toCallerError(error) : error
  }
}

/** Koa middleware for what happens outside services (body parsing, unknown paths). */
export const koaErrors = () => async (ctx: Context, next: Next) => {
  try {
    await next()
    if (ctx.body === undefined && ctx.status === 404) throw new NotFound(`Path ${ctx.path} not found`)
  } catch (error) {
    const feathersError = toCallerError(error)
    ctx.status = feathersError.code
    // A 429 says when to come back (the rate and login limits put it in `data.retryAfter`, seconds).
    const retryAfter = (feathersError.data as any)?.retryAfter
    if (feathersError.code === 429 && Number.isFinite(retryAfter)) ctx.set('Retry-After', String(retryAfter))
    ctx.body = feathersError.toJSON()
  }
}
