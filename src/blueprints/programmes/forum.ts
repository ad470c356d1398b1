// Seed 001 §15 (discussion forum) and §16 (notifications): named without fields by the seed; the design is in index.ts.
import { DateTime, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { name, text } from './fields.js'

const group = 'Conversations'

const mentioned = () => Type.Optional(Type.Array(Ref('users', { onDelete: 'nullify' }), { uniqueItems: true, maxItems: 50, description: 'Users mentioned: those who may read it are notified' }))

/** Who a forum post mentions is notified, when they may read it (a member of the programme). */
const mentionTrigger = (title: string) => ({
  on: ['create' as const, 'patch' as const, 'update' as const],
  create: 'notifications',
  with: { programme: 'programme_id' },
  forEach: { added: 'mentioned', readersOnly: true },
  data: { user_id: '{{each}}', type: 'forum_mention', title: '{{user.username}} mentioned you in {{programme.name}}', body: title, about: '{{record._id}}' }
})

export const forumThreads = defineCollection({
  name: 'forum-threads',
  description: "A thread of a programme's discussion forum, read and answered by the programme's managers and mentors.",
  schema: Type.Object({
    programme_id: Ref('programmes', { onDelete: 'cascade' }),
    title: name(),
    body: text(20000),
    author_id: Ref('users', { onDelete: 'cascade', readOnly: true }),
    mentioned: mentioned(),
    reply_count: Type.Optional(Type.Integer({ readOnly: true, minimum: 0 })),
    last_reply_at: Type.Optional(DateTime({ readOnly: true }))
  }),
  generate: { author_id: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  rollups: [{ from: 'forum-posts', via: 'thread_id', set: { reply_count: { count: true }, last_reply_at: { last: 'createdAt' } } }],
  triggers: [mentionTrigger('{{record.title}}')],
  indexes: [{ fields: { programme_id: 1, createdAt: -1 } }, { fields: { author_id: 1 } }],
  admin: { titleField: 'title', listFields: ['title', 'programme_id', 'author_id', 'reply_count', 'createdAt'], group }
})

export const forumPosts = defineCollection({
  name: 'forum-posts',
  description: 'A reply in a forum thread; its programme is its thread’s.',
  schema: Type.Object({
    thread_id: Ref('forum-threads', { onDelete: 'cascade' }),
    programme_id: Ref('programmes', { onDelete: 'cascade', description: "The thread's programme (422 when another)" }),
    body: text(20000),
    author_id: Ref('users', { onDelete: 'cascade', readOnly: true }),
    mentioned: mentioned()
  }),
  generate: { author_id: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  lookups: [{ field: 'thread_id', collection: 'forum-threads', query: { _id: '{{data.thread_id}}' }, copy: { programme_id: 'programme_id' }, message: 'No such thread' }],
  triggers: [{ ...mentionTrigger('Re: {{thread.title}}'), with: { programme: 'programme_id', thread: 'thread_id' } }],
  indexes: [{ fields: { thread_id: 1, createdAt: 1 } }, { fields: { programme_id: 1 } }],
  admin: { titleField: 'body', listFields: ['thread_id', 'author_id', 'createdAt'], group }
})

export const NOTIFICATION_TYPES = ['application_decided', 'task_assigned', 'certificate_approved', 'forum_mention'] as const

export const notifications = defineCollection({
  name: 'notifications',
  description: 'A notification for one user, created by the engine (declared triggers); its user reads it and marks it read.',
  schema: Type.Object({
    user_id: Ref('users', { onDelete: 'cascade' }),
    type: Enum([...NOTIFICATION_TYPES]),
    title: name(500),
    body: Type.Optional(text(2000)),
    about: Type.Optional(Type.String({ maxLength: 64, description: 'Id of the record it is about (application, task, certificate, thread or post)' })),
    read: Type.Boolean({ default: false })
  }),
  timestamps: { createdAt: 'created_at', updatedAt: 'updatedAt' },
  indexes: [{ fields: { user_id: 1, read: 1, created_at: -1 } }],
  admin: { titleField: 'title', listFields: ['user_id', 'type', 'title', 'read', 'created_at'], group }
})
