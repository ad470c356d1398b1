// The input of a declared action (and of a signal): `{ id, ...data }`. One definition for validation, OpenAPI and the typed client.
import { closeSchema } from './sanitize.js'
import type { ActionInput, JsonSchema } from './types.js'

export function actionInputSchema(action: Pick<ActionInput, 'data' | 'description'>): JsonSchema {
  const input = action.data as JsonSchema
  // Bounded and closed as collection schemas are.
  return closeSchema({
    type: 'object',
    description: action.description,
    properties: { id: { type: 'string', minLength: 1, description: 'Id of the record the action applies to' }, ...input.properties },
    required: ['id', ...(input.required ?? [])],
    additionalProperties: false
  })
}
