// Field builders: TypeBox types carrying the engine's annotations (`x-ref`, `x-secret`) so one schema says everything.
import { Type, type SchemaOptions, type StringOptions, type TObject, type TString, type TUnsafe } from '@sinclair/typebox'
import type { CollectionInput, MaskInput, ReferenceOptions, SecretKind } from './types.js'

export { Type } from '@sinclair/typebox'
export type { Static } from '@sinclair/typebox'

/** An id of a record of another collection (a string here; an ObjectId inside MongoDB). */
export const Ref = (collection: string, options: Omit<ReferenceOptions, 'collection'> & SchemaOptions = {}): TString => {
  const { onDelete = 'restrict', check = true, sameAs, ...schemaOptions } = options
  return Type.String({ ...schemaOptions, minLength: 1, 'x-ref': { collection, onDelete, check, ...(sameAs?.length && { sameAs }) } })
}

/** Date and time as an ISO 8601 string; stored as a native date so ranges, sorting and TTL work. */
export const DateTime = (options: StringOptions<'date-time'> = {}): TString<'date-time'> =>
  Type.String({ ...options, format: 'date-time' })

export const Email = (options: StringOptions<'email'> = {}): TString<'email'> =>
  Type.String({ maxLength: 254, ...options, format: 'email' })

const secret = (kind: SecretKind, options: StringOptions<string>): TString =>
  Type.String({ ...options, writeOnly: true, 'x-secret': kind })

/** Hashed with bcrypt before it is stored; never returned, never in events. */
export const Password = (options: StringOptions<string> = {}): TString =>
  secret('hash', { minLength: 8, maxLength: 128, ...options })

/** Encrypted at rest with AES-256-GCM (key from config); never returned, never in events. */
export const Secret = (options: StringOptions<string> = {}): TString => secret('encrypt', options)

/** One of a fixed list of strings (a select in the admin, a union in the client). */
export const Enum = <T extends string[]>(values: [...T], options: SchemaOptions = {}): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options })

/** A GeoJSON point `{ type: 'Point', coordinates: [lng, lat] }`, indexable with `2dsphere`. */
export const GeoPoint = (options: SchemaOptions = {}) =>
  Type.Object(
    {
      type: Type.Literal('Point'),
      coordinates: Type.Tuple([Type.Number({ minimum: -180, maximum: 180 }), Type.Number({ minimum: -90, maximum: 90 })])
    },
    { ...options, additionalProperties: false }
  )

/** A string field shown as `98******21` to callers whose ability lacks the `unmask` action on the record (REST, Socket.io, admin). */
export const Masked = <T extends TString>(schema: T, mask: MaskInput = {}): T => ({ ...schema, 'x-mask': { keepStart: 2, keepEnd: 2, char: '*', ...mask } })

/**
 * A file: the value is its URL (`/files/<id>`), set from an upload to `POST /files?collection=<name>&field=<field>`
 * that checks `maxBytes` (default 10 MB) and `types` (content types, checked on the bytes). Top-level fields only.
 */
export const File = (options: { maxBytes?: number; types?: string[] } & SchemaOptions = {}): TString => {
  const { maxBytes = 10 * 1024 * 1024, types, ...schemaOptions } = options
  return Type.String({ ...schemaOptions, pattern: '^/files/[0-9a-f]{24}$', maxLength: 31, 'x-file': { maxBytes, ...(types && { types }) } })
}

/** Declares a collection; an identity function that keeps the schema's type for `Static<>` and the typed client. */
export const defineCollection = <S extends TObject>(collection: CollectionInput<S>): CollectionInput<S> => collection
