// The dashboard's data (record counts per collection the admin may read) and the browser code that draws it.
import { existsSync, readFileSync } from 'node:fs'
import type { CurrentAdmin } from 'adminjs'
import type { EngineApp } from '../engine.js'
import { requireCaller } from './caller.js'
import { chartsFor, type ChartData } from './charts.js'
import { listedFor, tenancyJSON } from './options.js'
import { readsEveryTenant, tenantCondition } from './tenancy.js'
import { withCondition } from './filter.js'
import { ADMIN_PROVIDER } from './resource.js'

export const DASHBOARD_COMPONENT = 'QuillbaseDashboard'

export interface CollectionCount {
  name: string
  label: string
  group: string | null
  /** `null` when counting failed (e.g. a rule the store cannot run). */
  count: number | null
  href: string
}

export interface DashboardData {
  title: string
  description: string
  collections: CollectionCount[]
  /** The blueprint's declared figures and charts (src/admin/charts.ts). */
  charts: ChartData[]
  /** For a caller who may read every tenant: the switcher (the counts are of the tenant chosen). */
  tenancy?: ReturnType<typeof tenancyJSON>
}

/** Counts through the services as the admin: a manager's "appointments" is the number of their own. */
export async function dashboardData(app: EngineApp, currentAdmin: CurrentAdmin | undefined, rootPath: string): Promise<DashboardData> {
  const caller = requireCaller(currentAdmin)
  const { user, ability } = caller
  const readable = app.blueprint.collections.filter((collection) => listedFor(ability, collection.name))
  const { tenancy } = app.blueprint
  const collections = await Promise.all(
    readable.map(async (collection): Promise<CollectionCount> => {
      let count: number | null = null
      try {
        const query = withCondition({ $limit: 0 }, tenantCondition(app, caller, collection))
        const page = await app.service(collection.name).find({ query, provider: ADMIN_PROVIDER, user } as any)
        count = (page as any).total
      } catch {}
      return { name: collection.name, label: collection.label, group: collection.admin.group ?? null, count, href: `${rootPath}/resources/${collection.name}` }
    })
  )
  return {
    title: app.blueprint.name,
    description: app.blueprint.description,
    collections,
    charts: await chartsFor(app, caller),
    ...(readsEveryTenant(ability, tenancy) ? { tenancy: tenancyJSON(tenancy, caller.tenant) } : {})
  }
}

/** Where `npm run build` leaves the bundle, minified: beside the compiled module. */
export const BUILT_COMPONENTS = new URL('./components.bundle.js', import.meta.url)

/**
 * What AdminJS loads as `components.bundle.js`. Its own route would run Rollup at the first request (writing `.adminjs/`
 * into the working directory) or, in production, serve a file only its bundler makes; our components are plain scripts,
 * joined here from the sources or, in the build, read as `npm run build` left them.
 */
export function componentsBundle(): string {
  if (existsSync(BUILT_COMPONENTS)) return readFileSync(BUILT_COMPONENTS, 'utf8')
  const scripts = ['load.js', 'dates.js', 'dashboard.js', 'login.js', 'array.js', 'action.js', 'lists.js', 'titles.js', 'tenancy.js', 'json.js', 'operations.js'].map((file) => readFileSync(new URL(`./components/${file}`, import.meta.url), 'utf8'))
  return ['AdminJS.UserComponents = AdminJS.UserComponents || {};', ...scripts].join('\n')
}
