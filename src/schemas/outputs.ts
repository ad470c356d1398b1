// Checks of the declarations that give a record's data out: a rendered `document` and an anonymous `publicLookup`.
import { DeclarationError } from './errors.js'
import type { Collection, JsonSchema } from './types.js'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const ROUTE = /^[a-z][a-z0-9-]*$/
const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$.]*)\s*\}\}/g
const ALIGNMENTS = ['left', 'center', 'right']

const topLevel = (collection: Collection, field: string): JsonSchema | undefined => collection.schema.properties?.[field]
export const singleReference = (collection: Collection, field: string) => collection.references.find((ref) => ref.path === field && !ref.many)

/** A field whose value may be given out: declared (or `_id`, a timestamp), neither secret nor masked. */
function readable(collection: Collection, field: string) {
  return collection.fields.includes(field) && !collection.secrets.some((s) => s.path === field) && !collection.masks?.some((m) => m.path === field)
}

const formatsLocale = (locale: string) => {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(locale).length > 0
  } catch {
    return false
  }
}

/** A declaration's `with` records (name → a top-level single reference) as template scopes, `record` first; names other than `reserved`. */
export function withScopes(collection: Collection, byName: Map<string, Collection>, declared: Record<string, string> | undefined, where: string, reserved: string[]) {
  const scopes = new Map<string, Collection>([['record', collection]])
  for (const [name, field] of Object.entries(declared ?? {})) {
    if (!IDENTIFIER.test(name) || reserved.includes(name)) throw new DeclarationError(where, `with "${name}" must be a name other than ${reserved.join(', ')}`)
    const reference = singleReference(collection, field)
    if (!reference || field.includes('.')) throw new DeclarationError(where, `with "${name}": "${field}" must be a top-level single Ref() field`)
    scopes.set(name, byName.get(reference.collection)!)
  }
  return scopes
}

/** `document`: a state of a state machine with a move to `then`, a read-only `File()` field, references to render, templates naming known fields. */
export function checkDocument(collection: Collection, byName: Map<string, Collection>) {
  const declared = collection.document!
  const where = `collection "${collection.name}" document`
  const machine = collection.stateMachines?.find((m) => m.field === declared.on?.field)
  if (!machine) throw new DeclarationError(where, `on.field "${declared.on?.field}" must be the field of a declared state machine`)
  for (const state of [declared.on.state, declared.then]) {
    if (!machine.states.includes(state)) throw new DeclarationError(where, `state "${state}" is not one of ${machine.states.join(', ')}`)
  }
  const moves = machine.transitions.some((t) => (t.from.includes(declared.on.state) || t.from.includes('*')) && t.to.includes(declared.then))
  if (declared.on.state === declared.then || !moves) throw new DeclarationError(where, `the state machine of "${machine.field}" needs a transition from ${declared.on.state} to ${declared.then}`)
  const file = topLevel(collection, declared.file)
  if (!file?.['x-file'] || !file.readOnly) throw new DeclarationError(where, `file "${declared.file}" must be a top-level File() field declared readOnly (the engine fills it)`)
  if (declared.error !== undefined) {
    const error = topLevel(collection, declared.error)
    if (error?.type !== 'string' || !error.readOnly || collection.schema.required?.includes(declared.error)) throw new DeclarationError(where, `error "${declared.error}" must be an optional string field declared readOnly`)
  }
  const scopes = withScopes(collection, byName, declared.with, where, ['record', 'now'])
  if (!Array.isArray(declared.content) || !declared.content.length) throw new DeclarationError(where, '`content` must list at least one block')
  const templates = [declared.name, declared.title, ...declared.content.map((block) => block?.text)]
  declared.content.forEach((block, index) => {
    const at = `content[${index}]`
    if (typeof block?.text !== 'string') throw new DeclarationError(where, `${at} needs a \`text\` template`)
    if (block.size !== undefined && !(block.size >= 4 && block.size <= 200)) throw new DeclarationError(where, `${at}: size must be 4 to 200 points`)
    if (block.gap !== undefined && !(block.gap >= 0 && block.gap <= 500)) throw new DeclarationError(where, `${at}: gap must be 0 to 500 points`)
    if (block.align !== undefined && !ALIGNMENTS.includes(block.align)) throw new DeclarationError(where, `${at}: align must be ${ALIGNMENTS.join(', ')}`)
  })
  for (const template of templates) {
    for (const [, path] of (template ?? '').matchAll(PLACEHOLDER)) {
      const [scope, field] = path.split('.')
      if (scope === 'now' && !field) continue
      const target = scopes.get(scope)
      if (!target) throw new DeclarationError(where, `"{{${path}}}" names neither record, now nor a \`with\` record (${[...scopes.keys()].join(', ')})`)
      if (!field || !readable(target, field)) throw new DeclarationError(where, `"{{${path}}}": "${field}" is not a field of ${target.name} that may be printed (not secret, not masked)`)
    }
  }
  const { size, layout } = declared.page ?? {}
  if (size !== undefined && !['A4', 'LETTER'].includes(size)) throw new DeclarationError(where, 'page.size must be A4 or LETTER')
  if (layout !== undefined && !['portrait', 'landscape'].includes(layout)) throw new DeclarationError(where, 'page.layout must be portrait or landscape')
  if (declared.locale !== undefined && !formatsLocale(declared.locale)) throw new DeclarationError(where, `locale "${declared.locale}" is not one this runtime formats`)
}

/** Where an answer's field comes from: this record's field, or a field of the record a single reference points at. */
export function lookupSource(collection: Collection, byName: Map<string, Collection>, path: string): { collection: Collection; field: string; via?: string } | undefined {
  const [first, second, ...rest] = path.split('.')
  if (rest.length) return undefined
  if (second === undefined) return readable(collection, first) ? { collection, field: first } : undefined
  const reference = singleReference(collection, first)
  const target = reference && byName.get(reference.collection)
  return target && readable(target, second) ? { collection: target, field: second, via: first } : undefined
}

/** `publicLookup`: a unique code field, a route, answer fields that exist and may be given out, a date-time expiry. */
export function checkPublicLookup(collection: Collection, byName: Map<string, Collection>) {
  const declared = collection.publicLookup!
  const where = `collection "${collection.name}" publicLookup`
  const code = topLevel(collection, declared.by)
  if (code?.type !== 'string' || code.format || code['x-ref'] || code['x-file'] || code['x-secret']) throw new DeclarationError(where, `by "${declared.by}" must be a top-level string field holding a code (not a date, reference, file or secret)`)
  const unique = collection.indexes.some((index) => index.unique && !index.sparse && Object.keys(index.fields).join() === declared.by)
  if (!unique) throw new DeclarationError(where, `by "${declared.by}" needs a unique index of its own (one code, one record)`)
  if (!ROUTE.test(declared.path ?? 'verify')) throw new DeclarationError(where, 'path must be lower-case letters, digits and dashes')
  const names = Object.keys(declared.fields ?? {})
  if (!names.length) throw new DeclarationError(where, '`fields` must name at least one field of the answer')
  for (const [name, path] of Object.entries(declared.fields)) {
    if (!IDENTIFIER.test(name) || name === 'expired') throw new DeclarationError(where, `answer field "${name}" must be a name other than expired (the engine's)`)
    if (typeof path !== 'string' || !lookupSource(collection, byName, path)) {
      throw new DeclarationError(where, `field "${name}": "${path}" must be a field of ${collection.name} or <single Ref() field>.<field>, neither secret nor masked`)
    }
  }
  if (declared.expires !== undefined && (declared.expires.includes('.') || !collection.dates.includes(declared.expires))) {
    throw new DeclarationError(where, `expires "${declared.expires}" must be a top-level DateTime() field`)
  }
}
