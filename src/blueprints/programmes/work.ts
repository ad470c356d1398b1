// Seed 001 §5 and §9: tasks of a programme (unassigned → pending → inprogress → completed) and reports on a programme or one of its tasks.
import { Unprocessable } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import { Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { name, RUNNERS, text } from './fields.js'

const group = 'Work'

/** A task is assigned to mentors and managers of its own programme only (422 naming the others). */
async function assigneesBelongToProgramme(context: HookContext) {
  const { data, app, id } = context
  if (!data || Array.isArray(data) || (data.assigned_to === undefined && data.Program_id === undefined)) return
  const stored = id !== undefined && id !== null ? await (context.service as any)._get(id) : undefined
  const programmeId = data.Program_id ?? stored?.Program_id
  const assignees: string[] = data.assigned_to ?? stored?.assigned_to ?? []
  if (!assignees.length) return
  const query = { paginate: false, query: { Program_id: programmeId, User_id: { $in: assignees } } }
  const members = [...(await (app.service('programme-mentors') as any)._find(query)), ...(await (app.service('programme-managers') as any)._find(query))]
  const belong = new Set(members.map((m: { User_id: string }) => String(m.User_id)))
  const outsiders = assignees.filter((user) => !belong.has(String(user)))
  if (outsiders.length) throw new Unprocessable('A task can be assigned only to mentors and managers of its programme', { assigned_to: outsiders })
}

export const tasks = defineCollection({
  name: 'tasks',
  schema: Type.Object({
    title: name(),
    description: Type.Optional(text(20000)),
    created_by: Ref('users', { readOnly: true, onDelete: 'nullify' }),
    status: Enum(['unassigned', 'pending', 'inprogress', 'completed'], { default: 'unassigned' }),
    Program_id: Ref('programmes', { onDelete: 'cascade' }),
    // Added: the seed's "many to many with Manager/mentors".
    assigned_to: Type.Optional(Type.Array(Ref('users', { onDelete: 'nullify' }), { uniqueItems: true, maxItems: 100, description: 'Mentors and managers of the programme' }))
  }),
  timestamps: { createdAt: 'date_created', updatedAt: 'updatedAt' },
  generate: { created_by: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  stateMachines: {
    status: {
      initial: ['unassigned', 'pending'],
      transitions: [
        { from: 'unassigned', to: 'pending', roles: RUNNERS },
        { from: 'pending', to: 'unassigned', roles: RUNNERS },
        { from: 'pending', to: 'inprogress', roles: ['mentor', ...RUNNERS] },
        { from: 'inprogress', to: ['pending', 'completed'], roles: ['mentor', ...RUNNERS] },
        { from: 'completed', to: 'inprogress', roles: RUNNERS }
      ],
      requires: { pending: ['assigned_to'], inprogress: ['assigned_to'], completed: ['assigned_to'] }
    }
  },
  // Each new assignee is told.
  triggers: [
    {
      on: ['create', 'patch', 'update'],
      create: 'notifications',
      with: { programme: 'Program_id' },
      forEach: { added: 'assigned_to' },
      data: { user_id: '{{each}}', type: 'task_assigned', title: 'Task assigned: {{record.title}}', body: 'In {{programme.name}}', about: '{{record._id}}' }
    }
  ],
  before: { create: [assigneesBelongToProgramme], update: [assigneesBelongToProgramme], patch: [assigneesBelongToProgramme] },
  indexes: [{ fields: { Program_id: 1, status: 1 } }, { fields: { assigned_to: 1 } }],
  admin: { titleField: 'title', listFields: ['title', 'Program_id', 'status', 'assigned_to', 'date_created'], group }
})

export const reports = defineCollection({
  name: 'reports',
  description: 'A report on a programme, or on one of its tasks (then `Type` is task and the task names the programme).',
  schema: Type.Object({
    Type: Type.Optional(Enum(['programme', 'task'], { readOnly: true, description: 'task when Task_id is set, else programme (derived)' })),
    report_title: name(),
    Achievements: Type.Optional(text(20000)),
    Blocker: Type.Optional(text(20000)),
    recommendations: Type.Optional(text(20000)),
    created_by: Ref('users', { readOnly: true, onDelete: 'nullify' }),
    Task_id: Type.Optional(Ref('tasks', { onDelete: 'cascade' })),
    program_id: Ref('programmes', { onDelete: 'cascade' })
  }),
  timestamps: { createdAt: 'date_created', updatedAt: 'updatedAt' },
  generate: { created_by: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  derive: (report) => ({ Type: report.Task_id ? 'task' : 'programme' }),
  // A task report's programme is its task's (422 when the caller names another).
  lookups: [{ field: 'Task_id', collection: 'tasks', query: { _id: '{{data.Task_id}}' }, copy: { program_id: 'Program_id' }, message: 'No such task' }],
  indexes: [{ fields: { program_id: 1, date_created: -1 } }, { fields: { Task_id: 1 } }, { fields: { created_by: 1 } }],
  admin: { titleField: 'report_title', listFields: ['report_title', 'Type', 'program_id', 'Task_id', 'created_by', 'date_created'], group }
})
