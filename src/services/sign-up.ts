// Self sign-up (`auth.signUp`): `POST /sign-up` lets an anonymous caller register as one of the declared roles only; the
// user and the records declared with it (their one profile) are created in one transaction, and the caller is logged in.
// Attempts are limited per IP address.
import { BadRequest, Forbidden } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { fill } from '../hooks/workflows/templates.js'
import { isPlainObject } from '../schemas/paths.js'
import type { Collection } from '../schemas/types.js'
import { withoutSecrets } from '../hooks/secrets.js'
import type { AttemptLimiter } from './login-limit.js'

/** Keys of `value` outside `allowed` are refused, naming the first one. */
function refuseUnknown(value: Record<string, unknown>, allowed: string[], where: string) {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key))
  if (unknown) throw new BadRequest(`Invalid sign-up: ${where}${unknown} may not be given at sign-up (allowed: ${allowed.join(', ')})`, { [`${where}${unknown}`]: 'may not be given at sign-up' })
}

export class SignUpService {
  constructor(
    private _app: EngineApp,
    private _users: Collection,
    private _limiter: AttemptLimiter
  ) {}

  private get declaration() {
    return this._users.auth!.signUp!
  }

  /** The role the caller asks for, as the role field stores it; a role not open to sign-up is a 403. */
  private async role(asked: unknown): Promise<unknown> {
    const { roles } = this.declaration
    const { roleField, roleBy } = this._users.auth!
    const byName = async (name: string) => (roleBy === 'name' ? name : (await this._app.service('roles').find({ paginate: false, query: { RoleName: name, $limit: 1 } }))[0]?._id)
    if (asked === undefined && roles.length === 1) return byName(roles[0])
    if (typeof asked !== 'string' || !asked) throw new BadRequest(`Invalid sign-up: ${roleField} is required, one of ${roles.join(', ')}`, { [roleField]: `must be one of ${roles.join(', ')}` })
    const name = await this._app.permissions.roleNameOf({ [roleField]: asked })
    if (!name || !roles.includes(name)) {
      throw new Forbidden(`Sign-up is open to ${roles.join(', ')} only; other accounts${name ? ` (${name})` : ''} are given by an administrator`, { [roleField]: `must be one of ${roles.join(', ')}` })
    }
    return asked
  }

  async create(data: unknown, params: Params = {}) {
    if (!isPlainObject(data)) throw new BadRequest('Invalid sign-up: send a JSON object of the new account')
    const body = data as Record<string, any>
    const run = () => this.signUp(body, params)
    return params.provider ? this._limiter.attempt(params.ip ?? 'unknown', run) : run()
  }

  private async signUp(body: Record<string, any>, params: Params) {
    const { fields, creates } = this.declaration
    const { roleField } = this._users.auth!
    refuseUnknown(body, ['email', 'password', roleField, ...fields, ...creates.flatMap((c) => (c.from ? [c.from] : []))], '')
    const userData: Record<string, unknown> = Object.fromEntries(['email', 'password', ...fields].filter((key) => body[key] !== undefined).map((key) => [key, body[key]]))
    userData[roleField] = await this.role(body[roleField])
    for (const create of creates) {
      const own = create.from ? body[create.from] : undefined
      if (own !== undefined && !isPlainObject(own)) throw new BadRequest(`Invalid sign-up: ${create.from} must be an object`, { [create.from!]: 'must be an object' })
      if (own) refuseUnknown(own, create.fields ?? [], `${create.from}.`)
    }
    const audit = { method: 'signUp', transport: params.provider ?? 'internal' }
    // The user is created by nobody yet signed in: an anonymous caller over a transport, the engine otherwise.
    const userAudit = params.provider ? { ...audit, actor: 'anonymous' as const } : audit
    const created = await this._app.store.transaction(async () => {
      // A store without transactions (a standalone MongoDB) is undone by hand: what was created goes again.
      const undo: Array<() => Promise<unknown>> = []
      const atomic = this._app.store.inTransaction()
      try {
        const user = await this._app.service(this._users.name).create(userData, { audit: userAudit })
        undo.push(() => this._app.service(this._users.name).remove(user._id))
        const records: Record<string, unknown> = {}
        for (const create of creates) {
          const own = create.from ? (body[create.from] ?? {}) : {}
          const record = await this._app.service(create.collection).create({ ...own, ...fill(create.data, { user, now: new Date().toISOString() }) }, { user, audit })
          undo.push(() => this._app.service(create.collection).remove(record._id))
          records[create.collection] = withoutSecrets(this._app.blueprint.collections.find((c) => c.name === create.collection)!, record)
        }
        return { user, records }
      } catch (error) {
        if (!atomic) for (const step of undo.reverse()) await step().catch(() => undefined)
        throw error
      }
    })
    // Logged in as any login is (a token with its own id, the user as the login returns it).
    const login = await this._app.service('authentication').create({ strategy: 'local', email: created.user.email, password: body.password }, {})
    return { ...login, records: created.records }
  }
}
