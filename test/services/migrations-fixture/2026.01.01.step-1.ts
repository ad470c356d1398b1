// A fixture migration for test/services/migrations.test.ts: notes each run, slowly enough for two runners to overlap.
import type { MigrationContext } from '../../../src/services/migrations.js'
import { fixtureRuns } from './runs.js'

export async function up(_context: MigrationContext) {
  fixtureRuns.push('up 1')
  await new Promise((resolve) => setTimeout(resolve, 150))
}

export async function down() {
  fixtureRuns.push('down 1')
}
