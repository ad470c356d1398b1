// Seed 003 §4, maintenance: complaints (Open → Assigned → InProgress → Resolved → Closed), vendors, staff.
import { DateTime, Email, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { ADMINS, money, name, phone, rating, societyId, tenantRef, text, url } from './fields.js'
import { notify } from './notify.js'

const group = 'Maintenance'

export const complaints = defineCollection({
  name: 'complaints',
  schema: Type.Object({
    societyId: societyId(),
    residentId: tenantRef('residents', { sameAs: ['societyId', 'flatId'] }),
    flatId: tenantRef('flats'),
    title: name(),
    description: Type.Optional(text(5000)),
    category: Enum(['Plumbing', 'Electrical', 'Civil', 'Security', 'Other']),
    priority: Enum(['Low', 'Medium', 'High', 'Critical'], { default: 'Medium' }),
    status: Enum(['Open', 'Assigned', 'InProgress', 'Resolved', 'Closed'], { default: 'Open' }),
    // Either a staff or a vendors record, so not a single-collection Ref.
    assignedTo: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Reference to staff/vendor' })),
    images: Type.Optional(Type.Array(url(), { maxItems: 20 })),
    comments: Type.Optional(
      Type.Array(Type.Object({ userId: Ref('users', { onDelete: 'nullify' }), text: Type.String({ minLength: 1, maxLength: 2000 }), timestamp: DateTime() }), { maxItems: 500 })
    ),
    resolvedAt: Type.Optional(DateTime()),
    resolvedBy: Type.Optional(Ref('users'))
  }),
  indexes: [{ fields: { societyId: 1, status: 1, priority: 1 } }, { fields: { flatId: 1 } }],
  // A comment is signed and dated by the engine when the caller leaves those out.
  generate: { 'comments.userId': { kind: 'value', value: '{{user._id}}' }, 'comments.timestamp': { kind: 'value', value: '{{now}}' } },
  stateMachines: {
    status: {
      initial: ['Open'],
      transitions: [
        { from: 'Open', to: 'Assigned', roles: ADMINS },
        { from: 'Assigned', to: 'InProgress', roles: ADMINS },
        { from: ['Open', 'Assigned', 'InProgress'], to: 'Resolved', roles: ADMINS },
        { from: 'Resolved', to: ['Closed', 'InProgress'], roles: ['Resident', ...ADMINS] },
        { from: 'Open', to: 'Closed', roles: ['Resident', ...ADMINS] }
      ],
      requires: { Assigned: ['assignedTo'] },
      stamps: { Resolved: { resolvedAt: '{{now}}', resolvedBy: '{{user._id}}' } }
    }
  },
  triggers: [
    notify({
      on: ['patch', 'update'],
      when: { status: 'Resolved' },
      to: 'resident',
      title: 'Complaint resolved',
      message: 'Your complaint "{{record.title}}" is resolved. Close it, or reopen it if the problem remains.',
      type: 'Info',
      category: 'Complaint',
      relatedEntityType: 'Complaint'
    })
  ],
  admin: { titleField: 'title', listFields: ['title', 'flatId', 'category', 'priority', 'status', 'createdAt'], group }
})

export const vendors = defineCollection({
  name: 'vendors',
  schema: Type.Object({
    societyId: societyId(),
    name: name(),
    contactPerson: Type.Optional(name()),
    phone: Type.Optional(phone()),
    email: Type.Optional(Email()),
    address: Type.Optional(text(500)),
    services: Type.Array(Enum(['Plumbing', 'Electrical', 'Other']), { uniqueItems: true, maxItems: 20 }),
    rating: Type.Optional(rating()),
    reviews: Type.Optional(
      Type.Array(Type.Object({ userId: Ref('users', { onDelete: 'nullify' }), rating: rating(), comment: Type.Optional(text()), date: DateTime() }), { maxItems: 1000 })
    ),
    contractStartDate: Type.Optional(DateTime()),
    contractEndDate: Type.Optional(DateTime()),
    status: Enum(['Active', 'Inactive'], { default: 'Active' })
  }),
  generate: { 'reviews.userId': { kind: 'value', value: '{{user._id}}' }, 'reviews.date': { kind: 'value', value: '{{now}}' } },
  indexes: [{ fields: { societyId: 1, status: 1 } }],
  admin: { titleField: 'name', group }
})

export const staff = defineCollection({
  name: 'staff',
  schema: Type.Object({
    societyId: societyId(),
    name: name(),
    role: Enum(['Guard', 'Cleaner', 'Plumber', 'Other']),
    phone: Type.Optional(phone()),
    email: Type.Optional(Email()),
    address: Type.Optional(text(500)),
    joiningDate: Type.Optional(DateTime()),
    salary: Type.Optional(money()),
    status: Enum(['Active', 'Inactive'], { default: 'Active' })
  }),
  indexes: [{ fields: { societyId: 1, role: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'role', 'phone', 'status'], group }
})
