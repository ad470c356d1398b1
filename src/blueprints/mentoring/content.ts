// Seed 004: resources (drafts seen by their uploader and admins; files through the engine's file storage) and their
// comments; reported issues and the messages about them.
import { File, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { ISSUE_STATUS, RESOURCE_TYPES, enumOf, tags, text, title } from './fields.js'

export const resources = defineCollection({
  name: 'resources',
  schema: Type.Object({
    title: title(),
    description: Type.Optional(text()),
    type: enumOf(RESOURCE_TYPES),
    uploadedById: Ref('users'),
    url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
    filePath: Type.Optional(File({ maxBytes: 20 * 1024 * 1024, description: 'Uploaded through POST /files; downloaded by those who may read the resource' })),
    isPublished: Type.Boolean({ default: false }),
    category: Type.Optional(text(100)),
    tags: Type.Optional(tags())
  }),
  indexes: [{ fields: { isPublished: 1, type: 1 } }, { fields: { uploadedById: 1 } }],
  admin: { titleField: 'title', listFields: ['title', 'type', 'category', 'isPublished', 'uploadedById'], group: 'Content' }
})

export const resourceComments = defineCollection({
  name: 'resource-comments',
  schema: Type.Object({ resourceId: Ref('resources', { onDelete: 'cascade' }), userId: Ref('users', { onDelete: 'cascade' }), content: Type.String({ minLength: 1, maxLength: 5000 }) }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { resourceId: 1, createdAt: 1 } }],
  // Only on published resources.
  lookups: [{ field: 'resourceId', collection: 'resources', query: { _id: '{{data.resourceId}}', isPublished: true }, message: 'Comments are for published resources' }],
  admin: { titleField: 'content', group: 'Content' }
})

export const reportedIssues = defineCollection({
  name: 'reported-issues',
  schema: Type.Object({
    userId: Ref('users'),
    title: title(),
    description: text(),
    status: enumOf(ISSUE_STATUS, { default: 'open' }),
    assignedToId: Type.Optional(Ref('users', { onDelete: 'nullify' }))
  }),
  indexes: [{ fields: { status: 1 } }, { fields: { userId: 1 } }],
  stateMachines: {
    status: {
      initial: ['open'],
      transitions: [
        { from: 'open', to: 'in_progress', roles: ['admin'] },
        { from: ['open', 'in_progress'], to: 'resolved', roles: ['admin'] },
        { from: 'resolved', to: 'open' }
      ],
      requires: { in_progress: ['assignedToId'] }
    }
  },
  admin: { titleField: 'title', listFields: ['title', 'userId', 'status', 'assignedToId', 'updatedAt'], group: 'Support desk' }
})

export const issueMessages = defineCollection({
  name: 'issue-messages',
  schema: Type.Object({
    issueId: Ref('reported-issues', { onDelete: 'cascade' }),
    userId: Ref('users'),
    message: Type.String({ minLength: 1, maxLength: 5000 }),
    // Added to the seed's fields: the issue's reporter (copied), who reads the conversation.
    reporterId: Type.Optional(Ref('users', { description: 'Sent by a reporter writing on their own issue; checked against the issue' }))
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { issueId: 1, createdAt: 1 } }],
  lookups: [{ field: 'issueId', collection: 'reported-issues', query: { _id: '{{data.issueId}}' }, copy: { reporterId: 'userId' }, message: 'No such issue' }],
  admin: { titleField: 'message', group: 'Support desk' }
})

