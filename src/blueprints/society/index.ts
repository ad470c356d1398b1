// The `society` blueprint (seed 003, a MyGate-style gated community): only declarations; the engine does the rest.
// Field names are the seed's (it has no typos to fix); fields added to it are marked "Added" where they are declared.
import { rbacCollections } from '../../schemas/rbac.js'
import type { BlueprintInput } from '../../schemas/types.js'
import { permissions, roles } from './access.js'
import { overdueBills } from './billing.js'
import { societyCollections } from './collections.js'
import { demo, demoLogins } from './demo.js'

const blueprint: BlueprintInput = {
  name: 'society',
  version: '1.0.0',
  description: 'Gated communities: residents, visitors at the gate, maintenance billing, complaints, amenity bookings and security patrols, one society per tenant.',
  collections: [...rbacCollections, ...societyCollections],
  roles,
  permissions,
  adminRole: 'SuperAdmin',
  demo,
  schedules: [overdueBills],
  demoLogins,
  tenancy: { collection: 'societies', field: 'societyId' },
  dashboard: [
    { name: 'visitors-today', title: 'Visitor entries today (UTC)', collection: 'visitor-entries', query: { entryDateTime: { $gte: '{{today}}', $lt: '{{tomorrow}}' } } },
    { name: 'overdue-bills', title: 'Overdue bills', collection: 'maintenance-bills', query: { status: 'Overdue' } },
    { name: 'open-complaints', title: 'Open complaints', collection: 'complaints', query: { status: { $nin: ['Resolved', 'Closed'] } } },
    { name: 'visitors-per-day', title: 'Visitor entries per day, by approval', collection: 'visitor-entries', over: { field: 'entryDateTime', per: 'day', from: -6, to: 0 }, by: 'approvalStatus' },
    { name: 'complaints-by-status', title: 'Complaints by status', collection: 'complaints', by: 'status' }
  ]
}

export default blueprint
