// The `programmes` blueprint (seed 001, MMM-Cloud mentorship programmes): only declarations; the engine does the rest.
//
// Field names are the seed's, spaces turned into underscores and parenthesised notes dropped (`Social Profile` →
// `Social_Profile`, `Bio(About)` → `Bio`). Plain typos fixed: `Programe_id` → `Programme_id` (applications,
// certificates), `manger_id` → `manager_id`, `Declied` → `Declined`, `approvedDeclied_By` → `approvedDeclined_By`,
// `linkedln` → `linkedin`, `recomendations` → `recommendations`, the report `Type (programe,type)` → `programme | task`.
// `Program_id` / `program_id` are kept as the seed spells them (ProgramsMentor, Task, Report): not typos.
// Fields added to the seed are marked "Added" where they are declared; `programme-managers` is the seed's
// "many to many with Manager", shaped like ProgramsMentor.
//
// Seed entities 10–16 (chat, message, chat box, discussion forum, notifications) have no fields in the seed; our design:
// - `chats`: `direct` (two users), `group` (its creator adds members) or `programme` (the chat box every programme gets
//   when created; its managers and mentors join it as they join the programme and leave it with that membership).
//   Members are `chat-members` records (one per chat and user); the engine keeps `chats.member_ids` and the user's
//   `chat_ids` from them, and permissions read those, so a chat, its messages and its typing signal reach its members only.
// - `chat-members.last_read_at` is a member's read receipt (moves forward only; the other members read it), and
//   `unread_count` the others' messages sent after it (the engine's `unread`), which only that member reads.
// - `messages`: one chat, the sender stamped, edited (`edited_at`) and deleted by the sender only, one `attachment` File()
//   (the engine's files are single fields: several files are several messages).
// - `typing`: a signal of `chats` (`POST /chats/typing` or `socket.emit('create', 'chats/typing', { id, typing })`),
//   relayed as `chats typing` to the chat's other members, never stored.
// - `forum-threads` and `forum-posts` (replies): one per programme's forum, read and written by its managers and
//   mentors, edited by their authors, removed by them or the programme's managers; `mentioned` users are notified when
//   they may read the post.
// - `notifications`: one per user, made only by declared triggers (application decided, task assigned to a new
//   assignee, certificate approved, mention in the forum); their user reads them and marks them `read`.
import { rbacCollections } from '../../schemas/rbac.js'
import type { BlueprintInput } from '../../schemas/types.js'
import { permissions, roles } from './access.js'
import { programmeCollections } from './collections.js'
import { demo, demoLogins } from './demo.js'

const blueprint: BlueprintInput = {
  name: 'programmes',
  version: '1.0.0',
  description: 'Mentorship programmes (MMM-Cloud): applications decided by managers, mentors, tasks, reports, certificates, chats, forums and notifications.',
  collections: [...rbacCollections, ...programmeCollections],
  roles,
  permissions,
  adminRole: 'Admin',
  adminDefaults: { username: 'admin' },
  demo,
  demoLogins
}

export default blueprint
