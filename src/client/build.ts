// `npm run build:client [blueprint…] [--out <folder>]`: one typed client package per blueprint, in build/client/<blueprint>/.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { blueprintNames, loadBlueprint } from '../blueprints/index.js'
import { buildClientPackage } from './package.js'

const DEFAULT_OUT = fileURLToPath(new URL('../../build/client', import.meta.url))

export interface BuildOutcome {
  blueprint: string
  folder: string
  error?: Error
}

/** Builds the packages of `names` (all blueprints when empty) under `outRoot`; one broken blueprint does not stop the others. */
export async function buildClients(names: string[] = [], outRoot = DEFAULT_OUT): Promise<BuildOutcome[]> {
  const selected = names.length ? names : await blueprintNames()
  const outcomes: BuildOutcome[] = []
  for (const blueprint of selected) {
    const folder = path.join(outRoot, blueprint)
    try {
      await buildClientPackage(await loadBlueprint(blueprint), folder)
      outcomes.push({ blueprint, folder })
    } catch (error: any) {
      outcomes.push({ blueprint, folder, error })
    }
  }
  return outcomes
}

function parseArguments(args: string[]) {
  const names: string[] = []
  let out = DEFAULT_OUT
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = path.resolve(args[++i] ?? '')
    else names.push(args[i])
  }
  return { names, out }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { names, out } = parseArguments(process.argv.slice(2))
  buildClients(names, out)
    .then((outcomes) => {
      for (const { blueprint, folder, error } of outcomes) {
        if (error) console.error(`client ${blueprint}: failed: ${error.message}`)
        else console.log(`client ${blueprint}: ${path.relative(process.cwd(), folder) || folder}`)
      }
      if (outcomes.some((o) => o.error)) process.exitCode = 1
    })
    .catch((error) => {
      console.error(`build:client failed: ${error.message}`)
      process.exitCode = 1
    })
}
