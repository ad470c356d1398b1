// The `mentoring` blueprint (seed 004, a professional development platform): only declarations; the engine does the rest.
// Table and column names are the seed's (camelCase tables become kebab-case paths: `sessionNotes` → `session-notes`);
// fields added to it are marked "Added" where they are declared.
import { rbacCollections } from '../../schemas/rbac.js'
import type { BlueprintInput } from '../../schemas/types.js'
import { permissions, roles } from './access.js'
import { mentoringCollections } from './collections.js'
import { demo, demoLogins } from './demo.js'

const blueprint: BlueprintInput = {
  name: 'mentoring',
  version: '1.0.0',
  description: 'Mentoring programmes: matches approved within mentor capacity, sessions, learning paths, working-mother support and messaging.',
  collections: [...rbacCollections, ...mentoringCollections],
  roles,
  permissions,
  adminRole: 'admin',
  adminDefaults: { username: 'administrator', fullName: 'Administrator' },
  demo,
  demoLogins
}

export default blueprint
