// Dot paths through records (`Attendees.DeveloperId`), going through arrays at any depth: one implementation for the engine.
export type Convert = (value: any) => any

export const isPlainObject = (value: unknown): value is Record<string, any> =>
  !!value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype

/** The value at a path, no array traversal (`user.societyId`). */
export const valueAt = (source: any, path: string): any =>
  path.split('.').reduce((value, key) => (value === null || value === undefined ? undefined : value[key]), source)

/** Every value found at a path, through arrays, without `null`/`undefined`. */
export function valuesAt(source: unknown, path: string): unknown[] {
  let current: unknown[] = [source]
  for (const key of path.split('.')) {
    current = current
      .flatMap((value) => (Array.isArray(value) ? value : [value]))
      .map((value) => (value && typeof value === 'object' ? (value as any)[key] : undefined))
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value])).filter((v) => v !== undefined && v !== null)
}

/** A copy with `fn` applied at a path (to each element where the path crosses or ends in an array); the original is untouched. */
export function mapAt(target: any, segments: string[], fn: Convert): any {
  if (target === null || target === undefined) return target
  if (Array.isArray(target)) return target.map((item) => mapAt(item, segments, fn))
  if (segments.length === 0) return fn(target)
  if (!isPlainObject(target)) return target
  const [head, ...rest] = segments
  if (!(head in target)) return target
  return { ...target, [head]: mapAt(target[head], rest, fn) }
}
