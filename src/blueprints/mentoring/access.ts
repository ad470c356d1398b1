// Roles from the seed's user `role` field and their starting permissions, following the seed's relationships: a session and
// what belongs to it (feedback, notes, action items) are its mentor's and mentee's; a mentor's profile is read by everyone
// signed in, a mentee's by its user, their approved mentors and admins; admins approve matches and manage content.
// Mental-health chats are read by their user alone: admins hold no rule on them but their own, and a `cannot` rule besides.
// After the first start these are records that an admin edits (API or admin panel).
import { namedPermissions as named, permissionNames as names } from '../../schemas/rbac.js'
import type { PermissionInput, RoleInput } from '../../schemas/types.js'

const ME = '{{user._id}}'
const mine = (field: string) => ({ [field]: ME })

const SESSION_FIELDS = ['status', 'proposedDate', 'responseMessage', 'title', 'description', 'agenda', 'meetingLink', 'duration']
const PROFILE_FIELDS = [
  'department', 'position', 'organization', 'bio', 'skills', 'interests', 'goals', 'availability', 'yearsOfExperience', 'areaOfExpertise',
  'mentorshipStyle', 'preferredCommunication', 'maxMenteeCapacity', 'acceptingNewMentees', 'supportsNewMothers', 'onboardingStatus', 'onboardingStep'
]

/** What every signed-in user may do, whatever their role. */
const everyone = named('all', {
  'read-own-user': { Action: 'read', Subject: 'users', Conditions: mine('_id') },
  'read-user-directory': { Action: 'read', Subject: 'users', Fields: ['_id', 'username', 'fullName', 'role', 'active'], Description: 'Names and roles of every user; never e-mails' },
  'update-own-user': { Action: 'update', Subject: 'users', Conditions: mine('_id'), Fields: ['fullName', 'password', 'securityQuestion', 'securityAnswer'] },
  'read-mentor-profiles': { Action: 'read', Subject: 'profiles', Conditions: { userRole: 'mentor' } },
  'read-own-profile': { Action: 'read', Subject: 'profiles', Conditions: mine('userId') },
  'create-own-profile': { Action: 'create', Subject: 'profiles', Conditions: mine('userId') },
  'update-own-profile': { Action: 'update', Subject: 'profiles', Conditions: mine('userId'), Fields: PROFILE_FIELDS },
  'read-own-sessions-as-mentor': { Action: 'read', Subject: 'sessions', Conditions: mine('mentorId') },
  'read-own-sessions-as-mentee': { Action: 'read', Subject: 'sessions', Conditions: mine('menteeId') },
  'update-own-sessions-as-mentor': { Action: 'update', Subject: 'sessions', Conditions: mine('mentorId'), Fields: SESSION_FIELDS },
  'update-own-sessions-as-mentee': { Action: 'update', Subject: 'sessions', Conditions: mine('menteeId'), Fields: SESSION_FIELDS },
  'read-own-feedback': { Action: 'read', Subject: 'feedback', Conditions: mine('fromUserId') },
  'read-session-feedback-as-mentor': { Action: 'read', Subject: 'feedback', Conditions: mine('mentorId') },
  'read-session-feedback-as-mentee': { Action: 'read', Subject: 'feedback', Conditions: mine('menteeId') },
  'give-feedback': { Action: 'create', Subject: 'feedback', Conditions: mine('fromUserId'), Description: 'On a completed session they took part in (checked by a lookup)' },
  'update-own-feedback': { Action: 'update', Subject: 'feedback', Conditions: mine('fromUserId'), Fields: ['rating', 'comments'] },
  'manage-own-notes': { Action: 'manage', Subject: 'session-notes', Conditions: mine('createdById') },
  'read-shared-notes-as-mentor': { Action: 'read', Subject: 'session-notes', Conditions: { isPrivate: false, mentorId: ME } },
  'read-shared-notes-as-mentee': { Action: 'read', Subject: 'session-notes', Conditions: { isPrivate: false, menteeId: ME } },
  'read-action-items-as-mentor': { Action: 'read', Subject: 'action-items', Conditions: mine('mentorId') },
  'read-action-items-as-mentee': { Action: 'read', Subject: 'action-items', Conditions: mine('menteeId') },
  'create-action-items': { Action: 'create', Subject: 'action-items', Conditions: mine('createdById') },
  'update-action-items-as-mentor': { Action: 'update', Subject: 'action-items', Conditions: mine('mentorId'), Fields: ['status', 'title', 'description', 'dueDate'] },
  'update-action-items-as-mentee': { Action: 'update', Subject: 'action-items', Conditions: mine('menteeId'), Fields: ['status', 'title', 'description', 'dueDate'] },
  'delete-own-action-items': { Action: 'delete', Subject: 'action-items', Conditions: mine('createdById') },
  'read-learning-paths': { Action: 'read', Subject: 'learning-paths' },
  'manage-own-learning-progress': { Action: 'manage', Subject: 'user-learning-progress', Conditions: mine('userId') },
  'manage-own-milestones': { Action: 'manage', Subject: 'milestone-logs', Conditions: mine('userId') },
  'read-support-groups': { Action: 'read', Subject: 'support-groups' },
  'read-group-memberships': { Action: 'read', Subject: 'group-memberships' },
  'join-groups': { Action: 'create', Subject: 'group-memberships', Conditions: mine('userId') },
  'leave-groups': { Action: 'delete', Subject: 'group-memberships', Conditions: mine('userId') },
  'read-proxy-requests-as-mother': { Action: 'read', Subject: 'proxy-requests', Conditions: mine('motherId') },
  'read-proxy-requests-as-proxy': { Action: 'read', Subject: 'proxy-requests', Conditions: mine('proxyId') },
  'update-proxy-requests-as-mother': { Action: 'update', Subject: 'proxy-requests', Conditions: mine('motherId'), Fields: ['status', 'actualEndDate', 'expectedEndDate', 'notes'] },
  'answer-proxy-requests': { Action: 'update', Subject: 'proxy-requests', Conditions: mine('proxyId'), Fields: ['status', 'notes'] },
  'read-own-mental-health-chats': { Action: 'read', Subject: 'mental-health-chats', Conditions: mine('userId') },
  'write-own-mental-health-chats': { Action: 'create', Subject: 'mental-health-chats', Conditions: { userId: ME, isFromUser: true } },
  'delete-own-mental-health-chats': { Action: 'delete', Subject: 'mental-health-chats', Conditions: mine('userId') },
  'send-messages': { Action: 'create', Subject: 'direct-messages', Conditions: mine('senderId'), Description: 'To accepted connections only (checked by a lookup, 403)' },
  'read-sent-messages': { Action: 'read', Subject: 'direct-messages', Conditions: mine('senderId') },
  'read-received-messages': { Action: 'read', Subject: 'direct-messages', Conditions: mine('receiverId') },
  'mark-received-messages-read': { Action: 'update', Subject: 'direct-messages', Conditions: mine('receiverId'), Fields: ['read'] },
  'request-connections': { Action: 'create', Subject: 'user-connections', Conditions: { requesterId: ME, status: 'pending' } },
  'read-requested-connections': { Action: 'read', Subject: 'user-connections', Conditions: mine('requesterId') },
  'read-received-connections': { Action: 'read', Subject: 'user-connections', Conditions: mine('receiverId') },
  'answer-connections': { Action: 'update', Subject: 'user-connections', Conditions: mine('receiverId'), Fields: ['status'] },
  'manage-own-microsoft-token': { Action: 'manage', Subject: 'microsoft-tokens', Conditions: mine('userId') },
  'read-published-resources': { Action: 'read', Subject: 'resources', Conditions: { isPublished: true } },
  'read-resource-comments': { Action: 'read', Subject: 'resource-comments' },
  'comment-on-resources': { Action: 'create', Subject: 'resource-comments', Conditions: mine('userId') },
  'manage-own-comments': { Action: 'manage', Subject: 'resource-comments', Conditions: mine('userId') },
  'report-issues': { Action: 'create', Subject: 'reported-issues', Conditions: mine('userId') },
  'read-own-issues': { Action: 'read', Subject: 'reported-issues', Conditions: mine('userId') },
  'reopen-own-issues': { Action: 'update', Subject: 'reported-issues', Conditions: mine('userId'), Fields: ['status', 'description'] },
  'read-own-issue-messages': { Action: 'read', Subject: 'issue-messages', Conditions: mine('reporterId') },
  'write-own-issue-messages': { Action: 'create', Subject: 'issue-messages', Conditions: { userId: ME, reporterId: ME }, Description: 'On their own issue (reporterId checked against the issue)' }
})

const mentor = named('mentor', {
  'propose-sessions': { Action: 'create', Subject: 'sessions', Conditions: { mentorId: ME, status: 'proposed' } },
  'read-matches': { Action: 'read', Subject: 'matches', Conditions: mine('mentorId') },
  'read-matched-mentee-profiles': { Action: 'read', Subject: 'profiles', Conditions: { matchedMentorIds: ME }, Description: 'Profiles of their approved mentees' },
  'upload-resources': { Action: 'create', Subject: 'resources', Conditions: mine('uploadedById') },
  'manage-own-resources': { Action: 'manage', Subject: 'resources', Conditions: mine('uploadedById') }
})

const mentee = named('mentee', {
  'request-sessions': { Action: 'create', Subject: 'sessions', Conditions: { menteeId: ME, status: 'requested' } },
  'read-matches': { Action: 'read', Subject: 'matches', Conditions: mine('menteeId') },
  'ask-for-mentors': { Action: 'create', Subject: 'matches', Conditions: { menteeId: ME, status: 'pending' } }
})

const newMother = named('new-mother', {
  'ask-for-proxies': { Action: 'create', Subject: 'proxy-requests', Conditions: { motherId: ME, status: 'pending' } }
})

/** Collections an admin manages whole: everything but private conversations (mental-health chats, direct messages) and others' tokens. */
const ADMIN_MANAGED = [
  'roles', 'permissions', 'role-permission-mappings', 'users', 'profiles', 'sessions', 'feedback', 'matches', 'action-items', 'learning-paths',
  'user-learning-progress', 'support-groups', 'group-memberships', 'proxy-requests', 'resources', 'resource-comments', 'reported-issues', 'issue-messages'
]

const admin = [
  ...named('admin', {
    'enter-admin': { Action: 'access', Subject: 'admin' },
    'manage-shared-notes': { Action: 'manage', Subject: 'session-notes', Conditions: { isPrivate: false }, Description: 'Never a private note of someone else' },
    'read-milestones': { Action: 'read', Subject: 'milestone-logs' },
    'read-connections': { Action: 'read', Subject: 'user-connections' },
    'never-others-mental-health-chats': {
      Action: 'manage',
      Subject: 'mental-health-chats',
      Conditions: { userId: { $ne: ME } },
      Inverted: true,
      Description: 'Stays even if someone grants admins more: a mental-health chat is its user’s alone'
    }
  }),
  ...ADMIN_MANAGED.map((name) => ({ PermissionName: `admin-manage-${name}`, Action: 'manage', Subject: name, Description: `Everything on ${name}` }))
]

export const permissions: PermissionInput[] = [...everyone, ...mentor, ...mentee, ...newMother, ...admin]

export const roles: RoleInput[] = [
  { RoleName: 'admin', Description: 'Approves matches, manages users and content; never reads private notes or mental-health chats', permissions: [...names(everyone), ...names(admin)] },
  { RoleName: 'mentor', Description: 'Proposes and runs sessions with approved mentees', permissions: [...names(everyone), ...names(mentor)] },
  { RoleName: 'mentee', Description: 'Asks for mentors, requests sessions', permissions: [...names(everyone), ...names(mentee)] },
  { RoleName: 'new_mother', Description: 'A mentee with working-mother support: proxy requests, milestones, support groups', permissions: [...names(everyone), ...names(mentee), ...names(newMother)] }
]
