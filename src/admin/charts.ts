// The dashboard's declared figures and charts (blueprint `dashboard`), counted through the services as the viewer: their
// permissions apply (a Manager's chart counts their own appointments) and so does the tenant they chose.
import type { EngineApp } from '../engine.js'
import type { Collection, DashboardChartInput } from '../schemas/types.js'
import type { Caller } from './caller.js'
import { withCondition, type Query } from './filter.js'
import { listedFor } from './options.js'
import { ADMIN_PROVIDER } from './resource.js'
import { tenantCondition } from './tenancy.js'

export interface ChartData {
  name: string
  title: string
  kind: 'figure' | 'doughnut' | 'bar'
  /** Periods (bars: their first day, `YYYY-MM-DD`, UTC) or the `by` values (a doughnut). */
  labels: string[]
  /** One per `by` value (bars), or one of them all. */
  series: { label: string; values: number[] }[]
  /** Set when counting failed (a query the store cannot run): the chart is drawn empty with this message. */
  error?: string
}

type Per = NonNullable<DashboardChartInput['over']>['per']

const DAY_MS = 86400000

/** The UTC start of the period `offset` periods away from the one holding `now` (weeks begin on Monday). */
export function periodStart(now: Date, per: Per, offset: number): Date {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  if (per === 'day') return new Date(day.getTime() + offset * DAY_MS)
  if (per === 'week') return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS + offset * 7 * DAY_MS)
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + offset, 1))
}

/** `{{now}}`, `{{today}}`, `{{tomorrow}}` in a declared query, as ISO instants. */
export function resolveInstants(value: unknown, now: Date): unknown {
  if (typeof value === 'string') {
    const instants: Record<string, Date> = { '{{now}}': now, '{{today}}': periodStart(now, 'day', 0), '{{tomorrow}}': periodStart(now, 'day', 1) }
    return instants[value]?.toISOString() ?? value
  }
  if (Array.isArray(value)) return value.map((item) => resolveInstants(item, now))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveInstants(inner, now)]))
  return value
}

const enumValues = (collection: Collection, field: string): string[] => (collection.schema.properties?.[field] as any)?.enum ?? []

/** The figures and charts of the blueprint whose collection the caller may list, counted as them. */
export async function chartsFor(app: EngineApp, caller: Caller, now = new Date()): Promise<ChartData[]> {
  const declared = (app.blueprint.dashboard ?? []).filter((chart) => listedFor(caller.ability, chart.collection))
  return Promise.all(declared.map((chart) => chartData(app, caller, chart, now)))
}

async function chartData(app: EngineApp, caller: Caller, chart: DashboardChartInput, now: Date): Promise<ChartData> {
  const collection = app.blueprint.collections.find((c) => c.name === chart.collection)!
  const base = withCondition(resolveInstants(chart.query ?? {}, now) as Query, tenantCondition(app, caller, collection))
  const count = async (condition: Query) => {
    const page: any = await app.service(collection.name).find({ query: { ...withCondition(base, condition), $limit: 0 }, provider: ADMIN_PROVIDER, user: caller.user } as any)
    return page.total as number
  }
  const values = chart.by ? enumValues(collection, chart.by) : []
  const kind: ChartData['kind'] = chart.over ? 'bar' : chart.by ? 'doughnut' : 'figure'
  const result: ChartData = { name: chart.name, title: chart.title, kind, labels: [], series: [] }
  try {
    if (chart.over) {
      const { field, per, from, to } = chart.over
      const starts = Array.from({ length: to - from + 2 }, (_, index) => periodStart(now, per, from + index))
      const periods = starts.slice(0, -1).map((start, index) => ({ [field]: { $gte: start.toISOString(), $lt: starts[index + 1].toISOString() } }))
      result.labels = starts.slice(0, -1).map((start) => start.toISOString().slice(0, 10))
      const groups = chart.by ? values.map((value) => ({ label: value, condition: { [chart.by!]: value } })) : [{ label: chart.title, condition: {} }]
      result.series = await Promise.all(
        groups.map(async (group) => ({ label: group.label, values: await Promise.all(periods.map((period) => count(withCondition(period, group.condition)))) }))
      )
    } else if (chart.by) {
      result.labels = values
      result.series = [{ label: chart.title, values: await Promise.all(values.map((value) => count({ [chart.by!]: value }))) }]
    } else {
      result.series = [{ label: chart.title, values: [await count({})] }]
    }
  } catch (error: any) {
    result.error = error?.message ?? String(error)
    result.series = []
  }
  return result
}
