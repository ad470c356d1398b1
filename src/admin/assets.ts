// Nothing from outside: AdminJS's page templates link Google Fonts; the panel serves Roboto itself (@fontsource/roboto).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Context, Middleware, Next } from 'koa'

/** The weights AdminJS's templates ask Google for (`Roboto:300,400,500,700`). */
const WEIGHTS = [300, 400, 500, 700]
/** The `<link>` both templates (layout and login) hard-code; there is no option to change it. */
const GOOGLE_FONTS = /<link[^>]*href="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>/g
const FONT_FILE = /^[a-z0-9-]+\.woff2?$/

const fontsDir = () => dirname(createRequire(import.meta.url).resolve('@fontsource/roboto/400.css'))

/** The CSS of the four weights, its `url(./files/…)` resolved beside it. */
async function robotoCss(): Promise<string> {
  const dir = fontsDir()
  const parts = await Promise.all(WEIGHTS.map((weight) => readFile(join(dir, `${weight}.css`), 'utf8')))
  return parts.join('\n').replace(/url\(\.\/files\//g, 'url(files/')
}

/** Serves `<root>/frontend/assets/fonts/roboto.css` and its font files, and points the panel's pages at them. */
export function localAssets(rootPath: string): Middleware {
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
    if (typeof ctx.body === 'string' && ctx.body.includes('fonts.googleapis.com')) ctx.body = ctx.body.replace(GOOGLE_FONTS, link)
  }
}
