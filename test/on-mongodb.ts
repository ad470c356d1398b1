// The second pass of `npm test` (.mocharc.mongodb.json): the end-to-end tests again (both blueprints, the workflow and
// engine fixtures), each server on a fresh MongoDB database (MONGODB_URL, else the emulator).
import { NO_MONGO_REASON, mongoKind } from './services/adapters/mongo-target.js'

process.env.TEST_STORE = 'mongodb'
if (!mongoKind) {
  console.log(`\n  The end-to-end tests on MongoDB: not run (${NO_MONGO_REASON})\n`)
  process.exit(0)
}
console.log(`\n  The end-to-end tests again, on ${mongoKind === 'emulator' ? 'the CongoDB emulator' : 'MONGODB_URL'}:`)
