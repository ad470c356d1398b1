// Seed 002 §4–5: categories and locations, each global (no user_id, read-only to users) or a user's own.
import { Enum, GeoPoint, Type, defineCollection } from '../../schemas/fields.js'
import { auditFields, auditStamps, count, hexColor, name, owner, text, timestamps } from './fields.js'

const group = 'Catalogue'

/**
 * Events name their category and location (Outlook's names, not ids): an event counts towards its owner's personal
 * record of that name, else the global one. Seed "Caching": both are read often and change rarely, so cached.
 */
const usedByEvents = (via: 'category' | 'location') => ({ usage_count: { from: 'events', via, key: 'name', scope: ['user_id'] } })
/** Absent for global records (the seed's `null`): those survive the removal of any user. */
const ownerOrGlobal = () => Type.Optional(owner())

export const categories = defineCollection({
  name: 'categories',
  schema: Type.Object({
    user_id: ownerOrGlobal(),
    name: name(),
    color: Type.Optional(hexColor()),
    type: Enum(['internal', 'external', 'system']),
    description: Type.Optional(text()),
    is_active: Type.Boolean({ default: true }),
    usage_count: count({ default: 0, readOnly: true, description: 'How many events use this category (kept by the engine)' }),
    ...auditFields
  }),
  timestamps,
  generate: auditStamps,
  counts: usedByEvents('category'),
  cache: true,
  indexes: [{ fields: { user_id: 1 } }, { fields: { name: 1, user_id: 1 }, unique: true }, { fields: { type: 1 } }],
  admin: { titleField: 'name', listFields: ['name', 'type', 'user_id', 'is_active', 'usage_count'], group }
})

const coordinates = Type.Object({
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 })
})

export const locations = defineCollection({
  name: 'locations',
  schema: Type.Object({
    user_id: ownerOrGlobal(),
    name: name(),
    address: Type.Optional(text(1000)),
    coordinates: Type.Optional(coordinates),
    // Added to the seed's fields: `coordinates` as GeoJSON (derived, longitude first), which a 2dsphere index needs;
    // MongoDB would read the seed's `{ latitude, longitude }` pair's first field as the longitude.
    point: Type.Optional(GeoPoint({ readOnly: true })),
    capacity: Type.Optional(count()),
    equipment_available: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
    setup_time_required: Type.Optional(count({ description: 'Minutes needed for setup' })),
    notes: Type.Optional(text()),
    usage_count: count({ default: 0, readOnly: true, description: 'How many events use this location (kept by the engine)' }),
    is_active: Type.Boolean({ default: true }),
    ...auditFields
  }),
  timestamps,
  generate: auditStamps,
  derive: ({ coordinates: at, point }) =>
    at ? { point: { type: 'Point', coordinates: [at.longitude, at.latitude] } } : point ? { point: null } : {},
  counts: usedByEvents('location'),
  cache: true,
  indexes: [{ fields: { user_id: 1 } }, { fields: { name: 1, user_id: 1 }, unique: true }, { fields: { point: '2dsphere' } }],
  admin: { titleField: 'name', listFields: ['name', 'address', 'capacity', 'user_id', 'is_active'], group }
})
