// A consumer TypeScript project in a temp folder that "installs" a generated client package, and runs tsc / node in it.
import { execFile } from 'node:child_process'
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import ts from 'typescript'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const ourModules = path.join(root, 'node_modules')
export const TSC = path.join(ourModules, '.bin', 'tsc')

export interface Consumer {
  dir: string
  /** Writes `src/<name>` in the project. */
  write(name: string, source: string): Promise<void>
  /** `tsc --noEmit -p .`: exit code and output. */
  typecheck(): Promise<{ code: number; output: string }>
  /** Transpiles `src/<name>` to JavaScript beside it (`.mjs`) and runs it with plain node; resolves with stdout. */
  run(name: string, env?: Record<string, string>): Promise<string>
}

/**
 * `npm install <folder>` needs the registry for transitive packages missing from the npm cache, so the
 * install is reproduced by hand: the package copied into node_modules (as from its tarball), and each
 * of its declared dependencies linked to our installed copy. An undeclared import then fails to resolve.
 */
export async function createConsumer(dir: string, packageDir: string, options: { skipLibCheck?: boolean } = {}): Promise<Consumer> {
  const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))
  await cp(packageDir, path.join(dir, 'node_modules', manifest.name), { recursive: true })
  return createProject(dir, Object.keys(manifest.dependencies), { ...options, dependencies: { [manifest.name]: `file:${packageDir}` } })
}

/** A strict TypeScript project in `dir` whose `linked` packages (and `@types/node`) are links to our installed copies. */
export async function createProject(dir: string, linked: string[], options: { skipLibCheck?: boolean; dependencies?: Record<string, string> } = {}): Promise<Consumer> {
  const modules = path.join(dir, 'node_modules')
  await mkdir(path.join(dir, 'src'), { recursive: true })
  for (const dependency of [...linked, '@types/node']) {
    await mkdir(path.dirname(path.join(modules, dependency)), { recursive: true })
    await symlink(path.join(ourModules, dependency), path.join(modules, dependency), 'dir')
  }
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: options.dependencies ?? {} }, null, 2))
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: options.skipLibCheck ?? false,
    types: ['node']
  }
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2))

  return {
    dir,
    write: (name, source) => writeFile(path.join(dir, 'src', name), source),
    async typecheck() {
      try {
        const { stdout, stderr } = await run(TSC, ['--noEmit', '-p', '.'], { cwd: dir })
        return { code: 0, output: stdout + stderr }
      } catch (error: any) {
        return { code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }
      }
    },
    async run(name, env = {}) {
      const source = await readFile(path.join(dir, 'src', name), 'utf8')
      const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
      const script = path.join(dir, 'src', name.replace(/\.ts$/, '.mjs'))
      await writeFile(script, outputText)
      const { stdout } = await run(process.execPath, [script], { cwd: dir, env: { ...process.env, ...env }, timeout: 30_000 })
      return stdout
    }
  }
}

export interface CompileError {
  file: string
  line: number
  code: string
  /** The first line and its elaboration. */
  message: string
}

/** tsc's `file(line,col): error TSxxxx: message` lines, with their indented elaboration. */
export function compileErrors(output: string): CompileError[] {
  const errors: CompileError[] = []
  for (const line of output.split('\n')) {
    const match = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line)
    if (match) errors.push({ file: path.basename(match[1]), line: Number(match[2]), code: match[3], message: match[4] })
    else if (errors.length && /^\s+/.test(line)) errors[errors.length - 1].message += `\n${line.trim()}`
  }
  return errors
}
