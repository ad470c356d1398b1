// Files over real HTTP: multipart uploads for a declared File() field, refused by permissions, size and the bytes' real
// type; downloads (ranges too) only for callers who may read the record holding the file; unlinked files removed.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readlinkSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { createApp } from '../../src/app.js'
import { Email, Enum, File, Password, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import { DEMO_USERS, download, eventually, login, loginAll, request, serverStore, startServer, testSettings, upload, type TestServer } from '../helpers.js'

const PASSWORD = 'quillbase-demo'
const CSV = 'Name,email\nAda,ada@example.com\n'
// The first bytes of a PNG: a signature file-type recognises whatever the name or the claimed type says.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), Buffer.alloc(64)])

/** This process's open file descriptors on the stored file `id` (the test server runs in it); none on GridFS. */
const openDescriptors = (id: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).endsWith(`${path.sep}files${path.sep}${id}`)
    } catch {
      return false // closed meanwhile (the directory's own descriptor among them)
    }
  }).length

/** A GET of `url` that the client drops as soon as the first bytes of the body arrive. */
const abortedGet = (url: string, token: string) =>
  new Promise<void>((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`))
      res.once('data', () => {
        req.destroy()
        resolve()
      })
    })
    req.once('error', reject)
  })

describe('files', function () {
  this.timeout(60_000)

  describe('on the appointments blueprint (bulk-uploads.file_url)', () => {
    let server: TestServer
    const tokens: Record<string, string> = {}
    const ids: Record<string, string> = {}
    const TARGET = 'collection=bulk-uploads&field=file_url'
    // Each also imports its file into users (rows refused: the test is about the file, not the import).
    const bulkUpload = (file_url: string, uploader = ids.maria) => ({ UploadedBy: uploader, FileName: 'people.csv', Target: 'users', file_url })

    before(async () => {
      server = await startServer('appointments')
      await loginAll(server.url, DEMO_USERS, tokens, ids)
    })
    after(async () => server?.close())

    it('a Manager uploads a CSV, attaches it to a bulk upload and downloads it whole and by range', async () => {
      const up = await upload(server.url, TARGET, CSV, 'people.csv', 'text/csv', tokens.maria)
      assert.equal(up.status, 201, JSON.stringify(up.body))
      assert.match(up.body.url, /^\/files\/[0-9a-f]{24}$/)
      assert.deepEqual([up.body.name, up.body.type, up.body.size], ['people.csv', 'text/csv', Buffer.byteLength(CSV)])
      const record = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.maria, body: bulkUpload(up.body.url) })
      assert.equal(record.status, 201, JSON.stringify(record.body))
      assert.equal(record.body.file_url, up.body.url)

      const whole = await download(server.url, up.body.url, tokens.maria)
      assert.equal(whole.status, 200)
      assert.equal(whole.text, CSV)
      assert.match(whole.headers.get('content-type') ?? '', /^text\/csv/)
      assert.equal(whole.headers.get('content-length'), String(Buffer.byteLength(CSV)))
      assert.match(whole.headers.get('content-disposition') ?? '', /^attachment; filename="people.csv"/)
      assert.equal(whole.headers.get('accept-ranges'), 'bytes')
      const part = await download(server.url, up.body.url, tokens.maria, { range: 'bytes=5-9' })
      assert.equal(part.status, 206)
      assert.equal(part.text, CSV.slice(5, 10))
      assert.equal(part.headers.get('content-range'), `bytes 5-9/${Buffer.byteLength(CSV)}`)
      assert.equal((await download(server.url, up.body.url, tokens.maria, { range: 'bytes=500-600' })).status, 416)
      assert.equal((await download(server.url, up.body.url, tokens.admin)).status, 200, 'an Admin reads every bulk upload')
    })

    it('sends a stored file as stored, to a client that accepts gzip too: its Content-Length, no Content-Encoding', async () => {
      // Text big enough for the compression middleware (1 kB and more), as an export job's or an upload's CSV is.
      const big = `Name,Email\n${Array.from({ length: 400 }, (_, i) => `Person ${i},person${i}@example.com`).join('\n')}\n`
      const up = await upload(server.url, TARGET, big, 'many.csv', 'text/csv', tokens.maria)
      assert.equal(up.status, 201, JSON.stringify(up.body))
      const whole = await download(server.url, up.body.url, tokens.maria, { 'accept-encoding': 'gzip, br' })
      assert.equal(whole.status, 200)
      assert.equal(whole.headers.get('content-encoding'), null)
      assert.equal(whole.headers.get('content-length'), String(Buffer.byteLength(big)))
      assert.equal(whole.text, big)
    })

    it('closes every file it opens: a HEAD opens none, a download the client drops closes its file, and neither is logged as an error', async () => {
      // Bigger than what the sockets buffer: the server is still reading the file when the client goes.
      const big = `Name,Email\n${'Person,person@example.com\n'.repeat(600_000)}`
      const up = await upload(server.url, TARGET, big, 'big.csv', 'text/csv', tokens.maria)
      assert.equal(up.status, 201, JSON.stringify(up.body))
      const logged: string[] = []
      const consoleError = console.error
      console.error = (...args: unknown[]) => void logged.push(args.join(' '))
      try {
        for (let i = 0; i < 20; i++) {
          const head = await fetch(server.url + up.body.url, { method: 'HEAD', headers: { authorization: `Bearer ${tokens.maria}` } })
          assert.equal(head.status, 200)
          assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(big)))
          const part = await fetch(server.url + up.body.url, { method: 'HEAD', headers: { authorization: `Bearer ${tokens.maria}`, range: 'bytes=10-19' } })
          assert.equal(part.status, 206)
          assert.equal(part.headers.get('content-length'), '10')
        }
        assert.ok(await eventually(() => openDescriptors(up.body._id) === 0), `HEADs left ${openDescriptors(up.body._id)} descriptors open`)
        for (let i = 0; i < 10; i++) await abortedGet(server.url + up.body.url, tokens.maria)
        // The server closes them once it hears the connection close: soon, but not at once.
        assert.ok(await eventually(() => openDescriptors(up.body._id) === 0), `dropped downloads left ${openDescriptors(up.body._id)} descriptors open`)
        const whole = await download(server.url, up.body.url, tokens.maria)
        assert.equal(whole.text.length, Buffer.byteLength(big), 'a whole download still gets every byte')
      } finally {
        console.error = consoleError
      }
      assert.deepEqual(logged.map((line) => line.trim().split('\n')[0]).filter((line) => /Premature close|ECONNRESET|EPIPE/.test(line)), [], 'nothing logged')
      assert.ok(await eventually(() => openDescriptors(up.body._id) === 0), 'a whole download closes its file too')
    })

    it('keeps a non-ASCII file name as sent, and downloads it under that name (filename* in UTF-8, an ASCII filename beside it)', async () => {
      const name = "résumé (final) 😀.csv"
      const up = await upload(server.url, TARGET, CSV, name, 'text/csv', tokens.maria)
      assert.equal(up.status, 201, JSON.stringify(up.body))
      assert.equal(up.body.name, name)
      const disposition = (await download(server.url, up.body.url, tokens.maria)).headers.get('content-disposition') ?? ''
      const [, ascii, encoded] = /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''(.+)$/.exec(disposition) ?? []
      assert.equal(ascii, 'r_sum_ (final) _.csv', disposition)
      // RFC 5987: attr-chars and percent-encoded bytes only.
      assert.match(encoded, /^(?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-F]{2})+$/)
      assert.equal(decodeURIComponent(encoded), name)
    })

    it('checks every byte of a text upload as UTF-8: Latin-1 past the first 4 kB, or in a 4-byte file, is a 422 and nothing is kept', async () => {
      const uploads = async () => ((await server.app.service('quillbase-files').find({ paginate: false })) as any[]).length
      const storedFiles = async () =>
        serverStore === 'embedded'
          ? readdirSync(path.join(server.dataDir, 'files')).length
          : Promise.all(['files', 'chunks'].map((kind) => (server.app.store as any).client.db().collection(`quillbase-files.${kind}`).countDocuments())).then(([files, chunks]) => files + chunks)
      const [beforeUploads, beforeFiles] = [await uploads(), await storedFiles()]
      const late = Buffer.concat([Buffer.from(`Name,email\n${'Ada,ada@example.com\n'.repeat(1000)}`), Buffer.from('Jos\xe9,jose@example.com\n', 'latin1')])
      for (const [bytes, name] of [[late, 'late.csv'], [Buffer.from('a,\xe9\n', 'latin1'), 'tiny.csv'], [Buffer.from('Name\n\xc3', 'latin1'), 'cut.csv']] as const) {
        const refused = await upload(server.url, TARGET, bytes, name, 'text/csv', tokens.maria)
        assert.equal(refused.status, 422, `${name}: ${JSON.stringify(refused.body)}`)
        assert.match(refused.body.message, /unknown type/)
      }
      assert.equal(await uploads(), beforeUploads, 'no upload recorded')
      assert.equal(await storedFiles(), beforeFiles, 'no bytes kept')
      const utf8 = await upload(server.url, TARGET, `Name,email\n${'Ada,ada@example.com\n'.repeat(1000)}José,jose@example.com\n`, 'ok.csv', 'text/csv', tokens.maria)
      assert.equal(utf8.status, 201, 'UTF-8 throughout is text')
    })

    it('takes an NDJSON file by its name (.ndjson, .jsonl) when the browser sends no type for it', async () => {
      const rows = '{"Name":"Ada"}\n{"Name":"José"}\n'
      for (const [name, claimed] of [['rows.ndjson', 'application/octet-stream'], ['rows.jsonl', ''], ['rows.jsonl', 'text/plain']]) {
        const up = await upload(server.url, TARGET, rows, name, claimed, tokens.maria)
        assert.equal(up.status, 201, `${name} as ${claimed || 'no type'}: ${JSON.stringify(up.body)}`)
        assert.equal(up.body.type, 'application/x-ndjson')
      }
    })

    it('serves a suffix range longer than the file as the whole file (206, bytes 0-<last>/<size>)', async () => {
      const up = await upload(server.url, TARGET, CSV, 'people.csv', 'text/csv', tokens.maria)
      const size = Buffer.byteLength(CSV)
      const whole = await download(server.url, up.body.url, tokens.maria, { range: 'bytes=-500' })
      assert.equal(whole.status, 206)
      assert.equal(whole.headers.get('content-range'), `bytes 0-${size - 1}/${size}`)
      assert.equal(whole.text, CSV)
      const tail = await download(server.url, up.body.url, tokens.maria, { range: 'bytes=-5' })
      assert.equal(tail.headers.get('content-range'), `bytes ${size - 5}-${size - 1}/${size}`)
      assert.equal(tail.text, CSV.slice(-5))
    })

    it('refuses an upload to a field the engine fills (reports.export_url, readOnly) with a 400 naming it', async () => {
      const res = await upload(server.url, 'collection=reports&field=export_url', CSV, 'export.csv', 'text/csv', tokens.maria)
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.match(res.body.message, /reports\.export_url/)
    })

    it('refuses uploads by permission (a Developer may not set the field: 403; anonymous: 401) and downloads to callers who may not read the record (404)', async () => {
      assert.equal((await upload(server.url, TARGET, CSV, 'a.csv', 'text/csv', tokens.dev)).status, 403)
      assert.equal((await upload(server.url, TARGET, CSV, 'a.csv', 'text/csv')).status, 401)
      const up = await upload(server.url, TARGET, CSV, 'people.csv', 'text/csv', tokens.maria)
      assert.equal((await request(server.url, 'POST', '/bulk-uploads', { token: tokens.maria, body: bulkUpload(up.body.url) })).status, 201)
      for (const caller of ['dev', 'omar']) assert.equal((await download(server.url, up.body.url, tokens[caller])).status, 404, caller)
      assert.equal((await download(server.url, up.body.url)).status, 404, 'anonymous')
    })

    it("a record may only take an upload of its caller that no record holds: Omar cannot attach Maria's file (422)", async () => {
      const up = await upload(server.url, TARGET, CSV, 'people.csv', 'text/csv', tokens.maria)
      assert.equal((await download(server.url, up.body.url, tokens.maria)).status, 200, 'the uploader reads it before any record holds it')
      assert.equal((await download(server.url, up.body.url, tokens.omar)).status, 404)
      const stolen = await request(server.url, 'POST', '/bulk-uploads', { token: tokens.omar, body: bulkUpload(up.body.url, ids.omar) })
      assert.equal(stolen.status, 422)
      assert.ok(stolen.body.data.file_url)
      assert.equal((await request(server.url, 'POST', '/bulk-uploads', { token: tokens.maria, body: bulkUpload('/files/0123456789abcdef01234567') })).status, 422)
      assert.equal((await request(server.url, 'POST', '/bulk-uploads', { token: tokens.maria, body: bulkUpload(up.body.url) })).status, 201)
      assert.equal((await request(server.url, 'POST', '/bulk-uploads', { token: tokens.maria, body: bulkUpload(up.body.url) })).status, 422, 'one record per file')
    })

    it("checks the content type on the bytes, not the name: a PNG sent as people.csv (text/csv) is a 422; bad uploads are 400s", async () => {
      const png = await upload(server.url, TARGET, PNG, 'people.csv', 'text/csv', tokens.maria)
      assert.equal(png.status, 422)
      assert.match(png.body.message, /image\/png/)
      const json = await upload(server.url, TARGET, '{"a":1}\n', 'rows.ndjson', 'application/x-ndjson', tokens.maria)
      assert.equal(json.status, 201)
      assert.equal(json.body.type, 'application/x-ndjson')
      assert.equal((await upload(server.url, 'collection=bulk-uploads&field=FileName', CSV, 'a.csv', 'text/csv', tokens.maria)).status, 400)
      const notMultipart = await request(server.url, 'POST', `/files?${TARGET}`, { token: tokens.maria, body: { file: CSV } })
      assert.equal(notMultipart.status, 400)
    })

    it('a form cut short in the middle of its file is a 400, and keeps no upload', async () => {
      const uploads = async () => ((await server.app.service('quillbase-files').find({ paginate: false })) as any[]).length
      const before = await uploads()
      const res = await fetch(`${server.url}/files?${TARGET}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.maria}`, 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nName,email\nAda,',
        signal: AbortSignal.timeout(15_000)
      })
      assert.equal(res.status, 400)
      assert.match((await res.json()).message, /Unreadable upload/)
      assert.equal(await uploads(), before)
    })

    it('removing a record removes its files; replacing a file removes the old one; unlinked uploads go after the grace period', async () => {
      // A bulk upload made without a file is a plain record (no import ran, so its file is not fixed): the Admin's.
      const first = await upload(server.url, TARGET, CSV, 'first.csv', 'text/csv', tokens.admin)
      const second = await upload(server.url, TARGET, CSV, 'second.csv', 'text/csv', tokens.maria)
      const record = (await request(server.url, 'POST', '/bulk-uploads', { token: tokens.admin, body: { UploadedBy: ids.admin, FileName: 'people.csv' } })).body
      assert.equal((await request(server.url, 'PATCH', `/bulk-uploads/${record._id}`, { token: tokens.admin, body: { file_url: first.body.url } })).status, 200)
      const replaced = await request(server.url, 'PATCH', `/bulk-uploads/${record._id}`, { token: tokens.admin, body: { file_url: second.body.url } })
      assert.equal(replaced.status, 422, 'an Admin cannot attach a file Maria uploaded')
      const mine = await upload(server.url, TARGET, CSV, 'mine.csv', 'text/csv', tokens.admin)
      assert.equal((await request(server.url, 'PATCH', `/bulk-uploads/${record._id}`, { token: tokens.admin, body: { file_url: mine.body.url } })).status, 200)
      assert.equal((await download(server.url, first.body.url, tokens.admin)).status, 404, 'the replaced file is gone')
      assert.equal((await request(server.url, 'DELETE', `/bulk-uploads/${record._id}`, { token: tokens.admin })).status, 200)
      assert.equal((await download(server.url, mine.body.url, tokens.admin)).status, 404, "the removed record's file is gone")
      if (serverStore === 'embedded') {
        // Bytes go once the change commits, in the background: wait for them (a generous bound, not a timing).
        for (const url of [first.body.url, mine.body.url]) {
          for (let i = 0; i < 200 && existsSync(path.join(server.dataDir, url)); i++) await new Promise((resolve) => setTimeout(resolve, 50))
          assert.equal(existsSync(path.join(server.dataDir, url)), false, `${url} bytes removed`)
        }
      }
      assert.equal((await download(server.url, second.body.url, tokens.maria)).status, 200, 'an unlinked upload stays for its grace period')
      assert.ok((await server.app.files.purge(0)) >= 1)
      assert.equal((await download(server.url, second.body.url, tokens.maria)).status, 404)
    })
  })

  describe('size limits', () => {
    const documents = defineCollection({
      name: 'documents',
      schema: Type.Object({ title: Type.String(), scan: Type.Optional(File({ maxBytes: 1000, types: ['image/png'] })) })
    })
    const users = defineCollection({
      name: 'users',
      schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Clerk']) }),
      auth: { roleField: 'role', roleBy: 'name' },
      indexes: [{ fields: { email: 1 }, unique: true }]
    })
    const blueprint = sanitizeBlueprint({
      name: 'archive',
      version: '0.0.1',
      collections: [...rbacCollections, users, documents],
      roles: [{ RoleName: 'Clerk', permissions: ['clerk'] }],
      permissions: [{ PermissionName: 'clerk', Action: 'manage', Subject: 'documents' }],
      adminRole: 'Clerk',
      demo: async (app: any) => app.service('users').create({ name: 'Clerk', email: 'clerk@example.com', password: PASSWORD, role: 'Clerk' })
    } as any)

    it('a file over the field’s maxBytes is a 413 and nothing is kept', async () => {
      const app = await createApp(blueprint, testSettings())
      const server = await app.listen(0)
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      try {
        const { accessToken } = await login(url, 'clerk@example.com', PASSWORD)
        const small = await upload(url, 'collection=documents&field=scan', PNG, 'scan.png', 'image/png', accessToken)
        assert.equal(small.status, 201)
        const big = await upload(url, 'collection=documents&field=scan', Buffer.concat([PNG, Buffer.alloc(2000)]), 'scan.png', 'image/png', accessToken)
        assert.equal(big.status, 413)
        assert.match(big.body.message, /1000 bytes/)
        const stored = (await (app.service('quillbase-files') as any)._find({ paginate: false })) as any[]
        assert.deepEqual(stored.map((meta) => meta._id), [small.body._id], 'only the small file is recorded')
      } finally {
        await app.shutdown()
      }
    })
  })
})
