// One field of a collection as AdminJS sees it, derived from the field's JSON Schema; also converts values both ways.
import { BaseProperty, ValidationError, type PropertyType } from 'adminjs'
import { DEFAULT_MAX_LENGTH } from '../schemas/sanitize.js'
import type { JsonSchema } from '../schemas/types.js'

/** Where AdminJS may show a property. */
export interface Visibility {
  list: boolean
  show: boolean
  edit: boolean
  filter: boolean
}

export interface PropertyOptions {
  schema: JsonSchema
  required?: boolean
  /** The collection's query schema lets callers sort on it. */
  sortable?: boolean
  /** Set by the engine (`_id`, timestamps, `readOnly` fields, stamps, totals): never edited. */
  readOnly?: boolean
  /** `_id` and the timestamps: left out of forms altogether (the other read-only fields are shown there, disabled). */
  hiddenInForms?: boolean
  isId?: boolean
  /** The collection's `admin.titleField`: a record's name in lists, pickers and breadcrumbs. */
  isTitle?: boolean
  position?: number
  /** Dot path of the parent, for sub-properties (messages name the full path). */
  parentPath?: string
}

/** What AdminJS can draw natively for a schema node; `undefined` when only JSON text can express it. */
interface Shape {
  type: PropertyType
  isArray: boolean
  reference: string | null
  availableValues: string[] | null
  /** Schema of an object (or of each object of an array) whose fields become sub-properties. */
  object?: JsonSchema
}

/** Strings declared longer than this get a text area (the engine's default bound on undeclared ones does not count). */
const LONG_TEXT = 255
const isLongText = (schema: JsonSchema) => (schema.maxLength ?? 0) > LONG_TEXT && schema.maxLength !== DEFAULT_MAX_LENGTH

/** A nullable field (`anyOf: [X, null]`) is drawn as X. */
function unwrap(schema: JsonSchema): JsonSchema {
  const union: JsonSchema[] | undefined = schema.anyOf ?? schema.oneOf
  if (!union) return schema
  const variants = union.filter((variant) => variant.type !== 'null')
  return variants.length === 1 ? variants[0] : schema
}

function scalarShape(schema: JsonSchema): Shape | undefined {
  const base = { isArray: false, reference: null, availableValues: null }
  if (schema['x-secret']) return { ...base, type: 'password' }
  if (schema['x-ref']) return { ...base, type: 'reference', reference: schema['x-ref'].collection }
  const values = Array.isArray(schema.enum) ? schema.enum : schema.const !== undefined ? [schema.const] : undefined
  if (values) return values.every((v) => typeof v === 'string') ? { ...base, type: 'string', availableValues: values } : undefined
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return { ...base, type: 'datetime' }
      if (schema.format === 'date') return { ...base, type: 'date' }
      return { ...base, type: isLongText(schema) ? 'textarea' : 'string' }
    case 'integer':
    case 'number':
      // Not AdminJS's 'number': its form converter turns an empty input into 0, hiding a missing value from validation.
      return { ...base, type: 'float' }
    case 'boolean':
      return { ...base, type: 'boolean' }
    case 'object':
      return schema.properties && Object.values<JsonSchema>(schema.properties).every((child) => shapeOf(child) && !child['x-secret'])
        ? { ...base, type: 'mixed', object: schema }
        : undefined
    default:
      return undefined
  }
}

function shapeOf(node: JsonSchema): Shape | undefined {
  const schema = unwrap(node)
  if (schema.type !== 'array') return scalarShape(schema)
  if (!schema.items || Array.isArray(schema.items)) return undefined
  const item = scalarShape(unwrap(schema.items))
  return item && item.type !== 'password' ? { ...item, isArray: true } : undefined
}

export const isBlank = (value: unknown) => value === undefined || value === null || value === ''

export class FeathersProperty extends BaseProperty {
  /** Shown and edited as JSON text: free-form objects, tuples, unions, anything AdminJS has no input for. */
  readonly json: boolean
  readonly secret?: 'hash' | 'encrypt'
  private _shape: Shape
  private _children: FeathersProperty[]

  constructor(
    name: string,
    private _options: PropertyOptions
  ) {
    const shape = shapeOf(_options.schema)
    super({ path: name, type: shape?.type ?? 'textarea', isId: _options.isId, isSortable: !!_options.sortable, position: _options.position })
    this.json = !shape
    this.secret = unwrap(_options.schema)['x-secret']
    this._shape = shape ?? { type: 'textarea', isArray: false, reference: null, availableValues: null }
    const object = this._shape.object
    const required = new Set<string>(object?.required ?? [])
    this._children = Object.entries<JsonSchema>(object?.properties ?? {}).map(
      ([key, schema], position) =>
        new FeathersProperty(key, { schema, required: required.has(key), position, parentPath: this.fullPath(), readOnly: !!_options.readOnly || !!unwrap(schema).readOnly })
    )
  }

  /** The dot path from the record's root (sub-properties name only their own key in `name()`). */
  fullPath(): string {
    return this._options.parentPath ? `${this._options.parentPath}.${this.name()}` : this.name()
  }

  /** Only the declared title field (AdminJS would otherwise guess from names such as `name` or `email`). */
  isTitle() {
    return !!this._options.isTitle
  }

  isEditable() {
    return !this._options.readOnly && !this._options.isId
  }

  /** Shown in forms but not editable: the engine writes it. */
  isReadOnly() {
    return !!this._options.readOnly && !this._options.isId
  }

  /** The declaration's description: help text under the input and on the record's page. */
  description(): string | undefined {
    return unwrap(this._options.schema).description ?? this._options.schema.description
  }

  /** Never in lists, pages or filters: a password is only typed in. */
  isVisible() {
    return !this.secret
  }

  isRequired() {
    // A password is required at creation only; the service says so when it is missing. The engine fills read-only ones.
    return !!this._options.required && !this.secret && !this._options.readOnly
  }

  reference() {
    return this._shape.reference
  }

  availableValues() {
    return this._shape.availableValues
  }

  isArray() {
    return this._shape.isArray
  }

  subProperties(): FeathersProperty[] {
    return this._children
  }

  /** Visibility per AdminJS view: big or nested values stay out of lists, JSON and nested objects out of filters. */
  visibility(): Visibility {
    if (this.secret) return { list: false, show: false, edit: this.secret === 'hash', filter: false }
    const nested = this.json || this._shape.type === 'mixed'
    const edit = this.isEditable() || (this.isReadOnly() && !this._options.hiddenInForms)
    return { list: !nested && !this.isArray(), show: true, edit, filter: !nested && this._shape.type !== 'textarea' }
  }

  /** A value read from the service, in the shape AdminJS shows. */
  toParam(value: unknown): unknown {
    if (this.json && value !== undefined && value !== null) return JSON.stringify(value, null, 2)
    return value
  }

  /** A value posted by the form, in the shape the service validates; `undefined` leaves the field out. */
  toData(value: unknown): unknown {
    if (this._shape.isArray && !this.json) {
      if (isBlank(value)) return undefined
      const items = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value as object) : [value]
      return items.map((item) => this._item(item)).filter((item) => item !== undefined)
    }
    return this._item(value)
  }

  private _item(value: unknown): unknown {
    if (this.json) return this._parseJson(value)
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString()
    if (value === null || value === undefined) return undefined
    switch (this._shape.type) {
      case 'mixed': {
        if (typeof value !== 'object') return undefined
        const result: Record<string, unknown> = {}
        for (const child of this._children) {
          const converted = child.toData((value as Record<string, unknown>)[child.name()])
          if (converted !== undefined) result[child.name()] = converted
        }
        return result
      }
      case 'number':
      case 'float':
        return value === '' ? undefined : Number.isNaN(Number(value)) ? value : Number(value)
      case 'boolean':
        return value === true || value === 'true'
      case 'date':
      case 'datetime': {
        if (value === '') return undefined
        const date = new Date(value as string)
        return Number.isNaN(date.getTime()) ? value : this._shape.type === 'date' ? date.toISOString().slice(0, 10) : date.toISOString()
      }
      case 'password':
        return value === '' ? undefined : String(value)
      case 'string':
      case 'textarea': {
        if (value !== '') return String(value)
        // An empty optional field is left out when "" would not be valid for it.
        const schema = unwrap(this._options.schema)
        return !this._options.required && (this._shape.availableValues || schema.format || schema.minLength) ? undefined : ''
      }
      default:
        return value === '' ? undefined : value
    }
  }

  private _parseJson(value: unknown): unknown {
    if (typeof value !== 'string') return isBlank(value) ? undefined : value
    if (value.trim() === '') return undefined
    try {
      return JSON.parse(value)
    } catch {
      throw new ValidationError({ [this.fullPath()]: { message: 'must be valid JSON', type: 'json' } }, { message: `${this.fullPath()} must be valid JSON` })
    }
  }
}
