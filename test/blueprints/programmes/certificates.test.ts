// Certificates: a generated code; the server renders the PDF (parsed back here) and moves it to pending_approval; a
// manager of its programme approves it; the PDF downloads for those who may read the certificate; anyone verifies it.
import assert from 'node:assert/strict'
import { downloadPdf, polled, request } from '../../helpers.js'
import { programmesWorld, type World } from './world.js'

const denied = (status: number) => [403, 404].includes(status)
const PUBLIC_FIELDS = ['certificate_code', 'holder', 'programme', 'Issue_Date', 'Expiration_Date', 'status', 'expired']

describe('programmes certificates', () => {
  let world: World
  let cloud: any
  let certificate: any
  before(async () => {
    world = await programmesWorld()
    cloud = await world.programme('Cloud Foundations 2025')
  })

  /** The certificate once the server has rendered it (or written why it could not). */
  const rendered = (id: string) => polled(() => world.server.app.service('certificates').get(id), (record: any) => record.status !== 'pending_generation' || !!record.generation_error)

  it('gets a unique generated code (a caller cannot choose it) and starts pending_generation', async () => {
    const grace = await world.as('grace')
    const priya = await world.as('priya')
    assert.equal((await grace.post('/certificates', { User_id: priya.user._id, Programme_id: cloud._id, certificate_code: 'AAAAAAAAAAAA' })).status, 400, 'the code is the server’s')
    const created = await grace.post('/certificates', { User_id: priya.user._id, Programme_id: cloud._id, Expiration_Date: '2099-12-31T00:00:00.000Z' })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    certificate = created.body
    assert.match(certificate.certificate_code, /^[A-Z2-9]{12}$/)
    assert.equal(certificate.status, 'pending_generation')
    const codes = (await world.find('certificates')).map((c) => c.certificate_code)
    assert.equal(new Set(codes).size, codes.length)
  })

  it('is rendered by the server as a PDF bearing the holder’s name, the programme and the code, then awaits approval', async () => {
    certificate = await rendered(certificate._id)
    assert.equal(certificate.status, 'pending_approval', certificate.generation_error)
    assert.match(certificate.certificate_file, /^\/files\/[0-9a-f]{24}$/)
    assert.ok(certificate.Issue_Date, 'the date it bears')
    const pdf = await downloadPdf(world.url, certificate.certificate_file, (await world.as('grace')).token)
    assert.equal(pdf.status, 200)
    assert.match(pdf.type ?? '', /application\/pdf/)
    for (const text of ['Certificate of Mentorship', 'priya', 'Cloud Foundations 2025', certificate.certificate_code, 'Valid until 31 December 2099']) {
      assert.ok(pdf.text.includes(text), `"${text}" in ${JSON.stringify(pdf.text)}`)
    }
  })

  it('is approved by a manager of its programme only, stamped; nobody else moves it, and the rendering’s move is the server’s', async () => {
    const id = certificate._id
    const grace = await world.as('grace')
    assert.ok(denied((await (await world.as('maya')).patch(`/certificates/${id}`, { status: 'approved' })).status), 'not a mentor')
    assert.ok(denied((await (await world.as('priya')).patch(`/certificates/${id}`, { status: 'approved' })).status), 'not the holder')
    assert.ok(denied((await (await world.as('alan')).patch(`/certificates/${id}`, { status: 'approved' })).status), 'not a manager of another programme')
    assert.equal((await grace.patch(`/certificates/${id}`, { status: 'approved', approvedBy: (await world.as('alan')).user._id })).status, 400, 'approvedBy is the server’s')
    const approved = await grace.patch(`/certificates/${id}`, { status: 'approved' })
    assert.equal(approved.status, 200, JSON.stringify(approved.body))
    assert.equal(approved.body.approvedBy, grace.user._id)
    assert.equal((await grace.patch(`/certificates/${id}`, { status: 'pending_approval' })).status, 409, 'approved is final')

    // A certificate whose rendering job was lost (a queue in memory, a stopped process): it waits for the server.
    const tom = (await world.find('users', { username: 'tom' }))[0]
    const waiting = await (world.server.app.service('certificates') as any)._create({ User_id: tom._id, Programme_id: cloud._id, Series_Id: 'TEST-000001', certificate_code: 'TESTWAITING2', created_by: grace.user._id, status: 'pending_generation' })
    const admin = await world.as('admin')
    assert.equal((await admin.patch(`/certificates/${waiting._id}`, { status: 'pending_approval' })).status, 403, 'even an Admin cannot claim it rendered')
    assert.equal((await admin.patch(`/certificates/${waiting._id}`, { certificate_file: certificate.certificate_file })).status, 400, 'the file is the server’s')
    assert.equal((await grace.patch(`/certificates/${waiting._id}`, { status: 'approved' })).status, 409, 'not approved before it is rendered')
    assert.ok((await world.server.app.documents.resume()) >= 1, 'the sweep queues it again')
    assert.equal((await rendered(waiting._id)).status, 'pending_approval')
  })

  it('downloads for those who may read the certificate: its holder and its programme’s managers', async () => {
    const file = certificate.certificate_file
    assert.equal((await downloadPdf(world.url, file, (await world.as('priya')).token)).status, 200)
    assert.equal((await downloadPdf(world.url, file, (await world.as('admin')).token)).status, 200)
    assert.equal((await downloadPdf(world.url, file, (await world.as('alan')).token)).status, 404)
    assert.equal((await downloadPdf(world.url, file, (await world.as('maya')).token)).status, 404)
    assert.equal((await downloadPdf(world.url, file)).status, 404)
  })

  describe('verified anonymously by its code', () => {
    it('answers the public fields only: holder, programme, dates, status, not expired', async () => {
      const verified = await request(world.url, 'GET', `/certificates/verify/${certificate.certificate_code}`)
      assert.equal(verified.status, 200, JSON.stringify(verified.body))
      assert.deepEqual(Object.keys(verified.body).sort(), [...PUBLIC_FIELDS].sort())
      const stored = await world.server.app.service('certificates').get(certificate._id)
      assert.deepEqual(verified.body, {
        certificate_code: certificate.certificate_code,
        holder: 'priya',
        programme: 'Cloud Foundations 2025',
        Issue_Date: stored.Issue_Date,
        Expiration_Date: '2099-12-31T00:00:00.000Z',
        status: 'approved',
        expired: false
      })
    })

    it('says so when the certificate has expired', async () => {
      const grace = await world.as('grace')
      const holder = await world.server.app.service('users').create({ username: 'olga', email: 'olga@example.com', password: 'not-used-to-log-in', role: 'mentor' })
      const created = await grace.post('/certificates', { User_id: holder._id, Programme_id: cloud._id, Expiration_Date: '2020-06-30T00:00:00.000Z' })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      const verified = await request(world.url, 'GET', `/certificates/verify/${created.body.certificate_code}`)
      assert.equal(verified.status, 200)
      assert.equal(verified.body.expired, true)
      assert.equal(verified.body.holder, 'olga')
      assert.equal(verified.body.Expiration_Date, '2020-06-30T00:00:00.000Z')
    })

    it('is in the OpenAPI document, without a token, answering the public fields', async () => {
      const document = (await request(world.url, 'GET', '/openapi.json')).body
      const operation = document.paths['/certificates/verify/{code}'].get
      assert.deepEqual(operation.security, [])
      const answer = document.components.schemas[operation.responses['200'].content['application/json'].schema.$ref.split('/').pop()]
      assert.deepEqual(Object.keys(answer.properties).sort(), [...PUBLIC_FIELDS].sort())
      assert.deepEqual(Object.keys(operation.responses).sort(), ['200', '400', '404', '429', '500'])
    })

    it('is a 404 for an unknown code', async () => {
      const unknown = await request(world.url, 'GET', '/certificates/verify/ZZZZZZZZZZZZ')
      assert.equal(unknown.status, 404)
      assert.equal(unknown.body.name, 'NotFound')
    })

    it('the demo’s approved certificate verifies, and its PDF was rendered', async () => {
      const leo = (await world.find('users', { username: 'leo' }))[0]
      const [demo] = await world.find('certificates', { User_id: leo._id })
      assert.equal(demo.status, 'approved')
      assert.ok(demo.certificate_file)
      const verified = await request(world.url, 'GET', `/certificates/verify/${demo.certificate_code}`)
      assert.deepEqual([verified.body.holder, verified.body.programme, verified.body.status, verified.body.expired], ['leo', 'Data Engineering 2024', 'approved', false])
    })
  })
})
