// `$select` on a stored document: the listed (dotted) paths and the id, nothing else.
type Doc = Record<string, any>

const isPlainObject = (value: unknown): value is Doc =>
  !!value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype

/** Copies the value at a path of `source` into `target`, creating plain objects on the way; arrays and scalars are kept whole. */
function copyPath(source: Doc, path: string[], target: Doc) {
  const [head, ...rest] = path
  if (!Object.prototype.hasOwnProperty.call(source, head)) return
  const value = source[head]
  if (rest.length === 0 || !isPlainObject(value)) {
    target[head] = value
    return
  }
  if (!isPlainObject(target[head])) target[head] = {}
  copyPath(value, rest, target[head])
}

/** The document reduced to `select` (all of it when absent); the id is always kept. */
export function project(doc: Doc, select: string[] | undefined, id: string): Doc {
  if (!select) return doc
  const out: Doc = {}
  for (const field of [id, ...select.filter((field) => field !== id)]) copyPath(doc, field.split('.'), out)
  return out
}
