// The permission editor: Action and Subject are picked from what the engine checks (declared actions, transitions'
// permissions, collections), Conditions are typed in a JSON editor (components/json.js) and parsed on save.
import type { EngineApp } from '../engine.js'
import { permissions as permissionsCollection } from '../schemas/rbac.js'
import { AUDIT_PATH, permissionVocabulary, type PermissionVocabulary } from '../permissions/vocabulary.js'

export const JSON_EDIT_COMPONENT = 'QuillbaseJsonEdit'

/** Every CASL action and subject type the app's checks use, for the pickers (the API still takes any string). */
export function panelVocabulary(app: EngineApp): PermissionVocabulary {
  const vocabulary = permissionVocabulary(app.blueprint.collections)
  const services = (app as any).services ?? {}
  // The audit log is a subject only where it runs.
  return { ...vocabulary, subjects: vocabulary.subjects.filter((subject) => subject !== AUDIT_PATH || AUDIT_PATH in services) }
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
