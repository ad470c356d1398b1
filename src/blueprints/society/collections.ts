// Every collection of seed 003, in the seed's order, plus `billing-runs`.
import { amenities, bookings } from './amenities.js'
import { billingRuns, expenses, maintenanceBills, maintenancePlans, payments } from './billing.js'
import { complaints, staff, vendors } from './maintenance.js'
import { blocks, familyMembers, flats, residents, societies, users } from './people.js'
import { guardDevices, notifications, patrolLogs, patrolRoutes } from './security.js'
import { preApprovals, visitorEntries, visitors } from './visitors.js'

export const societyCollections = [
  societies,
  blocks,
  flats,
  residents,
  familyMembers,
  users,
  visitors,
  visitorEntries,
  preApprovals,
  maintenancePlans,
  maintenanceBills,
  payments,
  expenses,
  complaints,
  vendors,
  staff,
  amenities,
  bookings,
  notifications,
  guardDevices,
  patrolRoutes,
  patrolLogs,
  billingRuns
]
