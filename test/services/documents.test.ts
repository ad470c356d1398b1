// Rendered documents (`document`) and public lookups (`publicLookup`) on a small box-office blueprint, over real HTTP:
// an ordered ticket becomes a PDF in the file storage and moves to issued; anyone checks a ticket by its code.
import assert from 'node:assert/strict'
import { DateTime, Email, Enum, File, Password, Ref, Secret, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { DeclarationError, sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import type { BlueprintInput, CollectionInput } from '../../src/schemas/types.js'
import { downloadPdf, polled, request, signIn, startServer, type Caller, type TestServer } from '../helpers.js'

const PASSWORD = 'box-office-pass'
const me = '{{user._id}}'

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Clerk', 'Fan']), phone: Type.Optional(Secret()) }),
  auth: { roleField: 'role', roleBy: 'name' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const concerts = defineCollection({
  name: 'concerts',
  schema: Type.Object({ title: Type.String(), venue: Type.String(), startsAt: DateTime() })
})

const tickets = defineCollection({
  name: 'tickets',
  schema: Type.Object({
    fanId: Ref('users'),
    concertId: Ref('concerts'),
    code: Type.String({ maxLength: 10, readOnly: true }),
    seat: Type.Optional(Type.String({ maxLength: 10 })),
    note: Type.Optional(Type.String({ maxLength: 200 })),
    validUntil: DateTime(),
    status: Enum(['ordered', 'issued', 'used'], { default: 'ordered' }),
    pdf: Type.Optional(File({ readOnly: true, types: ['application/pdf'] })),
    pdfError: Type.Optional(Type.String({ readOnly: true }))
  }),
  generate: { code: { kind: 'code', length: 10, alphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZ' } },
  stateMachines: {
    status: {
      transitions: [
        { from: 'ordered', to: 'issued' },
        { from: 'issued', to: 'used', roles: ['Clerk'] }
      ],
      requires: { issued: ['seat'] }
    }
  },
  document: {
    on: { field: 'status', state: 'ordered' },
    then: 'issued',
    file: 'pdf',
    error: 'pdfError',
    with: { fan: 'fanId', concert: 'concertId' },
    name: 'ticket-{{record.code}}.pdf',
    title: 'Ticket {{record.code}}',
    page: { size: 'A4', layout: 'landscape' },
    content: [
      { text: '{{concert.title}}', size: 30, bold: true },
      { text: 'at {{concert.venue}} on {{concert.startsAt}}' },
      { text: 'Admits {{fan.name}}, seat {{record.seat}}', size: 18, gap: 24 },
      { text: 'Note: {{record.note}}' },
      { text: 'Ticket {{record.code}}, valid until {{record.validUntil}}', size: 10, align: 'right', gap: 40 }
    ]
  },
  publicLookup: { by: 'code', path: 'check', fields: { concert: 'concertId.title', holder: 'fanId.name', seat: 'seat', validUntil: 'validUntil', status: 'status' }, expires: 'validUntil' },
  indexes: [{ fields: { code: 1 }, unique: true }]
})

const boxOffice: BlueprintInput = {
  name: 'box-office',
  version: '0.0.1',
  description: 'Concert tickets, printed and checked.',
  collections: [...rbacCollections, users, concerts, tickets],
  roles: [
    { RoleName: 'Clerk', permissions: ['clerk-all'] },
    { RoleName: 'Fan', permissions: ['fan-self', 'fan-concerts', 'fan-tickets'] }
  ],
  permissions: [
    { PermissionName: 'clerk-all', Action: 'manage', Subject: 'all' },
    { PermissionName: 'fan-self', Action: 'read', Subject: 'users', Conditions: { _id: me } },
    { PermissionName: 'fan-concerts', Action: 'read', Subject: 'concerts' },
    { PermissionName: 'fan-tickets', Action: 'read', Subject: 'tickets', Conditions: { fanId: me } }
  ],
  adminRole: 'Clerk',
  async demo(app: any) {
    await app.service('users').create([
      { name: 'Clara Clerk', email: 'clerk@box.example.com', password: PASSWORD, role: 'Clerk' },
      { name: 'Frida Fan', email: 'frida@box.example.com', password: PASSWORD, role: 'Fan', phone: '+44 1632 960000' },
      { name: 'Otto Other', email: 'otto@box.example.com', password: PASSWORD, role: 'Fan' }
    ])
    await app.service('concerts').create({ title: 'Night of Strings', venue: 'Wigmore Hall', startsAt: '2031-03-14T19:30:00.000Z' })
  }
}

describe('rendered documents (`document`) and public lookups (`publicLookup`)', function () {
  this.timeout(60_000)
  let server: TestServer
  let clerk: Caller, frida: Caller, otto: Caller
  let concert: any

  before(async () => {
    server = await startServer(boxOffice, { lookupsPerIp: 8 })
    clerk = await signIn(server.url, 'clerk@box.example.com', PASSWORD)
    frida = await signIn(server.url, 'frida@box.example.com', PASSWORD)
    otto = await signIn(server.url, 'otto@box.example.com', PASSWORD)
    ;[concert] = await server.app.service('concerts').find({ paginate: false })
  })
  after(() => server?.close())

  const ticket = async (id: string) => server.app.service('tickets').get(id) as Promise<any>
  /** The ticket once its rendering has run (`done`: by default, moved on or a failure written on it). */
  const rendered = (id: string, done = (record: any) => record.status !== 'ordered' || !!record.pdfError) => polled(() => ticket(id), done)
  const order = (body: Record<string, unknown>) => clerk.post('/tickets', { fanId: frida.user._id, concertId: concert._id, validUntil: '2031-03-15T00:00:00.000Z', ...body })

  describe('a document', () => {
    let issued: any

    it('is rendered when a record enters the state: stored in the File() field, the record moved on', async () => {
      const created = await order({ seat: 'B12' })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      assert.equal(created.body.status, 'ordered')
      issued = await rendered(created.body._id)
      assert.equal(issued.status, 'issued', issued.pdfError)
      assert.match(issued.pdf, /^\/files\/[0-9a-f]{24}$/)
      assert.equal(issued.pdfError, undefined)
    })

    it('holds the template filled from the record and the records it references, dates as people read them; a line without a value is left out', async () => {
      const pdf = await downloadPdf(server.url, issued.pdf, frida.token)
      assert.equal(pdf.status, 200)
      assert.match(pdf.type ?? '', /application\/pdf/)
      for (const text of ['Night of Strings', 'at Wigmore Hall on 14 March 2031', 'Admits Frida Fan, seat B12', `Ticket ${issued.code}, valid until 15 March 2031`]) {
        assert.ok(pdf.text.includes(text), `"${text}" in ${JSON.stringify(pdf.text)}`)
      }
      assert.ok(!pdf.text.includes('Note:'), 'the note line has no value')
      assert.ok(!pdf.text.includes('+44'), 'a secret field is never printed')
    })

    it('prints text as written in Latin, Greek and Cyrillic scripts (an embedded font); characters it has no glyph for as ?', async () => {
      const note = 'Zoë Łukasiewicz, Ελένη Παππά, Дмитрий Шостакович, 王芳'
      const created = await order({ seat: 'Ø7', note })
      const done = await rendered(created.body._id)
      assert.equal(done.status, 'issued', done.pdfError)
      const pdf = await downloadPdf(server.url, done.pdf, frida.token)
      assert.ok(pdf.text.includes('seat Ø7'), JSON.stringify(pdf.text))
      assert.ok(pdf.text.includes('Note: Zoë Łukasiewicz, Ελένη Παππά, Дмитрий Шостакович, ??'), JSON.stringify(pdf.text))
    })

    it('downloads for those who may read the record only', async () => {
      assert.equal((await downloadPdf(server.url, issued.pdf, clerk.token)).status, 200)
      assert.equal((await downloadPdf(server.url, issued.pdf, otto.token)).status, 404)
      assert.equal((await downloadPdf(server.url, issued.pdf)).status, 404)
    })

    it('a failure is written on the record, which waits; a caller can neither make the move (403) nor set the file (400); a later sweep renders it and clears the error', async () => {
      const created = await order({})
      const id = created.body._id
      const failed = await rendered(id)
      assert.equal(failed.status, 'ordered')
      assert.match(failed.pdfError, /^Rendering pdf failed: seat is required/)
      assert.equal(failed.pdf, undefined)
      const moved = await clerk.patch(`/tickets/${id}`, { status: 'issued', seat: 'D4' })
      assert.equal(moved.status, 403, JSON.stringify(moved.body))
      assert.equal((await clerk.patch(`/tickets/${id}`, { pdf: issued.pdf })).status, 400)
      assert.equal((await clerk.patch(`/tickets/${id}`, { seat: 'D4' })).status, 200)
      assert.equal((await ticket(id)).status, 'ordered', 'a change while waiting queues nothing new')
      assert.ok((await server.app.documents.resume()) >= 1)
      const fixed = await rendered(id, (record) => record.status !== 'ordered')
      assert.equal(fixed.status, 'issued')
      assert.equal(fixed.pdfError, undefined)
      const pdf = await downloadPdf(server.url, fixed.pdf, frida.token)
      assert.match(pdf.text, /seat D4/, JSON.stringify({ pdf, fixed }))
    })
  })

  describe('a public lookup', () => {
    it('answers anyone, without a token, with the declared fields only and whether it has expired', async () => {
      const [issued] = await server.app.service('tickets').find({ paginate: false, query: { status: 'issued', seat: 'B12' } })
      const checked = await request(server.url, 'GET', `/tickets/check/${issued.code}`)
      assert.equal(checked.status, 200, JSON.stringify(checked.body))
      assert.deepEqual(checked.body, { concert: 'Night of Strings', holder: 'Frida Fan', seat: 'B12', validUntil: '2031-03-15T00:00:00.000Z', status: 'issued', expired: false })
    })

    it('says when a record has expired', async () => {
      const past = await order({ seat: 'E5', validUntil: '2001-01-01T00:00:00.000Z' })
      const checked = await request(server.url, 'GET', `/tickets/check/${past.body.code}`)
      assert.equal(checked.body.expired, true)
      assert.equal(checked.body.validUntil, '2001-01-01T00:00:00.000Z')
    })

    it('is a 404 for an unknown code and a 400 for one too long; only the route is public, not the records', async () => {
      assert.equal((await request(server.url, 'GET', '/tickets/check/NOSUCHCODE')).status, 404)
      assert.equal((await request(server.url, 'GET', `/tickets/check/${'A'.repeat(11)}`)).status, 400)
      assert.equal((await request(server.url, 'GET', '/tickets')).status, 401)
    })

    it('is limited per IP address: past the limit, 429 with the seconds to wait', async () => {
      let refused: any
      for (let i = 0; i < 10 && !refused; i++) {
        const response = await request(server.url, 'GET', '/tickets/check/NOSUCHCODE')
        if (response.status === 429) refused = response
        else assert.equal(response.status, 404)
      }
      assert.ok(refused, 'refused within the limit of 8')
      assert.ok(refused.body.data.retryAfter > 0)
      assert.ok(Number(refused.headers.get('retry-after')) > 0)
    })
  })
})

describe('declaring a document or a public lookup', () => {
  const withTickets = (change: (declared: CollectionInput) => CollectionInput) => ({ ...boxOffice, collections: [...rbacCollections, users, concerts, change(tickets)] })
  const refuses = (change: (declared: CollectionInput) => CollectionInput, message: RegExp) =>
    assert.throws(() => sanitizeBlueprint(withTickets(change)), (error: any) => error instanceof DeclarationError && message.test(error.message))
  const document = (t: CollectionInput, changes: object) => ({ ...t, document: { ...t.document!, ...changes } })
  const lookup = (t: CollectionInput, changes: object) => ({ ...t, publicLookup: { ...t.publicLookup!, ...changes } })

  it('accepts the fixture and gives the lookup its route', () => {
    assert.equal(sanitizeBlueprint(boxOffice).collections.find((c) => c.name === 'tickets')!.publicLookup!.route, 'tickets/check')
  })

  it('names a document’s mistakes', () => {
    refuses((t) => document(t, { on: { field: 'seat', state: 'ordered' } }), /on.field "seat" must be the field of a declared state machine/)
    refuses((t) => document(t, { then: 'lost' }), /state "lost" is not one of/)
    refuses((t) => document(t, { then: 'used' }), /needs a transition from ordered to used/)
    refuses((t) => document(t, { file: 'note' }), /file "note" must be a top-level File\(\) field declared readOnly/)
    refuses((t) => document(t, { error: 'seat' }), /error "seat" must be an optional string field declared readOnly/)
    refuses((t) => document(t, { with: { place: 'seat' } }), /with "place": "seat" must be a top-level single Ref\(\) field/)
    refuses((t) => document(t, { content: [] }), /`content` must list at least one block/)
    refuses((t) => document(t, { content: [{ text: '{{venue.name}}' }] }), /names neither record, now nor a `with` record/)
    refuses((t) => document(t, { content: [{ text: '{{fan.phone}}' }] }), /"phone" is not a field of users that may be printed/)
    refuses((t) => document(t, { content: [{ text: 'x', size: 1000 }] }), /size must be 4 to 200 points/)
    refuses((t) => document(t, { locale: 'not a locale!' }), /locale/)
  })

  it('names a public lookup’s mistakes', () => {
    refuses((t) => ({ ...t, indexes: [] }), /by "code" needs a unique index of its own/)
    refuses((t) => lookup(t, { by: 'validUntil' }), /must be a top-level string field/)
    refuses((t) => lookup(t, { path: 'Check/Now' }), /path must be lower-case letters/)
    refuses((t) => lookup(t, { fields: {} }), /must name at least one field/)
    refuses((t) => lookup(t, { fields: { expired: 'status' } }), /other than expired/)
    refuses((t) => lookup(t, { fields: { phone: 'fanId.phone' } }), /"fanId.phone" must be a field of tickets or <single Ref\(\) field>.<field>, neither secret nor masked/)
    refuses((t) => lookup(t, { fields: { where: 'concertId.city' } }), /"concertId.city" must be a field/)
    refuses((t) => lookup(t, { expires: 'seat' }), /expires "seat" must be a top-level DateTime\(\) field/)
  })
})
