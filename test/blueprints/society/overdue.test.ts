// The society's scheduled task: unpaid bills past their due date become Overdue, through the bills service (state
// machine, events, audit log as the job). Its own server: the task touches every society's bills.
import assert from 'node:assert/strict'
import { connect, eventually, finished, login, request, startServer, type TestServer } from '../../helpers.js'
import { PASSWORD } from './world.js'

describe('society: bills past their due date become Overdue', () => {
  let server: TestServer
  let token: string
  let societyId: string
  let flats: Record<string, any>
  const post = async (path: string, body: unknown) => {
    const response = await request(server.url, 'POST', path, { token, body })
    assert.equal(response.status, 201, `${path}: ${JSON.stringify(response.body)}`)
    return response.body
  }
  const bill = async (flat: 'big' | 'small', from: string) =>
    (await request(server.url, 'GET', `/maintenance-bills?societyId=${societyId}&flatId=${flats[flat]._id}&billPeriod.from=${from}`, { token })).body.data[0]

  before(async () => {
    server = await startServer('society')
    token = (await login(server.url, 'superadmin@example.com', PASSWORD)).accessToken
    societyId = (await post('/societies', { name: 'Overdue Example Towers' }))._id
    const block = await post('/blocks', { societyId, name: 'O', floors: 2 })
    flats = {
      big: await post('/flats', { societyId, blockId: block._id, flatNumber: 'O-1', floor: 1, type: '3BHK', area: 1000 }),
      small: await post('/flats', { societyId, blockId: block._id, flatNumber: 'O-2', floor: 1, type: '1BHK', area: 500 })
    }
    await post('/maintenance-plans', { societyId, name: 'Monthly', billingCycle: 'Monthly', components: [{ name: 'Maintenance', amount: 1000, type: 'Fixed' }], applicableFrom: '2025-01-01T00:00:00.000Z', discountRate: 0, taxRate: 0 })
    // Due 2025-03-10 (past) and 2099-01-10 (not yet), whatever today is.
    await post('/billing-runs', { societyId, period: '2025-03' })
    await post('/billing-runs', { societyId, period: '2099-01' })
    const paid = await bill('small', '2025-03-01T00:00:00.000Z')
    await post('/payments', { societyId, billId: paid._id, flatId: flats.small._id, amount: paid.grandTotal, paymentMethod: 'Cash', status: 'Success' })
  })
  after(() => server?.close())

  it('is declared on the blueprint, hourly', () => {
    const schedule = server.app.blueprint.schedules.find((s) => s.name === 'overdue-bills')
    assert.equal(schedule?.cron, '5 * * * *')
  })

  it('moves unpaid past-due bills to Overdue, leaves paid and not-yet-due ones, and says so in the audit log and events', async () => {
    const before = await bill('big', '2025-03-01T00:00:00.000Z')
    assert.equal(before.status, 'Generated')
    assert.equal((await bill('small', '2025-03-01T00:00:00.000Z')).status, 'Paid')
    const listener = await connect(server.url, token)
    try {
      const status = await finished(server.app, await server.app.jobs.runNow('overdue-bills'))
      assert.equal(status.state, 'completed', JSON.stringify(status))
      assert.ok((status.result as any).marked >= 1)
      assert.equal(status.progress, 100)
      assert.ok(await eventually(() => listener.events.some((e) => e.name === 'maintenance-bills patched' && e.data._id === before._id && e.data.status === 'Overdue')))
    } finally {
      listener.close()
    }
    assert.equal((await bill('big', '2025-03-01T00:00:00.000Z')).status, 'Overdue')
    assert.equal((await bill('small', '2025-03-01T00:00:00.000Z')).status, 'Paid')
    assert.equal((await bill('big', '2099-01-01T00:00:00.000Z')).status, 'Generated')
    assert.equal((await bill('small', '2099-01-01T00:00:00.000Z')).status, 'Generated')
    const history = await request(server.url, 'GET', `/audit-log?collection=maintenance-bills&recordId=${before._id}&$sort[at]=-1`, { token })
    const [latest] = history.body.data
    assert.deepEqual([latest.method, latest.actor, latest.transport], ['patch', 'job', 'internal'])
    assert.deepEqual(latest.changes.find((change: any) => change.field === 'status'), { field: 'status', before: '"Generated"', after: '"Overdue"' })
  })

  it('finds nothing more to do on the next run', async () => {
    const status = await finished(server.app, await server.app.jobs.runNow('overdue-bills'))
    assert.deepEqual([status.state, status.result], ['completed', { marked: 0, skipped: 0 }])
  })
})
