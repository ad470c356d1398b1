// Serves the blueprint's OpenAPI document at /openapi.json and Swagger UI at /docs, from local files only (no CDN).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { MongoAbility } from '@casl/ability'
import type { Context, Next } from 'koa'
import type { EngineApp } from '../engine.js'
import { FingerprintedAssets, type AssetSources } from '../services/assets.js'
import type { Blueprint } from '../schemas/types.js'
import { openApiDocument } from './document.js'

export { openApiDocument } from './document.js'

const swaggerUiFolder = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/** The only files /docs serves from swagger-ui-dist (fingerprinted: kept a year); a fixed list, so no path from a request reaches the file system. */
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']

/** Swagger UI's files below /docs/, for the server and for the build (which compresses them ahead). */
export const docsAssets = () =>
  new FingerprintedAssets('/docs/', Object.fromEntries(ASSETS.map((name) => [name, () => readFile(path.join(swaggerUiFolder, name))])) as AssetSources)

/** `asset(name)`: the fingerprinted path of one of `ASSETS`, relative to /docs/. */
const page = (blueprint: Blueprint, asset: (name: string) => string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>quillbase: ${blueprint.name} ${blueprint.version} API</title>
  <link rel="stylesheet" href="./${asset('swagger-ui.css')}">
  <link rel="icon" type="image/png" href="./${asset('favicon-32x32.png')}" sizes="32x32">
  <style>body { margin: 0 }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="./${asset('swagger-ui-bundle.js')}"></script>
  <script src="./init.js"></script>
</body>
</html>
`

// `validatorUrl: null`: Swagger UI would otherwise send the document to validator.swagger.io for a badge.
// The plugin: Swagger UI resolves a part of an OpenAPI 3.1 document (the security schemes at load, an operation when
// opened) by walking the whole document; a part with no $ref is already resolved, and skipping it halves the first paint.
const init = `const resolvedAlready = () => ({
  statePlugins: {
    spec: {
      wrapActions: {
        requestResolvedSubtree: (original, system) => (path) => {
          const part = system.specSelectors.specJson().getIn(path)
          if (part && !JSON.stringify(part).includes('"$ref"')) return
          return original(path)
        }
      }
    }
  }
})
window.ui = SwaggerUIBundle({
  url: '../openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [resolvedAlready],
  layout: 'BaseLayout'
})
`

/**
 * Koa middleware answering GET /openapi.json, /docs and the docs' assets; everything else passes through.
 * `anonymous` gives the live ability of a caller without a token: operations it allows need no token.
 */
export function openApiMiddleware(blueprint: Blueprint, anonymous: () => Promise<MongoAbility>) {
  // Rebuilt when the anonymous ability changes (an edit of roles or permissions gives a new ability object).
  let built: { ability: MongoAbility; document: string } | undefined
  const assets = docsAssets()
  const serveAsset = assets.middleware()
  let html: Promise<string> | undefined
  const pageHtml = async () => {
    const paths = Object.fromEntries(await Promise.all(ASSETS.map(async (name) => [name, await assets.path(name)])))
    return page(blueprint, (name) => paths[name])
  }

  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next()
    if (ctx.path === '/openapi.json') {
      const ability = await anonymous()
      if (built?.ability !== ability) built = { ability, document: JSON.stringify(openApiDocument(blueprint, ability)) }
      ctx.type = 'application/json; charset=utf-8'
      ctx.set('Cache-Control', 'no-cache')
      ctx.body = built.document
      return
    }
    if (ctx.path === '/docs') return ctx.redirect('docs/')
    if (!ctx.path.startsWith('/docs/')) return next()
    const name = ctx.path.slice('/docs/'.length)
    if (name === '' || name === 'index.html') {
      ctx.type = 'text/html; charset=utf-8'
      ctx.body = await (html ??= pageHtml())
    } else if (name === 'init.js') {
      ctx.type = 'text/javascript; charset=utf-8'
      ctx.body = init
    } else return serveAsset(ctx, next)
  }
}

/** One line in app.ts: before the REST handler, after error handling and CORS. */
export function mountOpenApi(app: EngineApp) {
  app.use(openApiMiddleware(app.blueprint, () => app.permissions.abilityFor(undefined)))
}
