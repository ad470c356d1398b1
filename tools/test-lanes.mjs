// `npm test`'s runner: the suite in two lanes at once, each an ordinary mocha run of its files one after another (so
// a file's servers, browsers and shared worlds behave as in a plain `mocha` run). Most of a test's time is spent
// waiting on a browser, a child process or the network, so two lanes on two cores take little more than the longer one.
//   lane 1: the admin panel in Chromium, the app as a process (production build, shutdown), the typed client, the CLI;
//   lane 2: everything else (the OpenAPI document and /docs too), then the MongoDB pass (test:mongodb). Every test
//           that uses the shared Redis is in this lane, so no two runs ever share Redis keys or channels at once.
// Output is streamed with the lane's number before each line; each lane's summary (and its failures) is printed
// again at the end. Exit code: 0 when every run passed.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'

const LANE_ONE = [/^test\/admin\//, /^test\/app\//, /^test\/client\//, /^test\/cli\.test\.ts$/, /^test\/app\.test\.ts$/]
const REPORTER = ['--reporter', './tools/file-timer.cjs']
const MOCHA = ['mocha', '--no-config', '--node-option', 'import=tsx', '--timeout', '20000', '--exit', ...REPORTER]

const specs = readdirSync('test', { recursive: true })
  .map((file) => `test/${String(file).replaceAll('\\', '/')}`)
  .filter((file) => file.endsWith('.test.ts'))
  .sort()
const laneOne = specs.filter((file) => LANE_ONE.some((pattern) => pattern.test(file)))
const laneTwo = specs.filter((file) => !laneOne.includes(file))

const lanes = [
  { name: '1', runs: [{ title: 'admin panel, app, client, CLI', args: [...MOCHA, ...laneOne] }] },
  {
    name: '2',
    runs: [
      { title: 'engine, services, blueprints, security, OpenAPI', args: [...MOCHA, ...laneTwo] },
      { title: 'the MongoDB pass', args: ['mocha', '--config', '.mocharc.mongodb.json', ...REPORTER] }
    ]
  }
]

/** Runs one mocha command, streaming its lines prefixed; resolves with its exit code and its summary lines. */
function run(lane, title, args) {
  return new Promise((resolve) => {
    const started = Date.now()
    console.log(`[${lane}] ${title}: npx ${args.filter((arg) => !arg.startsWith('test/')).join(' ')} (${args.filter((arg) => arg.startsWith('test/')).length || 'configured'} files)`)
    const child = spawn('npx', args, { env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
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
      for (const { title, args } of lane.runs) done.push(await run(lane.name, title, args))
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
