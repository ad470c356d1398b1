// Billing runs: the month's bills for every flat from the active plans, worked out to the paisa, idempotent per period; payments settle them.
import assert from 'node:assert/strict'
import { eventually } from '../../helpers.js'
import { societyWorld, type World } from './world.js'

describe('society billing run', () => {
  let world: World
  let societyId: string
  let flats: Record<string, any>
  let residentToken: string
  let resident: any
  before(async () => {
    world = await societyWorld()
    const superadmin = await world.as('superadmin')
    const post = async (path: string, body: unknown) => {
      const response = await superadmin.post(path, body)
      assert.equal(response.status, 201, `${path}: ${JSON.stringify(response.body)}`)
      return response.body
    }
    societyId = (await post('/societies', { name: 'Worked Example Towers' }))._id
    const block = await post('/blocks', { societyId, name: 'W', floors: 4 })
    flats = {
      big: await post('/flats', { societyId, blockId: block._id, flatNumber: 'W-1', floor: 1, type: '3BHK', area: 1200 }),
      small: await post('/flats', { societyId, blockId: block._id, flatNumber: 'W-2', floor: 1, type: '1BHK', area: 800 })
    }
    const user = await post('/users', { email: 'payer@worked.example.com', password: 'worked-example-1', role: 'Resident', societyId, flatId: flats.big._id })
    resident = await post('/residents', { societyId, flatId: flats.big._id, userId: user._id, residentType: 'Owner', name: 'Payer', phone: '9000000099' })
    residentToken = (await (await fetch(`${world.url}/authentication`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ strategy: 'local', email: 'payer@worked.example.com', password: 'worked-example-1' }) })).json()).accessToken
    const plan = (extra: Record<string, unknown>) => ({
      societyId,
      name: 'Plan',
      billingCycle: 'Monthly',
      components: [
        { name: 'Sinking fund', amount: 500, type: 'Fixed' },
        { name: 'Maintenance', amount: 2.5, type: 'PerSqFt' }
      ],
      applicableFrom: '2025-01-01T00:00:00.000Z',
      discountRate: 5,
      taxRate: 18,
      ...extra
    })
    await post('/maintenance-plans', plan({ name: 'Monthly maintenance' }))
    await post('/maintenance-plans', plan({ name: 'Old plan', status: 'Inactive' }))
    await post('/maintenance-plans', plan({ name: 'Quarterly water', billingCycle: 'Quarterly', components: [{ name: 'Water', amount: 900, type: 'Fixed' }], discountRate: 0, taxRate: 0 }))
  })

  const run = async (period: string, who: 'superadmin' | 'lakeAdmin' = 'superadmin') => (await world.as(who)).post('/billing-runs', { societyId, period })

  it('bills every flat from the active plans due that month: Fixed + PerSqFt × area, discount, then tax', async () => {
    const response = await run('2025-03')
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.deepEqual({ ...response.body, _id: undefined, createdAt: undefined, updatedAt: undefined, runBy: undefined }, {
      _id: undefined,
      createdAt: undefined,
      updatedAt: undefined,
      runBy: undefined,
      societyId,
      period: '2025-03',
      dueDate: '2025-03-10T00:00:00.000Z',
      billsCreated: 2,
      billsExisting: 0,
      flats: 2,
      plans: 1
    })
    assert.equal(response.body.runBy, (await world.as('superadmin')).user._id)
    const bills = await world.find('maintenance-bills', { societyId, $sort: { billNumber: 1 } })
    const big = bills.find((b) => b.flatId === flats.big._id)
    // 500 + 2.5 × 1200 = 3500; 5% discount = 175; 18% tax on 3325 = 598.5; total due 3923.5
    assert.deepEqual(big.lineItems.map((i: any) => i.amount), [500, 3000])
    assert.deepEqual([big.totalAmount, big.discount, big.tax, big.grandTotal, big.amountDue], [3500, 175, 598.5, 3923.5, 3923.5])
    assert.deepEqual(big.billPeriod, { from: '2025-03-01T00:00:00.000Z', to: '2025-03-31T23:59:59.999Z' })
    assert.equal(big.residentId, resident._id)
    assert.equal(big.status, 'Generated')
    assert.match(big.billNumber, /^MB-[0-9]{6}$/)
    const small = bills.find((b) => b.flatId === flats.small._id)
    // 500 + 2.5 × 800 = 2500; discount 125; tax 18% of 2375 = 427.5; 2802.5
    assert.deepEqual([small.totalAmount, small.discount, small.tax, small.grandTotal], [2500, 125, 427.5, 2802.5])
    assert.notEqual(big.billNumber, small.billNumber)
  })

  it('is idempotent for a period: a second run creates nothing, a new flat gets the missing bill', async () => {
    const again = await run('2025-03')
    assert.equal(again.status, 201)
    assert.deepEqual([again.body.billsCreated, again.body.billsExisting], [0, 2])
    const superadmin = await world.as('superadmin')
    const block = (await world.find('blocks', { societyId }))[0]
    await superadmin.post('/flats', { societyId, blockId: block._id, flatNumber: 'W-3', floor: 2, type: '2BHK', area: 1000 })
    const third = await run('2025-03')
    assert.deepEqual([third.body.billsCreated, third.body.billsExisting], [1, 2])
    assert.equal((await world.find('maintenance-bills', { societyId })).length, 3)
  })

  it('bills quarterly plans every third month from their start', async () => {
    const april = await run('2025-04')
    assert.deepEqual([april.body.plans, april.body.billsCreated], [2, 6])
    const water = (await world.find('maintenance-bills', { societyId, 'billPeriod.from': '2025-04-01T00:00:00.000Z' })).filter((b) => b.lineItems[0].componentName === 'Water')
    assert.equal(water.length, 3)
    assert.equal(water[0].billPeriod.to, '2025-06-30T23:59:59.999Z')
    assert.equal(water[0].grandTotal, 900)
  })

  it('another society’s admin cannot run it', async () => {
    assert.equal((await run('2025-05', 'lakeAdmin')).status, 403)
  })

  it('payments settle the bill: pending counts for nothing, confirmed ones update amounts and status', async () => {
    const [bill] = await world.find('maintenance-bills', { societyId, flatId: flats.big._id, 'billPeriod.from': '2025-03-01T00:00:00.000Z' })
    const pay = (token: string, body: Record<string, unknown>) =>
      fetch(`${world.url}/payments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }))
    const base = { societyId, flatId: flats.big._id, residentId: resident._id, billId: bill._id, paymentMethod: 'UPI' }
    assert.equal((await pay(residentToken, { ...base, amount: 1000, status: 'Success' })).status, 403, 'a resident cannot record a successful payment')
    const otherBill = (await world.find('maintenance-bills', { societyId, flatId: flats.small._id }))[0]
    assert.ok([403, 422].includes((await pay(residentToken, { ...base, billId: otherBill._id, amount: 10 })).status), 'nor pay another flat’s bill as theirs')
    const pending = await pay(residentToken, { ...base, amount: 1000, transactionId: 'UPI-1' })
    assert.equal(pending.status, 201, JSON.stringify(pending.body))
    const read = async () => (await world.find('maintenance-bills', { _id: bill._id }))[0]
    assert.equal((await read()).amountPaid, 0)

    const admin = await world.as('superadmin')
    const socket = await world.socket('superadmin')
    try {
      assert.equal((await admin.patch(`/payments/${pending.body._id}`, { status: 'Success' })).status, 200)
      let current = await read()
      assert.deepEqual([current.amountPaid, current.amountDue, current.status, current.transactionId, current.paymentMethod], [1000, 2923.5, 'PartiallyPaid', 'UPI-1', 'UPI'])
      assert.ok(await eventually(() => socket.events.some((e) => e.name === 'maintenance-bills patched' && e.data._id === bill._id && e.data.status === 'PartiallyPaid')))
      const cash = await admin.post('/payments', { ...base, amount: 2923.5, paymentMethod: 'Cash', status: 'Success', transactionId: 'CASH-7' })
      assert.equal(cash.status, 201)
      current = await read()
      assert.deepEqual([current.amountPaid, current.amountDue, current.status, current.paymentMethod], [3923.5, 0, 'Paid', 'Cash'])
      const notes = await fetch(`${world.url}/notifications?relatedEntityId=${bill._id}`, { headers: { authorization: `Bearer ${residentToken}` } }).then((r) => r.json())
      assert.ok(notes.data.some((n: any) => /fully paid/.test(n.message)))
    } finally {
      socket.close()
    }
  })
})
