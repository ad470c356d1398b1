// Public lookups (`publicLookup`): `GET /<collection>/<path>/:code` lets anyone, signed in or not, read the declared
// fields of the one record holding that code (a certificate's holder, programme, dates, status) and whether it has
// expired; nothing else of it. An unknown code is a 404; lookups are limited per IP address, every one counted.
import { BadRequest, NotFound } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import type { EngineApp, Settings } from '../engine.js'
import { lookupSource } from '../schemas/outputs.js'
import type { Collection } from '../schemas/types.js'
import { AttemptLimiter } from './login-limit.js'

type Rec = Record<string, any>

export const LOOKUP_DEFAULTS = { lookupsPerIp: 30, lookupWindowSeconds: 60 }

export class PublicLookup {
  private _sources: Array<[string, NonNullable<ReturnType<typeof lookupSource>>]>

  constructor(
    private _app: EngineApp,
    private _collection: Collection,
    private _limiter: AttemptLimiter
  ) {
    const byName = new Map(_app.blueprint.collections.map((c) => [c.name, c]))
    this._sources = Object.entries(_collection.publicLookup!.fields).map(([name, path]) => [name, lookupSource(_collection, byName, path)!])
  }

  async get(code: unknown, params: Params = {}) {
    const run = () => this._answer(code)
    return params.provider ? this._limiter.attempt(params.ip ?? 'unknown', run) : run()
  }

  private async _answer(code: unknown) {
    const { by, expires } = this._collection.publicLookup!
    const maxLength = this._collection.schema.properties[by].maxLength
    if (typeof code !== 'string' || !code || code.length > maxLength) throw new BadRequest(`A ${by} is text of at most ${maxLength} characters`, { [by]: 'is not a code' })
    // Internal reads: the caller is anyone, and only the declared fields leave.
    const [record] = (await (this._app.service(this._collection.name) as any)._find({ paginate: false, query: { [by]: code, $limit: 1 } })) as Rec[]
    if (!record) throw new NotFound(`No ${this._collection.label.toLowerCase()} has this ${by}`)
    const referenced = new Map<string, Promise<Rec | undefined>>()
    const answer: Rec = {}
    for (const [name, source] of this._sources) {
      let holder: Rec | undefined = record
      if (source.via) {
        const id = record[source.via]
        if (!referenced.has(source.via)) referenced.set(source.via, id ? (this._app.service(source.collection.name) as any)._get(id).catch(() => undefined) : Promise.resolve(undefined))
        holder = await referenced.get(source.via)
      }
      const value = holder?.[source.field]
      if (value !== undefined && value !== null) answer[name] = value instanceof Date ? value.toISOString() : value
    }
    const until = expires ? record[expires] : undefined
    answer.expired = until !== undefined && until !== null && new Date(until).getTime() <= Date.now()
    return answer
  }
}

/** One service per collection that declares a lookup, at its route, `get` only. */
export function setupPublicLookups(app: EngineApp, settings: Settings, sharedKey: string) {
  for (const collection of app.blueprint.collections) {
    if (!collection.publicLookup) continue
    const limiter = new AttemptLimiter(
      {
        name: `lookup:${collection.name}`,
        attempts: settings.lookupsPerIp ?? LOOKUP_DEFAULTS.lookupsPerIp,
        windowSeconds: settings.lookupWindowSeconds ?? LOOKUP_DEFAULTS.lookupWindowSeconds,
        sharedKey,
        refusal: 'Too many lookups from this address',
        forgiving: false
      },
      () => (app as any).sync?.pub
    )
    app.use(collection.publicLookup.route, new PublicLookup(app, collection, limiter), { methods: ['get'], events: [] })
  }
}
