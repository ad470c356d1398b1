// Where the MongoDB tests run: a real MongoDB when MONGODB_URL is set, else the CongoDB emulator when installed
// (`npm run mongo-emulator:install`), else nowhere (the tests are pending, saying how to run them).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MongoClient } from 'mongodb'

export interface MongoTarget {
  /** A `mongodb://` URL naming a database of its own, empty at first. */
  url: string
  /** True on the CongoDB emulator, false on a real MongoDB. */
  emulator: boolean
  /** Drops the database (and stops the emulator once no target uses it). */
  stop(): Promise<void>
}

const emulatorFolder = fileURLToPath(new URL('../../../tools/mongo-emulator/', import.meta.url))
const emulatorInstalled = () => existsSync(`${emulatorFolder}smartmongo/dist_ts/congodb/index.js`) && existsSync(`${emulatorFolder}node_modules/bson`)

/** What `mongoTarget()` will give, known synchronously so tests can be declared pending with a reason. */
export const mongoKind: 'mongodb' | 'emulator' | undefined = process.env.MONGODB_URL ? 'mongodb' : emulatorInstalled() ? 'emulator' : undefined

export const NO_MONGO_REASON = 'no MongoDB to run on: install the emulator with `npm run mongo-emulator:install`, or set MONGODB_URL'

/** Mocha's `describe`, or a single pending test saying why when there is no MongoDB to run on. */
export function describeOnMongo(title: string, body: () => void) {
  if (mongoKind) describe(title, body)
  else describe(title, () => it(`${NO_MONGO_REASON}`))
}

/** What CongoDB (smartmongo 2.2.0) does unlike MongoDB; a test that needs it is skipped on the emulator only. */
export const EMULATOR_GAPS = {
  unique: 'CongoDB accepts unique indexes but does not enforce them',
  text: 'CongoDB has no $text (InternalError "unknown top level operator")',
  geo: 'CongoDB has no $near, $nearSphere or $geoWithin',
  stringOrder: 'CongoDB sorts and compares strings in locale order ("a" < "A" < "b"), MongoDB by code point ("A" < "B" < "a")',
  ttl: 'CongoDB accepts TTL indexes but never expires records',
  transactions: 'CongoDB accepts sessions and transactions but an aborted transaction keeps its writes'
} as const

/**
 * Mocha's `it`, except where the test runs on the emulator: there it is pending, with the emulator's gap in its title.
 * `onEmulator` says whether this test's store is the emulator (default: whether `mongoTarget()` gives the emulator).
 */
export function itUnlessEmulator(title: string, gap: string, test: Mocha.Func | Mocha.AsyncFunc, onEmulator = mongoKind === 'emulator') {
  if (onEmulator) it(`${title} (skipped on the emulator: ${gap}; runs on a real MongoDB)`)
  else it(title, test)
}

let emulator: { url: Promise<string>; child: ChildProcess; users: number } | undefined

function startEmulator() {
  const child = spawn(process.execPath, [`${emulatorFolder}serve.mjs`, '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const url = new Promise<string>((resolve, reject) => {
    let output = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      output += chunk
      if (output.includes('\n')) resolve(output.split('\n')[0].trim())
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the MongoDB emulator exited (${code}) before it listened`)))
  })
  return { url, child, users: 0 }
}

async function releaseEmulator() {
  if (!emulator || --emulator.users > 0) return
  const { child } = emulator
  emulator = undefined
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.stdin!.end()
  await exited
}

let databases = 0
const withDatabase = (url: string, name: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

/** A fresh database on a real MongoDB (MONGODB_URL) or the emulator; undefined when neither is available. */
export async function mongoTarget(): Promise<MongoTarget | undefined> {
  if (!mongoKind) return undefined
  const isEmulator = mongoKind === 'emulator'
  let base = process.env.MONGODB_URL!
  if (isEmulator) {
    emulator ??= startEmulator()
    emulator.users++
    base = await emulator.url // with serverMonitoringMode=poll (serve.mjs says why)
  }
  const url = withDatabase(base, `quillbase_test_${process.pid}_${++databases}`)
  return {
    url,
    emulator: isEmulator,
    async stop() {
      const client = await new MongoClient(url).connect()
      try {
        await client.db().dropDatabase()
      } finally {
        await client.close()
      }
      if (isEmulator) await releaseEmulator()
    }
  }
}
