// `npm test`'s runner: the suite in two lanes at once, each a sequence of ordinary mocha runs of its files one after
// another (so a file's servers, browsers and shared worlds behave as in a plain `mocha` run). Most of a test's time is
// spent waiting on a browser, a child process or the network, so two lanes on two cores take little more than the longer.
//   lane 1: the admin panel in Chromium, the app as a process (production build, shutdown), the typed client, the CLI
//           (LANE_ONE); then the MongoDB pass (.mocharc.mongodb.json's files and options, as in
//           `npm run test:mongodb`) of the files that do not use Redis;
//   lane 2: everything else (the OpenAPI document and /docs too), then the MongoDB pass of the files that use Redis.
// A file uses the shared Redis when its source names Redis or BullMQ (`redisUrl`, `startInstancesOnRedis`, …): every such
// file runs in lane 2, in either pass, whatever LANE_ONE says, so no two runs ever share Redis keys or channels at once.
// LANE_ONE balances the lanes by the time of each file that the reporter prints (tools/file-timer.cjs, longest first):
// lane 1's files and its part of the MongoDB pass (measured 465 s + 96 s, with /docs) against lane 2's (447 s + 17 s).
// Output is streamed with the lane's number before each line; each run's summary (and its failures) is printed again at
// the end. Exit code: 0 when every run passed.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const LANE_ONE = [/^test\/admin\//, /^test\/app\//, /^test\/client\//, /^test\/cli\.test\.ts$/, /^test\/app\.test\.ts$/]
const USES_REDIS = /redis|bullmq/i
const REPORTER = ['--reporter', './tools/file-timer.cjs']
const MOCHA = ['mocha', '--no-config', '--node-option', 'import=tsx', '--timeout', '20000', '--exit', ...REPORTER]

const specs = readdirSync('test', { recursive: true })
  .map((file) => `test/${String(file).replaceAll('\\', '/')}`)
  .filter((file) => file.endsWith('.test.ts'))
  .sort()
const usesRedis = (file) => USES_REDIS.test(readFileSync(file, 'utf8'))
const inLaneOne = (file) => LANE_ONE.some((pattern) => pattern.test(file)) && !usesRedis(file)

/** The MongoDB pass's options and files from .mocharc.mongodb.json (its `spec` globs matched against the test files). */
const { spec: mongoSpec, ...mongoOptions } = JSON.parse(readFileSync('.mocharc.mongodb.json', 'utf8'))
const globPattern = (glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(?:.*/)?').replace(/\*/g, '[^/]*')}$`)
const mongoFiles = specs.filter((file) => mongoSpec.some((glob) => globPattern(glob).test(file)))
const MONGO = [
  'mocha',
  '--no-config',
  ...Object.entries(mongoOptions).flatMap(([name, value]) => [value].flat().flatMap((item) => (item === true ? [`--${name}`] : [`--${name}`, String(item)]))),
  ...REPORTER
]

const lanes = [
  {
    name: '1',
    runs: [
      { title: 'admin panel, app, client, CLI', args: MOCHA, files: specs.filter(inLaneOne) },
      { title: 'the MongoDB pass, files without Redis', args: MONGO, files: mongoFiles.filter((file) => !usesRedis(file)) }
    ]
  },
  {
    name: '2',
    runs: [
      { title: 'engine, services, blueprints, security, OpenAPI', args: MOCHA, files: specs.filter((file) => !inLaneOne(file)) },
      { title: 'the MongoDB pass, files with Redis', args: MONGO, files: mongoFiles.filter(usesRedis) }
    ]
  }
]

/** Runs one mocha command, streaming its lines prefixed; resolves with its exit code and its summary lines. */
function run(lane, title, args, files) {
  return new Promise((resolve) => {
    const started = Date.now()
    console.log(`[${lane}] ${title}: npx ${args.join(' ')} (${files.length} files)`)
    const child = spawn('npx', [...args, ...files], { env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const lines = []
    let rest = ''
    const take = (chunk) => {
      const text = rest + chunk.toString()
      const parts = text.split('\n')
      rest = parts.pop()
      for (const line of parts) {
        lines.push(line)
        process.stdout.write(`[${lane}] ${line}\n`)
      }
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('close', (code, signal) => {
      if (rest) take('\n')
      const summary = lines.findIndex((line) => /^\s+\d+ passing \(/.test(line))
      resolve({ lane, title, code: code ?? 1, signal, seconds: Math.round((Date.now() - started) / 1000), summary: summary >= 0 ? lines.slice(summary) : lines.slice(-40) })
    })
  })
}

const results = (
  await Promise.all(
    lanes.map(async (lane) => {
      const done = []
      // A run with no files would be mocha looking for its default ones.
      for (const { title, args, files } of lane.runs) if (files.length) done.push(await run(lane.name, title, args, files))
      return done
    })
  )
).flat()

console.log('\n==== npm test: summary of each run ====')
for (const result of results) {
  console.log(`\n[${result.lane}] ${result.title}: ${result.code === 0 ? 'passed' : `FAILED (exit ${result.code}${result.signal ? `, ${result.signal}` : ''})`} in ${result.seconds} s`)
  for (const line of result.summary) console.log(line)
}
process.exit(results.every((result) => result.code === 0) ? 0 : 1)
