// Roles from the seed's user `role` (mentor, manager, Admin) and their starting permissions. A manager's reach is the
// programmes they manage ({{user.managedProgrammes}}), a mentor's those they mentor in ({{user.mentoredProgrammes}}),
// both kept by the engine from the membership collections. After the first start these are records an Admin edits.
import type { PermissionInput, RoleInput } from '../../schemas/types.js'

const ME = '{{user._id}}'
const managed = (field: string) => ({ [field]: { $in: '{{user.managedProgrammes}}' } })
const mentored = (field: string) => ({ [field]: { $in: '{{user.mentoredProgrammes}}' } })
const inMyChats = { chat_id: { $in: '{{user.chat_ids}}' } }

type Rule = Omit<PermissionInput, 'PermissionName'>
const named = (prefix: string, rules: Record<string, Rule>): PermissionInput[] =>
  Object.entries(rules).map(([name, rule]) => ({ PermissionName: `${prefix}-${name}`, ...rule }))

const PUBLIC_PROFILE = ['_id', 'username', 'role', 'Country', 'City', 'Social_Profile', 'website', 'Bio', 'Headline', 'profile_Complete']
const OWN_DETAILS = ['manager_id', 'previous_held_role', 'previous_program', 'Programme_of_interest', 'year_of_Technical_Experience', 'document', 'been_a_mentor_before', 'Technical_proficiency', 'Previous_roles']

/** Every signed-in user: their own account and profile, open programmes, applying, their own certificates. */
const everyone = named('everyone', {
  'read-own-user': { Action: 'read', Subject: 'users', Conditions: { _id: ME } },
  'update-own-user': { Action: 'update', Subject: 'users', Conditions: { _id: ME }, Fields: ['username', 'password', 'Country', 'City', 'Social_Profile', 'website', 'Bio', 'Headline'], Description: 'Own profile and password; never the role' },
  'read-user-directory': { Action: 'read', Subject: 'users', Fields: PUBLIC_PROFILE, Description: 'Public profiles: no email' },
  'read-tech-stacks': { Action: 'read', Subject: 'tech-stacks' },
  'read-job-roles': { Action: 'read', Subject: 'job-roles' },
  'read-open-programmes': { Action: 'read', Subject: 'programmes', Conditions: { Status: 'active' }, Description: 'Programmes one can apply to' },
  // Defaults count as set fields: `status` and `approved` are allowed only as they default.
  'create-own-user-details': { Action: 'create', Subject: 'user-details', Conditions: { approved: false, status: true }, Fields: [...OWN_DETAILS, 'status', 'approved'], Description: 'Always their own (user_id is the caller), not approved' },
  'read-own-user-details': { Action: 'read', Subject: 'user-details', Conditions: { user_id: ME } },
  'update-own-user-details': { Action: 'update', Subject: 'user-details', Conditions: { user_id: ME }, Fields: OWN_DETAILS, Description: 'Never approved or status' },
  'apply-to-programmes': { Action: 'create', Subject: 'programme-applications', Conditions: { Status: 'Pending' }, Fields: ['Programme_id', 'answers', 'Status'], Description: 'Always as themselves; only active programmes' },
  'read-own-applications': { Action: 'read', Subject: 'programme-applications', Conditions: { User_id: ME } },
  'read-own-certificates': { Action: 'read', Subject: 'certificates', Conditions: { User_id: ME } },
  // Chats: members read them, their messages and each other's read receipts; their own membership has their unread count.
  'read-own-chats': { Action: 'read', Subject: 'chats', Conditions: { member_ids: ME } },
  'read-started-chats': { Action: 'read', Subject: 'chats', Conditions: { created_by: ME }, Description: 'Its starter reads the chat even before the engine lists them as a member' },
  'start-chats': { Action: 'create', Subject: 'chats', Conditions: { type: { $in: ['direct', 'group'] } }, Fields: ['type', 'name'], Description: 'Direct and group chats; chat boxes are the programmes’' },
  'rename-own-group-chats': { Action: 'update', Subject: 'chats', Conditions: { created_by: ME, type: 'group' }, Fields: ['name'] },
  'add-chat-members': { Action: 'create', Subject: 'chat-members', Conditions: { chat_id: { $in: '{{user.ownedChats}}' } }, Fields: ['chat_id', 'user_id'], Description: 'To the direct and group chats they started' },
  'read-chat-receipts': { Action: 'read', Subject: 'chat-members', Conditions: inMyChats, Fields: ['_id', 'chat_id', 'user_id', 'last_read_at', 'joined_at'], Description: 'Who is in their chats and how far each has read' },
  'read-own-memberships': { Action: 'read', Subject: 'chat-members', Conditions: { user_id: ME }, Description: 'With their unread count' },
  'mark-chats-read': { Action: 'update', Subject: 'chat-members', Conditions: { user_id: ME }, Fields: ['last_read_at'] },
  'leave-chats': { Action: 'delete', Subject: 'chat-members', Conditions: { user_id: ME } },
  'read-chat-messages': { Action: 'read', Subject: 'messages', Conditions: inMyChats },
  'send-messages': { Action: 'create', Subject: 'messages', Conditions: inMyChats, Fields: ['chat_id', 'body', 'attachment'] },
  'edit-own-messages': { Action: 'update', Subject: 'messages', Conditions: { ...inMyChats, sender_id: ME }, Fields: ['body', 'attachment'] },
  'delete-own-messages': { Action: 'delete', Subject: 'messages', Conditions: { sender_id: ME } },
  // Forum: its programme's members write (mentor and manager permissions); authors edit and delete their own.
  'edit-own-threads': { Action: 'update', Subject: 'forum-threads', Conditions: { author_id: ME }, Fields: ['title', 'body', 'mentioned'] },
  'delete-own-threads': { Action: 'delete', Subject: 'forum-threads', Conditions: { author_id: ME } },
  'edit-own-posts': { Action: 'update', Subject: 'forum-posts', Conditions: { author_id: ME }, Fields: ['body', 'mentioned'] },
  'delete-own-posts': { Action: 'delete', Subject: 'forum-posts', Conditions: { author_id: ME } },
  // Notifications: made by the engine only; their user reads them, marks them read, removes them.
  'read-own-notifications': { Action: 'read', Subject: 'notifications', Conditions: { user_id: ME } },
  'mark-notifications-read': { Action: 'update', Subject: 'notifications', Conditions: { user_id: ME }, Fields: ['read'] },
  'remove-own-notifications': { Action: 'delete', Subject: 'notifications', Conditions: { user_id: ME } }
})

/** A programme's forum, for its members: read, start threads, reply (`scope` is mentored or managed). */
const forum = (scope: (field: string) => Record<string, unknown>) => ({
  'read-programme-forum': { Action: 'read', Subject: 'forum-threads', Conditions: scope('programme_id') },
  'read-programme-forum-posts': { Action: 'read', Subject: 'forum-posts', Conditions: scope('programme_id') },
  'start-forum-threads': { Action: 'create', Subject: 'forum-threads', Conditions: scope('programme_id'), Fields: ['programme_id', 'title', 'body', 'mentioned'] },
  'reply-in-forum': { Action: 'create', Subject: 'forum-posts', Conditions: scope('programme_id'), Fields: ['thread_id', 'programme_id', 'body', 'mentioned'] }
})

const mentor = named('mentor', {
  'read-mentored-programmes': { Action: 'read', Subject: 'programmes', Conditions: { _id: { $in: '{{user.mentoredProgrammes}}' } } },
  'read-programme-mentors': { Action: 'read', Subject: 'programme-mentors', Conditions: mentored('Program_id') },
  'read-programme-managers': { Action: 'read', Subject: 'programme-managers', Conditions: mentored('Program_id') },
  'read-programme-tasks': { Action: 'read', Subject: 'tasks', Conditions: mentored('Program_id') },
  'move-assigned-tasks': { Action: 'update', Subject: 'tasks', Conditions: { ...mentored('Program_id'), assigned_to: ME }, Fields: ['status'], Description: 'Only the status of their own tasks' },
  'read-programme-reports': { Action: 'read', Subject: 'reports', Conditions: mentored('program_id') },
  'write-reports': { Action: 'create', Subject: 'reports', Conditions: mentored('program_id') },
  'update-own-reports': { Action: 'update', Subject: 'reports', Conditions: { ...mentored('program_id'), created_by: ME }, Fields: ['report_title', 'Achievements', 'Blocker', 'recommendations'] },
  ...forum(mentored)
})

const manager = named('manager', {
  'enter-admin': { Action: 'access', Subject: 'admin' },
  'create-programmes': { Action: 'create', Subject: 'programmes', Description: 'They manage what they create' },
  'read-managed-programmes': { Action: 'read', Subject: 'programmes', Conditions: { _id: { $in: '{{user.managedProgrammes}}' } } },
  'update-managed-programmes': { Action: 'update', Subject: 'programmes', Conditions: { _id: { $in: '{{user.managedProgrammes}}' } }, Fields: ['name', 'description', 'programme_picture', 'criteria', 'Status'] },
  'manage-programme-managers': { Action: 'manage', Subject: 'programme-managers', Conditions: managed('Program_id'), Description: 'Appoint co-managers of their programmes' },
  'manage-programme-mentors': { Action: 'manage', Subject: 'programme-mentors', Conditions: managed('Program_id') },
  'read-programme-applications': { Action: 'read', Subject: 'programme-applications', Conditions: managed('Programme_id') },
  'decide-programme-applications': { Action: 'update', Subject: 'programme-applications', Conditions: managed('Programme_id'), Fields: ['Status'], Description: 'Approve or decline' },
  'read-applicant-details': { Action: 'read', Subject: 'user-details', Conditions: managed('Programme_of_interest') },
  'read-reviewed-details': { Action: 'read', Subject: 'user-details', Conditions: { manager_id: ME } },
  'approve-reviewed-details': { Action: 'update', Subject: 'user-details', Conditions: { manager_id: ME }, Fields: ['approved', 'status'] },
  'manage-programme-tasks': { Action: 'manage', Subject: 'tasks', Conditions: managed('Program_id') },
  'manage-programme-reports': { Action: 'manage', Subject: 'reports', Conditions: managed('program_id') },
  'create-certificates': { Action: 'create', Subject: 'certificates', Conditions: managed('Programme_id'), Fields: ['User_id', 'Programme_id', 'Expiration_Date', 'status'] },
  'read-certificates': { Action: 'read', Subject: 'certificates', Conditions: managed('Programme_id') },
  'approve-certificates': { Action: 'update', Subject: 'certificates', Conditions: managed('Programme_id'), Fields: ['status', 'Expiration_Date'] },
  ...forum(managed),
  'moderate-forum-threads': { Action: 'delete', Subject: 'forum-threads', Conditions: managed('programme_id') },
  'moderate-forum-posts': { Action: 'delete', Subject: 'forum-posts', Conditions: managed('programme_id') }
})

const admin = named('admin', {
  'manage-everything': { Action: 'manage', Subject: 'all', Description: 'Every programme, user, role and permission' },
  'enter-admin': { Action: 'access', Subject: 'admin' }
})

export const permissions: PermissionInput[] = [...everyone, ...mentor, ...manager, ...admin]

const names = (list: PermissionInput[]) => list.map((p) => p.PermissionName)

export const roles: RoleInput[] = [
  { RoleName: 'Admin', Description: 'Everything', permissions: names(admin) },
  { RoleName: 'manager', Description: 'Runs the programmes they manage: applications, mentors, tasks, reports, certificates', permissions: [...names(everyone), ...names(manager)] },
  { RoleName: 'mentor', Description: 'Sees the programmes they mentor in and their tasks, writes reports; without a programme, an applicant', permissions: [...names(everyone), ...names(mentor)] }
]
