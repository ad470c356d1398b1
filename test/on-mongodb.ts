// The second pass of `npm test`: the blueprint tests again, each server on MongoDB (MONGODB_URL, else the emulator).
import { NO_MONGO_REASON, mongoKind } from './services/adapters/mongo-target.js'

process.env.TEST_STORE = 'mongodb'
if (!mongoKind) {
  console.log(`\n  The blueprint tests on MongoDB: not run (${NO_MONGO_REASON})\n`)
  process.exit(0)
}
console.log(`\n  The blueprint tests again, on ${mongoKind === 'emulator' ? 'the CongoDB emulator' : 'MONGODB_URL'}:`)
