// Seed 003 §2, visitor management: visitors, visitor entries (approval at the gate, pass codes) and pre-approvals.
import { Conflict } from '@feathersjs/errors'
import { DateTime, Email, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { ADMINS, name, phone, rating, societyId, tenantRef, text, url } from './fields.js'
import { notify } from './notify.js'

const group = 'Visitors'

export const visitors = defineCollection({
  name: 'visitors',
  schema: Type.Object({
    societyId: societyId(),
    name: name(),
    phone: Type.Optional(phone()),
    email: Type.Optional(Email()),
    photo: Type.Optional(url()),
    idProof: Type.Optional(
      Type.Object({ type: Enum(['Aadhar', 'Passport', 'Driving License', 'Other']), number: Type.String({ minLength: 1, maxLength: 50 }), photo: Type.Optional(url()) })
    ),
    isFrequent: Type.Boolean({ default: false }),
    rating: Type.Optional(rating())
  }),
  indexes: [{ fields: { societyId: 1, phone: 1 } }],
  admin: { titleField: 'name', group }
})

export const visitorEntries = defineCollection({
  name: 'visitor-entries',
  description: 'Every arrival at the gate. Without a pass code it waits for a resident of the flat to approve it; with a valid pre-approval pass code it is approved at once.',
  schema: Type.Object({
    societyId: societyId(),
    visitorId: tenantRef('visitors'),
    flatId: tenantRef('flats'),
    residentId: Type.Optional(tenantRef('residents', { sameAs: ['societyId', 'flatId'] })),
    entryType: Enum(['Invited', 'Unexpected', 'Delivery', 'DailyHelp', 'Other']),
    entryDateTime: DateTime(),
    exitDateTime: Type.Optional(DateTime()),
    entryPhoto: Type.Optional(url()),
    exitPhoto: Type.Optional(url()),
    entryGuard: Ref('users', { description: 'Reference to guard' }),
    exitGuard: Type.Optional(Ref('users', { description: 'Reference to guard' })),
    approvalStatus: Enum(['Pending', 'Approved', 'Rejected'], { default: 'Pending' }),
    approvedBy: Type.Optional(Ref('users', { description: 'Reference to resident/admin who approved' })),
    approvalDateTime: Type.Optional(DateTime()),
    passCode: Type.Optional(Type.String({ minLength: 4, maxLength: 12, description: 'For daily helps: the code of an active pre-approval' })),
    vehicleDetails: Type.Optional(Type.Object({ number: Type.Optional(Type.String({ maxLength: 20 })), type: Type.Optional(text(50)) })),
    purpose: Type.Optional(text(500)),
    temperature: Type.Optional(Type.Number({ minimum: 25, maximum: 45 })),
    maskWorn: Type.Optional(Type.Boolean()),
    notes: Type.Optional(text())
  }),
  indexes: [{ fields: { societyId: 1, entryDateTime: 1, exitDateTime: 1 } }, { fields: { flatId: 1, approvalStatus: 1 } }],
  generate: {
    entryDateTime: { kind: 'value', value: '{{now}}' },
    entryGuard: { kind: 'value', value: '{{user._id}}' }
  },
  stateMachines: {
    approvalStatus: {
      initial: ['Pending'],
      transitions: [{ from: 'Pending', to: ['Approved', 'Rejected'], roles: ['Resident', ...ADMINS] }],
      stamps: {
        Approved: { approvedBy: '{{user._id}}', approvalDateTime: '{{now}}' },
        Rejected: { approvedBy: '{{user._id}}', approvalDateTime: '{{now}}' }
      }
    }
  },
  lookups: [
    {
      field: 'passCode',
      collection: 'pre-approvals',
      query: { societyId: '{{data.societyId}}', passCode: '{{data.passCode}}', status: 'Active', validFrom: { $lte: '{{now}}' }, validTo: { $gte: '{{now}}' } },
      copy: { flatId: 'flatId', residentId: 'residentId', visitorId: 'visitorId' },
      set: { approvalStatus: 'Approved', approvalDateTime: '{{now}}' },
      message: 'No active pre-approval of this society has this pass code'
    }
  ],
  triggers: [
    notify({ on: ['create'], when: { approvalStatus: 'Pending' }, to: 'flat', title: 'Visitor at the gate', message: 'A visitor ({{record.entryType}}) is waiting for your approval at the gate.', type: 'Alert', category: 'Visitor', relatedEntityType: 'VisitorEntry' }),
    notify({ on: ['create'], when: { approvalStatus: 'Approved', passCode: { $exists: true } }, to: 'flat', title: 'Pre-approved visitor arrived', message: 'Your pre-approved visitor has checked in with pass code {{record.passCode}}.', type: 'Info', category: 'Visitor', relatedEntityType: 'VisitorEntry' })
  ],
  actions: {
    checkOut: {
      description: 'A guard records the visitor leaving: stamps exitDateTime and exitGuard.',
      data: Type.Object({ exitPhoto: Type.Optional(url()) }),
      async run({ record, data, user, patch }) {
        if (record.exitDateTime) throw new Conflict('This visitor has already checked out')
        if (record.approvalStatus !== 'Approved') throw new Conflict(`This visitor entry is ${record.approvalStatus}, not Approved`)
        return patch({ ...data, exitDateTime: new Date().toISOString(), exitGuard: user?._id })
      }
    }
  },
  admin: { titleField: 'entryDateTime', listFields: ['entryDateTime', 'flatId', 'visitorId', 'entryType', 'approvalStatus', 'exitDateTime'], group }
})

export const preApprovals = defineCollection({
  name: 'pre-approvals',
  schema: Type.Object({
    societyId: societyId(),
    residentId: tenantRef('residents', { sameAs: ['societyId', 'flatId'] }),
    flatId: tenantRef('flats'),
    visitorId: Type.Optional(tenantRef('visitors')),
    visitorName: name(),
    visitorPhone: Type.Optional(phone()),
    validFrom: DateTime(),
    validTo: DateTime(),
    recurrence: Type.Optional(
      Type.Object({
        type: Enum(['Daily', 'Weekly', 'Monthly']),
        days: Type.Optional(Type.Array(Enum(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']), { uniqueItems: true, description: 'For weekly recurrence' }))
      })
    ),
    status: Enum(['Active', 'Inactive'], { default: 'Active' }),
    // Added to the seed's fields: the code a guard types to check the visitor in (generated, unique).
    passCode: Type.String({ minLength: 4, maxLength: 12, readOnly: true })
  }),
  generate: { passCode: { kind: 'code', length: 6, overwrite: true } },
  indexes: [{ fields: { passCode: 1 }, unique: true }, { fields: { societyId: 1, flatId: 1, status: 1 } }],
  admin: { titleField: 'visitorName', listFields: ['visitorName', 'flatId', 'validFrom', 'validTo', 'status', 'passCode'], group }
})
