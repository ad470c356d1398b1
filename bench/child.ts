// The benchmarks' server: `src/index.ts` (as `npm start` runs it), or another command, in a child process on a given data
// folder, so its start-up time and memory are its own; the engine's request limits are off (the benchmarks measure routes,
// not the limiter). The production tests start theirs with it too.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { DEMO_PASSWORD } from '../src/blueprints/appointments/demo.js'

export const UNLIMITED = { REQUESTS_PER_USER: '0', REQUESTS_PER_IP: '0', WRITES_PER_USER: '0', WRITES_PER_IP: '0', LOGIN_ATTEMPTS: '1000000' }

export interface ChildServer {
  child: ChildProcess
  base: string
  /** Milliseconds from spawn until it listened. */
  startup: number
  /** Resident memory in MB once `/health` said ready. */
  rss: number
  /** What it printed so far (stdout and stderr). */
  output: () => string
}

/** The command a child server runs: by default the sources through tsx, as `npm start` does in development. */
export const SOURCES = [process.execPath, ...profiling(), '--import', 'tsx', 'src/index.ts']
/** `BENCH_CPU_PROF=<folder>`: the server child writes a CPU profile there when it stops (Node refuses it in NODE_OPTIONS). */
function profiling() {
  const folder = process.env.BENCH_CPU_PROF
  return folder ? ['--cpu-prof', '--cpu-prof-dir', folder] : []
}

export const NPM_START = ['npm', 'start', '--silent']

/** The resident memory of a process, in MB. */
export const rss = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : NaN
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100

/** The CPU time a process has used so far (user and system, all its threads), in seconds. */
export const cpuSeconds = (pid: number) => {
  // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

export async function startServer(dataDir: string, blueprint = 'appointments', env: Record<string, string> = {}, [command, ...args] = SOURCES): Promise<ChildServer> {
  const started = performance.now()
  const child = spawn(command, args, {
    env: { ...process.env, ...UNLIMITED, NODE_ENV: 'development', DATA_DIR: dataDir, PORT: '0', BLUEPRINT: blueprint, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk
      const match = /API http:\/\/[^:]+:(\d+)\//.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.stderr!.on('data', (chunk) => (output += chunk))
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)))
  })
  const startup = performance.now() - started
  const base = `http://127.0.0.1:${port}`
  for (;;) {
    const res = await fetch(`${base}/health`).catch(() => undefined)
    if (res?.ok) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return { child, base, startup, rss: rss(child.pid!), output: () => output }
}

export async function stopServer(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** A bearer header for a demo user (or any user with the demo password). */
export async function login(base: string, email: string) {
  const res = await fetch(`${base}/authentication`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ strategy: 'local', email, password: DEMO_PASSWORD })
  })
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`)
  return `Bearer ${(await res.json()).accessToken}`
}
