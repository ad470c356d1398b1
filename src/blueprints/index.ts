// Finds a blueprint by folder name; the engine never names one.
import { readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { sanitizeBlueprint } from '../schemas/sanitize.js'
import type { Blueprint, BlueprintInput } from '../schemas/types.js'

const folder = fileURLToPath(new URL('.', import.meta.url))

export async function blueprintNames(): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true })
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()
}

export async function loadBlueprint(name: string): Promise<Blueprint> {
  const names = await blueprintNames()
  if (!names.includes(name)) throw new Error(`Unknown blueprint "${name}"; available: ${names.join(', ')}`)
  const module = (await import(`./${name}/index.js`)) as { default: BlueprintInput }
  return sanitizeBlueprint(module.default)
}
