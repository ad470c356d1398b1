// Rules across records: no overlaps, lookups, references inside a tenant, rollups and derived fields.
import assert from 'node:assert/strict'
import { request } from '../../helpers.js'
import { withWorkshop, type Team, type Workshop } from './fixture.js'

describe('workflow rules across records', () => {
  const suite = withWorkshop()
  let workshop: Workshop, red: Team, blue: Team
  before(() => ({ workshop, red, blue } = suite))

  const as = async (email: string) => {
    const { token } = await workshop.as(email)
    return (method: string, path: string, body?: unknown) => request(workshop.url, method, path, { token, body })
  }

  describe('noOverlap', () => {
    it('refuses a second accepted reservation of a room at an overlapping time (409), not a different room or state', async () => {
      const clerk = await as('clerk@red.example.com')
      const boss = await as('boss@red.example.com')
      const reserve = async (start: string, end: string) => (await clerk('POST', '/reservations', { teamId: red.teamId, roomId: red.room._id, start, end })).body
      const first = await reserve('2030-05-01T09:00:00.000Z', '2030-05-01T11:00:00.000Z')
      const second = await reserve('2030-05-01T10:30:00.000Z', '2030-05-01T12:00:00.000Z')
      const after = await reserve('2030-05-01T11:00:00.000Z', '2030-05-01T12:00:00.000Z')
      assert.equal((await boss('PATCH', `/reservations/${first._id}`, { state: 'Accepted' })).status, 200)
      const clash = await boss('PATCH', `/reservations/${second._id}`, { state: 'Accepted' })
      assert.equal(clash.status, 409)
      assert.deepEqual(clash.body.data, { conflictsWith: first._id, start: first.start, end: first.end })
      assert.equal((await boss('PATCH', `/reservations/${after._id}`, { state: 'Accepted' })).status, 200)
    })
  })

  describe('lookups', () => {
    it('copies fields from the matching record and refuses when none matches (422)', async () => {
      const clerk = await as('clerk@red.example.com')
      const ok = await clerk('POST', '/reservations', { teamId: red.teamId, roomId: red.room._id, start: '2030-06-01T09:00:00.000Z', end: '2030-06-01T10:00:00.000Z' })
      assert.equal(ok.body.fee, 40)
      const closed = await clerk('POST', '/reservations', { teamId: red.teamId, roomId: red.closedRoom._id, start: '2030-06-01T09:00:00.000Z', end: '2030-06-01T10:00:00.000Z' })
      assert.equal(closed.status, 422)
      assert.deepEqual(closed.body.data, { roomId: 'This room is closed' })
    })
  })

  describe('sameAs references', () => {
    it('refuse a reference to another team’s record (422), internal calls included', async () => {
      const boss = await as('boss@red.example.com')
      const clerk = await as('clerk@red.example.com')
      const foreignRoom = await clerk('POST', '/reservations', { teamId: red.teamId, roomId: blue.room._id, start: '2030-07-01T09:00:00.000Z', end: '2030-07-01T10:00:00.000Z' })
      assert.equal(foreignRoom.status, 422)
      assert.match(foreignRoom.body.message, /roomId refers to a rooms record with another teamId/)
      const blueInvoice = await workshop.internal('invoices').create({ teamId: blue.teamId, total: 10 })
      assert.equal((await boss('POST', '/payments', { teamId: red.teamId, invoiceId: blueInvoice._id, amount: 5 })).status, 422)
      await assert.rejects(workshop.internal('payments').create({ teamId: red.teamId, invoiceId: blueInvoice._id, amount: 5 }), (error: any) => error.code === 422)
    })
  })

  describe('rollups and derived fields', () => {
    it('keep an invoice’s paid, count, last method, due and settled equal to its counted payments', async () => {
      const boss = await as('boss@red.example.com')
      const invoice = (await boss('POST', '/invoices', { teamId: red.teamId, total: 100 })).body
      assert.deepEqual([invoice.due, invoice.settled], [100, false])
      const read = async () => (await boss('GET', `/invoices/${invoice._id}`)).body
      const pay = async (amount: number, ok: boolean, method = 'cash') => (await boss('POST', '/payments', { teamId: red.teamId, invoiceId: invoice._id, amount, ok, method })).body
      await pay(30, false)
      assert.equal((await read()).paid, 0, 'payments not ok do not count')
      const card = await pay(30.1, true, 'card')
      await pay(20.2, true, 'bank')
      let current = await read()
      assert.deepEqual([current.paid, current.payments, current.lastMethod, current.due, current.settled], [50.3, 2, 'bank', 49.7, false])
      assert.deepEqual(current.methods, ['bank', 'card'], 'the distinct methods of counted payments, sorted')
      await boss('PATCH', `/payments/${card._id}`, { amount: 79.8 })
      current = await read()
      assert.deepEqual([current.paid, current.settled], [100, true])
      await boss('DELETE', `/payments/${card._id}`)
      current = await read()
      assert.deepEqual([current.paid, current.payments, current.settled], [20.2, 1, false])
      assert.deepEqual(current.methods, ['bank'])
      await boss('DELETE', `/payments/${(await boss('GET', `/payments?invoiceId=${invoice._id}&ok=true`)).body.data[0]._id}`)
      assert.deepEqual((await read()).methods, [], 'no counted payment left: an empty list, not a stale one')
    })

    it('moves a payment between invoices and updates both', async () => {
      const boss = await as('boss@red.example.com')
      const a = (await boss('POST', '/invoices', { teamId: red.teamId, total: 10 })).body
      const b = (await boss('POST', '/invoices', { teamId: red.teamId, total: 10 })).body
      const payment = (await boss('POST', '/payments', { teamId: red.teamId, invoiceId: a._id, amount: 10, ok: true })).body
      assert.equal((await boss('GET', `/invoices/${a._id}`)).body.settled, true)
      await boss('PATCH', `/payments/${payment._id}`, { invoiceId: b._id })
      assert.deepEqual([(await boss('GET', `/invoices/${a._id}`)).body.paid, (await boss('GET', `/invoices/${b._id}`)).body.paid], [0, 10])
    })

    it('refuses a multi-record patch whose derived fields differ per record', async () => {
      const service = workshop.internal('invoices')
      const one = await service.create({ teamId: red.teamId, total: 1 })
      const two = await service.create({ teamId: red.teamId, total: 2 })
      await assert.rejects(service.patch(null, { paid: 0 }, { query: { _id: { $in: [one._id, two._id] } } }), (error: any) => error.code === 400 && /one at a time/.test(error.message))
    })
  })
})
