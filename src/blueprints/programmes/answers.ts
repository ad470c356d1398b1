// A programme's `criteria.questions` checks the answers of each application to it: required ones given, each of its type.
import { BadRequest } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import { Enum, Type, type Static } from '../../schemas/fields.js'

export const Question = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_]+$' }),
  label: Type.String({ minLength: 1, maxLength: 500 }),
  type: Enum(['text', 'number', 'boolean', 'choice']),
  options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, description: 'For choice questions' })),
  required: Type.Optional(Type.Boolean())
})
type QuestionRecord = Static<typeof Question>

/** What is wrong with one answer, or undefined when it fits its question. */
function problemWith(question: QuestionRecord, answer: unknown): string | undefined {
  if (answer === undefined || answer === null || answer === '') return question.required ? 'is required' : undefined
  if (question.type === 'number') return typeof answer === 'number' ? undefined : 'must be a number'
  if (question.type === 'boolean') return typeof answer === 'boolean' ? undefined : 'must be true or false'
  if (typeof answer !== 'string') return 'must be text'
  if (question.type === 'choice' && !(question.options ?? []).includes(answer)) return `must be one of ${(question.options ?? []).join(', ')}`
  return undefined
}

/** Before create/update/patch of an application: its answers against its programme's questions (400 naming each). */
export async function answersFitCriteria(context: HookContext) {
  const { data, app, id } = context
  if (!data || Array.isArray(data) || (context.method === 'patch' && data.answers === undefined && data.Programme_id === undefined)) return
  const stored = id !== undefined && id !== null ? await (context.service as any)._get(id) : undefined
  const programmeId = data.Programme_id ?? stored?.Programme_id
  const answers: Record<string, unknown> = data.answers ?? stored?.answers ?? {}
  const programme = programmeId ? await (app.service('programmes') as any)._get(programmeId).catch(() => undefined) : undefined
  const questions: QuestionRecord[] = programme?.criteria?.questions ?? []
  if (!questions.length) return
  const known = new Set(questions.map((q) => q.key))
  const errors: Record<string, string> = {}
  for (const question of questions) {
    const problem = problemWith(question, answers[question.key])
    if (problem) errors[question.key] = `${question.label} ${problem}`
  }
  for (const key of Object.keys(answers)) if (!known.has(key)) errors[key] = 'is not a question of this programme'
  if (Object.keys(errors).length) throw new BadRequest(`The answers do not fit the programme's criteria: ${Object.values(errors).join('; ')}`, { answers: errors })
}
