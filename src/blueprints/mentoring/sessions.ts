// Seed 004: matches (a mentee asks, an admin approves within the mentor's capacity), sessions and their status machine,
// and what belongs to a session: feedback, notes, action items. Those carry the session's mentorId and menteeId
// (added to the seed's fields, copied from the session) so "belongs to its mentor and mentee" is a plain permission condition.
import { DateTime, Ref, Type, defineCollection } from '../../schemas/fields.js'
import type { LookupInput } from '../../schemas/types.js'
import { ACTION_ITEM_STATUS, MATCH_STATUS, MENTEES, SESSION_STATUS, enumOf, text, title } from './fields.js'

const group = 'Mentoring'

export const matches = defineCollection({
  name: 'matches',
  description: 'A mentee asks for a mentor; an admin approves (within the mentor’s capacity) or rejects.',
  schema: Type.Object({
    mentorId: Ref('users'),
    menteeId: Ref('users'),
    goal: Type.Optional(text()),
    status: enumOf(MATCH_STATUS, { default: 'pending' }),
    adminId: Type.Optional(Ref('users', { description: 'Admin who approved/rejected the match' }))
  }),
  indexes: [{ fields: { mentorId: 1, status: 1 } }, { fields: { menteeId: 1, status: 1 } }],
  lookups: [{ field: 'mentorId', collection: 'users', query: { _id: '{{data.mentorId}}', role: 'mentor', active: true }, message: 'mentorId must be an active mentor' }],
  stateMachines: {
    status: {
      initial: ['pending'],
      transitions: [
        {
          from: 'pending',
          to: 'approved',
          roles: ['admin'],
          // Checked in the approval's transaction, with the count its rollup keeps: two approvals for one last place cannot both pass.
          guards: [
            { exists: { collection: 'profiles', query: { userId: '{{record.mentorId}}', acceptingNewMentees: true } }, message: 'This mentor is not accepting new mentees' },
            { exists: { collection: 'profiles', query: { userId: '{{record.mentorId}}', openSlots: { $gt: 0 } } }, message: 'This mentor is full: currentMenteeCount has reached maxMenteeCapacity' }
          ]
        },
        { from: 'pending', to: 'rejected', roles: ['admin'] }
      ],
      stamps: { approved: { adminId: '{{user._id}}' }, rejected: { adminId: '{{user._id}}' } }
    }
  },
  admin: { titleField: 'goal', listFields: ['mentorId', 'menteeId', 'status', 'adminId', 'createdAt'], group }
})

/** The party who did not propose: a reschedule is accepted by the other one. */
const notProposer = { proposedBy: { $ne: '{{user._id}}' } }
const EITHER = ['mentor', ...MENTEES]

export const sessions = defineCollection({
  name: 'sessions',
  description: 'A mentor proposes or a mentee requests; the other confirms or rejects; either proposes a reschedule that the other accepts; completed after its date.',
  schema: Type.Object({
    mentorId: Ref('users'),
    menteeId: Ref('users'),
    title: title(),
    description: Type.Optional(text()),
    agenda: Type.Optional(text()),
    date: DateTime(),
    duration: Type.Integer({ minimum: 5, maximum: 1440, description: 'minutes' }),
    status: enumOf(SESSION_STATUS, { default: 'pending' }),
    meetingLink: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
    proposedDate: Type.Optional(DateTime()),
    proposedBy: Type.Optional(Ref('users')),
    responseMessage: Type.Optional(text(2000))
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { mentorId: 1, date: 1 } }, { fields: { menteeId: 1, date: 1 } }],
  // Only the two sides of an approved match meet.
  lookups: [
    {
      field: 'menteeId',
      collection: 'matches',
      query: { mentorId: '{{data.mentorId}}', menteeId: '{{data.menteeId}}', status: 'approved' },
      message: 'Sessions are only between the mentor and mentee of an approved match'
    }
  ],
  stateMachines: {
    status: {
      initial: ['pending', 'proposed', 'requested'],
      transitions: [
        { from: 'pending', to: ['confirmed', 'rejected'], roles: [...EITHER, 'admin'] },
        { from: 'proposed', to: ['confirmed', 'rejected'], roles: MENTEES },
        { from: 'requested', to: ['confirmed', 'rejected'], roles: ['mentor'] },
        { from: 'confirmed', to: 'rescheduled', roles: EITHER },
        { from: 'rescheduled', to: 'confirmed', roles: EITHER, guards: [{ when: notProposer, message: 'A reschedule is accepted by the other participant' }] },
        { from: 'confirmed', to: 'completed', roles: [...EITHER, 'admin'], guards: [{ when: { date: { $lte: '{{now}}' } }, message: 'A session is completed only after its date' }] },
        { from: ['pending', 'proposed', 'requested', 'confirmed', 'rescheduled'], to: 'cancelled', roles: [...EITHER, 'admin'] }
      ],
      requires: { rescheduled: ['proposedDate'] },
      stamps: { rescheduled: { proposedBy: '{{user._id}}' } },
      // A response answers the move it came with: never rewritten alone, gone with the next move that brings none.
      carries: ['responseMessage']
    }
  },
  // An accepted reschedule moves the session to the proposed date.
  derive: (session) => (session.status === 'confirmed' && session.proposedDate && session.proposedDate !== session.date ? { date: session.proposedDate } : {}),
  admin: { titleField: 'title', listFields: ['title', 'mentorId', 'menteeId', 'date', 'status'], group }
})

/** Copies the session's participants onto a record of the session, after checking that `who` is one of them. */
const ofSession = (who: string, message: string): LookupInput => ({
  field: 'sessionId',
  collection: 'sessions',
  query: { _id: '{{data.sessionId}}', $or: [{ mentorId: `{{data.${who}}}` }, { menteeId: `{{data.${who}}}` }] },
  copy: { mentorId: 'mentorId', menteeId: 'menteeId' },
  message
})
const participants = {
  mentorId: Type.Optional(Ref('users', { readOnly: true, description: 'The session’s mentor (copied)' })),
  menteeId: Type.Optional(Ref('users', { readOnly: true, description: 'The session’s mentee (copied)' }))
}

export const feedback = defineCollection({
  name: 'feedback',
  description: 'One per participant per completed session.',
  schema: Type.Object({
    sessionId: Ref('sessions', { onDelete: 'cascade' }),
    fromUserId: Ref('users'),
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    comments: Type.Optional(text()),
    ...participants
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { sessionId: 1, fromUserId: 1 }, unique: true }],
  lookups: [
    {
      ...ofSession('fromUserId', 'Feedback is given on a completed session, by one of its participants'),
      query: { _id: '{{data.sessionId}}', status: 'completed', $or: [{ mentorId: '{{data.fromUserId}}' }, { menteeId: '{{data.fromUserId}}' }] }
    }
  ],
  admin: { titleField: 'rating', listFields: ['sessionId', 'fromUserId', 'rating', 'createdAt'], group }
})

export const sessionNotes = defineCollection({
  name: 'session-notes',
  description: 'A private note is read by its creator alone.',
  schema: Type.Object({
    sessionId: Ref('sessions', { onDelete: 'cascade' }),
    createdById: Ref('users'),
    notes: Type.String({ minLength: 1, maxLength: 20000 }),
    isPrivate: Type.Boolean({ default: false }),
    ...participants
  }),
  indexes: [{ fields: { sessionId: 1 } }, { fields: { createdById: 1 } }],
  lookups: [ofSession('createdById', 'Notes are written by a participant of the session')],
  admin: { titleField: 'notes', listFields: ['sessionId', 'createdById', 'isPrivate', 'updatedAt'], group }
})

export const actionItems = defineCollection({
  name: 'action-items',
  schema: Type.Object({
    sessionId: Ref('sessions', { onDelete: 'cascade' }),
    assignedToId: Ref('users'),
    createdById: Ref('users'),
    title: title(),
    description: Type.Optional(text()),
    dueDate: Type.Optional(DateTime()),
    status: enumOf(ACTION_ITEM_STATUS, { default: 'pending' }),
    ...participants
  }),
  indexes: [{ fields: { sessionId: 1 } }, { fields: { assignedToId: 1, status: 1 } }],
  lookups: [
    ofSession('createdById', 'Action items are created by a participant of the session'),
    { ...ofSession('assignedToId', 'Action items are assigned to a participant of the session'), field: 'assignedToId', copy: {} }
  ],
  admin: { titleField: 'title', listFields: ['title', 'assignedToId', 'dueDate', 'status'], group }
})
