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
  demoLogins,
  dashboard: [
    { name: 'upcoming', title: 'Upcoming appointments', collection: 'appointments', query: { AppointedDate: { $gte: '{{now}}' }, Status: 'Scheduled' } },
    { name: 'appointments-per-week', title: 'Appointments per week, by status', collection: 'appointments', over: { field: 'AppointedDate', per: 'week', from: -4, to: 3 }, by: 'Status' },
    { name: 'bulk-uploads', title: 'Bulk uploads', collection: 'bulk-uploads' }
  ]
}

export default blueprint
