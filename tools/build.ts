// `npm run build`: what `NODE_ENV=production npm start` serves, in build/ (git-ignored): the compiled JavaScript of src/
// and migrations/, the admin panel's components bundle minified, and the panel's and /docs' static assets compressed
// ahead at the highest brotli and gzip levels (build/precompressed/<content hash>.br|.gz).
import { spawnSync } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'

// AdminJS picks its production bundles by NODE_ENV when it is first imported: the assets compressed here are those.
process.env.NODE_ENV = 'production'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = path.join(root, 'build')
const started = Date.now()
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`

// Only what this build writes: build/client/ (npm run build:client) stays.
for (const folder of ['src', 'migrations', 'precompressed']) await rm(path.join(out, folder), { recursive: true, force: true })

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
if (compiled.status !== 0) {
  console.error('build: tsc failed')
  process.exit(1)
}
console.log(`build: compiled src/ and migrations/ into build/ (${seconds()})`)

const { componentsBundle } = await import('../src/admin/dashboard.js')
const { ADMIN_ROOT } = await import('../src/admin/index.js')
const { panelScripts } = await import('../src/admin/assets.js')
const { docsAssets } = await import('../src/openapi/index.js')
const { compressAsset, ENCODING_EXTENSIONS, isCompressible } = await import('../src/services/assets.js')

const { code: components } = await transform(componentsBundle(), { minify: true, target: 'es2020' })
await writeFile(path.join(out, 'src/admin/components.bundle.js'), components)
console.log(`build: admin components bundle, ${components.length} bytes minified (${seconds()})`)

const precompressed = path.join(out, 'precompressed')
await mkdir(precompressed, { recursive: true })
let raw = 0
let brotli = 0
for (const assets of [panelScripts(ADMIN_ROOT, components), docsAssets()]) {
  const entries = [...(await assets.entries()).entries()].filter(([name]) => isCompressible(name))
  await Promise.all(
    entries.flatMap(([, entry]) => {
      raw += entry.body.length
      return (['br', 'gzip'] as const).map(async (encoding) => {
        const body = await compressAsset(entry.body, encoding, true)
        if (encoding === 'br') brotli += body.length
        await writeFile(path.join(precompressed, `${entry.hash}.${ENCODING_EXTENSIONS[encoding]}`), body)
      })
    })
  )
}
console.log(`build: static assets compressed ahead, ${raw} bytes → ${brotli} with brotli (${seconds()})`)
console.log('build: done; NODE_ENV=production npm start serves it')
