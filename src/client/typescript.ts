// TypeScript types from the engine's JSON Schemas: a small emitter over the subset TypeBox declarations produce.
import type { JsonSchema } from '../schemas/types.js'

export interface EmitOptions {
  /** `output`: a value as returned (write-only fields left out). `input`: a value as sent (read-only fields left out, defaulted fields optional). */
  direction: 'input' | 'output'
  /** Input only: read-only fields below the top level are typed (optional), as a patch may send them back as read. */
  sentBack?: boolean
  /** Names a sub-schema instead of expanding it (e.g. `FieldQuery<string>`); `undefined` expands it. */
  alias?: (schema: JsonSchema, emit: (schema: JsonSchema) => string) => string | undefined
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const INDENT = '  '

export const propertyKey = (key: string) => (IDENTIFIER.test(key) ? key : JSON.stringify(key))
const literal = (value: unknown) => JSON.stringify(value)
const union = (members: string[]) => [...new Set(members)].join(' | ') || 'never'
/** Whether `|` or `&` joins the type at its top level (outside braces, brackets and string literals). */
function isCompound(type: string): boolean {
  let depth = 0
  for (let i = 0; i < type.length; i++) {
    const c = type[i]
    if (c === '"') {
      for (i++; i < type.length && type[i] !== '"'; i++) if (type[i] === '\\') i++
    } else if ('{[(<'.includes(c)) depth++
    else if ('}])>'.includes(c)) depth--
    else if ((c === '|' || c === '&') && depth === 0) return true
  }
  return false
}

/** `A | B` inside `[]`, `&` or `|` needs parentheses. */
const group = (type: string) => (isCompound(type) ? `(${type})` : type)

/** A JSDoc block from what a reader of the type needs to know: description, format, default, limits of writing. */
export function docComment(schema: JsonSchema, indent: string): string {
  const lines: string[] = []
  if (typeof schema.description === 'string') lines.push(...schema.description.split('\n'))
  if (schema.format) lines.push(`@format ${schema.format}`)
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`)
  if (schema.readOnly) lines.push('Set by the server.')
  if (schema.writeOnly) lines.push('Write-only: never returned.')
  if (!lines.length) return ''
  if (lines.length === 1) return `${indent}/** ${lines[0].replace(/\*\//g, '*\\/')} */\n`
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l.replace(/\*\//g, '*\\/')}`).join('\n')}\n${indent} */\n`
}

/**
 * Whether a property appears in the type at all for this direction. `sentBack` (a patch's body): a read-only field
 * inside an object or array item is there, as the service takes it back as it was read (an answered attendee).
 */
const isVisible = (schema: JsonSchema, options: EmitOptions, depth: number) =>
  options.direction === 'output' ? !schema.writeOnly && !schema['x-secret'] : !schema.readOnly || (!!options.sentBack && depth > 0)

export function typeOf(schema: JsonSchema | boolean | undefined, options: EmitOptions, depth = 0): string {
  if (schema === undefined || schema === true) return 'unknown'
  if (schema === false) return 'never'
  const emit = (child: JsonSchema | boolean | undefined) => typeOf(child, options, depth)
  const aliased = options.alias?.(schema, (child) => emit(child))
  if (aliased) return aliased
  if (schema.const !== undefined) return literal(schema.const)
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal))
  const variants = schema.anyOf ?? schema.oneOf
  if (Array.isArray(variants)) return union(variants.map((v: JsonSchema) => emit(v)))
  if (Array.isArray(schema.allOf)) return schema.allOf.map((s: JsonSchema) => group(emit(s))).join(' & ')
  if (Array.isArray(schema.type)) return union(schema.type.map((type: string) => emit({ ...schema, type })))
  switch (schema.type) {
    case 'string':
      return 'string'
    case 'number':
    case 'integer':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'array':
      return arrayType(schema, emit)
    case 'object':
      return objectType(schema, options, depth)
    default:
      // No `type`: an object shape when it has properties, anything otherwise (`Type.Unknown()`).
      return schema.properties ? objectType(schema, options, depth) : 'unknown'
  }
}

function arrayType(schema: JsonSchema, emit: (s: JsonSchema | boolean | undefined) => string): string {
  // Tuples: 2020-12 `prefixItems`, or draft-07 `items: [...]` as TypeBox 0.25 writes them.
  const tuple: JsonSchema[] | undefined = schema.prefixItems ?? (Array.isArray(schema.items) ? schema.items : undefined)
  if (tuple) {
    const rest = schema.prefixItems ? schema.items : schema.additionalItems
    const members = tuple.map((item) => emit(item))
    if (rest !== undefined && rest !== false) members.push(`...${group(emit(rest))}[]`)
    return `[${members.join(', ')}]`
  }
  return `${group(emit(schema.items))}[]`
}

function objectType(schema: JsonSchema, options: EmitOptions, depth: number): string {
  const indent = INDENT.repeat(depth + 1)
  const required = new Set<string>(schema.required ?? [])
  const lines: string[] = []
  const properties = Object.entries<JsonSchema>(schema.properties ?? {}).filter(([, s]) => isVisible(s, options, depth))
  for (const [key, child] of properties) {
    const sentBack = options.direction === 'input' && child.readOnly
    const optional = !required.has(key) || sentBack || (options.direction === 'input' && child.default !== undefined)
    const doc = sentBack ? { ...child, description: [child.description, 'Sent back only as it was read: a changed value is refused (400).'].filter(Boolean).join('\n') } : child
    lines.push(`${docComment(doc, indent)}${indent}${propertyKey(key)}${optional ? '?' : ''}: ${typeOf(child, options, depth + 1)}`)
  }
  const index = indexSignature(schema, options, depth, properties.length > 0)
  if (index) lines.push(`${indent}[key: string]: ${index}`)
  if (!lines.length) return '{}'
  return `{\n${lines.join('\n')}\n${INDENT.repeat(depth)}}`
}

/** Free keys: `patternProperties`, an `additionalProperties` schema, or an object that declares nothing. */
function indexSignature(schema: JsonSchema, options: EmitOptions, depth: number, hasProperties: boolean): string | undefined {
  const patterns = Object.values<JsonSchema>(schema.patternProperties ?? {})
  const extra = schema.additionalProperties
  const members = patterns.map((s) => typeOf(s, options, depth + 1))
  if (extra && typeof extra === 'object') members.push(typeOf(extra, options, depth + 1))
  else if (extra === undefined && !hasProperties && !patterns.length) members.push('unknown')
  else if (extra === true) members.push('unknown')
  if (!members.length) return undefined
  // Declared properties must fit the index type; `unknown` is the only type sure to hold them all.
  return hasProperties ? 'unknown' : union(members)
}

/** `export interface Name { ... }` (or a type alias when the schema is not an object shape). */
export function declareType(name: string, schema: JsonSchema, options: EmitOptions, extendsName?: string): string {
  const doc = docComment({ description: schema.description }, '')
  const body = typeOf(schema, options)
  if (body.startsWith('{')) return `${doc}export interface ${name}${extendsName ? ` extends ${extendsName}` : ''} ${body}\n`
  return `${doc}export type ${name} = ${extendsName ? `${extendsName} & ` : ''}${body}\n`
}
