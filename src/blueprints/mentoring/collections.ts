// Every table of seed 004, in the seed's order.
import { issueMessages, reportedIssues, resourceComments, resources } from './content.js'
import { learningPaths, userLearningProgress } from './learning.js'
import { directMessages, microsoftTokens, userConnections } from './messaging.js'
import { profiles, users } from './people.js'
import { actionItems, feedback, matches, sessionNotes, sessions } from './sessions.js'
import { groupMemberships, mentalHealthChats, milestoneLogs, proxyRequests, supportGroups } from './support.js'

export const mentoringCollections = [
  users,
  profiles,
  sessions,
  feedback,
  matches,
  sessionNotes,
  actionItems,
  learningPaths,
  userLearningProgress,
  milestoneLogs,
  supportGroups,
  groupMemberships,
  proxyRequests,
  mentalHealthChats,
  directMessages,
  userConnections,
  microsoftTokens,
  resources,
  resourceComments,
  reportedIssues,
  issueMessages
]
