// Seed 001 §10, §11, §13 (chat, message, chat box): named without fields by the seed; the design is in index.ts.
import { DateTime, Enum, File, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { name, text } from './fields.js'

const group = 'Conversations'

export const chats = defineCollection({
  name: 'chats',
  description: "A direct chat (two users), a group chat (its creator adds members) or a programme's chat box (its managers and mentors, kept by the engine).",
  schema: Type.Object({
    type: Enum(['direct', 'group', 'programme'], { default: 'group', description: 'programme: the chat box of a programme' }),
    name: Type.Optional(name()),
    programme_id: Type.Optional(Ref('programmes', { onDelete: 'cascade', readOnly: true, description: 'The programme whose chat box this is' })),
    created_by: Type.Optional(Ref('users', { onDelete: 'nullify', readOnly: true })),
    member_ids: Type.Optional(Type.Array(Ref('users', { onDelete: 'nullify' }), { readOnly: true, maxItems: 10000, description: 'Kept by the engine from chat-members' })),
    member_count: Type.Optional(Type.Integer({ readOnly: true, minimum: 0 }))
  }),
  generate: { created_by: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  rollups: [{ from: 'chat-members', via: 'chat_id', set: { member_ids: { collect: 'user_id' }, member_count: { count: true } } }],
  // Whoever starts a direct or group chat is its first member; a chat box's members come from its programme.
  triggers: [{ on: ['create'], when: { type: { $in: ['direct', 'group'] } }, create: 'chat-members', data: { chat_id: '{{record._id}}', user_id: '{{record.created_by}}' } }],
  // Typing indicators: relayed to the chat's other members only (who may read it), never stored.
  signals: { typing: { data: Type.Object({ typing: Type.Boolean() }), perMinute: 30, description: 'The sender is typing (true) or stopped (false)' } },
  indexes: [{ fields: { programme_id: 1 }, unique: true, sparse: true }, { fields: { member_ids: 1 } }, { fields: { created_by: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'type', 'programme_id', 'member_count', 'createdAt'], group }
})

export const chatMembers = defineCollection({
  name: 'chat-members',
  description: "A user's membership of a chat: their read receipt (last_read_at) and unread count, kept by the engine.",
  schema: Type.Object({
    chat_id: Ref('chats', { onDelete: 'cascade' }),
    user_id: Ref('users', { onDelete: 'cascade' }),
    added_by: Type.Optional(Ref('users', { onDelete: 'nullify', readOnly: true })),
    last_read_at: Type.Optional(DateTime({ description: 'Read receipt: every message sent until then is read (moves forward only)' })),
    unread_count: Type.Optional(Type.Integer({ readOnly: true, minimum: 0, description: 'Messages of the others sent after last_read_at' })),
    // A chat box's members leave with their programme membership.
    via_mentorship: Type.Optional(Ref('programme-mentors', { onDelete: 'cascade', readOnly: true })),
    via_management: Type.Optional(Ref('programme-managers', { onDelete: 'cascade', readOnly: true }))
  }),
  timestamps: { createdAt: 'joined_at', updatedAt: 'updatedAt' },
  generate: { added_by: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  forwardOnly: { last_read_at: true },
  unread: { unread_count: { from: 'messages', via: 'chat_id', key: 'chat_id', reader: 'user_id', author: 'sender_id', readUntil: 'last_read_at' } },
  lookups: [
    {
      field: 'chat_id',
      collection: 'chats',
      query: { _id: '{{data.chat_id}}', $or: [{ type: { $in: ['group', 'programme'] } }, { type: 'direct', member_count: { $lt: 2 } }, { type: 'direct', member_count: { $exists: false } }] },
      code: 409,
      message: 'A direct chat has two members'
    }
  ],
  indexes: [{ fields: { chat_id: 1, user_id: 1 }, unique: true }, { fields: { user_id: 1 } }],
  admin: { titleField: 'user_id', listFields: ['chat_id', 'user_id', 'last_read_at', 'unread_count'], group }
})

export const messages = defineCollection({
  name: 'messages',
  description: 'A message in a chat: edited and deleted by its sender only, one attachment through the file storage.',
  schema: Type.Object({
    chat_id: Ref('chats', { onDelete: 'cascade' }),
    sender_id: Ref('users', { onDelete: 'cascade', readOnly: true }),
    body: text(5000),
    attachment: Type.Optional(File({ maxBytes: 10 * 1024 * 1024, types: ['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'text/plain'], description: 'A file sent with the message' }))
  }),
  // edited_at differs from sent_at once the sender edits the message.
  timestamps: { createdAt: 'sent_at', updatedAt: 'edited_at' },
  generate: { sender_id: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  indexes: [{ fields: { chat_id: 1, sent_at: 1 } }, { fields: { chat_id: 1, sender_id: 1, sent_at: 1 } }],
  admin: { titleField: 'body', listFields: ['chat_id', 'sender_id', 'body', 'sent_at'], group }
})
