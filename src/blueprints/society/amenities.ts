// Seed 003 §5, amenity booking: amenities, and bookings that never overlap once approved.
import { DateTime, Enum, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { ADMINS, money, name, societyId, tenantRef, text, url } from './fields.js'
import { notify } from './notify.js'

const group = 'Amenities'

export const amenities = defineCollection({
  name: 'amenities',
  schema: Type.Object({
    societyId: societyId(),
    name: name(),
    description: Type.Optional(text()),
    type: Enum(['Clubhouse', 'Gym', 'SwimmingPool', 'Other']),
    capacity: Type.Optional(Type.Integer({ minimum: 1 })),
    rules: Type.Optional(Type.Array(text(500), { maxItems: 50 })),
    photos: Type.Optional(Type.Array(url(), { maxItems: 20 })),
    bookingFee: money({ default: 0 }),
    status: Enum(['Available', 'Maintenance', 'Unavailable'], { default: 'Available' })
  }),
  indexes: [{ fields: { societyId: 1, type: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'type', 'capacity', 'bookingFee', 'status'], group }
})

const bookingNotice = (status: string, message: string) =>
  notify({ on: ['patch', 'update'], when: { status }, to: 'resident', title: `Booking ${status.toLowerCase()}`, message, type: 'Info', category: 'Booking', relatedEntityType: 'Booking' })

export const bookings = defineCollection({
  name: 'bookings',
  schema: Type.Object({
    societyId: societyId(),
    amenityId: tenantRef('amenities'),
    residentId: tenantRef('residents', { sameAs: ['societyId', 'flatId'] }),
    flatId: tenantRef('flats'),
    bookingDate: DateTime(),
    startTime: DateTime(),
    endTime: DateTime(),
    status: Enum(['Requested', 'Approved', 'Rejected', 'Cancelled', 'Completed'], { default: 'Requested' }),
    approvedBy: Type.Optional(Ref('users')),
    approvedAt: Type.Optional(DateTime()),
    paymentStatus: Enum(['Pending', 'Paid', 'Refunded'], { default: 'Pending' }),
    transactionId: Type.Optional(text(100)),
    bookingFee: money(),
    numberOfPeople: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    purpose: Type.Optional(text(500))
  }),
  indexes: [{ fields: { amenityId: 1, bookingDate: 1, status: 1 } }, { fields: { societyId: 1, flatId: 1 } }],
  generate: { bookingDate: { kind: 'value', value: '{{data.startTime}}' } },
  // The amenity must be bookable; its fee is copied onto the booking.
  lookups: [
    {
      field: 'amenityId',
      collection: 'amenities',
      query: { _id: '{{data.amenityId}}', status: 'Available' },
      copy: { bookingFee: 'bookingFee' },
      message: 'This amenity is not available for booking'
    }
  ],
  stateMachines: {
    status: {
      initial: ['Requested'],
      transitions: [
        { from: 'Requested', to: ['Approved', 'Rejected'], roles: ADMINS },
        { from: ['Requested', 'Approved'], to: 'Cancelled', roles: ['Resident', ...ADMINS] },
        { from: 'Approved', to: 'Completed', roles: ADMINS }
      ],
      stamps: { Approved: { approvedBy: '{{user._id}}', approvedAt: '{{now}}' } }
    },
    paymentStatus: {
      transitions: [
        { from: 'Pending', to: 'Paid', roles: ADMINS },
        { from: 'Paid', to: 'Refunded', roles: ADMINS }
      ]
    }
  },
  noOverlap: [{ start: 'startTime', end: 'endTime', scope: ['amenityId'], when: { status: 'Approved' }, message: 'This amenity is already booked (approved) for an overlapping time' }],
  triggers: [
    bookingNotice('Approved', 'Your booking from {{record.startTime}} to {{record.endTime}} is approved.'),
    bookingNotice('Rejected', 'Your booking from {{record.startTime}} to {{record.endTime}} was rejected.')
  ],
  admin: { titleField: 'startTime', listFields: ['amenityId', 'flatId', 'startTime', 'endTime', 'status'], group }
})
