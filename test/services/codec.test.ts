// The codec between the engine's JSON shapes and each store's native ones, including MongoDB's ObjectIds (no server needed).
import assert from 'node:assert/strict'
import { ObjectId } from 'mongodb'
import { BadRequest } from '@feathersjs/errors'
import { Codec } from '../../src/services/codec.js'
import { mongoToJSON, toObjectId } from '../../src/services/store-mongo.js'
import { UNSET } from '../../src/permissions/rules.js'
import { sanitizeCollection } from '../../src/schemas/sanitize.js'
import { appointments } from '../../src/blueprints/appointments/collections.js'
import { permissions } from '../../src/schemas/rbac.js'

const toDate = (value: unknown) => new Date(value as string)
const mongo = (collection = sanitizeCollection(appointments)) => new Codec(collection, { date: toDate, id: toObjectId, decode: mongoToJSON })
const idA = '65a1b2c3d4e5f60718293a4b'
const idB = '65a1b2c3d4e5f60718293a4c'

describe('store codec', () => {
  describe('on MongoDB', () => {
    it('writes ids, nested references and dates in native form', () => {
      const encoded: any = mongo().encodeData({ ManagerId: idA, AppointedDate: '2030-01-01T10:00:00.000Z', Attendees: [{ DeveloperId: idB, ResponseTime: '2030-01-01T09:00:00.000Z' }] })
      assert.ok(encoded.ManagerId instanceof ObjectId)
      assert.ok(encoded.AppointedDate instanceof Date)
      assert.ok(encoded.Attendees[0].DeveloperId instanceof ObjectId)
      assert.ok(encoded.Attendees[0].ResponseTime instanceof Date)
    })
    it('converts query values inside operators and logical clauses, and leaves other fields alone', () => {
      const query = mongo().encodeQuery({
        _id: { $in: [idA, idB] },
        $or: [{ ManagerId: idA }, { 'Attendees.DeveloperId': idB }],
        AppointedDate: { $gte: '2030-01-01T00:00:00.000Z' },
        Status: 'Scheduled',
        $limit: 5
      })
      assert.ok(query._id.$in.every((id: unknown) => id instanceof ObjectId))
      assert.ok(query.$or[0].ManagerId instanceof ObjectId)
      assert.ok(query.$or[1]['Attendees.DeveloperId'] instanceof ObjectId)
      assert.ok(query.AppointedDate.$gte instanceof Date)
      assert.equal(query.Status, 'Scheduled')
      assert.equal(query.$limit, 5)
    })
    it('refuses a malformed id with a 400 instead of matching nothing silently', () => {
      assert.throws(() => mongo().encodeQuery({ ManagerId: 'nope' }), BadRequest)
    })
    it('keeps a permission’s placeholder for a value the caller lacks, which matches no ObjectId', () => {
      assert.deepEqual(mongo().encodeQuery({ ManagerId: { $in: [UNSET] } }), { ManagerId: { $in: [UNSET] } })
    })
    it('reads ObjectIds and dates back as strings, through pages and arrays', () => {
      const page = { total: 1, data: [{ _id: new ObjectId(idA), Attendees: [{ DeveloperId: new ObjectId(idB), ResponseTime: new Date('2030-01-01T09:00:00.000Z') }] }] }
      assert.deepEqual(mongo().decode(page), { total: 1, data: [{ _id: idA, Attendees: [{ DeveloperId: idB, ResponseTime: '2030-01-01T09:00:00.000Z' }] }] })
    })
  })

  describe('free-form objects', () => {
    it('escapes dots and dollars in keys for the store and restores them on read', () => {
      const codec = new Codec(sanitizeCollection(permissions), { date: toDate })
      const stored = codec.encodeData({ Conditions: { 'Attendees.DeveloperId': { $in: ['a'] } } })
      assert.ok(Object.keys(stored.Conditions).every((k) => !k.includes('.') && !k.includes('$')))
      assert.deepEqual(codec.decode(stored), { Conditions: { 'Attendees.DeveloperId': { $in: ['a'] } } })
    })
  })
})
