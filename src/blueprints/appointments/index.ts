// The `appointments` blueprint (seed 000): only declarations; the engine does the rest.
import { rbacCollections } from '../../schemas/rbac.js'
import type { BlueprintInput } from '../../schemas/types.js'
import { permissions, roles } from './access.js'
import { appointments, bulkUploads, reports, users } from './collections.js'
import { demo, demoLogins } from './demo.js'

const blueprint: BlueprintInput = {
  name: 'appointments',
  version: '1.0.0',
  description: 'Managers schedule appointments with developers, who accept or decline; bulk uploads and meeting reports.',
  collections: [...rbacCollections, users, appointments, bulkUploads, reports],
  roles,
  permissions,
  adminRole: 'Admin',
  adminDefaults: { Name: 'Administrator' },
  demo,
  demoLogins
}

export default blueprint
