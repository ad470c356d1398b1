// Every collection of seed 001 that has fields, in the seed's order, plus `programme-managers`.
import { certificates } from './certificates.js'
import { jobRoles, techStacks, userDetails, users } from './people.js'
import { programmeApplications, programmeManagers, programmeMentors, programmes } from './programmes.js'
import { reports, tasks } from './work.js'

export const programmeCollections = [users, userDetails, programmes, programmeMentors, programmeManagers, programmeApplications, tasks, techStacks, jobRoles, reports, certificates]
