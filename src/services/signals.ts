// Signals (`signals`): a custom realtime event a signed-in caller sends about one record, such as "typing" in a chat.
// `POST /<collection>/<name>` (over Socket.io `emit('create', '<collection>/<name>', { id, ...data })`) checks that the
// caller may read the record, takes a point of their limit for it, and emits `<collection> <name>` with `{ id, from,
// ...data }`; its publisher sends that to every connection of another user whose permissions let it read the record
// now, so non-readers never hear of it and the sender is not echoed. Nothing is stored or audited; besides its own limit
// per sender and record, a signal is a call of the caller's request and write limits like any other.
import { authenticate } from '@feathersjs/authentication'
import { BadRequest, NotAuthenticated, NotFound } from '@feathersjs/errors'
import type { Application, HookContext, NextFunction, Params, RealTimeConnection } from '@feathersjs/feathers'
import { Channel } from '@feathersjs/transport-commons/lib/channels/channel/base.js'
import { validInput } from '../hooks/validate.js'
import type { Permissions } from '../permissions/abilities.js'
import { can } from '../permissions/access.js'
import { AUTHENTICATED } from '../permissions/channels.js'
import { actionInputSchema } from '../schemas/actions.js'
import type { Collection, SignalInput } from '../schemas/types.js'
import { compile, dataAjv } from '../schemas/validators.js'
import { AttemptLimiter } from './login-limit.js'

type Rec = Record<string, any>

export class Signal {
  private _validate: ReturnType<typeof compile>

  constructor(
    private _app: Application,
    private _collection: Collection,
    private _name: string,
    private _permissions: Permissions,
    private _limiter: AttemptLimiter,
    signal: SignalInput
  ) {
    this._validate = compile(dataAjv, actionInputSchema(signal))
  }

  async create(data: unknown, params: Params = {}) {
    const user = params.user
    if (!user) throw new NotAuthenticated(`Sign in to send ${this._name} signals`)
    const input = await validInput<Rec>(this._validate, data)
    const record = await this._readable(input.id, user)
    if (!record) throw new NotFound(`No ${this._collection.label.toLowerCase()} ${input.id} that you may read`)
    const signal = { ...input, id: String(record._id), from: String(user._id) }
    return this._limiter.attempt(`${user._id}:${record._id}`, async () => {
      this._app.service(this._collection.name).emit(this._name, signal)
      return signal
    })
  }

  /** The record, when this user may read it now. */
  private async _readable(id: string, user: Rec): Promise<Rec | undefined> {
    const record = await (this._app.service(this._collection.name) as any)._get(id).catch(() => undefined)
    return record && can(await this._permissions.abilityFor(user), 'read', this._collection.name, record) ? record : undefined
  }

  /** The publisher of the relayed event: the record's readers, other than the sender. */
  publisher() {
    return async (signal: Rec) => {
      const record = await (this._app.service(this._collection.name) as any)._get(signal.id).catch(() => undefined)
      if (!record) return []
      const channels: Channel[] = []
      for (const connection of (this._app as any).channel(AUTHENTICATED).connections as RealTimeConnection[]) {
        const user = connection.user
        if (!user || String(user._id) === signal.from) continue
        if (can(await this._permissions.abilityFor(user), 'read', this._collection.name, record)) channels.push(new Channel([connection], signal))
      }
      return channels
    }
  }
}

/** A token, when given, must be valid (REST); a socket's caller is its signed-in user already. */
const authenticateIfPresent = () => {
  const jwt = authenticate('jwt')
  return (context: HookContext, next: NextFunction) => (context.params.authentication && !context.params.user ? jwt(context, next) : next())
}

/** One service per declared signal, at `<collection>/<name>`, `create` only; its event is published by the collection's service. */
export function setupSignals(app: Application, collection: Collection, permissions: Permissions, sharedKey: string) {
  for (const [name, declared] of Object.entries(collection.signals)) {
    const limiter = new AttemptLimiter(
      { name: `signal:${collection.name}:${name}`, attempts: declared.perMinute, windowSeconds: 60, sharedKey, refusal: `Too many ${name} signals`, forgiving: false },
      () => (app as any).sync?.pub
    )
    const signal = new Signal(app, collection, name, permissions, limiter, declared)
    app.use(`${collection.name}/${name}`, signal, { methods: ['create'], events: [] })
    app.service(`${collection.name}/${name}`).hooks({ around: { all: [authenticateIfPresent()] } } as any)
    app.service(collection.name).publish(name, signal.publisher() as any)
  }
}
