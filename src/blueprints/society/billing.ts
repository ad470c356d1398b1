// Seed 003 §3, billing and accounting: maintenance plans, bills, payments, expenses, and the billing runs that generate bills.
import { DateTime, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import type { ScheduleInput } from '../../schemas/types.js'
import { ADMINS, money, name, percent, societyId, tenantRef, text, url } from './fields.js'
import { runBilling } from './billing-run.js'
import { notify } from './notify.js'

const group = 'Billing'
const round2 = (value: number) => Math.round(value * 100) / 100

export const maintenancePlans = defineCollection({
  name: 'maintenance-plans',
  schema: Type.Object({
    societyId: societyId(),
    name: name(),
    description: Type.Optional(text()),
    billingCycle: Enum(['Monthly', 'Quarterly', 'Half-Yearly', 'Yearly']),
    components: Type.Array(
      Type.Object({ name: name(100), amount: money(), type: Enum(['Fixed', 'PerSqFt']) }),
      { minItems: 1, maxItems: 50, description: 'Fixed: the amount per flat; PerSqFt: the amount × the flat area' }
    ),
    applicableFrom: DateTime(),
    applicableTo: Type.Optional(DateTime()),
    status: Enum(['Active', 'Inactive'], { default: 'Active' }),
    // Added to the seed's fields: the bill's discount and tax come from the plan, as percentages of the total.
    discountRate: percent(),
    taxRate: percent()
  }),
  indexes: [{ fields: { societyId: 1, status: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'billingCycle', 'status', 'applicableFrom'], group }
})

const billNotice = { to: 'flat', type: 'Info', category: 'Maintenance', relatedEntityType: 'MaintenanceBill' } as const

export const maintenanceBills = defineCollection({
  name: 'maintenance-bills',
  schema: Type.Object({
    societyId: societyId(),
    flatId: tenantRef('flats'),
    residentId: Type.Optional(tenantRef('residents', { sameAs: ['societyId', 'flatId'] })),
    billPeriod: Type.Object({ from: DateTime(), to: DateTime() }),
    dueDate: DateTime(),
    billingDate: DateTime(),
    maintenancePlanId: Type.Optional(tenantRef('maintenance-plans')),
    lineItems: Type.Array(Type.Object({ componentName: name(100), amount: money(), description: Type.Optional(text(300)) }), { maxItems: 100 }),
    totalAmount: Type.Optional(money()),
    discount: money({ default: 0 }),
    tax: money({ default: 0 }),
    grandTotal: Type.Optional(money()),
    status: Enum(['Generated', 'Sent', 'PartiallyPaid', 'Paid', 'Overdue'], { default: 'Generated' }),
    paymentDate: Type.Optional(DateTime()),
    paymentMethod: Type.Optional(text(50)),
    transactionId: Type.Optional(text(100)),
    reminders: Type.Optional(Type.Array(Type.Object({ date: DateTime(), type: Enum(['SMS', 'Email', 'Push']) }), { maxItems: 100 })),
    // Added to the seed's fields: a readable bill number, and what has been paid and is still due (kept by payments).
    billNumber: Type.String({ maxLength: 30, readOnly: true }),
    amountPaid: Type.Optional(money()),
    amountDue: Type.Optional(Type.Number())
  }),
  indexes: [
    { fields: { societyId: 1, residentId: 1, dueDate: 1 } },
    // One bill per flat, plan and period: what makes a billing run idempotent, even for two runs at once.
    { fields: { flatId: 1, maintenancePlanId: 1, 'billPeriod.from': 1 }, unique: true },
    { fields: { billNumber: 1 }, unique: true }
  ],
  generate: { billNumber: { kind: 'sequence', prefix: 'MB-', digits: 6, overwrite: true } },
  derive(bill) {
    const totalAmount = round2((bill.lineItems ?? []).reduce((sum: number, item: any) => sum + item.amount, 0))
    const grandTotal = round2(totalAmount - (bill.discount ?? 0) + (bill.tax ?? 0))
    const amountPaid = round2(bill.amountPaid ?? 0)
    const amountDue = round2(grandTotal - amountPaid)
    // Payments move the status; an overdue bill stays Overdue until it is paid in full.
    const paidStatus = amountPaid > 0 && amountDue <= 0 ? 'Paid' : amountPaid > 0 && ['Generated', 'Sent'].includes(bill.status) ? 'PartiallyPaid' : undefined
    return { totalAmount, grandTotal, amountPaid, amountDue, ...(paidStatus && { status: paidStatus }) }
  },
  stateMachines: {
    status: {
      initial: ['Generated'],
      transitions: [
        { from: 'Generated', to: 'Sent', roles: ADMINS },
        { from: ['Generated', 'Sent', 'PartiallyPaid'], to: 'Overdue', roles: ADMINS },
        // Payments move bills here (internal calls); admins may too, e.g. for cash.
        { from: ['Generated', 'Sent', 'Overdue', 'PartiallyPaid'], to: ['PartiallyPaid', 'Paid'], roles: ADMINS }
      ]
    }
  },
  rollups: [
    {
      from: 'payments',
      via: 'billId',
      where: { status: 'Success' },
      set: { amountPaid: { sum: 'amount' }, paymentDate: { last: 'paymentDate', by: 'paymentDate' }, paymentMethod: { last: 'paymentMethod', by: 'paymentDate' }, transactionId: { last: 'transactionId', by: 'paymentDate' } }
    }
  ],
  triggers: [
    notify({ ...billNotice, on: ['create'], title: 'Maintenance bill {{record.billNumber}}', message: 'Your maintenance bill {{record.billNumber}} of {{record.grandTotal}} is due on {{record.dueDate}}.' }),
    notify({ ...billNotice, on: ['patch', 'update'], when: { status: 'Paid' }, title: 'Bill {{record.billNumber}} paid', message: 'Thank you: maintenance bill {{record.billNumber}} is fully paid.' })
  ],
  admin: { titleField: 'billNumber', listFields: ['billNumber', 'flatId', 'dueDate', 'grandTotal', 'amountDue', 'status'], group }
})

/** The states a bill may leave for Overdue, as its state machine declares them. */
const overdueFrom = maintenanceBills.stateMachines!.status.transitions.filter((t) => [t.to].flat().includes('Overdue')).flatMap((t) => [t.from].flat())

export const overdueBills: ScheduleInput = {
  name: 'overdue-bills',
  description: 'Not in the seed: every hour, unpaid bills past their due date become Overdue (through the service: state machine, events, audit).',
  cron: '5 * * * *',
  async run({ app, params, progress }) {
    const bills = app.service('maintenance-bills')
    const due = { dueDate: { $lt: new Date().toISOString() }, status: { $in: overdueFrom }, $select: ['_id'], $limit: 100 }
    const skipped: string[] = []
    let marked = 0
    let total: number | undefined
    // Each bill patched leaves the query, so the next page is the first one again; a bill refused is skipped from then on.
    while (skipped.length < 500) {
      const page = await bills.find({ ...params, query: skipped.length ? { ...due, _id: { $nin: skipped } } : due })
      total ??= page.total as number
      if (!page.data.length) break
      for (const { _id } of page.data) {
        try {
          await bills.patch(_id, { status: 'Overdue' }, params)
          marked++
        } catch (error: any) {
          console.error(`quillbase: overdue-bills: bill ${_id} stays: ${error.message}`)
          skipped.push(_id)
        }
      }
      await progress((100 * (marked + skipped.length)) / Math.max(total, marked + skipped.length))
    }
    return { marked, skipped: skipped.length }
  }
}

export const payments = defineCollection({
  name: 'payments',
  schema: Type.Object({
    societyId: societyId(),
    residentId: Type.Optional(tenantRef('residents', { sameAs: ['societyId', 'flatId'] })),
    billId: tenantRef('maintenance-bills', { sameAs: ['societyId', 'flatId'] }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    paymentMethod: Enum(['UPI', 'Card', 'NetBanking', 'Cash']),
    transactionId: Type.Optional(text(100)),
    paymentDate: DateTime(),
    status: Enum(['Success', 'Failed', 'Pending'], { default: 'Pending' }),
    receiptUrl: Type.Optional(url()),
    // Added to the seed's fields: the flat paid for, so residents see their flat's payments through a plain condition.
    flatId: tenantRef('flats')
  }),
  generate: { paymentDate: { kind: 'value', value: '{{now}}' } },
  stateMachines: {
    status: {
      initial: ['Pending', 'Success'],
      transitions: [{ from: 'Pending', to: ['Success', 'Failed'], roles: ADMINS }]
    }
  },
  indexes: [{ fields: { billId: 1 } }, { fields: { societyId: 1, flatId: 1, paymentDate: -1 } }],
  admin: { titleField: 'transactionId', listFields: ['billId', 'amount', 'paymentMethod', 'status', 'paymentDate'], group }
})

export const expenses = defineCollection({
  name: 'expenses',
  schema: Type.Object({
    societyId: societyId(),
    category: Enum(['Salary', 'Maintenance', 'Utilities', 'Other']),
    description: Type.Optional(text()),
    amount: money(),
    date: DateTime(),
    paidTo: Type.Optional(name()),
    paymentMethod: Type.Optional(text(50)),
    transactionId: Type.Optional(text(100)),
    receipt: Type.Optional(url()),
    approvedBy: Type.Optional(Ref('users')),
    approvedDate: Type.Optional(DateTime())
  }),
  indexes: [{ fields: { societyId: 1, date: -1 } }],
  admin: { titleField: 'description', listFields: ['date', 'category', 'amount', 'paidTo'], group }
})

export const billingRuns = defineCollection({
  name: 'billing-runs',
  description: 'Not in the seed: creating a run generates the period’s maintenance bills for every flat of the society from its active plans. Running a period again creates only the missing bills.',
  schema: Type.Object({
    societyId: societyId(),
    period: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }),
    dueDate: Type.Optional(DateTime({ description: 'Default: the 10th of the period’s month' })),
    runBy: Type.Optional(Ref('users')),
    billsCreated: Type.Optional(Type.Integer({ minimum: 0, readOnly: true })),
    billsExisting: Type.Optional(Type.Integer({ minimum: 0, readOnly: true })),
    flats: Type.Optional(Type.Integer({ minimum: 0, readOnly: true })),
    plans: Type.Optional(Type.Integer({ minimum: 0, readOnly: true }))
  }),
  generate: { runBy: { kind: 'value', value: '{{user._id}}', overwrite: true } },
  before: { create: [runBilling] },
  indexes: [{ fields: { societyId: 1, period: 1 } }],
  admin: { titleField: 'period', listFields: ['period', 'societyId', 'billsCreated', 'billsExisting', 'createdAt'], group }
})
