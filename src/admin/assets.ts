// The panel's assets. Nothing from outside: AdminJS's page templates link Google Fonts; the panel serves Roboto itself
// (@fontsource/roboto). Its scripts are served under fingerprinted URLs, kept by browsers for a year.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Router } from 'adminjs'
import type { Context, Middleware, Next } from 'koa'
import { FingerprintedAssets, type AssetSources } from '../services/assets.js'

/** AdminJS's own bundles, in the pages' order. */
const ADMINJS_BUNDLES = ['global.bundle.js', 'design-system.bundle.js', 'app.bundle.js']

/**
 * AdminJS links its development builds unless NODE_ENV=production (25.9 MB of scripts instead of 3.3 MB, and React's
 * checks at every render): those are for development only (NODE_ENV unset or `development`, for React's warnings to
 * whoever writes panel components); under any other NODE_ENV (`test` too) the panel serves the production builds.
 */
const DEVELOPING = !process.env.NODE_ENV || process.env.NODE_ENV === 'development'
const adminJsBuild = (src: string) => (DEVELOPING ? src : src.replace(/\.development\.js$/, '.production.js'))

/**
 * Libraries only some pages use, loaded by our components when needed (`quillbaseLoad(name)`, components/load.js): the
 * dashboard's charts (Chart.js) and the JSON editor of permission conditions (Ace), served from their packages.
 */
export const ON_DEMAND: Record<string, () => string> = {
  // Chart.js exports only its module builds; the browser (UMD) build sits beside the CommonJS one.
  'chart.umd.min.js': () => join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
  'ace.js': () => require.resolve('ace-builds/src-min-noconflict/ace.js'),
  'ace-mode-json.js': () => require.resolve('ace-builds/src-min-noconflict/mode-json.js')
}

const require = createRequire(import.meta.url)

/** The scripts of panel pages: AdminJS's bundles and ours (`components.bundle.js`), and the on-demand libraries, below `<root>/frontend/assets/`. */
export function panelScripts(rootPath: string, componentsBundle: string): FingerprintedAssets {
  const sources: AssetSources = { 'components.bundle.js': async () => componentsBundle }
  for (const name of ADMINJS_BUNDLES) {
    const asset = Router.assets.find((candidate) => candidate.path === `/frontend/assets/${name}`)
    if (!asset) throw new Error(`AdminJS no longer serves ${name}: update ADMINJS_BUNDLES in src/admin/assets.ts`)
    const src = adminJsBuild(asset.src)
    if (!existsSync(src)) throw new Error(`AdminJS has no ${src}: update adminJsBuild in src/admin/assets.ts`)
    sources[name] = () => readFile(src)
  }
  for (const [name, file] of Object.entries(ON_DEMAND)) sources[name] = () => readFile(file())
  return new FingerprintedAssets(`${rootPath}/frontend/assets/`, sources)
}

/** A script in each page's head naming the on-demand libraries' URLs (fingerprinted by `linkIn`, like the bundles). */
const onDemandScript = (base: string) =>
  `<script>window.QUILLBASE_ASSETS=${JSON.stringify(Object.fromEntries(Object.keys(ON_DEMAND).map((name) => [name, `${base}${name}`])))}</script>`

/** The weights AdminJS's templates ask Google for (`Roboto:300,400,500,700`). */
const WEIGHTS = [300, 400, 500, 700]
/** The `<link>` both templates (layout and login) hard-code; there is no option to change it. */
const GOOGLE_FONTS = /<link[^>]*href="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>/g
const FONT_FILE = /^[a-z0-9-]+\.woff2?$/

const fontsDir = () => dirname(require.resolve('@fontsource/roboto/400.css'))

/** The CSS of the four weights, its `url(./files/…)` resolved beside it. */
async function robotoCss(): Promise<string> {
  const dir = fontsDir()
  const parts = await Promise.all(WEIGHTS.map((weight) => readFile(join(dir, `${weight}.css`), 'utf8')))
  return parts.join('\n').replace(/url\(\.\/files\//g, 'url(files/')
}

/**
 * Serves `<root>/frontend/assets/fonts/roboto.css` and its font files (kept a day: not fingerprinted), and points the
 * panel's pages at them and at the fingerprinted scripts.
 */
export function localAssets(rootPath: string, scripts: FingerprintedAssets): Middleware {
  const base = `${rootPath}/frontend/assets/fonts/`
  const link = `<link rel="stylesheet" href="${base}roboto.css" type="text/css">`
  let css: Promise<string> | undefined
  return async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith(base)) {
      const name = ctx.path.slice(base.length)
      const file = name.startsWith('files/') ? name.slice('files/'.length) : undefined
      if (name === 'roboto.css') {
        ctx.type = 'text/css; charset=utf-8'
        ctx.body = await (css ??= robotoCss())
      } else if (file && FONT_FILE.test(file)) {
        try {
          ctx.body = await readFile(join(fontsDir(), 'files', file))
          ctx.type = file.endsWith('.woff2') ? 'font/woff2' : 'font/woff'
        } catch {
          ctx.status = 404
        }
      } else ctx.status = 404
      if (ctx.status === 200) ctx.set('Cache-Control', 'public, max-age=86400')
      return
    }
    await next()
    if (typeof ctx.body === 'string' && ctx.response.is('html')) {
      ctx.body = await scripts.linkIn(ctx.body.replace(GOOGLE_FONTS, link).replace('</head>', `${onDemandScript(scripts.base)}</head>`))
    }
  }
}
