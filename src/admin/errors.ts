// Feathers errors from the services → AdminJS errors, so field messages show next to the fields and refusals as notices.
import { FeathersError } from '@feathersjs/errors'
import { ForbiddenError, NotFoundError, ValidationError, type PropertyErrors } from 'adminjs'

/** `data: { field: message }` as AdminJS property errors; anything else in `data` is not about fields. */
function propertyErrors(data: unknown): PropertyErrors {
  const errors: PropertyErrors = {}
  if (!data || typeof data !== 'object' || Array.isArray(data)) return errors
  for (const [field, message] of Object.entries(data)) {
    if (typeof message === 'string') errors[field] = { message, type: 'service' }
  }
  return errors
}

export function toAdminError(error: unknown): unknown {
  if (!(error instanceof FeathersError)) return error
  switch (error.code) {
    case 400: // BadRequest: validation with `{ field: message }`
    case 409: // Conflict: e.g. a blocked attendee, a unique value taken, a record still referenced
    case 422: // Unprocessable: a reference to a record that does not exist
      return new ValidationError(error.code === 409 ? {} : propertyErrors(error.data), { message: error.message, type: error.className })
    case 401:
    case 403:
      return new ForbiddenError(error.message)
    case 404:
      return new NotFoundError(error.message, 'resource')
    default:
      return error
  }
}

/** Runs a service call; its Feathers errors come out as AdminJS errors. */
export async function adminCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toAdminError(error)
  }
}
