/**
 * Demo records for a first start: a living programme. Three mentors (Grace is full), five mentees, two new mothers;
 * matches approved, pending and rejected; sessions completed (with notes, action items and feedback), confirmed,
 * proposed, requested, rescheduled and cancelled; a learning path with progress; a support group; connections and
 * messages; proxy requests; resources (one a draft); a reported issue.
 *
 * Demo users (password `quillbase-demo` for all):
 *   admin@example.com    admin
 *   grace@example.com    mentor      full: 2 of 2 mentees (Maya, Noah); Olivia's request is pending
 *   alan@example.com     mentor      1 of 3 (Priya); Sam's request pending, Noah's rejected
 *   margaret@example.com mentor      1 of 4 (Nina), supports new mothers; Rosa's request pending
 *   maya@example.com     mentee      Grace's; a completed session with notes and feedback; security question
 *                                    "Your first programming language?" (answer `Logo`) for password recovery
 *   noah@example.com     mentee      Grace's; a confirmed session
 *   olivia@example.com   mentee      waiting for Grace; onboarding in progress (step 2)
 *   priya@example.com    mentee      Alan's; learning path done
 *   sam@example.com      mentee      waiting for Alan; reported an issue
 *   nina@example.com     new_mother  Margaret's; a rescheduled session, a proxy (Priya) accepted
 *   rosa@example.com     new_mother  waiting for Margaret; a proxy request pending
 */
import type { Application } from '@feathersjs/feathers'
import type { DemoLogins } from '../../schemas/types.js'

export const DEMO_PASSWORD = 'quillbase-demo'

type Rec = Record<string, any>

const at = (dayOffset: number, hour = 10) => {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + dayOffset)
  date.setUTCHours(hour, 0, 0, 0)
  return date.toISOString()
}

const PEOPLE = [
  { username: 'admin', fullName: 'Ada Admin', role: 'admin' },
  { username: 'grace', fullName: 'Grace Hopper', role: 'mentor', profile: { position: 'Principal Engineer', areaOfExpertise: 'Engineering leadership', maxMenteeCapacity: 2, acceptingNewMentees: true } },
  { username: 'alan', fullName: 'Alan Turing', role: 'mentor', profile: { position: 'Head of Research', areaOfExpertise: 'Data science', maxMenteeCapacity: 3, acceptingNewMentees: true } },
  { username: 'margaret', fullName: 'Margaret Hamilton', role: 'mentor', profile: { position: 'Director of Engineering', areaOfExpertise: 'Returning to work', maxMenteeCapacity: 4, acceptingNewMentees: true, supportsNewMothers: true } },
  { username: 'maya', fullName: 'Maya Patel', role: 'mentee', securityQuestion: 'Your first programming language?', securityAnswer: 'Logo', profile: { position: 'Software Engineer', goals: 'Lead a team within two years' } },
  { username: 'noah', fullName: 'Noah Kim', role: 'mentee', profile: { position: 'Data Analyst', goals: 'Move into machine learning' } },
  { username: 'olivia', fullName: 'Olivia Brown', role: 'mentee', profile: { position: 'Product Designer', onboardingStatus: 'in_progress', onboardingStep: 2 } },
  { username: 'priya', fullName: 'Priya Shah', role: 'mentee', profile: { position: 'QA Engineer' } },
  { username: 'sam', fullName: 'Sam Lee', role: 'mentee', profile: { position: 'Support Engineer' } },
  { username: 'nina', fullName: 'Nina Rossi', role: 'new_mother', profile: { position: 'Project Manager', goals: 'A smooth return from leave' } },
  { username: 'rosa', fullName: 'Rosa Diaz', role: 'new_mother', profile: { position: 'Engineering Manager' } }
] as const

export const demoLogins: DemoLogins = { password: DEMO_PASSWORD, users: PEOPLE.map(({ username, role }) => ({ email: `${username}@example.com`, role })) }

export async function demo(app: Application) {
  const create = (path: string, data: Rec) => app.service(path).create(data) as Promise<Rec>
  const u: Record<string, Rec> = {}
  for (const person of PEOPLE) {
    const { profile = {}, ...fields } = person as Rec
    u[person.username] = await create('users', { ...fields, email: `${person.username}@example.com`, password: DEMO_PASSWORD })
    await create('profiles', {
      userId: u[person.username]._id,
      organization: 'Acme Corp',
      onboardingStatus: 'completed',
      onboardingStep: 5,
      skills: person.role === 'mentor' ? ['coaching', 'architecture'] : ['typescript'],
      ...profile
    })
  }
  const id = (name: string) => u[name]._id
  const match = (mentor: string, mentee: string, status: string, goal: string) =>
    create('matches', { mentorId: id(mentor), menteeId: id(mentee), goal, status, ...(status !== 'pending' && { adminId: id('admin') }) })
  await match('grace', 'maya', 'approved', 'Grow into a tech lead')
  await match('grace', 'noah', 'approved', 'Learn to design systems')
  await match('grace', 'olivia', 'pending', 'Find my path in design engineering')
  await match('alan', 'priya', 'approved', 'Test automation at scale')
  await match('alan', 'sam', 'pending', 'Move from support to development')
  await match('alan', 'noah', 'rejected', 'Machine learning')
  await match('margaret', 'nina', 'approved', 'Return to work after leave')
  await match('margaret', 'rosa', 'pending', 'Plan my leave')

  const session = (mentor: string, mentee: string, status: string, date: string, title: string, extra: Rec = {}) =>
    create('sessions', { mentorId: id(mentor), menteeId: id(mentee), title, date, duration: 60, status, ...extra })
  const done = await session('grace', 'maya', 'completed', at(-7), 'Leading your first project', { agenda: 'Scope, stakeholders, risks', meetingLink: 'https://meet.example.com/grace-maya' })
  await create('session-notes', { sessionId: done._id, createdById: id('grace'), notes: 'Maya is ready to lead the billing migration.', isPrivate: false })
  await create('session-notes', { sessionId: done._id, createdById: id('grace'), notes: 'Ask her manager about the promotion timeline.', isPrivate: true })
  await create('session-notes', { sessionId: done._id, createdById: id('maya'), notes: 'Draft a one-page plan before the next session.', isPrivate: true })
  await create('action-items', { sessionId: done._id, createdById: id('grace'), assignedToId: id('maya'), title: 'Write the project one-pager', dueDate: at(3), status: 'in_progress' })
  await create('feedback', { sessionId: done._id, fromUserId: id('maya'), rating: 5, comments: 'Clear and practical.' })
  await create('feedback', { sessionId: done._id, fromUserId: id('grace'), rating: 4, comments: 'Well prepared.' })
  await session('grace', 'noah', 'confirmed', at(2, 15), 'System design basics')
  await session('grace', 'maya', 'cancelled', at(-2), 'Stakeholder mapping', { responseMessage: 'Travelling that day, sorry.' })
  await session('alan', 'priya', 'proposed', at(5), 'Property-based testing')
  await session('alan', 'priya', 'requested', at(9), 'Career check-in')
  await session('margaret', 'nina', 'rescheduled', at(4, 9), 'Planning the return', { proposedDate: at(6, 9), proposedBy: id('nina'), responseMessage: 'Nursery settling-in that morning' })

  const path = await create('learning-paths', {
    title: 'Leadership foundations',
    category: 'leadership',
    description: 'From individual contributor to team lead.',
    modules: [
      { id: 'm1', title: 'Giving feedback', durationMinutes: 30 },
      { id: 'm2', title: 'Running one-to-ones', durationMinutes: 45 },
      { id: 'm3', title: 'Delegation', durationMinutes: 30 },
      { id: 'm4', title: 'Planning a quarter', durationMinutes: 60 }
    ]
  })
  await create('user-learning-progress', { userId: id('maya'), pathId: path._id, completedModules: ['m1', 'm2'] })
  await create('user-learning-progress', { userId: id('priya'), pathId: path._id, completedModules: ['m1', 'm2', 'm3', 'm4'] })

  const circle = await create('support-groups', { name: 'Working mothers circle', description: 'Peer support before, during and after leave.' })
  for (const name of ['nina', 'rosa', 'margaret']) await create('group-memberships', { userId: id(name), groupId: circle._id })
  await create('milestone-logs', { userId: id('nina'), type: 'return_to_work', title: 'First week back', notes: 'Part-time, three days', date: at(-3) })
  await create('proxy-requests', { motherId: id('nina'), proxyId: id('priya'), status: 'accepted', startDate: at(-30), expectedEndDate: at(60), notes: 'Covers the release calendar' })
  await create('proxy-requests', { motherId: id('rosa'), proxyId: id('sam'), status: 'pending', startDate: at(30), expectedEndDate: at(200) })
  await create('mental-health-chats', { userId: id('nina'), message: 'I feel overwhelmed balancing the baby and work this week.', isFromUser: true })
  await create('mental-health-chats', { userId: id('nina'), message: 'That sounds hard. What would make tomorrow a little easier?', isFromUser: false })

  const connect = (from: string, to: string, status: string) => create('user-connections', { requesterId: id(from), receiverId: id(to), status })
  await connect('maya', 'noah', 'accepted')
  await connect('rosa', 'nina', 'accepted')
  await connect('priya', 'sam', 'pending')
  const say = (from: string, to: string, message: string, read = false) => create('direct-messages', { senderId: id(from), receiverId: id(to), message, read })
  await say('maya', 'noah', 'How was your first session with Grace?', true)
  await say('noah', 'maya', 'Great, she gave me a reading list.')
  await say('rosa', 'nina', 'Any tips for the first week back?')

  await create('resources', { title: 'Returning to work: a guidebook', type: 'guidebook', uploadedById: id('admin'), url: 'https://example.com/return-guide', isPublished: true, category: 'parenting', tags: ['leave', 'return'] })
  await create('resources', { title: 'Ten-minute breathing', type: 'meditation', uploadedById: id('margaret'), url: 'https://example.com/breathing', isPublished: true, category: 'wellbeing' })
  await create('resources', { title: 'Draft: my path to staff engineer', type: 'story', uploadedById: id('grace'), isPublished: false, category: 'career' })
  const issue = await create('reported-issues', { userId: id('sam'), title: 'Calendar invite has the wrong time zone', description: 'Invites show UTC instead of my local time.' })
  await create('issue-messages', { issueId: issue._id, userId: id('sam'), message: 'It happens for every session invite.' })
  await create('microsoft-tokens', { userId: id('grace'), microsoftEmail: 'grace@acme.example.com', accessToken: 'demo-access-token', refreshToken: 'demo-refresh-token', expiresAt: at(1) })
}
