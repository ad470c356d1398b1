// Seed 001 §1–2 and the lists they reference: users, user details (the mentor application profile), tech stacks, job roles.
import { Email, Enum, File, Password, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { name, ROLES, text, url } from './fields.js'

const group = 'People'

/** A profile is complete when these fields hold text; `profile_Complete` is derived from them on every write. */
export const PROFILE_REQUIRED = ['Country', 'City', 'Bio', 'Headline'] as const

export const users = defineCollection({
  name: 'users',
  schema: Type.Object({
    username: Type.String({ minLength: 2, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$' }),
    email: Email(),
    role: Enum([...ROLES], { default: 'mentor' }),
    password: Password(),
    profile_Complete: Type.Optional(Type.Boolean({ readOnly: true, description: `True when ${PROFILE_REQUIRED.join(', ')} are filled in` })),
    Country: Type.Optional(name(100)),
    City: Type.Optional(name(100)),
    Social_Profile: Type.Optional(
      Type.Object({ gitHub: Type.Optional(url()), facebook: Type.Optional(url()), twitter: Type.Optional(url()), linkedin: Type.Optional(url()) })
    ),
    website: Type.Optional(url()),
    Bio: Type.Optional(text(5000)),
    Headline: Type.Optional(name(200)),
    // Added to the seed's fields: the programmes the user manages and mentors in, kept by the engine from the two
    // membership collections; permissions read them as {{user.managedProgrammes}} and {{user.mentoredProgrammes}}.
    managedProgrammes: Type.Optional(Type.Array(Ref('programmes', { onDelete: 'nullify' }), { readOnly: true, maxItems: 1000 })),
    mentoredProgrammes: Type.Optional(Type.Array(Ref('programmes', { onDelete: 'nullify' }), { readOnly: true, maxItems: 1000 })),
    // Added: the chats the user is a member of, and the direct and group chats they started (whose members they add);
    // permissions read them as {{user.chat_ids}} and {{user.ownedChats}}.
    chat_ids: Type.Optional(Type.Array(Ref('chats', { onDelete: 'nullify' }), { readOnly: true, maxItems: 10000 })),
    ownedChats: Type.Optional(Type.Array(Ref('chats', { onDelete: 'nullify' }), { readOnly: true, maxItems: 10000 }))
  }),
  auth: { roleField: 'role', roleBy: 'name' },
  timestamps: { createdAt: 'dateCreated', updatedAt: 'updatedAt' },
  derive: (user) => ({ profile_Complete: PROFILE_REQUIRED.every((field) => typeof user[field] === 'string' && user[field].trim() !== '') }),
  rollups: [
    { from: 'programme-managers', via: 'User_id', set: { managedProgrammes: { collect: 'Program_id' } } },
    { from: 'programme-mentors', via: 'User_id', set: { mentoredProgrammes: { collect: 'Program_id' } } },
    { from: 'chat-members', via: 'user_id', set: { chat_ids: { collect: 'chat_id' } } },
    { from: 'chats', via: 'created_by', where: { type: { $ne: 'programme' } }, set: { ownedChats: { collect: '_id' } } }
  ],
  indexes: [{ fields: { email: 1 }, unique: true }, { fields: { username: 1 }, unique: true }, { fields: { role: 1 } }],
  admin: { titleField: 'username', listFields: ['username', 'email', 'role', 'profile_Complete', 'dateCreated'], group }
})

export const userDetails = defineCollection({
  name: 'user-details',
  description: "A mentor's application profile: experience, proficiencies, previous roles and a document, approved by their manager.",
  schema: Type.Object({
    user_id: Ref('users', { onDelete: 'cascade', readOnly: true }),
    manager_id: Type.Optional(Ref('users', { onDelete: 'nullify', description: 'The manager who reviews this profile' })),
    previous_held_role: Type.Optional(Type.Array(name(200), { maxItems: 50 })),
    previous_program: Type.Optional(Type.Array(name(200), { maxItems: 50 })),
    Programme_of_interest: Type.Optional(Ref('programmes', { onDelete: 'nullify' })),
    year_of_Technical_Experience: Type.Optional(Type.Integer({ minimum: 0, maximum: 80 })),
    document: Type.Optional(File({ maxBytes: 10 * 1024 * 1024, types: ['application/pdf'], description: 'CV or portfolio (PDF)' })),
    been_a_mentor_before: Type.Optional(Type.Boolean()),
    Technical_proficiency: Type.Optional(Type.Array(Ref('tech-stacks', { onDelete: 'nullify' }), { uniqueItems: true, maxItems: 100 })),
    Previous_roles: Type.Optional(Type.Array(Ref('job-roles', { onDelete: 'nullify' }), { uniqueItems: true, maxItems: 100 })),
    status: Type.Boolean({ default: true, description: 'Active profile' }),
    approved: Type.Boolean({ default: false })
  }),
  // One profile per user, always the caller's own when an external caller creates it.
  generate: { user_id: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  indexes: [{ fields: { user_id: 1 }, unique: true }, { fields: { manager_id: 1 } }, { fields: { Programme_of_interest: 1 } }],
  admin: { titleField: 'user_id', listFields: ['user_id', 'manager_id', 'Programme_of_interest', 'year_of_Technical_Experience', 'approved'], group }
})

export const techStacks = defineCollection({
  name: 'tech-stacks',
  schema: Type.Object({ name: name(100) }),
  indexes: [{ fields: { name: 1 }, unique: true }],
  admin: { titleField: 'name', group: 'Lists' }
})

export const jobRoles = defineCollection({
  name: 'job-roles',
  schema: Type.Object({ name: name(100) }),
  indexes: [{ fields: { name: 1 }, unique: true }],
  admin: { titleField: 'name', group: 'Lists' }
})
