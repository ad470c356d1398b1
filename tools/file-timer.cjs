// A mocha reporter: the spec reporter's output, and before its summary each test file's wall time, longest first (what
// `tools/test-lanes.mjs` balances its lanes by). A file's time runs from its first hook or test to the next file's, so
// its servers' and browsers' start and stop count; starting mocha and importing every file (before any runs) is shown apart.
'use strict'
const Mocha = require('mocha')

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_HOOK_BEGIN, EVENT_TEST_BEGIN } = Mocha.Runner.constants

class FileTimer extends Mocha.reporters.Spec {
  constructor(runner, options) {
    const loading = process.uptime()
    const seconds = new Map()
    let current
    let since
    const reach = (file) => {
      const now = Date.now()
      if (current) seconds.set(current, (seconds.get(current) ?? 0) + (now - since) / 1000)
      current = file
      since = now
    }
    for (const event of [EVENT_SUITE_BEGIN, EVENT_HOOK_BEGIN, EVENT_TEST_BEGIN]) runner.on(event, ({ file }) => file && file !== current && reach(file))
    // Registered before the spec reporter's own: the table comes before its summary (which `test-lanes.mjs` repeats).
    runner.once(EVENT_RUN_END, () => {
      reach(undefined)
      const rows = [...seconds].sort(([, a], [, b]) => b - a)
      const total = rows.reduce((sum, [, s]) => sum + s, 0)
      const log = Mocha.reporters.Base.consoleLog
      log(`\n  Time per file (${rows.length} files, ${total.toFixed(1)} s; starting and importing them: ${loading.toFixed(1)} s):`)
      for (const [file, s] of rows) log(`  ${s.toFixed(1).padStart(7)} s  ${file.replace(`${process.cwd()}/`, '')}`)
    })
    super(runner, options)
  }
}

module.exports = FileTimer
