// The logged-in admin's user record and ability, attached to AdminJS's `currentAdmin` for one request.
import type { MongoAbility } from '@casl/ability'
import { ForbiddenError, type CurrentAdmin } from 'adminjs'

export interface Caller {
  /** The user record (without secrets), read fresh at each request: role changes apply at once. */
  user: Record<string, any>
  ability: MongoAbility
  /** The role's name, for the per-role rules of state machines (buttons are decided synchronously). */
  role?: string
  /** The tenant this caller narrowed the panel to (blueprint `tenancy`), when they may read every tenant. */
  tenant?: string
}

/** A symbol key: never serialized into the session cookie nor into the page state sent to the browser. */
const CALLER = Symbol('quillbase.admin.caller')

export function attachCaller(currentAdmin: CurrentAdmin, caller: Caller): CurrentAdmin {
  Object.defineProperty(currentAdmin, CALLER, { value: caller, enumerable: false, configurable: true })
  return currentAdmin
}

export function callerOf(currentAdmin: CurrentAdmin | undefined): Caller | undefined {
  return currentAdmin ? (currentAdmin as any)[CALLER] : undefined
}

/** The caller, or a refusal: every service call from the panel is made as a known user. */
export function requireCaller(currentAdmin: CurrentAdmin | undefined): Caller {
  const caller = callerOf(currentAdmin)
  if (!caller) throw new ForbiddenError('Your admin session has ended; log in again')
  return caller
}

/** What the session cookie keeps of a user: id, email and the name shown in the top bar; nothing else. */
export const sessionAdminOf = (user: Record<string, any>, titleField = 'email'): CurrentAdmin => ({
  id: String(user._id),
  email: String(user.email ?? ''),
  title: String(user[titleField] ?? ''),
  // When the session began: a later password change ends it, as it ends API tokens.
  loggedInAt: new Date().toISOString()
})

/** A `currentAdmin` with its caller attached, as the session middleware makes it for each request (and tests do). */
export const adminFor = (user: Record<string, any>, ability: MongoAbility, titleField = 'email', role?: string): CurrentAdmin =>
  attachCaller(sessionAdminOf(user, titleField), { user, ability, role })
