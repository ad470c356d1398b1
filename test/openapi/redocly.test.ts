// Redocly's linter (the CLI, with ./redocly.yaml) on the OpenAPI document of every blueprint: no errors.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { blueprintNames, loadBlueprint } from '../../src/blueprints/index.js'
import { openApiDocument } from '../../src/openapi/document.js'
import { tempDir } from '../helpers.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const REDOCLY = path.join(root, 'node_modules', '.bin', 'redocly')

interface Problem {
  ruleId: string
  severity: 'error' | 'warn'
  message: string
  location: { source: { ref: string }; pointer: string }[]
}

/** `redocly lint --format=json` of one file: its problems (it exits 1 when any is an error). */
async function lint(file: string): Promise<Problem[]> {
  const args = ['lint', file, '--config', path.join(root, 'redocly.yaml'), '--format=json']
  const output = await run(REDOCLY, args, { cwd: path.dirname(file), env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' }, maxBuffer: 64 * 1024 * 1024 }).catch((error) => error)
  const json = String(output.stdout).slice(String(output.stdout).indexOf('{'))
  return JSON.parse(json).problems
}

describe('Redocly lint', function () {
  this.timeout(90_000)
  let dir: string
  before(async () => (dir = await tempDir('quillbase-redocly-')))
  after(() => rm(dir, { recursive: true, force: true }))

  it('finds no error in the document of any blueprint', async () => {
    const problems: Problem[] = []
    for (const name of await blueprintNames()) {
      const file = path.join(dir, `${name}.json`)
      await writeFile(file, JSON.stringify(openApiDocument(await loadBlueprint(name))))
      problems.push(...(await lint(file)))
    }
    const where = (p: Problem) => `${path.basename(p.location[0]?.source.ref ?? '')}${p.location[0]?.pointer ?? ''}`
    const errors = problems.filter((p) => p.severity === 'error')
    assert.deepEqual(errors.map((p) => `${p.ruleId} ${where(p)}: ${p.message}`), [])
    // Known warnings: no `license` in info (the project has none), and `/health` answers no 4xx.
    const warnings = problems.map((p) => `${p.ruleId} ${where(p)}`)
    assert.deepEqual([...new Set(problems.map((p) => p.ruleId))].sort(), ['info-license', 'operation-4xx-response'], warnings.join('\n'))
  })

  it('reports an example that its schema refuses (the rules bite)', async () => {
    const document = openApiDocument(await loadBlueprint('appointments'))
    document.components.parameters['AppointmentQuery-sort'].example = { NotAField: 1 }
    const file = path.join(dir, 'broken.json')
    await writeFile(file, JSON.stringify(document))
    const errors = (await lint(file)).filter((p) => p.severity === 'error')
    assert.deepEqual(errors.map((p) => p.ruleId), ['no-invalid-parameter-examples'])
  })
})
