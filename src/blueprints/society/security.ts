// Seed 003 §6–7: notifications, and security (guard devices, patrol routes with geo-indexed checkpoints, patrol logs).
import { DateTime, Enum, GeoPoint, Ref, Type, defineCollection } from '../../schemas/fields.js'
import { name, societyId, tenantRef, text, url } from './fields.js'

const group = 'Security'

export const notifications = defineCollection({
  name: 'notifications',
  schema: Type.Object({
    userId: Ref('users', { onDelete: 'cascade', sameAs: ['societyId'] }),
    title: name(),
    message: text(),
    type: Enum(['Info', 'Warning', 'Alert', 'Reminder']),
    category: Enum(['Visitor', 'Maintenance', 'Payment', 'Booking', 'Complaint', 'Other']),
    relatedEntityId: Type.Optional(Type.String({ maxLength: 64 })),
    relatedEntityType: Type.Optional(Enum(['VisitorEntry', 'MaintenanceBill', 'Booking', 'Complaint', 'Payment', 'Other'])),
    isRead: Type.Boolean({ default: false }),
    readAt: Type.Optional(DateTime()),
    // Added to the seed's fields: the society, so admins see (only) their society's notifications.
    societyId: Type.Optional(societyId())
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  // societyId: an Admin reads their society's notifications (or their own), so both halves of that $or have an index.
  indexes: [{ fields: { userId: 1, isRead: 1 } }, { fields: { societyId: 1 } }],
  derive: (notification) => (notification.isRead && !notification.readAt ? { readAt: new Date().toISOString() } : {}),
  admin: { titleField: 'title', listFields: ['title', 'userId', 'category', 'isRead', 'createdAt'], group: 'Community' }
})

export const guardDevices = defineCollection({
  name: 'guard-devices',
  schema: Type.Object({
    societyId: societyId(),
    deviceId: Type.String({ minLength: 1, maxLength: 100 }),
    deviceName: Type.Optional(name()),
    location: Enum(['MainGate', 'Tower', 'Clubhouse', 'Other']),
    status: Enum(['Active', 'Inactive', 'Maintenance'], { default: 'Active' }),
    lastActive: Type.Optional(DateTime())
  }),
  indexes: [{ fields: { societyId: 1, deviceId: 1 }, unique: true }],
  admin: { titleField: 'deviceName', group }
})

const checkpoint = Type.Object({
  // Added to the seed's fields: patrol logs name a checkpoint by this id (generated).
  _id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  name: name(),
  location: Type.Object({ latitude: Type.Number({ minimum: -90, maximum: 90 }), longitude: Type.Number({ minimum: -180, maximum: 180 }) }),
  order: Type.Integer({ minimum: 0 }),
  // Added: the location as GeoJSON (derived), which a 2dsphere index and $near queries need.
  point: Type.Optional(GeoPoint())
})

export const patrolRoutes = defineCollection({
  name: 'patrol-routes',
  schema: Type.Object({
    societyId: societyId(),
    name: name(),
    checkpoints: Type.Array(checkpoint, { maxItems: 200 }),
    frequency: Enum(['Hourly', 'Every2Hours', 'Every4Hours', 'Other']),
    assignedGuards: Type.Optional(Type.Array(tenantRef('users', { description: 'References to guards' }), { uniqueItems: true, maxItems: 100 }))
  }),
  indexes: [{ fields: { societyId: 1 } }, { fields: { 'checkpoints.point': '2dsphere' } }],
  generate: { 'checkpoints._id': { kind: 'id' } },
  derive: (route) =>
    route.checkpoints
      ? { checkpoints: route.checkpoints.map((c: any) => ({ ...c, point: { type: 'Point', coordinates: [c.location.longitude, c.location.latitude] } })) }
      : {},
  admin: { titleField: 'name', group }
})

export const patrolLogs = defineCollection({
  name: 'patrol-logs',
  schema: Type.Object({
    societyId: societyId(),
    routeId: tenantRef('patrol-routes'),
    guardId: tenantRef('users'),
    checkpointId: Type.String({ minLength: 1, maxLength: 64, description: 'The _id of a checkpoint of the route' }),
    timestamp: DateTime(),
    photo: Type.Optional(url()),
    notes: Type.Optional(text())
  }),
  timestamps: { createdAt: 'createdAt', updatedAt: false },
  indexes: [{ fields: { societyId: 1, routeId: 1, timestamp: -1 } }],
  // The guard is whoever logs the round (an external caller cannot name another); the time defaults to now.
  generate: { guardId: { kind: 'value', value: '{{user._id}}', overwrite: true }, timestamp: { kind: 'value', value: '{{now}}' } },
  lookups: [
    {
      field: 'checkpointId',
      collection: 'patrol-routes',
      query: { _id: '{{data.routeId}}', 'checkpoints._id': '{{data.checkpointId}}' },
      message: 'checkpointId is not a checkpoint of this route'
    }
  ],
  admin: { titleField: 'timestamp', listFields: ['timestamp', 'routeId', 'guardId', 'checkpointId'], group }
})
