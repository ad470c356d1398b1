// Seed 004, messaging and the Microsoft integration: connections between users (accepted by the receiver), direct
// messages only between connected users, and Microsoft OAuth tokens (encrypted, never returned).
import { DateTime, Email, Ref, Secret, Type, defineCollection } from '../../schemas/fields.js'
import { CONNECTION_STATUS, enumOf } from './fields.js'

const group = 'Messaging'

export const userConnections = defineCollection({
  name: 'user-connections',
  schema: Type.Object({
    requesterId: Ref('users', { onDelete: 'cascade' }),
    receiverId: Ref('users', { onDelete: 'cascade' }),
    status: enumOf(CONNECTION_STATUS, { default: 'pending' }),
    // Added to the seed's fields: the two ids in order, unique, so a pair is connected once whoever asked.
    pair: Type.Optional(Type.String({ readOnly: true, description: 'The two user ids, sorted (one connection per pair in either direction)' }))
  }),
  indexes: [{ fields: { pair: 1 }, unique: true }, { fields: { receiverId: 1, status: 1 } }, { fields: { requesterId: 1, status: 1 } }],
  derive: (connection) => ({ pair: [String(connection.requesterId), String(connection.receiverId)].sort().join(':') }),
  stateMachines: {
    status: {
      initial: ['pending'],
      transitions: [{ from: 'pending', to: ['accepted', 'rejected'], guards: [{ when: { receiverId: '{{user._id}}' }, message: 'Only the receiver accepts or rejects a connection' }] }]
    }
  },
  admin: { titleField: 'pair', listFields: ['requesterId', 'receiverId', 'status', 'updatedAt'], group }
})

export const directMessages = defineCollection({
  name: 'direct-messages',
  schema: Type.Object({
    senderId: Ref('users', { onDelete: 'cascade' }),
    receiverId: Ref('users', { onDelete: 'cascade' }),
    message: Type.String({ minLength: 1, maxLength: 5000 }),
    read: Type.Boolean({ default: false })
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { receiverId: 1, read: 1 } }, { fields: { senderId: 1, createdAt: -1 } }],
  lookups: [
    {
      field: 'receiverId',
      collection: 'user-connections',
      query: { status: 'accepted', $or: [{ requesterId: '{{data.senderId}}', receiverId: '{{data.receiverId}}' }, { requesterId: '{{data.receiverId}}', receiverId: '{{data.senderId}}' }] },
      code: 403,
      message: 'Messages go only to users you have an accepted connection with'
    }
  ],
  admin: { titleField: 'message', listFields: ['senderId', 'receiverId', 'read', 'createdAt'], group }
})

export const microsoftTokens = defineCollection({
  name: 'microsoft-tokens',
  description: 'Microsoft OAuth credentials: the tokens are encrypted at rest and never returned.',
  schema: Type.Object({
    userId: Ref('users', { onDelete: 'cascade' }),
    microsoftEmail: Email(),
    accessToken: Secret({ minLength: 1, maxLength: 8192 }),
    refreshToken: Type.Optional(Secret({ minLength: 1, maxLength: 8192 })),
    expiresAt: DateTime()
  }),
  indexes: [{ fields: { userId: 1 }, unique: true }],
  admin: { titleField: 'microsoftEmail', group: 'Integrations' }
})
