// Mentoring resources' files over real HTTP: uploaded through the engine's file storage into `filePath`, downloaded only
// by callers who may read the resource (a draft's file by its uploader and admins alone, a published one by everyone
// signed in), never set from someone else's upload.
import assert from 'node:assert/strict'
import { download, upload } from '../../helpers.js'
import { mentoringWorld, type Person, type World } from './world.js'

const TARGET = 'collection=resources&field=filePath'
const GUIDE = 'Returning to work: a checklist\n1. Talk to your manager\n'

describe('mentoring resources with files', () => {
  let world: World
  before(async () => {
    world = await mentoringWorld()
  })
  const token = async (who: Person) => (await world.as(who)).token

  it('a mentor uploads a file for a draft; only they and admins download it, everyone signed in once published', async () => {
    const grace = await world.as('grace')
    const uploaded = await upload(world.url, TARGET, GUIDE, 'checklist.txt', 'text/plain', grace.token)
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body))
    const draft = await grace.post('/resources', { title: 'Return checklist', type: 'guidebook', uploadedById: grace.user._id, filePath: uploaded.body.url })
    assert.equal(draft.status, 201, JSON.stringify(draft.body))
    assert.equal(draft.body.isPublished, false)
    for (const who of ['grace', 'admin'] as Person[]) {
      const file = await download(world.url, draft.body.filePath, await token(who))
      assert.equal(file.status, 200, who)
      assert.equal(file.text, GUIDE)
    }
    for (const who of ['alan', 'maya', 'nina'] as Person[]) assert.equal((await download(world.url, draft.body.filePath, await token(who))).status, 404, `${who} may not read the draft`)
    assert.equal((await download(world.url, draft.body.filePath)).status, 404, 'nor may an anonymous caller')

    assert.equal((await grace.patch(`/resources/${draft.body._id}`, { isPublished: true })).status, 200)
    for (const who of ['alan', 'maya', 'nina'] as Person[]) assert.equal((await download(world.url, draft.body.filePath, await token(who))).text, GUIDE, who)
    assert.equal((await download(world.url, draft.body.filePath)).status, 404, 'published resources are for signed-in users')
  })

  it('a mentee may not upload resource files (403), and no one may take another uploader’s file (422)', async () => {
    assert.equal((await upload(world.url, TARGET, GUIDE, 'x.txt', 'text/plain', await token('maya'))).status, 403)
    const uploaded = await upload(world.url, TARGET, GUIDE, 'mine.txt', 'text/plain', await token('grace'))
    const alan = await world.as('alan')
    const taken = await alan.post('/resources', { title: 'Not mine', type: 'story', uploadedById: alan.user._id, filePath: uploaded.body.url })
    assert.equal(taken.status, 422)
    assert.deepEqual(taken.body.data, { filePath: 'is not an available upload' })
  })
})
