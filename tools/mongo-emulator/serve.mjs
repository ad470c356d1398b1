// Runs the CongoDB emulator (in memory) and prints a mongodb:// URL for it (database `quillbase`) as the first line of stdout.
// Usage: `node tools/mongo-emulator/serve.mjs [port] [--exit-with-stdin]` (a free port when no port is given).
// It stops on SIGINT/SIGTERM, and with `--exit-with-stdin` when stdin closes, so a test run that spawned it
// cannot leave it behind even when killed.
import { CongoServer } from './smartmongo/dist_ts/congodb/index.js'

const server = new CongoServer({ host: '127.0.0.1', port: Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 0) })
await server.start()
// With port 0 the options keep 0; the bound port is on the net.Server (a private field of CongoServer 2.2.0).
const port = server.server?.address()?.port ?? server.port
// The emulator answers the driver's streaming heartbeat (exhaust hello) wrongly, and every failed heartbeat clears the
// connection pool, failing the operations in flight about every 10 s: polling heartbeats avoid it.
process.stdout.write(`mongodb://127.0.0.1:${port}/quillbase?serverMonitoringMode=poll\n`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await server.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
}
