// Seed 004, working-mother support: milestone logs, support groups and memberships, proxy requests (maternity
// cover) and mental-health chats (read by their user alone).
import { DateTime, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { PROXY_REQUEST_STATUS, enumOf, text, title } from './fields.js'
import { sentimentOf } from './sentiment.js'

const group = 'Support'

export const milestoneLogs = defineCollection({
  name: 'milestone-logs',
  schema: Type.Object({
    userId: Ref('users', { onDelete: 'cascade' }),
    type: Type.String({ minLength: 1, maxLength: 100, description: 'Milestone type' }),
    title: title(),
    notes: Type.Optional(text()),
    date: DateTime()
  }),
  indexes: [{ fields: { userId: 1, date: -1 } }],
  admin: { titleField: 'title', listFields: ['userId', 'type', 'title', 'date'], group }
})

export const supportGroups = defineCollection({
  name: 'support-groups',
  schema: Type.Object({
    name: title(),
    description: Type.Optional(text()),
    memberCount: Type.Integer({ minimum: 0, default: 0, readOnly: true, description: 'Kept equal to the group’s memberships' }),
    lastActive: Type.Optional(DateTime({ readOnly: true, description: 'Latest join' }))
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { name: 1 }, unique: true }],
  rollups: [{ from: 'group-memberships', via: 'groupId', set: { memberCount: { count: true }, lastActive: { last: 'joinedAt', by: 'joinedAt' } } }],
  admin: { titleField: 'name', listFields: ['name', 'memberCount', 'lastActive'], group }
})

export const groupMemberships = defineCollection({
  name: 'group-memberships',
  schema: Type.Object({ userId: Ref('users', { onDelete: 'cascade' }), groupId: Ref('support-groups', { onDelete: 'cascade' }) }),
  // The seed's joinedAt is the creation stamp.
  timestamps: { createdAt: 'joinedAt', updatedAt: false },
  indexes: [{ fields: { userId: 1, groupId: 1 }, unique: true }, { fields: { groupId: 1 } }],
  admin: { titleField: 'groupId', listFields: ['userId', 'groupId', 'joinedAt'], group }
})

export const proxyRequests = defineCollection({
  name: 'proxy-requests',
  description: 'A new mother asks a colleague to cover her leave; the proxy accepts or rejects; completed with actualEndDate.',
  schema: Type.Object({
    motherId: Ref('users'),
    proxyId: Ref('users'),
    status: enumOf(PROXY_REQUEST_STATUS, { default: 'pending' }),
    startDate: DateTime(),
    expectedEndDate: DateTime(),
    actualEndDate: Type.Optional(DateTime()),
    notes: Type.Optional(text())
  }),
  indexes: [{ fields: { motherId: 1 } }, { fields: { proxyId: 1, status: 1 } }],
  lookups: [{ field: 'motherId', collection: 'users', query: { _id: '{{data.motherId}}', role: 'new_mother' }, message: 'A proxy request is made for a new mother' }],
  stateMachines: {
    status: {
      initial: ['pending'],
      transitions: [
        { from: 'pending', to: ['accepted', 'rejected'], guards: [{ when: { proxyId: '{{user._id}}' }, message: 'Only the named proxy accepts or rejects a proxy request' }] },
        { from: 'accepted', to: 'completed' }
      ],
      requires: { completed: ['actualEndDate'] }
    }
  },
  admin: { titleField: 'startDate', listFields: ['motherId', 'proxyId', 'status', 'startDate', 'expectedEndDate'], group }
})

export const mentalHealthChats = defineCollection({
  name: 'mental-health-chats',
  description: 'Support conversations, read by their user alone (admins included: nobody else).',
  schema: Type.Object({
    userId: Ref('users', { onDelete: 'cascade' }),
    message: Type.String({ minLength: 1, maxLength: 5000 }),
    isFromUser: Type.Boolean({ default: true }),
    sentiment: Type.Optional({ ...enumOf(['positive', 'neutral', 'negative'], { description: 'Computed on the server (AFINN, the `sentiment` package) for the user’s messages' }), readOnly: true })
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { userId: 1, createdAt: 1 } }],
  derive: (chat) => (chat.isFromUser ? { sentiment: sentimentOf(chat.message) } : {}),
  admin: { titleField: 'createdAt', group }
})
