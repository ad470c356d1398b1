// Every collection of seed 001, in the seed's order, plus `programme-managers` and `chat-members`.
import { certificates } from './certificates.js'
import { chatMembers, chats, messages } from './chats.js'
import { forumPosts, forumThreads, notifications } from './forum.js'
import { jobRoles, techStacks, userDetails, users } from './people.js'
import { programmeApplications, programmeManagers, programmeMentors, programmes } from './programmes.js'
import { reports, tasks } from './work.js'

export const programmeCollections = [users, userDetails, programmes, programmeMentors, programmeManagers, programmeApplications, tasks, techStacks, jobRoles, reports, certificates, chats, chatMembers, messages, forumThreads, forumPosts, notifications]
