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
// Seed entities 10–16 (chat, message, chat box, discussion forum, notifications) are not declared yet.
import { rbacCollections } from '../../schemas/rbac.js'
import type { BlueprintInput } from '../../schemas/types.js'
import { permissions, roles } from './access.js'
import { programmeCollections } from './collections.js'
import { demo, demoLogins } from './demo.js'

const blueprint: BlueprintInput = {
  name: 'programmes',
  version: '1.0.0',
  description: 'Mentorship programmes (MMM-Cloud): applications decided by managers, mentors, tasks, reports and certificates.',
  collections: [...rbacCollections, ...programmeCollections],
  roles,
  permissions,
  adminRole: 'Admin',
  adminDefaults: { username: 'admin' },
  demo,
  demoLogins
}

export default blueprint
