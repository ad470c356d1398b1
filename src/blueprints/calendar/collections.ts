// Every collection of seed 002, in the seed's order (service paths kebab-case: `sync-logs`, `admin-exports`), and the events' archive.
import { eventsArchive } from './archive.js'
import { events } from './events.js'
import { adminExports, syncLogs } from './operations.js'
import { calendars, users } from './people.js'
import { categories, locations } from './places.js'

export const calendarCollections = [users, calendars, events, categories, locations, syncLogs, adminExports, eventsArchive]
