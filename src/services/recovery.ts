// Password recovery (`auth.recovery`), without a token: `POST /password-recovery { email }` answers the same for every
// address (the security question, a made-up one for unknown addresses; a reset mail is sent in the background), and
// `POST /password-reset` sets a new password given the answer or the e-mailed token. Answers and tokens are bcrypt
// hashes compared at a password's cost, attempts are limited per account, a token is single-use and expires, and a reset
// ends every session of the account (the engine's `credentialsChangedAt`).
import { createHmac, randomBytes } from 'node:crypto'
import { BadRequest, NotAuthenticated } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import type { EngineApp } from '../engine.js'
import { normalizeEmail } from '../hooks/emails.js'
import { validInput } from '../hooks/validate.js'
import { passwordRecoveryRequestSchema, passwordResetRequestSchema } from '../openapi/schemas.js'
import { compile, dataAjv } from '../schemas/validators.js'
import { isPlainObject } from '../schemas/paths.js'
import type { Collection, Recovery } from '../schemas/types.js'
import { credential, type SafeLocalStrategy } from './authentication.js'
import type { AttemptLimiter } from './login-limit.js'
import type { Mailer } from './mail.js'

export const RECOVERY_MESSAGE = 'If an account has this e-mail address, it can now be recovered'
const WRONG_ANSWER = 'Wrong e-mail address or answer'
const BAD_TOKEN = 'This reset token is not valid (used, expired or mistyped); ask for a new one'

/** Shown for addresses without an account (or without a question), always the same one per address. */
const DECOY_QUESTIONS = [
  'What was the name of your first pet?',
  'In which city were you born?',
  'What was the name of your first school?',
  'What is your mother’s maiden name?',
  'What was the make of your first car?'
]

export interface RecoveryOptions {
  /** Signs nothing: picks the made-up question of an unknown address (the JWT secret). */
  secret: string
  /** Where a reset is completed (`PASSWORD_RESET_URL`): the mail links to it with `?token=`. */
  resetUrl?: string
}

function body(data: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(data)) throw new BadRequest(`Invalid ${what}: send a JSON object`)
  return data as Record<string, unknown>
}

const required = (data: Record<string, unknown>, field: string, what: string) => {
  const value = credential(data, field, what)
  if (!value) throw new BadRequest(`Invalid ${what}: ${field} is required`, { [field]: 'is required' })
  return value
}

class RecoveryBase {
  constructor(
    protected _app: EngineApp,
    protected _users: Collection,
    protected _limiter: AttemptLimiter
  ) {}

  protected get recovery(): Recovery {
    return this._users.auth!.recovery!
  }

  protected get adapter() {
    return this._app.service(this._users.name) as any
  }

  protected async userByEmail(email: string) {
    const [user] = await this.adapter._find({ paginate: false, query: { email: normalizeEmail(email), $limit: 1 } })
    return user as Record<string, any> | undefined
  }

  protected get strategy(): SafeLocalStrategy {
    return (this._app.service('authentication') as any).getStrategy('local')
  }
}

/** `POST /password-recovery { email }`. */
export class RecoveryRequests extends RecoveryBase {
  private _pending = new Set<Promise<unknown>>()

  constructor(
    app: EngineApp,
    users: Collection,
    limiter: AttemptLimiter,
    /** Recovery requests per address: every one counts (a mail bomb is bounded). */
    private _requests: AttemptLimiter,
    private _mailer: Mailer,
    private _options: RecoveryOptions
  ) {
    super(app, users, limiter)
  }

  private decoy(email: string) {
    const digest = createHmac('sha256', this._options.secret).update(`security-question:${email}`).digest()
    return DECOY_QUESTIONS[digest[0] % DECOY_QUESTIONS.length]
  }

  private _validate = compile(dataAjv, passwordRecoveryRequestSchema)

  async create(data: unknown, params: Params = {}) {
    // The body the OpenAPI document publishes, checked as published.
    const email = normalizeEmail(required(await validInput(this._validate, body(data, 'recovery request'), 'recovery request'), 'email', 'recovery request'))
    // Counted per address whether or not it has an account, so the limit tells nothing either.
    const run = async () => {
      const user = await this.userByEmail(email)
      const answer: Record<string, unknown> = { message: RECOVERY_MESSAGE }
      const { securityQuestion, emailToken } = this.recovery
      if (securityQuestion) answer.securityQuestion = user?.[securityQuestion.question] || this.decoy(email)
      // After the answer: hashing the token and talking to the mail server take time an unknown address would not.
      if (emailToken && user) this.later(() => this.mailToken(user))
      return answer
    }
    return params.provider ? this._requests.attempt(email, run) : run()
  }

  private later(task: () => Promise<unknown>) {
    const pending = new Promise((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error) => console.error(`quillbase: password reset mail failed: ${error.message}`))
      .finally(() => this._pending.delete(pending))
    this._pending.add(pending)
  }

  /** A new token replaces any earlier one: its hash and expiry are stored, the token itself only mailed. */
  private async mailToken(user: Record<string, any>) {
    const { token, expires, ttlMinutes } = this.recovery.emailToken!
    const secret = randomBytes(32).toString('base64url')
    const value = `${user._id}.${secret}`
    await this.adapter.patch(user._id, { [token]: secret, [expires]: new Date(Date.now() + ttlMinutes * 60_000).toISOString() }, { audit: { method: 'passwordRecovery' } })
    const link = this._options.resetUrl ? new URL(this._options.resetUrl) : undefined
    link?.searchParams.set('token', value)
    await this._mailer.send({
      to: user.email,
      subject: 'Reset your password',
      text: [
        'Someone asked to reset the password of your account. If it was not you, ignore this message.',
        '',
        link ? `To choose a new password, open ${link.href}` : 'To choose a new password, send this token with it to POST /password-reset:',
        '',
        `Reset token: ${value}`,
        '',
        `The token works once, within ${ttlMinutes} minutes.`
      ].join('\n')
    })
  }

  /** Mails still being sent finish before the store closes. */
  async teardown() {
    await Promise.all([...this._pending])
    this._mailer.close()
  }
}

/** `POST /password-reset { token, password }` or `{ email, answer, password }`. */
export class PasswordResets extends RecoveryBase {
  private _validate = compile(dataAjv, passwordResetRequestSchema(this._users))

  async create(data: unknown, params: Params = {}) {
    const input = await validInput(this._validate, body(data, 'password reset'), 'password reset')
    const { securityQuestion, emailToken } = this.recovery
    const password = required(input, 'password', 'password reset')
    if (emailToken && input.token !== undefined) return this.byToken(required(input, 'token', 'password reset'), password, params)
    if (securityQuestion && input.answer !== undefined) {
      const email = normalizeEmail(required(input, 'email', 'password reset'))
      const answer = required(input, 'answer', 'password reset')
      return this.attempt(`answer:${email}`, params, () => this.byAnswer(email, answer, password))
    }
    const expected = [emailToken && '{ token, password }', securityQuestion && '{ email, answer, password }'].filter(Boolean).join(' or ')
    throw new BadRequest(`Invalid password reset: send ${expected}`)
  }

  private attempt<T>(key: string, params: Params, run: () => Promise<T>) {
    return params.provider ? this._limiter.attempt(key, run) : run()
  }

  private async byAnswer(email: string, answer: string, password: string) {
    const user = await this.userByEmail(email)
    await this.strategy.verifyHash(user?.[this.recovery.securityQuestion!.answer], answer, WRONG_ANSWER)
    return this.reset(user!, password, {})
  }

  private async byToken(value: string, password: string, params: Params) {
    const dot = value.indexOf('.')
    const id = value.slice(0, dot)
    const secret = value.slice(dot + 1)
    if (dot < 1 || !secret) throw new NotAuthenticated(BAD_TOKEN)
    const { token, expires } = this.recovery.emailToken!
    return this.attempt(`token:${id}`, params, async () => {
      const user = await this.adapter._get(id).catch(() => undefined)
      await this.strategy.verifyHash(user?.[token], secret, BAD_TOKEN)
      if (!(Date.parse(user![expires]) > Date.now())) throw new NotAuthenticated(BAD_TOKEN)
      // Only while the token is still the stored one: of two resets with one token, the second finds it gone.
      return this.reset(user!, password, { [token]: user![token] })
    })
  }

  /** The new password (validated as any), the token gone; every session of the account ends with the change. */
  private async reset(user: Record<string, any>, password: string, unchanged: Record<string, unknown>) {
    const emailToken = this.recovery.emailToken
    const clear = emailToken ? { [emailToken.token]: null, [emailToken.expires]: null } : {}
    await this._app.store.transaction(() =>
      this.adapter.patch(user._id, { password, ...clear }, { query: unchanged, audit: { method: 'passwordReset' } }).catch((error: any) => {
        throw error?.code === 404 ? new NotAuthenticated(BAD_TOKEN) : error
      })
    )
    return { message: 'The password was changed and every session of this account ended: log in with the new password' }
  }
}
