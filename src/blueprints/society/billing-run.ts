// A billing run: the period's maintenance bills for every flat of a society, from its active plans; idempotent per period.
import { Conflict } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'

type Rec = Record<string, any>

const CYCLE_MONTHS: Record<string, number> = { Monthly: 1, Quarterly: 3, 'Half-Yearly': 6, Yearly: 12 }
const round2 = (value: number) => Math.round(value * 100) / 100
const monthIndex = (date: Date) => date.getUTCFullYear() * 12 + date.getUTCMonth()

/** Line items, discount and tax of one flat's bill under one plan: Fixed components as they are, PerSqFt ones × the flat's area. */
export function billAmounts(plan: Rec, flat: Rec) {
  const lineItems = (plan.components as Rec[]).map((component) =>
    component.type === 'PerSqFt'
      ? { componentName: component.name, amount: round2(component.amount * flat.area), description: `${component.amount} per sq ft × ${flat.area} sq ft` }
      : { componentName: component.name, amount: round2(component.amount), description: 'Fixed' }
  )
  const total = lineItems.reduce((sum, item) => sum + item.amount, 0)
  const discount = round2((total * (plan.discountRate ?? 0)) / 100)
  const tax = round2(((total - discount) * (plan.taxRate ?? 0)) / 100)
  return { lineItems, discount, tax }
}

/** Plans billed in the month starting at `from`: active then, and at a multiple of their cycle from the month they start. */
function plansDue(plans: Rec[], from: Date, to: Date) {
  return plans.filter((plan) => {
    const start = new Date(plan.applicableFrom)
    if (start > to || (plan.applicableTo && new Date(plan.applicableTo) < from)) return false
    return (monthIndex(from) - monthIndex(start)) % (CYCLE_MONTHS[plan.billingCycle] ?? 1) === 0
  })
}

/** `before.create` of `billing-runs`: creates the missing bills and records what it did on the run. */
export async function runBilling(context: HookContext) {
  const { app, data } = context
  const internal = (name: string) => app.service(name) as any
  const societyId = data.societyId
  const [year, month] = (data.period as string).split('-').map(Number)
  const from = new Date(Date.UTC(year, month - 1, 1))
  const monthEnd = new Date(Date.UTC(year, month, 1) - 1)
  const dueDate = data.dueDate ?? new Date(Date.UTC(year, month - 1, 10)).toISOString()

  const all = { paginate: false }
  const plans = plansDue(await internal('maintenance-plans')._find({ ...all, query: { societyId, status: 'Active' } }), from, monthEnd)
  const flats: Rec[] = await internal('flats')._find({ ...all, query: { societyId } })
  const residents: Rec[] = await internal('residents')._find({ ...all, query: { societyId, status: 'Active' } })
  const residentOf = (flatId: string) => {
    const living = residents.filter((r) => r.flatId === flatId)
    return (living.find((r) => r.residentType === 'Owner') ?? living[0])?._id
  }

  let created = 0
  let existing = 0
  for (const plan of plans) {
    const to = new Date(Date.UTC(year, month - 1 + (CYCLE_MONTHS[plan.billingCycle] ?? 1), 1) - 1)
    const query = { societyId, maintenancePlanId: plan._id, 'billPeriod.from': from.toISOString(), $select: ['flatId'] }
    const billed = new Set(((await internal('maintenance-bills')._find({ ...all, query })) as Rec[]).map((bill) => bill.flatId))
    for (const flat of flats) {
      if (billed.has(flat._id)) {
        existing++
        continue
      }
      const residentId = residentOf(flat._id)
      const bill = {
        societyId,
        flatId: flat._id,
        ...(residentId && { residentId }),
        billPeriod: { from: from.toISOString(), to: to.toISOString() },
        dueDate,
        billingDate: new Date().toISOString(),
        maintenancePlanId: plan._id,
        ...billAmounts(plan, flat),
        status: 'Generated'
      }
      try {
        await internal('maintenance-bills').create(bill, { user: context.params.user })
        created++
      } catch (error) {
        // Another run created it in the meantime: the unique index keeps one bill per flat, plan and period.
        if (!(error instanceof Conflict)) throw error
        existing++
      }
    }
  }
  context.data = { ...data, dueDate, billsCreated: created, billsExisting: existing, flats: flats.length, plans: plans.length }
}
