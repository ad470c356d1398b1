// Seed 003 §1, user management: societies, blocks, flats, residents, family members, users.
import { DateTime, Email, Enum, Password, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { name, phone, privatePhone, societyId, tenantRef, text, url } from './fields.js'

const group = 'Community'

const address = Type.Object({
  street: Type.Optional(text(300)),
  city: Type.Optional(text(100)),
  state: Type.Optional(text(100)),
  pincode: Type.Optional(Type.String({ maxLength: 12 })),
  country: Type.Optional(text(100))
})

export const societies = defineCollection({
  name: 'societies',
  schema: Type.Object({
    name: name(),
    address: Type.Optional(address),
    contact: Type.Optional(Type.Object({ phone: Type.Optional(phone()), email: Type.Optional(Email()) })),
    admin: Type.Optional(Type.Object({ name: Type.Optional(name()), phone: Type.Optional(phone()), email: Type.Optional(Email()) }))
  }),
  // The seed's "societies: index on societyId" is the primary key `_id`, indexed by every store.
  indexes: [{ fields: { name: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'address.city', 'createdAt'], group }
})

export const blocks = defineCollection({
  name: 'blocks',
  schema: Type.Object({ societyId: societyId(), name: name(100), floors: Type.Integer({ minimum: 0, maximum: 300 }) }),
  indexes: [{ fields: { societyId: 1, name: 1 }, unique: true }],
  admin: { titleField: 'name', group }
})

export const flats = defineCollection({
  name: 'flats',
  schema: Type.Object({
    societyId: societyId(),
    blockId: tenantRef('blocks'),
    flatNumber: name(20),
    floor: Type.Integer({ minimum: -5, maximum: 300 }),
    type: Enum(['1BHK', '2BHK', '3BHK', 'Other']),
    area: Type.Number({ exclusiveMinimum: 0, description: 'in sq ft; PerSqFt maintenance components are multiplied by it' })
  }),
  indexes: [{ fields: { blockId: 1, flatNumber: 1 }, unique: true }, { fields: { societyId: 1 } }],
  admin: { titleField: 'flatNumber', listFields: ['flatNumber', 'blockId', 'floor', 'type', 'area'], group }
})

export const residents = defineCollection({
  name: 'residents',
  schema: Type.Object({
    societyId: societyId(),
    flatId: tenantRef('flats'),
    // The user must belong to the same society and flat: flat-scoped permissions read the user's flatId.
    userId: Type.Optional(Ref('users', { onDelete: 'nullify', sameAs: ['societyId', 'flatId'] })),
    residentType: Enum(['Owner', 'Tenant']),
    name: name(),
    phone: privatePhone(),
    email: Type.Optional(Email()),
    emergencyContacts: Type.Optional(
      Type.Array(Type.Object({ name: name(), phone: privatePhone(), relationship: Type.Optional(text(50)) }), { maxItems: 10 })
    ),
    vehicles: Type.Optional(
      Type.Array(
        Type.Object({ registrationNumber: name(20), type: Enum(['Car', 'Bike', 'Other']), parkingSlot: Type.Optional(Type.String({ maxLength: 20 })) }),
        { maxItems: 10 }
      )
    ),
    status: Enum(['Active', 'Inactive', 'MovedOut'], { default: 'Active' }),
    moveInDate: Type.Optional(DateTime()),
    moveOutDate: Type.Optional(DateTime())
  }),
  indexes: [{ fields: { societyId: 1, flatId: 1 } }, { fields: { userId: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'flatId', 'residentType', 'phone', 'status'], group }
})

export const familyMembers = defineCollection({
  name: 'family-members',
  schema: Type.Object({
    // Added to the seed's fields: societyId and flatId, so tenancy and flat scoping are plain permission conditions.
    societyId: societyId(),
    flatId: tenantRef('flats'),
    residentId: Ref('residents', { onDelete: 'cascade', sameAs: ['societyId', 'flatId'] }),
    name: name(),
    relationship: Enum(['Spouse', 'Child', 'Parent', 'Other']),
    phone: Type.Optional(privatePhone()),
    email: Type.Optional(Email()),
    profilePicture: Type.Optional(url())
  }),
  indexes: [{ fields: { residentId: 1 } }, { fields: { societyId: 1, flatId: 1 } }],
  admin: { titleField: 'name', group }
})

export const users = defineCollection({
  name: 'users',
  schema: Type.Object({
    phoneNumber: Type.Optional(privatePhone()),
    email: Email(),
    password: Password(),
    role: Enum(['Resident', 'Admin', 'Guard', 'SuperAdmin']),
    fcmToken: Type.Optional(Type.String({ maxLength: 4096, description: 'For push notifications' })),
    isActive: Type.Boolean({ default: true }),
    lastLogin: Type.Optional(DateTime()),
    // Added to the seed's fields: the society (every role but SuperAdmin) and, for residents, the flat.
    // Permissions read them as {{user.societyId}} and {{user.flatId}}.
    societyId: Type.Optional(societyId()),
    flatId: Type.Optional(tenantRef('flats', { onDelete: 'nullify' }))
  }),
  auth: { roleField: 'role', roleBy: 'name', activeField: 'isActive' },
  indexes: [{ fields: { email: 1 }, unique: true }, { fields: { societyId: 1, role: 1 } }],
  admin: { titleField: 'email', listFields: ['email', 'role', 'societyId', 'flatId', 'isActive'], group }
})
