// Applications stay inside their programme: only its managers (and the applicant) read them, over REST and Socket.io.
import assert from 'node:assert/strict'
import { eventually, wait } from '../../helpers.js'
import { programmesWorld, type DemoUser, type World } from './world.js'

describe('programme applications, per role', () => {
  let world: World
  let cloud: any, data: any
  before(async () => {
    world = await programmesWorld()
    cloud = await world.programme('Cloud Foundations 2025')
    data = await world.programme('Data Engineering 2024')
  })

  const listed = async (who: DemoUser) => (await (await world.as(who)).get('/programme-applications', { $limit: 100 })).body.data as any[]

  it('a manager reads every application to the programmes they manage, and none of another’s', async () => {
    const grace = await listed('grace')
    assert.deepEqual([...new Set(grace.map((a) => a.Programme_id))], [cloud._id])
    // Other test files of this shared world add applications: every state is there, each of her programme.
    assert.deepEqual([...new Set(grace.map((a) => a.Status))].sort(), ['Approved', 'Declined', 'Pending'])
    const alan = await listed('alan')
    assert.deepEqual([...new Set(alan.map((a) => a.Programme_id))], [data._id])
  })

  it('a manager cannot get, decide or remove an application to a programme they do not manage', async () => {
    const grace = await world.as('grace')
    const [foreign] = await world.find('programme-applications', { Programme_id: data._id })
    assert.ok([403, 404].includes((await grace.get(`/programme-applications/${foreign._id}`)).status))
    assert.ok([403, 404].includes((await grace.patch(`/programme-applications/${foreign._id}`, { Status: 'Declined' })).status))
    assert.ok([403, 404].includes((await grace.remove(`/programme-applications/${foreign._id}`)).status))
    assert.equal((await world.find('programme-applications', { _id: foreign._id }))[0].Status, foreign.Status)
  })

  it('a mentor of a programme reads only their own application, not the others to that programme', async () => {
    const maya = await world.as('maya')
    const mine = await listed('maya')
    assert.deepEqual(mine.map((a) => a.User_id), [maya.user._id])
    const [pending] = await world.find('programme-applications', { Programme_id: cloud._id, Status: 'Pending' })
    assert.ok([403, 404].includes((await maya.get(`/programme-applications/${pending._id}`)).status))
    const filtered = await maya.get('/programme-applications', { Programme_id: cloud._id })
    assert.deepEqual(filtered.body.data.map((a: any) => a.User_id), [maya.user._id])
  })

  it('an applicant reads their own applications in every state, and nobody else’s', async () => {
    const priya = await world.as('priya')
    const mine = await listed('priya')
    assert.deepEqual(mine.map((a) => a.Status).sort(), ['Declined', 'Pending'])
    for (const application of mine) assert.equal(application.User_id, priya.user._id)
  })

  it('an Admin reads them all', async () => {
    const all = await listed('admin')
    assert.deepEqual(new Set(all.map((a) => a.Programme_id)), new Set([cloud._id, data._id]))
  })

  describe('over Socket.io', () => {
    it('a new application reaches the programme’s manager, the applicant and Admins, never another manager or the mentors', async () => {
      const who: DemoUser[] = ['admin', 'grace', 'alan', 'maya', 'leo', 'priya', 'tom']
      const sockets = Object.fromEntries(await Promise.all(who.map(async (w) => [w, await world.socket(w)] as const)))
      const nina = await world.newcomer('nina')
      const ninaSocket = await world.socket(nina)
      try {
        const created = await nina.post('/programme-applications', { Programme_id: cloud._id, answers: { motivation: 'Paying it forward', hoursPerWeek: 2 } })
        assert.equal(created.status, 201, JSON.stringify(created.body))
        const grace = await world.as('grace')
        assert.equal((await grace.patch(`/programme-applications/${created.body._id}`, { Status: 'Declined' })).status, 200)
        const heard = (events: { name: string; data: any }[], name: string) => events.some((e) => e.name === name && e.data?._id === created.body._id)
        assert.ok(await eventually(() => heard(sockets.grace.events, 'programme-applications patched') && heard(sockets.admin.events, 'programme-applications patched') && heard(ninaSocket.events, 'programme-applications patched')))
        assert.ok(heard(sockets.grace.events, 'programme-applications created'))
        await wait(150)
        for (const w of ['alan', 'maya', 'leo', 'priya', 'tom'] as DemoUser[]) {
          assert.equal(sockets[w].events.filter((e) => e.name.startsWith('programme-applications')).length, 0, `${w} heard an application event`)
        }
      } finally {
        for (const socket of [...Object.values(sockets), ninaSocket]) socket.close()
      }
    })

    it('socket calls are held to the same permissions', async () => {
      const socket = await world.socket('alan')
      try {
        const page = await socket.call('find', 'programme-applications', { $limit: 100 })
        assert.ok(page.data.length > 0)
        for (const application of page.data) assert.equal(application.Programme_id, data._id)
        const [foreign] = await world.find('programme-applications', { Programme_id: cloud._id })
        await assert.rejects(socket.call('get', 'programme-applications', foreign._id), (error: any) => [403, 404].includes(error.code))
        await assert.rejects(socket.call('patch', 'programme-applications', foreign._id, { Status: 'Approved' }), (error: any) => [403, 404].includes(error.code))
      } finally {
        socket.close()
      }
    })
  })

  it('mentors see the programmes they belong to and open ones, their tasks and reports; not an archived programme of others', async () => {
    const maya = await world.as('maya')
    assert.deepEqual((await maya.get('/programmes')).body.data.map((p: any) => p.name), ['Cloud Foundations 2025'])
    const leo = await world.as('leo')
    assert.deepEqual((await leo.get('/programmes')).body.data.map((p: any) => p.name).sort(), ['Cloud Foundations 2025', 'Data Engineering 2024'])
    for (const task of (await maya.get('/tasks')).body.data) assert.equal(task.Program_id, cloud._id)
    for (const report of (await maya.get('/reports')).body.data) assert.equal(report.program_id, cloud._id)
    const priya = await world.as('priya')
    assert.deepEqual((await priya.get('/tasks')).body.data, [], 'an applicant sees no tasks')
    assert.ok([403, 404].includes((await maya.get(`/programmes/${data._id}`)).status))
  })
})
