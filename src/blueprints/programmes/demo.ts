/**
 * Demo records for a first start: an active programme and an archived one, each run by its manager, with
 * applications in every state (approved ones made their applicants mentors), tasks in every state, reports
 * on the programme and on a task, mentor profiles, and certificates rendered as PDFs (one approved, one awaiting approval);
 * Cloud Foundations' chat box with two messages (Maya has read the first), a direct chat from Grace to Maya, a forum
 * thread by Maya mentioning Grace with Grace's reply mentioning Maya, and the notifications the triggers made of all that
 * (decided applications, assigned tasks, the approved certificate, the mentions).
 *
 * Demo users (password `quillbase-demo` for all):
 *   admin@example.com   Admin    everything
 *   grace@example.com   manager  Cloud Foundations 2025 (active)
 *   alan@example.com    manager  Data Engineering 2024 (archived)
 *   maya@example.com    mentor   Cloud Foundations 2025 (approved), certificate awaiting approval
 *   leo@example.com     mentor   Data Engineering 2024 (approved, certificate approved)
 *   priya@example.com   mentor   applicant: Cloud Foundations pending, Data Engineering declined
 *   tom@example.com     mentor   applicant: Cloud Foundations declined
 */
import type { Params } from '@feathersjs/feathers'
import type { EngineApp } from '../../engine.js'
import type { DemoLogins } from '../../schemas/types.js'

export const DEMO_PASSWORD = 'quillbase-demo'

type Rec = Record<string, any>

const PEOPLE = {
  admin: { username: 'ada', email: 'admin@example.com', role: 'Admin', Country: 'United Kingdom', City: 'London', Bio: 'Runs the MMM-Cloud platform.', Headline: 'Platform administrator' },
  grace: { username: 'grace', email: 'grace@example.com', role: 'manager', Country: 'United States', City: 'Arlington', Bio: 'Cloud architect and programme lead.', Headline: 'Programme manager, Cloud Foundations', Social_Profile: { linkedin: 'https://www.linkedin.com/in/grace-example' } },
  alan: { username: 'alan', email: 'alan@example.com', role: 'manager', Country: 'United Kingdom', City: 'Manchester', Headline: 'Programme manager, Data Engineering' },
  maya: { username: 'maya', email: 'maya@example.com', role: 'mentor', Country: 'Kenya', City: 'Nairobi', Bio: 'Backend engineer, Kubernetes and Go.', Headline: 'Senior backend engineer', Social_Profile: { gitHub: 'https://github.com/maya-example' }, website: 'https://maya.example.com' },
  leo: { username: 'leo', email: 'leo@example.com', role: 'mentor', Country: 'Brazil', City: 'São Paulo', Bio: 'Data engineer.', Headline: 'Data engineer' },
  priya: { username: 'priya', email: 'priya@example.com', role: 'mentor', Country: 'India', City: 'Pune', Headline: 'Full-stack developer' },
  tom: { username: 'tom', email: 'tom@example.com', role: 'mentor', Country: 'Ireland' }
}

export const demoLogins: DemoLogins = { password: DEMO_PASSWORD, users: Object.values(PEOPLE).map(({ email, role }) => ({ email, role })) }

export async function demo(app: EngineApp) {
  // Internal calls made as a person, so stamps and generated values name them.
  const as = (user: Rec): Params => ({ user })
  const create = (path: string, data: Rec, params: Params = {}) => app.service(path).create(data, params) as Promise<Rec>
  const patch = (path: string, id: string, data: Rec, params: Params = {}) => app.service(path).patch(id, data, params) as Promise<Rec>

  const stacks: Record<string, Rec> = {}
  for (const name of ['AWS', 'Kubernetes', 'TypeScript', 'Python', 'PostgreSQL', 'Terraform']) stacks[name] = await create('tech-stacks', { name })
  const roles: Record<string, Rec> = {}
  for (const name of ['Backend engineer', 'Data engineer', 'DevOps engineer', 'Engineering manager']) roles[name] = await create('job-roles', { name })

  const people: Record<keyof typeof PEOPLE, Rec> = {} as any
  for (const [key, person] of Object.entries(PEOPLE)) people[key as keyof typeof PEOPLE] = await create('users', { ...person, password: DEMO_PASSWORD })
  const { grace, alan, maya, leo, priya, tom } = people

  const cloud = await create(
    'programmes',
    {
      name: 'Cloud Foundations 2025',
      description: 'Twelve weeks of cloud infrastructure mentoring: networking, containers, infrastructure as code.',
      criteria: {
        questions: [
          { key: 'motivation', label: 'Why do you want to mentor?', type: 'text', required: true },
          { key: 'hoursPerWeek', label: 'Hours per week', type: 'number', required: true },
          { key: 'track', label: 'Track', type: 'choice', options: ['Containers', 'Networking', 'IaC'] }
        ],
        minimumExperienceYears: 3
      }
    },
    as(grace)
  )
  const data = await create('programmes', { name: 'Data Engineering 2024', description: 'Pipelines, warehouses and data quality.' }, as(alan))

  const apply = (programme: Rec, user: Rec, answers?: Rec) => create('programme-applications', { Programme_id: programme._id, ...(answers && { answers }) }, as(user))
  const decide = (application: Rec, Status: string, manager: Rec) => patch('programme-applications', application._id, { Status }, as(manager))
  const cloudAnswers = (motivation: string, hoursPerWeek: number) => ({ motivation, hoursPerWeek, track: 'Containers' })
  await decide(await apply(cloud, maya, cloudAnswers('I learned from mentors myself.', 4)), 'Approved', grace)
  await apply(cloud, priya, cloudAnswers('To give back to the community.', 3))
  await decide(await apply(cloud, tom, cloudAnswers('Curious.', 1)), 'Declined', grace)
  await decide(await apply(data, leo), 'Approved', alan)
  await decide(await apply(data, priya), 'Declined', alan)

  await create('user-details', { manager_id: grace._id, Programme_of_interest: cloud._id, previous_held_role: ['Backend engineer'], previous_program: ['Go Mentors 2023'], year_of_Technical_Experience: 8, been_a_mentor_before: true, Technical_proficiency: [stacks.Kubernetes._id, stacks.AWS._id], Previous_roles: [roles['Backend engineer']._id], approved: true }, as(maya))
  await create('user-details', { manager_id: grace._id, Programme_of_interest: cloud._id, year_of_Technical_Experience: 3, been_a_mentor_before: false, Technical_proficiency: [stacks.TypeScript._id], Previous_roles: [roles['Backend engineer']._id] }, as(priya))

  const task = (programme: Rec, title: string, manager: Rec, extra: Rec = {}) => create('tasks', { Program_id: programme._id, title, ...extra }, as(manager))
  await task(cloud, 'Prepare the week 3 Terraform lab', grace)
  const kickoff = await task(cloud, 'Run the kickoff session', grace, { status: 'pending', assigned_to: [maya._id, grace._id], description: 'Introductions, goals, schedule.' })
  const review = await task(cloud, 'Review mentee VPC designs', grace, { status: 'pending', assigned_to: [maya._id] })
  await patch('tasks', review._id, { status: 'inprogress' }, as(maya))
  await patch('tasks', kickoff._id, { status: 'inprogress' }, as(maya))
  await patch('tasks', kickoff._id, { status: 'completed' }, as(maya))
  const pipeline = await task(data, 'Pipeline capstone reviews', alan, { status: 'pending', assigned_to: [leo._id] })
  await patch('tasks', pipeline._id, { status: 'inprogress' }, as(leo))
  await patch('tasks', pipeline._id, { status: 'completed' }, as(leo))

  await create('reports', { program_id: cloud._id, Task_id: kickoff._id, report_title: 'Kickoff done', Achievements: 'All 12 mentees attended.', Blocker: 'None', recommendations: 'Share the recording.' }, as(maya))
  await create('reports', { program_id: cloud._id, report_title: 'Month one', Achievements: 'Labs 1–3 delivered.', Blocker: 'Cloud credits arrive late.', recommendations: 'Request credits two weeks ahead.' }, as(grace))
  await create('reports', { program_id: data._id, Task_id: pipeline._id, report_title: 'Capstones reviewed', Achievements: '9 of 10 pipelines passed.' }, as(leo))

  const inAYear = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 11, 31)).toISOString()
  // The engine renders each certificate in the background once the server runs; demo data renders them now.
  const render = (certificate: Rec) => app.documents.render('certificates', certificate._id)
  const leoCertificate = await create('certificates', { User_id: leo._id, Programme_id: data._id, Expiration_Date: inAYear }, as(alan))
  await render(leoCertificate)
  await patch('certificates', leoCertificate._id, { status: 'approved' }, as(alan))
  await render(await create('certificates', { User_id: maya._id, Programme_id: cloud._id, Expiration_Date: inAYear }, as(grace)))

  // Cloud Foundations' chat box (Grace and Maya are in it: the engine added them), a direct chat, the forum.
  const [chatBox] = (await app.service('chats').find({ paginate: false, query: { programme_id: cloud._id } })) as Rec[]
  const welcome = await create('messages', { chat_id: chatBox._id, body: 'Welcome to Cloud Foundations 2025! Kickoff is on Monday.' }, as(grace))
  await create('messages', { chat_id: chatBox._id, body: 'Thanks Grace, the lab environment is ready.' }, as(maya))
  const [mayaInBox] = (await app.service('chat-members').find({ paginate: false, query: { chat_id: chatBox._id, user_id: maya._id } })) as Rec[]
  await patch('chat-members', mayaInBox._id, { last_read_at: welcome.sent_at }, as(maya))
  const direct = await create('chats', { type: 'direct' }, as(grace))
  await create('chat-members', { chat_id: direct._id, user_id: maya._id }, as(grace))
  await create('messages', { chat_id: direct._id, body: 'Could you review the VPC designs this week?' }, as(grace))
  const thread = await create('forum-threads', { programme_id: cloud._id, title: 'Terraform state: local or remote?', body: 'Should mentees keep their state in S3 from week one?', mentioned: [grace._id] }, as(maya))
  await create('forum-posts', { thread_id: thread._id, programme_id: cloud._id, body: 'Remote from week one, with locking. @maya can you show it in lab 3?', mentioned: [maya._id] }, as(grace))

  await patch('programmes', data._id, { Status: 'completed' }, as(alan))
  await patch('programmes', data._id, { Status: 'archived' }, as(alan))
}
