// The permission editor: Action and Subject are picked from what the engine checks (declared actions, transitions'
// permissions, collections), Conditions are typed in a JSON editor (components/json.js) and parsed on save.
import type { EngineApp } from '../engine.js'
import { UNMASK } from '../hooks/workflows/masking.js'
import { permissions as permissionsCollection } from '../schemas/rbac.js'
import { AUDIT_PATH } from '../services/audit.js'

/** `manage` (all of them) first, then the service methods' actions. */
const METHOD_ACTIONS = ['manage', 'create', 'read', 'update', 'delete']

export const JSON_EDIT_COMPONENT = 'QuillbaseJsonEdit'

export interface PermissionVocabulary {
  actions: string[]
  subjects: string[]
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b))

/** Every CASL action and subject type the app's checks use, for the pickers (the API still takes any string). */
export function permissionVocabulary(app: EngineApp, panelAccess: { action: string; subject: string }): PermissionVocabulary {
  const { collections } = app.blueprint
  const declared = collections.flatMap((collection) => [
    ...Object.keys(collection.actions ?? {}),
    ...(collection.stateMachines ?? []).flatMap((machine) => machine.transitions.map((transition) => transition.permission).filter((p): p is string => !!p)),
    ...(collection.masks?.length ? [UNMASK] : [])
  ])
  const services = (app as any).services ?? {}
  return {
    actions: [...METHOD_ACTIONS, ...sorted([panelAccess.action, ...declared].filter((action) => !METHOD_ACTIONS.includes(action)))],
    subjects: ['all', ...sorted([panelAccess.subject, ...collections.map((collection) => collection.name), ...(AUDIT_PATH in services ? [AUDIT_PATH] : [])])]
  }
}

/** AdminJS property options of the permissions collection: the pickers and the JSON editor. */
export function permissionEditorProperties(collection: string, vocabulary: PermissionVocabulary | undefined) {
  if (!vocabulary || collection !== permissionsCollection.name) return {}
  const choices = (values: string[]) => values.map((value) => ({ value, label: value }))
  return {
    Action: { availableValues: choices(vocabulary.actions) },
    Subject: { availableValues: choices(vocabulary.subjects) },
    Conditions: { components: { edit: JSON_EDIT_COMPONENT } }
  }
}
