// What a permission may name: the CASL actions and subject types the engine checks. A seeded permission naming
// anything else would grant nothing (`remove` for `delete`, a misspelt collection), so the declaration check refuses
// it; the admin panel's permission editor offers the same lists.
import type { Collection } from '../schemas/types.js'
import { METHOD_ACTIONS } from './access.js'

/** `manage` (all of them) first, then the service methods' actions (patch is `update`, remove is `delete`). */
const BASE_ACTIONS = ['manage', ...new Set(['create', 'read', 'update', 'delete', ...Object.values(METHOD_ACTIONS)])]
/** The action that lets a caller read masked fields in clear. */
export const UNMASK = 'unmask'
/** The audit log's path, a subject of its own. */
export const AUDIT_PATH = 'audit-log'
/** Entering the admin panel. */
export const ADMIN_ACCESS = { action: 'access', subject: 'admin' } as const

export interface PermissionVocabulary {
  actions: string[]
  subjects: string[]
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b))

/** Every CASL action and subject type the engine's checks use for these collections. */
export function permissionVocabulary(collections: Collection[]): PermissionVocabulary {
  const declared = collections.flatMap((collection) => [
    ...Object.keys(collection.actions ?? {}),
    ...(collection.stateMachines ?? []).flatMap((machine) => machine.transitions.map((transition) => transition.permission).filter((p): p is string => !!p)),
    ...(collection.masks?.length ? [UNMASK] : [])
  ])
  return {
    actions: [...BASE_ACTIONS, ...sorted([ADMIN_ACCESS.action, ...declared].filter((action) => !BASE_ACTIONS.includes(action)))],
    subjects: ['all', ...sorted([ADMIN_ACCESS.subject, AUDIT_PATH, ...collections.map((collection) => collection.name)])]
  }
}

/** Why a permission's action is one nothing checks (with the action meant when it is a service method's name). */
export function actionProblem(action: string, { actions }: PermissionVocabulary): string | undefined {
  if (actions.includes(action)) return undefined
  const method = METHOD_ACTIONS[action]
  const hint = method ? `"${action}" is a service method: its action is "${method}"` : `the actions checked are ${actions.map((a) => `"${a}"`).join(', ')}`
  return `action "${action}" is one nothing checks (${hint})`
}

/** Why a permission's subject is one nothing checks. */
export function subjectProblem(subject: string, { subjects }: PermissionVocabulary): string | undefined {
  return subjects.includes(subject) ? undefined : `subject "${subject}" is not a collection, "${ADMIN_ACCESS.subject}", "${AUDIT_PATH}" or "all"`
}
