// Chats, the forum and notifications of the programmes blueprint: each reaches exactly its members (a chat's, a
// programme's, its user), over REST and Socket.io, typing signals and unread counts included.
import assert from 'node:assert/strict'
import { download, eventually, upload, wait } from '../../helpers.js'
import { programmesWorld, type DemoUser, type World } from './world.js'

const denied = (status: number) => [403, 404].includes(status)
type Socket = Awaited<ReturnType<World['socket']>>

describe('programmes conversations', () => {
  let world: World
  let cloud: any, chatBox: any
  before(async () => {
    world = await programmesWorld()
    cloud = await world.programme('Cloud Foundations 2025')
    ;[chatBox] = await world.find('chats', { programme_id: cloud._id })
  })

  /** Sockets of demo users, closed after `run`. */
  async function withSockets(who: DemoUser[], run: (sockets: Record<string, Socket>) => Promise<void>) {
    const sockets = Object.fromEntries(await Promise.all(who.map(async (w) => [w, await world.socket(w)] as const)))
    try {
      await run(sockets)
    } finally {
      for (const socket of Object.values(sockets)) socket.close()
    }
  }
  const heard = (socket: Socket, prefix: string) => socket.events.filter((e) => e.name.startsWith(prefix))
  const membershipOf = async (who: DemoUser, chat = chatBox) => (await world.find('chat-members', { chat_id: chat._id, user_id: (await world.as(who)).user._id }))[0]

  describe('a programme’s chat box', () => {
    it('has the programme’s managers and mentors as members, kept by the engine', async () => {
      const grace = await world.as('grace')
      const maya = await world.as('maya')
      assert.equal(chatBox.type, 'programme')
      assert.ok(chatBox.member_ids.includes(grace.user._id) && chatBox.member_ids.includes(maya.user._id))
      const leo = await world.as('leo')
      assert.ok(!chatBox.member_ids.includes(leo.user._id), 'Leo mentors another programme')
      const listed = (await maya.get('/chats')).body.data.map((c: any) => c._id)
      assert.ok(listed.includes(chatBox._id))
    })

    it('is closed to non-members over REST: no chat, messages, members, sending or typing', async () => {
      for (const who of ['alan', 'leo', 'priya'] as DemoUser[]) {
        const caller = await world.as(who)
        assert.ok(denied((await caller.get(`/chats/${chatBox._id}`)).status), `${who} reads the chat`)
        assert.deepEqual((await caller.get('/messages', { chat_id: chatBox._id })).body.data, [], `${who} lists its messages`)
        assert.deepEqual((await caller.get('/chat-members', { chat_id: chatBox._id })).body.data, [], `${who} lists its members`)
        assert.ok(denied((await caller.post('/messages', { chat_id: chatBox._id, body: 'hi' })).status), `${who} sends`)
        assert.equal((await caller.post('/chats/typing', { id: chatBox._id, typing: true })).status, 404, `${who} types`)
      }
      const [message] = await world.find('messages', { chat_id: chatBox._id })
      assert.ok(denied((await (await world.as('alan')).get(`/messages/${message._id}`)).status))
      assert.ok(denied((await (await world.as('priya')).post('/chat-members', { chat_id: chatBox._id, user_id: (await world.as('priya')).user._id })).status), 'nobody joins a chat box by themselves')
    })

    it('over Socket.io, a message, its unread counts and typing reach its members only; the sender is not echoed', async () => {
      await withSockets(['grace', 'maya', 'alan', 'leo', 'priya'], async (sockets) => {
        const grace = await world.as('grace')
        const sent = await grace.post('/messages', { chat_id: chatBox._id, body: 'Lab 4 is online.' })
        assert.equal(sent.status, 201, JSON.stringify(sent.body))
        const mine = await membershipOf('maya')
        assert.ok(await eventually(() => sockets.maya.events.some((e) => e.name === 'messages created' && e.data._id === sent.body._id)))
        assert.ok(await eventually(() => sockets.maya.events.some((e) => e.name === 'chat-members patched' && e.data._id === mine._id && e.data.unread_count === mine.unread_count)))
        assert.ok(mine.unread_count >= 1)
        // Grace sees Maya's read receipt, never her unread count.
        assert.ok(await eventually(() => sockets.grace.events.some((e) => e.name === 'chat-members patched' && e.data._id === mine._id)))
        for (const event of sockets.grace.events.filter((e) => e.name === 'chat-members patched' && e.data._id === mine._id)) assert.equal(event.data.unread_count, undefined)

        const typing = await sockets.maya.call('create', 'chats/typing', { id: chatBox._id, typing: true })
        assert.deepEqual(typing, { id: chatBox._id, from: mine.user_id, typing: true })
        assert.ok(await eventually(() => sockets.grace.events.some((e) => e.name === 'chats typing' && e.data.from === mine.user_id)))
        await assert.rejects(sockets.alan.call('create', 'chats/typing', { id: chatBox._id, typing: true }), (error: any) => error.code === 404)
        await wait(150)
        assert.equal(heard(sockets.maya, 'chats typing').length, 0, 'not echoed')
        for (const who of ['alan', 'leo', 'priya']) {
          for (const prefix of ['messages', 'chat-members', 'chats']) assert.equal(heard(sockets[who], prefix).length, 0, `${who} heard ${prefix}`)
        }
      })
    })
  })

  describe('messages', () => {
    it('are edited and deleted by their sender only; unread counts follow', async () => {
      const grace = await world.as('grace')
      const maya = await world.as('maya')
      const sent = (await grace.post('/messages', { chat_id: chatBox._id, body: 'Tpyo' })).body
      const before = (await membershipOf('maya')).unread_count
      assert.equal((await maya.patch(`/messages/${sent._id}`, { body: 'Typo' })).status, 403)
      assert.ok([400, 403].includes((await grace.patch(`/messages/${sent._id}`, { sender_id: maya.user._id })).status), 'the sender is the server’s')
      const edited = await grace.patch(`/messages/${sent._id}`, { body: 'Typo' })
      assert.equal(edited.status, 200)
      assert.equal(edited.body.body, 'Typo')
      assert.ok(edited.body.edited_at >= edited.body.sent_at)
      assert.equal((await maya.remove(`/messages/${sent._id}`)).status, 403)
      assert.equal((await grace.remove(`/messages/${sent._id}`)).status, 200)
      assert.equal((await membershipOf('maya')).unread_count, before - 1, 'the deleted message is no longer unread')
    })

    it('carry an attachment through the file storage, downloaded by the chat’s members only', async () => {
      const maya = await world.as('maya')
      const uploaded = await upload(world.url, 'collection=messages&field=attachment', 'notes from lab 4\n', 'notes.txt', 'text/plain', maya.token)
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body))
      const sent = await maya.post('/messages', { chat_id: chatBox._id, body: 'My notes', attachment: uploaded.body.url })
      assert.equal(sent.status, 201, JSON.stringify(sent.body))
      assert.equal((await download(world.url, uploaded.body.url, (await world.as('grace')).token)).status, 200)
      assert.equal((await download(world.url, uploaded.body.url, (await world.as('alan')).token)).status, 404)
    })

    it('are read up to a receipt the member moves forward; the others read it, not their count', async () => {
      const maya = await world.as('maya')
      const mine = await membershipOf('maya')
      const [latest] = await world.find('messages', { chat_id: chatBox._id, $sort: { sent_at: -1 }, $limit: 1 })
      const read = await maya.patch(`/chat-members/${mine._id}`, { last_read_at: latest.sent_at })
      assert.equal(read.status, 200, JSON.stringify(read.body))
      assert.equal(read.body.unread_count, 0)
      assert.equal((await maya.patch(`/chat-members/${mine._id}`, { last_read_at: '2020-01-01T00:00:00.000Z' })).status, 409, 'a receipt moves forward only')
      assert.equal((await maya.patch(`/chat-members/${mine._id}`, { unread_count: 5 })).status, 400)
      const seenByGrace = (await (await world.as('grace')).get(`/chat-members/${mine._id}`)).body
      assert.equal(seenByGrace.last_read_at, latest.sent_at)
      assert.equal(seenByGrace.unread_count, undefined)
      assert.ok(denied((await (await world.as('grace')).patch(`/chat-members/${mine._id}`, { last_read_at: new Date().toISOString() })).status), 'nobody marks another member’s read')
    })
  })

  describe('direct and group chats', () => {
    it('a direct chat has its two members; nobody else joins, reads or hears it', async () => {
      const priya = await world.as('priya')
      const tom = await world.as('tom')
      const chat = await priya.post('/chats', { type: 'direct' })
      assert.equal(chat.status, 201, JSON.stringify(chat.body))
      assert.equal(chat.body.created_by, priya.user._id, 'its starter reads it')
      assert.equal((await priya.post('/chats', { type: 'programme' })).status, 403, 'chat boxes are the programmes’')
      assert.equal((await priya.post('/chat-members', { chat_id: chat.body._id, user_id: tom.user._id })).status, 201)
      assert.equal((await priya.post('/chat-members', { chat_id: chat.body._id, user_id: (await world.as('maya')).user._id })).status, 409, 'two members')
      assert.ok(denied((await tom.post('/chat-members', { chat_id: chat.body._id, user_id: (await world.as('leo')).user._id })).status), 'only its starter adds')
      await withSockets(['tom', 'maya'], async (sockets) => {
        const sent = await priya.post('/messages', { chat_id: chat.body._id, body: 'Hi Tom' })
        assert.equal(sent.status, 201)
        assert.ok(await eventually(() => sockets.tom.events.some((e) => e.name === 'messages created' && e.data._id === sent.body._id)))
        assert.equal((await membershipOf('tom', chat.body)).unread_count, 1)
        await wait(100)
        assert.equal(heard(sockets.maya, 'messages').length, 0)
      })
      assert.ok(denied((await (await world.as('grace')).get(`/chats/${chat.body._id}`)).status))
    })
  })

  describe('the forum', () => {
    it('a thread reaches the programme’s members; a mention notifies the mentioned member only, never a non-member', async () => {
      await withSockets(['grace', 'maya', 'alan', 'leo', 'priya'], async (sockets) => {
        const maya = await world.as('maya')
        const grace = await world.as('grace')
        const alan = await world.as('alan')
        const thread = await maya.post('/forum-threads', { programme_id: cloud._id, title: 'Office hours', body: 'Thursdays?', mentioned: [grace.user._id, alan.user._id] })
        assert.equal(thread.status, 201, JSON.stringify(thread.body))
        assert.ok(await eventually(() => heard(sockets.grace, 'forum-threads created').some((e) => e.data._id === thread.body._id)))
        assert.ok(await eventually(() => heard(sockets.grace, 'notifications created').some((e) => e.data.about === thread.body._id)))
        const note = heard(sockets.grace, 'notifications created').find((e) => e.data.about === thread.body._id)!.data
        assert.deepEqual([note.type, note.title, note.body], ['forum_mention', 'maya mentioned you in Cloud Foundations 2025', 'Office hours'])
        assert.deepEqual(await world.find('notifications', { about: thread.body._id, user_id: alan.user._id }), [], 'Alan may not read it: not told')

        const reply = await grace.post('/forum-posts', { thread_id: thread.body._id, programme_id: cloud._id, body: 'Thursdays work.' })
        assert.equal(reply.status, 201, JSON.stringify(reply.body))
        assert.ok(await eventually(() => heard(sockets.maya, 'forum-posts created').some((e) => e.data._id === reply.body._id)))
        assert.equal((await world.find('forum-threads', { _id: thread.body._id }))[0].reply_count, 1)
        await wait(150)
        for (const who of ['alan', 'leo', 'priya']) {
          for (const prefix of ['forum-', 'notifications']) assert.equal(heard(sockets[who], prefix).length, 0, `${who} heard ${prefix}`)
        }
        assert.equal(heard(sockets.maya, 'notifications').length, 0, 'nobody mentioned Maya')
      })
    })

    it('is written by the programme’s members only, replies in their thread’s programme, edits by their authors', async () => {
      const alan = await world.as('alan')
      const maya = await world.as('maya')
      const data = await world.programme('Data Engineering 2024')
      assert.ok(denied((await alan.post('/forum-threads', { programme_id: cloud._id, title: 'x', body: 'x' })).status))
      assert.deepEqual((await alan.get('/forum-threads', { programme_id: cloud._id })).body.data, [])
      const [thread] = await world.find('forum-threads', { programme_id: cloud._id })
      assert.equal((await alan.post('/forum-posts', { thread_id: thread._id, programme_id: data._id, body: 'x' })).status, 422, 'a reply is in its thread’s programme')
      assert.equal((await maya.post('/forum-posts', { thread_id: thread._id, body: 'x' })).status, 403, 'the programme is named, so the permission can be checked')
      const [dataThread] = await world.find('forum-threads', { programme_id: data._id })
      if (dataThread) assert.ok(denied((await maya.post('/forum-posts', { thread_id: dataThread._id, programme_id: cloud._id, body: 'x' })).status))
      const graceThread = (await world.find('forum-threads', { programme_id: cloud._id })).find((t) => t.author_id !== maya.user._id)
      if (graceThread) assert.equal((await maya.patch(`/forum-threads/${graceThread._id}`, { title: 'mine now' })).status, 403)
    })
  })

  describe('notifications', () => {
    it('are made by the triggers for their user alone: application decided, task assigned, certificate approved', async () => {
      const grace = await world.as('grace')
      const maya = await world.as('maya')
      const ivy = await world.newcomer('ivy')
      await withSockets(['maya', 'alan', 'priya'], async (sockets) => {
        const application = await ivy.post('/programme-applications', { Programme_id: cloud._id, answers: { motivation: 'Helping', hoursPerWeek: 3 } })
        assert.equal(application.status, 201, JSON.stringify(application.body))
        assert.equal((await grace.patch(`/programme-applications/${application.body._id}`, { Status: 'Approved' })).status, 200)
        const mine = (await ivy.get('/notifications')).body.data
        assert.deepEqual(mine.map((n: any) => [n.type, n.title]), [['application_decided', 'Your application to Cloud Foundations 2025: Approved']])
        assert.ok((await world.find('chat-members', { chat_id: chatBox._id, user_id: ivy.user._id })).length === 1, 'the new mentor is in the chat box')

        const task = await grace.post('/tasks', { Program_id: cloud._id, title: 'Grade lab 4', status: 'pending', assigned_to: [maya.user._id] })
        assert.equal(task.status, 201, JSON.stringify(task.body))
        assert.ok(await eventually(() => heard(sockets.maya, 'notifications created').some((e) => e.data.about === task.body._id && e.data.type === 'task_assigned')))
        await grace.patch(`/tasks/${task.body._id}`, { assigned_to: [maya.user._id, ivy.user._id] })
        assert.equal((await world.find('notifications', { about: task.body._id, user_id: maya.user._id })).length, 1, 'told once')
        assert.equal((await world.find('notifications', { about: task.body._id, user_id: ivy.user._id })).length, 1)
        await wait(100)
        for (const who of ['alan', 'priya']) assert.equal(heard(sockets[who], 'notifications').length, 0, `${who} heard a notification`)
      })
      const [mayaCertificate] = await world.find('certificates', { User_id: maya.user._id })
      if (mayaCertificate?.status === 'pending_approval') {
        assert.equal((await grace.patch(`/certificates/${mayaCertificate._id}`, { status: 'approved' })).status, 200)
        const [note] = await world.find('notifications', { about: mayaCertificate._id })
        assert.deepEqual([note.user_id, note.type, note.title], [maya.user._id, 'certificate_approved', 'Your certificate for Cloud Foundations 2025 is approved'])
      }
      // Leaving the programme leaves its chat box.
      const [mentorship] = await world.find('programme-mentors', { Program_id: cloud._id, User_id: ivy.user._id })
      assert.equal((await (await world.as('admin')).remove(`/programme-mentors/${mentorship._id}`)).status, 200)
      assert.deepEqual((await ivy.get('/messages', { chat_id: chatBox._id })).body.data, [])
    })

    it('are read, marked read and removed by their user only; nobody creates one', async () => {
      const maya = await world.as('maya')
      const priya = await world.as('priya')
      const mine = (await maya.get('/notifications')).body.data
      assert.ok(mine.length > 0)
      for (const note of mine) assert.equal(note.user_id, maya.user._id)
      assert.equal((await maya.patch(`/notifications/${mine[0]._id}`, { read: true })).body.read, true)
      assert.equal((await maya.patch(`/notifications/${mine[0]._id}`, { title: 'x' })).status, 403)
      assert.ok(denied((await priya.get(`/notifications/${mine[0]._id}`)).status))
      assert.ok(denied((await priya.patch(`/notifications/${mine[0]._id}`, { read: true })).status))
      assert.equal((await maya.post('/notifications', { user_id: priya.user._id, type: 'forum_mention', title: 'spoof' })).status, 403)
    })
  })

  it('the demo has a chat with messages, a direct chat, a forum thread with a reply, and notifications', async () => {
    const grace = await world.as('grace')
    const maya = await world.as('maya')
    const leo = await world.as('leo')
    assert.ok((await world.find('messages', { chat_id: chatBox._id })).length >= 2)
    const direct = (await world.find('chats', { type: 'direct', created_by: grace.user._id }))[0]
    assert.deepEqual([...direct.member_ids].sort(), [grace.user._id, maya.user._id].sort())
    const [thread] = await world.find('forum-threads', { title: 'Terraform state: local or remote?' })
    assert.ok(thread.reply_count >= 1)
    const types = async (userId: string) => new Set((await world.find('notifications', { user_id: userId })).map((n) => n.type))
    assert.ok((await types(grace.user._id)).has('forum_mention'))
    assert.ok((await types(maya.user._id)).has('application_decided') && (await types(maya.user._id)).has('task_assigned'))
    assert.ok((await types(leo.user._id)).has('certificate_approved'))
  })
})
