// The `calendar` blueprint (seed 002, Outlook/Google calendar sync with internal event fields): only declarations.
// Field names are the seed's (snake_case, no typos to fix); fields added to it are marked "Added" where they are declared.
import { rbacCollections } from '../../schemas/rbac.js'
import type { BlueprintInput } from '../../schemas/types.js'
import { permissions, roles } from './access.js'
import { archiveOldEvents } from './archive.js'
import { calendarCollections } from './collections.js'
import { demo, demoLogins } from './demo.js'

const blueprint: BlueprintInput = {
  name: 'calendar',
  version: '1.0.0',
  description: 'Outlook and Google calendars synced into one store, with internal event fields (setup, teardown, staff, budget), categories, locations, sync logs and admin exports.',
  collections: [...rbacCollections, ...calendarCollections],
  roles,
  permissions,
  adminRole: 'admin',
  adminDefaults: { display_name: 'Administrator' },
  demo,
  schedules: [archiveOldEvents],
  demoLogins
}

export default blueprint
