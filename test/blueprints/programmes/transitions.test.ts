// The declared state machines of programmes, applications and tasks: legal and illegal moves, per role (certificates: certificates.test.ts).
import assert from 'node:assert/strict'
import { programmesWorld, type World } from './world.js'

const denied = (status: number) => [403, 404].includes(status)

describe('programmes transitions, per role', () => {
  let world: World
  let cloud: any, data: any
  before(async () => {
    world = await programmesWorld()
    cloud = await world.programme('Cloud Foundations 2025')
    data = await world.programme('Data Engineering 2024')
  })

  describe('a programme: active → completed → archived', () => {
    it('its creator manages it; only they (or an Admin) move it, one step at a time, stamped', async () => {
      const grace = await world.as('grace')
      const created = await grace.post('/programmes', { name: 'Security Basics' })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      assert.deepEqual([created.body.Status, created.body.Created_by], ['active', grace.user._id])
      const id = created.body._id
      const [membership] = await world.find('programme-managers', { Program_id: id })
      assert.equal(membership.User_id, grace.user._id)
      assert.equal((await grace.patch(`/programmes/${id}`, { Status: 'archived' })).status, 409, 'active cannot skip completed')
      assert.ok(denied((await (await world.as('alan')).patch(`/programmes/${id}`, { Status: 'completed' })).status), 'another manager')
      assert.ok(denied((await (await world.as('maya')).patch(`/programmes/${id}`, { Status: 'completed' })).status), 'a mentor')
      const completed = await grace.patch(`/programmes/${id}`, { Status: 'completed' })
      assert.equal(completed.status, 200, JSON.stringify(completed.body))
      assert.ok(completed.body.date_completed)
      assert.equal((await grace.patch(`/programmes/${id}`, { Status: 'archived', archivedby: (await world.as('alan')).user._id })).status, 400, 'archivedby is the server’s')
      const archived = await grace.patch(`/programmes/${id}`, { Status: 'archived' })
      assert.equal(archived.status, 200)
      assert.equal(archived.body.archivedby, grace.user._id)
      assert.ok(archived.body.date_archived)
      assert.equal((await grace.patch(`/programmes/${id}`, { Status: 'active' })).status, 409, 'archived is final')
    })
  })

  describe('an application: Pending → Approved | Declined', () => {
    it('is checked against the programme’s questions and only for an active programme', async () => {
      const omar = await world.newcomer('omar')
      const missing = await omar.post('/programme-applications', { Programme_id: cloud._id, answers: { hoursPerWeek: 'many' } })
      assert.equal(missing.status, 400)
      assert.deepEqual(Object.keys(missing.body.data.answers).sort(), ['hoursPerWeek', 'motivation'])
      assert.equal((await omar.post('/programme-applications', { Programme_id: cloud._id, answers: { motivation: 'x', hoursPerWeek: 2, shoeSize: 44 } })).status, 400)
      assert.equal((await omar.post('/programme-applications', { Programme_id: data._id })).status, 422, 'archived programmes take no applications')
      assert.equal((await omar.post('/programme-applications', { Programme_id: cloud._id, Status: 'Approved', answers: { motivation: 'x', hoursPerWeek: 2 } })).status, 403, 'nobody applies approved')
    })

    it('the programme’s manager approves it, stamped; the applicant becomes a mentor and sees its tasks', async () => {
      const sofia = await world.newcomer('sofia')
      const applied = await sofia.post('/programme-applications', { Programme_id: cloud._id, answers: { motivation: 'Love teaching', hoursPerWeek: 5, track: 'IaC' } })
      assert.equal(applied.status, 201, JSON.stringify(applied.body))
      assert.deepEqual([applied.body.Status, applied.body.User_id], ['Pending', sofia.user._id])
      const id = applied.body._id
      assert.ok(denied((await sofia.patch(`/programme-applications/${id}`, { Status: 'Approved' })).status), 'not the applicant')
      assert.ok(denied((await (await world.as('maya')).patch(`/programme-applications/${id}`, { Status: 'Approved' })).status), 'not a mentor')
      assert.ok(denied((await (await world.as('alan')).patch(`/programme-applications/${id}`, { Status: 'Approved' })).status), 'not another manager')
      assert.deepEqual((await sofia.get('/tasks')).body.data, [])
      const grace = await world.as('grace')
      const approved = await grace.patch(`/programme-applications/${id}`, { Status: 'Approved' })
      assert.equal(approved.status, 200, JSON.stringify(approved.body))
      assert.equal(approved.body.approvedDeclined_By, grace.user._id)
      assert.ok(approved.body.approvedDeclined_At)
      assert.equal((await grace.patch(`/programme-applications/${id}`, { Status: 'Declined' })).status, 409, 'a decision is final')
      assert.equal((await world.find('programme-mentors', { Program_id: cloud._id, User_id: sofia.user._id })).length, 1)
      const tasks = (await sofia.get('/tasks')).body.data
      assert.ok(tasks.length > 0)
      for (const task of tasks) assert.equal(task.Program_id, cloud._id)
    })
  })

  describe('a task: unassigned → pending → inprogress → completed', () => {
    it('goes to mentors and managers of its programme only; assigned mentors move it forward, managers reopen it', async () => {
      const grace = await world.as('grace')
      const maya = await world.as('maya')
      const leo = await world.as('leo')
      assert.equal((await grace.post('/tasks', { Program_id: cloud._id, title: 'x', status: 'pending', assigned_to: [leo.user._id] })).status, 422, 'leo is not of this programme')
      assert.ok(denied((await (await world.as('alan')).post('/tasks', { Program_id: cloud._id, title: 'x' })).status))
      assert.ok(denied((await maya.post('/tasks', { Program_id: cloud._id, title: 'x' })).status), 'mentors do not create tasks')
      const task = (await grace.post('/tasks', { Program_id: cloud._id, title: 'Mock interviews' })).body
      assert.equal(task.status, 'unassigned')
      assert.equal((await grace.patch(`/tasks/${task._id}`, { status: 'inprogress', assigned_to: [maya.user._id] })).status, 409, 'unassigned cannot skip pending')
      assert.equal((await grace.patch(`/tasks/${task._id}`, { status: 'pending' })).status, 422, 'pending needs assignees')
      assert.equal((await grace.patch(`/tasks/${task._id}`, { status: 'pending', assigned_to: [maya.user._id] })).status, 200)
      assert.equal((await maya.patch(`/tasks/${task._id}`, { title: 'renamed' })).status, 403, 'a mentor changes only the status')
      assert.equal((await maya.patch(`/tasks/${task._id}`, { status: 'inprogress' })).status, 200)
      assert.equal((await maya.patch(`/tasks/${task._id}`, { status: 'completed' })).status, 200)
      assert.equal((await maya.patch(`/tasks/${task._id}`, { status: 'inprogress' })).status, 403, 'only managers reopen')
      assert.equal((await grace.patch(`/tasks/${task._id}`, { status: 'inprogress' })).status, 200)
      const unassignedToHer = (await grace.post('/tasks', { Program_id: cloud._id, title: 'Grace’s own', status: 'pending', assigned_to: [grace.user._id] })).body
      assert.ok(denied((await maya.patch(`/tasks/${unassignedToHer._id}`, { status: 'inprogress' })).status), 'not her task')
    })

    it('a report on a task belongs to the task’s programme', async () => {
      const maya = await world.as('maya')
      const [task] = await world.find('tasks', { Program_id: cloud._id })
      const report = await maya.post('/reports', { program_id: cloud._id, Task_id: task._id, report_title: 'Week 2' })
      assert.equal(report.status, 201, JSON.stringify(report.body))
      assert.deepEqual([report.body.Type, report.body.created_by], ['task', maya.user._id])
      assert.ok((await world.programme('Cloud Foundations 2025')).report.includes(report.body._id), 'the programme lists its reports')
      const [foreignTask] = await world.find('tasks', { Program_id: data._id })
      assert.equal((await maya.post('/reports', { program_id: cloud._id, Task_id: foreignTask._id, report_title: 'x' })).status, 422)
      assert.ok(denied((await maya.post('/reports', { program_id: data._id, report_title: 'x' })).status), 'not her programme')
    })
  })
})
