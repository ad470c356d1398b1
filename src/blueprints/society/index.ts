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
  tenancy: { collection: 'societies', field: 'societyId' }
}

export default blueprint
