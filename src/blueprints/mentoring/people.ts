// Seed 004: users and their one profile (professional details, mentoring capacity, onboarding).
import { DateTime, Email, Password, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { MENTEES, ONBOARDING_STATUS, ROLES, enumOf, tags, text, title } from './fields.js'

const group = 'People'

export const users = defineCollection({
  name: 'users',
  schema: Type.Object({
    username: Type.String({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$' }),
    password: Password(),
    email: Email(),
    fullName: title(),
    role: enumOf(ROLES),
    securityQuestion: Type.Optional(text(300)),
    // Hashed like a password, never returned: an answer is a credential.
    securityAnswer: Type.Optional(Password({ minLength: 2, maxLength: 200 })),
    active: Type.Boolean({ default: true })
  }),
  auth: {
    roleField: 'role',
    roleBy: 'name',
    activeField: 'active',
    // Mentees and new mothers register themselves, with their one profile; a mentor is promoted by an admin.
    signUp: {
      roles: MENTEES,
      fields: ['username', 'fullName', 'securityQuestion', 'securityAnswer'],
      creates: [{ collection: 'profiles', data: { userId: '{{user._id}}' }, from: 'profile', fields: ['department', 'position', 'organization', 'bio', 'skills', 'interests', 'goals', 'availability', 'preferredCommunication'] }]
    },
    recovery: { securityQuestion: { question: 'securityQuestion', answer: 'securityAnswer' } }
  },
  indexes: [{ fields: { username: 1 }, unique: true }, { fields: { email: 1 }, unique: true }, { fields: { role: 1 } }],
  admin: { titleField: 'fullName', listFields: ['fullName', 'username', 'email', 'role', 'active'], group }
})

const slot = Type.Object({
  day: enumOf(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']),
  from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
  to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })
})

export const profiles = defineCollection({
  name: 'profiles',
  description: 'One per user. A mentor’s profile is read by everyone signed in; a mentee’s by its user, their approved mentors and admins.',
  schema: Type.Object({
    userId: Ref('users', { onDelete: 'cascade' }),
    department: Type.Optional(text(200)),
    position: Type.Optional(text(200)),
    organization: Type.Optional(text(200)),
    bio: Type.Optional(text()),
    skills: Type.Optional(tags()),
    interests: Type.Optional(tags()),
    goals: Type.Optional(text()),
    availability: Type.Optional(Type.Array(slot, { maxItems: 50, description: 'Availability schedule' })),
    yearsOfExperience: Type.Optional(text(20)),
    areaOfExpertise: Type.Optional(text(200)),
    mentorshipStyle: Type.Optional(text(500)),
    preferredCommunication: Type.Optional(text(200)),
    maxMenteeCapacity: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
    currentMenteeCount: Type.Integer({ minimum: 0, default: 0, readOnly: true, description: 'Approved matches of this mentor (kept by the engine)' }),
    acceptingNewMentees: Type.Boolean({ default: false }),
    supportsNewMothers: Type.Boolean({ default: false }),
    onboardingStatus: enumOf(ONBOARDING_STATUS, { default: 'not_started' }),
    onboardingStep: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
    onboardingCompletedAt: Type.Optional(DateTime()),
    // Added to the seed's fields, kept by the engine, so permissions are plain conditions on the profile:
    userRole: Type.Optional({ ...enumOf(ROLES, { description: 'The user’s role (copied from the user, kept in step)' }), readOnly: true }),
    matchedMentorIds: Type.Optional(Type.Array(Ref('users'), { readOnly: true, description: 'Mentors of this user’s approved matches' })),
    openSlots: Type.Optional(Type.Integer({ minimum: 0, readOnly: true, description: 'maxMenteeCapacity − currentMenteeCount' }))
  }),
  indexes: [{ fields: { userId: 1 }, unique: true }, { fields: { userRole: 1, acceptingNewMentees: 1 } }],
  lookups: [{ field: 'userId', collection: 'users', query: { _id: '{{data.userId}}' }, copy: { userRole: 'role' }, message: 'No such user' }],
  rollups: [
    { from: 'users', via: '_id', key: 'userId', set: { userRole: { last: 'role' } } },
    { from: 'matches', via: 'mentorId', key: 'userId', where: { status: 'approved' }, set: { currentMenteeCount: { count: true } } },
    { from: 'matches', via: 'menteeId', key: 'userId', where: { status: 'approved' }, set: { matchedMentorIds: { collect: 'mentorId' } } }
  ],
  // Onboarding only moves on: not_started → in_progress → completed, the step upwards, the completion date kept.
  forwardOnly: { onboardingStatus: ONBOARDING_STATUS, onboardingStep: true, onboardingCompletedAt: true },
  derive: (profile) => ({
    openSlots: Math.max(0, (profile.maxMenteeCapacity ?? 0) - (profile.currentMenteeCount ?? 0)),
    ...(profile.onboardingStatus === 'completed' && !profile.onboardingCompletedAt && { onboardingCompletedAt: new Date().toISOString() })
  }),
  admin: { titleField: 'userId', listFields: ['userId', 'userRole', 'position', 'currentMenteeCount', 'maxMenteeCapacity', 'acceptingNewMentees'], group }
})
