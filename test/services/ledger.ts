// A small blueprint for transactions: accounts rolled up from their entries, each entry audited by a trigger that a long
// note makes fail, batches that create entries and count the ones that fail, slots that may not overlap; and its server.
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import type { HookContext } from '@feathersjs/feathers'
import { createApp, type EngineApp } from '../../src/app.js'
import type { Settings } from '../../src/engine.js'
import { DateTime, Email, Enum, Password, Ref, Type, defineCollection } from '../../src/schemas/fields.js'
import { rbacCollections } from '../../src/schemas/rbac.js'
import { sanitizeBlueprint } from '../../src/schemas/sanitize.js'
import type { BlueprintInput } from '../../src/schemas/types.js'
import { login, tempDir, testSettings } from '../helpers.js'

export const PASSWORD = 'ledger-pass'
export const CLERK = 'clerk@ledger.example.com'

/** Entries whose note names a gate wait, once stored, until it is released: their transaction stays open meanwhile. */
const gates = new Map<string, { reached(): void; released: Promise<void> }>()

export function holdEntries(note: string) {
  let reached!: () => void
  let release!: () => void
  const gate = { reached: new Promise<void>((resolve) => (reached = resolve)), released: new Promise<void>((resolve) => (release = resolve)) }
  gates.set(note, { reached, released: gate.released })
  return {
    reached: gate.reached,
    release() {
      gates.delete(note)
      release()
    }
  }
}

const users = defineCollection({
  name: 'users',
  schema: Type.Object({ name: Type.String(), email: Email(), password: Password(), role: Enum(['Clerk']) }),
  auth: { roleField: 'role', roleBy: 'name' },
  indexes: [{ fields: { email: 1 }, unique: true }]
})

const accounts = defineCollection({
  name: 'accounts',
  schema: Type.Object({ name: Type.String(), balance: Type.Optional(Type.Number()), entries: Type.Optional(Type.Integer()) }),
  rollups: [{ from: 'entries', via: 'accountId', set: { balance: { sum: 'amount' }, entries: { count: true } } }]
})

const entries = defineCollection({
  name: 'entries',
  schema: Type.Object({ accountId: Ref('accounts'), amount: Type.Number(), note: Type.Optional(Type.String()) }),
  // Audit texts are short: an entry with a longer note makes its trigger fail.
  triggers: [{ on: ['create'], create: 'audits', data: { entryId: '{{record._id}}', text: '{{record.note}}' } }],
  after: {
    create: [
      async (context: HookContext) => {
        const gate = gates.get(context.result?.note)
        gate?.reached()
        await gate?.released
      }
    ]
  }
})

const audits = defineCollection({
  name: 'audits',
  schema: Type.Object({ entryId: Ref('entries'), text: Type.Optional(Type.String({ maxLength: 20 })) })
})

/** Creates one entry per amount and counts those that fail, as a billing run counts bills that already exist. */
async function postEntries(context: HookContext) {
  const { accountId, amounts, notes = [] } = context.data
  let created = 0
  let failed = 0
  for (const [index, amount] of (amounts as number[]).entries()) {
    try {
      await context.app.service('entries').create({ accountId, amount, note: notes[index] })
      created++
    } catch {
      failed++
    }
  }
  context.data = { ...context.data, created, failed }
}

const batches = defineCollection({
  name: 'batches',
  schema: Type.Object({
    accountId: Ref('accounts'),
    amounts: Type.Array(Type.Number()),
    notes: Type.Optional(Type.Array(Type.String())),
    created: Type.Optional(Type.Integer({ readOnly: true })),
    failed: Type.Optional(Type.Integer({ readOnly: true }))
  }),
  before: { create: [postEntries] }
})

const slots = defineCollection({
  name: 'slots',
  schema: Type.Object({ room: Type.String(), start: DateTime(), end: DateTime() }),
  noOverlap: [{ start: 'start', end: 'end', scope: ['room'] }]
})

const names = ['accounts', 'entries', 'audits', 'batches', 'slots']

export const ledger: BlueprintInput = {
  name: 'ledger',
  version: '0.0.1',
  description: 'Accounts, their entries and audits, batches of entries, room slots.',
  collections: [...rbacCollections, users, accounts, entries, audits, batches, slots],
  roles: [{ RoleName: 'Clerk', permissions: names.map((name) => `clerk-${name}`) }],
  permissions: names.map((name) => ({ PermissionName: `clerk-${name}`, Action: 'manage', Subject: name })),
  adminRole: 'Clerk',
  async demo(app: any) {
    await app.service('users').create({ name: 'Clerk', email: CLERK, password: PASSWORD, role: 'Clerk' })
  }
}

export interface Ledger {
  app: EngineApp
  url: string
  token: string
  close(): Promise<void>
}

/** A ledger server on a fresh embedded store (or the store `overrides` name), with the clerk logged in. */
export async function startLedger(overrides: Partial<Settings> = {}): Promise<Ledger> {
  const dataDir = await tempDir('quillbase-ledger-')
  const app = await createApp(sanitizeBlueprint(ledger), testSettings({ dataDir, ...overrides }))
  const server = await app.listen(0)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { accessToken } = await login(url, CLERK, PASSWORD)
  return {
    app,
    url,
    token: accessToken,
    async close() {
      await app.shutdown()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}
