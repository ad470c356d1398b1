// Masked fields: hidden per declared mask unless the caller's ability may `unmask` the record, in results and events.
import assert from 'node:assert/strict'
import { connect, eventually, request } from '../../helpers.js'
import { maskValue } from '../../../src/hooks/workflows/masking.js'
import { withWorkshop, type Team, type Workshop } from './fixture.js'

describe('workflow field masking', () => {
  const suite = withWorkshop()
  let workshop: Workshop, red: Team
  before(() => ({ workshop, red } = suite))
  before(async () => {
    await workshop.internal('contacts').create({ teamId: red.teamId, name: 'Front desk', phone: '5550001234' })
    await workshop.internal('contacts').create({ teamId: red.teamId, name: 'Plumber', phone: '5559876543', others: [{ phone: '9812345621' }] })
  })

  it('masks a value keeping its declared ends', () => {
    assert.equal(maskValue('9812345621', { keepStart: 2, keepEnd: 2, char: '*' }), '98******21')
    assert.equal(maskValue('5559876543', { keepStart: 3, keepEnd: 1, char: '#' }), '555######3')
    assert.equal(maskValue('123', { keepStart: 2, keepEnd: 2, char: '*' }), '***', 'too short to show anything')
  })

  it('masks for callers without unmask, nested fields included; conditions decide per record', async () => {
    const clerk = await workshop.as('clerk@red.example.com')
    const response = await request(workshop.url, 'GET', '/contacts?$sort[name]=1', { token: clerk.token })
    const [desk, plumber] = response.body.data
    assert.equal(desk.phone, '5550001234', 'the clerk may unmask the front desk')
    assert.equal(plumber.phone, '555######3')
    assert.equal(plumber.others[0].phone, '98******21')
    const boss = await workshop.as('boss@red.example.com')
    const full = await request(workshop.url, 'GET', '/contacts?name=Plumber', { token: boss.token })
    assert.equal(full.body.data[0].phone, '5559876543')
    assert.equal((await workshop.internal('contacts').find({ paginate: false, query: { name: 'Plumber' } }))[0].phone, '5559876543', 'internal calls see the value')
  })

  it('masks realtime events per receiver', async () => {
    const clerk = await connect(workshop.url, (await workshop.as('clerk@red.example.com')).token)
    const boss = await connect(workshop.url, (await workshop.as('boss@red.example.com')).token)
    try {
      await workshop.internal('contacts').create({ teamId: red.teamId, name: 'Electrician', phone: '7771112223' })
      const phone = (socket: typeof clerk) => socket.events.find((e) => e.name === 'contacts created' && e.data.name === 'Electrician')?.data.phone
      assert.ok(await eventually(() => !!phone(clerk) && !!phone(boss)))
      assert.equal(phone(clerk), '777######3')
      assert.equal(phone(boss), '7771112223')
    } finally {
      clerk.close()
      boss.close()
    }
  })

  it('restricts a search by a masked field to records the caller may unmask', async () => {
    const clerk = await workshop.as('clerk@red.example.com')
    const hidden = await request(workshop.url, 'GET', '/contacts?phone=5559876543', { token: clerk.token })
    assert.equal(hidden.status, 200)
    assert.equal(hidden.body.data.length, 0)
    const visible = await request(workshop.url, 'GET', '/contacts?phone=5550001234', { token: clerk.token })
    assert.equal(visible.body.data[0]?.name, 'Front desk')
    // Part of a hidden value, ignoring case, is a filter on that field like any other.
    const part = await request(workshop.url, 'GET', '/contacts?phone[$icontains]=9876', { token: clerk.token })
    assert.equal(part.status, 200, JSON.stringify(part.body))
    assert.equal(part.body.data.length, 0)
    const ownPart = await request(workshop.url, 'GET', '/contacts?phone[$icontains]=0001', { token: clerk.token })
    assert.equal(ownPart.body.data[0]?.name, 'Front desk')
  })
})
