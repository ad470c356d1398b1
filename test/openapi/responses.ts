// Real responses checked against an OpenAPI document: the operation by method and path, the response by status, the body with Ajv.
import assert from 'node:assert/strict'
import { Ajv, addFormats } from '@feathersjs/schema'

type Document = Record<string, any>

/** `/` and `~` escaped for a JSON pointer segment. */
const pointerSegment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')

/** The document's path template matching a concrete path (`/appointments/abc` → `/appointments/{id}`). */
export function pathTemplate(document: Document, pathname: string): string | undefined {
  const path = pathname.split('?')[0]
  if (document.paths[path]) return path
  return Object.keys(document.paths).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
}

export interface CheckedResponse {
  status: number
  body: unknown
}

/** Validates bodies against the document's schemas (Ajv resolves every `$ref` within the document). */
export function responseValidator(document: Document) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv, ['date-time', 'date', 'time', 'email', 'uri', 'uuid', 'ipv4', 'ipv6', 'hostname'])
  ajv.addSchema({ ...document, $id: 'openapi' })
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>()

  /** Checks `body` against the schema at `pointer` (`#/components/schemas/Error`, or a response's schema). */
  const schema = (pointer: string, body: unknown, what = pointer) => {
    if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: `openapi${pointer}` }))
    const validate = compiled.get(pointer)!
    assert.ok(validate(body), `${what}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 500)}`)
  }

  /** Checks that the operation documents the status and that the body is what its schema describes. */
  const response = (method: string, pathname: string, res: CheckedResponse) => {
    const template = pathTemplate(document, pathname)
    const what = `${method} ${pathname} → ${res.status}`
    assert.ok(template, `${what}: no such path in the document`)
    const operation = document.paths[template][method.toLowerCase()]
    assert.ok(operation, `${what}: no ${method} operation on ${template}`)
    let pointer = `#/paths/${pointerSegment(template)}/${method.toLowerCase()}/responses/${res.status}`
    let described = operation.responses[String(res.status)]
    assert.ok(described, `${what}: status not documented (${JSON.stringify(res.body).slice(0, 300)})`)
    if (described.$ref) {
      pointer = described.$ref
      described = described.$ref.slice(2).split('/').reduce((node: any, key: string) => node[key], document)
    }
    const content = described.content?.['application/json']
    if (!content) return assert.ok(res.body === undefined || res.body === '' || res.body === null, `${what}: a body where none is documented`)
    schema(`${pointer}/content/application~1json/schema`, res.body, what)
  }

  return { schema, response }
}
