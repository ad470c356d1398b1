// Seed 001 §3–4: programmes (active → completed → archived), their managers and mentors, and applications to them.
import { DateTime, Enum, File, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { answersFitCriteria, Question } from './answers.js'
import { name, RUNNERS, text } from './fields.js'

const group = 'Programmes'

export const programmes = defineCollection({
  name: 'programmes',
  schema: Type.Object({
    name: name(),
    description: Type.Optional(text(20000)),
    Created_by: Ref('users', { readOnly: true }),
    Status: Enum(['active', 'completed', 'archived'], { default: 'active' }),
    archivedby: Type.Optional(Ref('users', { readOnly: true, onDelete: 'nullify' })),
    programme_picture: Type.Optional(File({ maxBytes: 5 * 1024 * 1024, types: ['image/png', 'image/jpeg', 'image/webp'] })),
    tasks: Type.Optional(Type.Array(Ref('tasks', { onDelete: 'nullify' }), { readOnly: true, maxItems: 10000, description: 'Kept by the engine from the tasks of this programme' })),
    date_completed: Type.Optional(DateTime({ readOnly: true })),
    date_archived: Type.Optional(DateTime({ readOnly: true })),
    // JSON the programme's managers design; its `questions` check the answers of applications.
    criteria: Type.Optional(Type.Object({ questions: Type.Optional(Type.Array(Question, { maxItems: 100 })) }, { additionalProperties: true })),
    report: Type.Optional(Type.Array(Ref('reports', { onDelete: 'nullify' }), { readOnly: true, maxItems: 10000, description: 'Kept by the engine from the reports of this programme' }))
  }),
  timestamps: { createdAt: 'date_created', updatedAt: 'updatedAt' },
  generate: { Created_by: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  stateMachines: {
    Status: {
      initial: ['active'],
      transitions: [
        { from: 'active', to: 'completed', roles: RUNNERS },
        { from: 'completed', to: 'archived', roles: RUNNERS }
      ],
      stamps: { completed: { date_completed: '{{now}}' }, archived: { date_archived: '{{now}}', archivedby: '{{user._id}}' } }
    }
  },
  rollups: [
    { from: 'tasks', via: 'Program_id', set: { tasks: { collect: '_id' } } },
    { from: 'reports', via: 'program_id', set: { report: { collect: '_id' } } }
  ],
  triggers: [
    // Its chat box first, so that its managers and mentors (the next trigger's record the first) join it.
    { on: ['create'], create: 'chats', data: { type: 'programme', programme_id: '{{record._id}}', name: '{{record.name}}' } },
    // Whoever creates a programme manages it (a manager, or an Admin who then appoints others).
    { on: ['create'], create: 'programme-managers', data: { Program_id: '{{record._id}}', User_id: '{{record.Created_by}}' } }
  ],
  indexes: [{ fields: { name: 1 }, unique: true }, { fields: { Status: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'Status', 'Created_by', 'date_created'], group }
})

const membership = (collectionName: string, description: string, chatBoxLink: string) =>
  defineCollection({
    name: collectionName,
    description,
    schema: Type.Object({ Program_id: Ref('programmes', { onDelete: 'cascade' }), User_id: Ref('users', { onDelete: 'cascade' }) }),
    // A member of the programme joins its chat box (unless already in it, as a manager who also mentors), and leaves it with this record.
    triggers: [
      {
        on: ['create'],
        create: 'chat-members',
        forEach: { collection: 'chats', query: { programme_id: '{{record.Program_id}}', member_ids: { $nin: ['{{record.User_id}}'] } } },
        data: { chat_id: '{{each._id}}', user_id: '{{record.User_id}}', [chatBoxLink]: '{{record._id}}' }
      }
    ],
    indexes: [{ fields: { Program_id: 1, User_id: 1 }, unique: true }, { fields: { User_id: 1 } }],
    admin: { titleField: 'User_id', listFields: ['Program_id', 'User_id'], group }
  })

export const programmeMentors = membership('programme-mentors', "The seed's ProgramsMentor: a mentor of a programme (created when their application is approved).", 'via_mentorship')
// Added: the seed's "many to many with Manager", the same shape as ProgramsMentor.
export const programmeManagers = membership('programme-managers', 'A manager of a programme: runs it, its applications, tasks, reports and certificates.', 'via_management')

export const programmeApplications = defineCollection({
  name: 'programme-applications',
  description: "A user's application to a programme; its manager approves (the applicant becomes a mentor of it) or declines.",
  schema: Type.Object({
    Programme_id: Ref('programmes', { onDelete: 'cascade' }),
    User_id: Ref('users', { onDelete: 'cascade', readOnly: true }),
    answers: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Answers to the programme's criteria questions, by key" })),
    Status: Enum(['Pending', 'Approved', 'Declined'], { default: 'Pending' }),
    approvedDeclined_By: Type.Optional(Ref('users', { readOnly: true, onDelete: 'nullify' })),
    // Added: when the decision was made.
    approvedDeclined_At: Type.Optional(DateTime({ readOnly: true }))
  }),
  generate: { User_id: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  // Only active programmes take applications.
  lookups: [{ field: 'Programme_id', collection: 'programmes', query: { _id: '{{data.Programme_id}}', Status: 'active' }, message: 'This programme is not open for applications' }],
  stateMachines: {
    Status: {
      initial: ['Pending'],
      transitions: [{ from: 'Pending', to: ['Approved', 'Declined'], roles: RUNNERS }],
      stamps: {
        Approved: { approvedDeclined_By: '{{user._id}}', approvedDeclined_At: '{{now}}' },
        Declined: { approvedDeclined_By: '{{user._id}}', approvedDeclined_At: '{{now}}' }
      }
    }
  },
  triggers: [
    { on: ['create', 'patch', 'update'], when: { Status: 'Approved' }, create: 'programme-mentors', data: { Program_id: '{{record.Programme_id}}', User_id: '{{record.User_id}}' } },
    {
      on: ['patch', 'update'],
      when: { Status: { $in: ['Approved', 'Declined'] } },
      create: 'notifications',
      with: { programme: 'Programme_id' },
      data: { user_id: '{{record.User_id}}', type: 'application_decided', title: 'Your application to {{programme.name}}: {{record.Status}}', about: '{{record._id}}' }
    }
  ],
  before: { create: [answersFitCriteria], update: [answersFitCriteria], patch: [answersFitCriteria] },
  indexes: [{ fields: { Programme_id: 1, User_id: 1 }, unique: true }, { fields: { User_id: 1 } }, { fields: { Programme_id: 1, Status: 1 } }],
  admin: { titleField: 'User_id', listFields: ['Programme_id', 'User_id', 'Status', 'approvedDeclined_By', 'createdAt'], group }
})
