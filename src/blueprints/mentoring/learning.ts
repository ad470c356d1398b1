// Seed 004: learning paths of modules, and each user's progress through one (derived from the modules completed).
import { Unprocessable } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import { DateTime, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { text, title } from './fields.js'

const group = 'Learning'

export const learningPaths = defineCollection({
  name: 'learning-paths',
  schema: Type.Object({
    title: title(),
    category: text(100),
    description: Type.Optional(text()),
    modules: Type.Array(
      Type.Object({ id: Type.String({ minLength: 1, maxLength: 50 }), title: title(), description: Type.Optional(text()), durationMinutes: Type.Optional(Type.Integer({ minimum: 1 })) }),
      { maxItems: 200 }
    )
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { category: 1 } }],
  admin: { titleField: 'title', listFields: ['title', 'category', 'createdAt'], group }
})

/** progress = completed modules of the path / its modules, in percent; completedAt stamped when it reaches 100. */
async function progressOf(record: Record<string, any>, context: HookContext) {
  const path = await context.app.service('learning-paths').get(record.pathId)
  const ids = new Set<string>(path.modules.map((m: { id: string }) => m.id))
  const unknown = (record.completedModules ?? []).filter((id: string) => !ids.has(id))
  if (unknown.length) throw new Unprocessable(`completedModules names modules that path "${path.title}" does not have: ${unknown.join(', ')}`, { completedModules: 'unknown module' })
  const done = new Set(record.completedModules ?? []).size
  const progress = ids.size ? Math.round((100 * done) / ids.size) : 0
  return { progress, ...(progress === 100 ? { completedAt: record.completedAt ?? new Date().toISOString() } : {}) }
}

export const userLearningProgress = defineCollection({
  name: 'user-learning-progress',
  schema: Type.Object({
    userId: Ref('users', { onDelete: 'cascade' }),
    pathId: Ref('learning-paths', { onDelete: 'cascade' }),
    completedModules: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { uniqueItems: true, maxItems: 200, default: [] }),
    progress: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, readOnly: true, description: 'percent, derived from completedModules' })),
    completedAt: Type.Optional(DateTime({ readOnly: true }))
  }),
  // The seed's startedAt is the creation stamp.
  timestamps: { createdAt: 'startedAt', updatedAt: 'updatedAt' },
  indexes: [{ fields: { userId: 1, pathId: 1 }, unique: true }],
  derive: progressOf,
  admin: { titleField: 'pathId', listFields: ['userId', 'pathId', 'progress', 'startedAt', 'completedAt'], group }
})
