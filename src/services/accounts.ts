// The account services a blueprint's user collection declares: `sign-up` (auth.signUp), `password-recovery` and
// `password-reset` (auth.recovery); each with its own attempt limits, shared through Redis with REDIS_URL.
import type { EngineApp, Settings } from '../engine.js'
import { ACCOUNT_PATHS } from '../schemas/sanitize.js'
import type { Collection } from '../schemas/types.js'
import { AttemptLimiter } from './login-limit.js'
import { Mailer } from './mail.js'
import { PasswordResets, RecoveryRequests } from './recovery.js'
import { SignUpService } from './sign-up.js'

export const ACCOUNT_DEFAULTS = { signUpsPerIp: 10, signUpWindowSeconds: 3600, recoveryAttempts: 5 }

export function setupAccounts(app: EngineApp, users: Collection, settings: Settings, shared: { sharedKey: string; secret: string }) {
  const { signUp, recovery } = users.auth ?? {}
  const redis = () => (app as any).sync?.pub
  const windowSeconds = settings.loginWindowSeconds ?? 900
  const attempts = settings.recoveryAttempts ?? ACCOUNT_DEFAULTS.recoveryAttempts
  const only = { methods: ['create'], events: [] }
  if (signUp) {
    const limiter = new AttemptLimiter(
      {
        name: 'sign-up',
        attempts: settings.signUpsPerIp ?? ACCOUNT_DEFAULTS.signUpsPerIp,
        windowSeconds: settings.signUpWindowSeconds ?? ACCOUNT_DEFAULTS.signUpWindowSeconds,
        sharedKey: shared.sharedKey,
        refusal: 'Too many sign-ups from this address',
        forgiving: false
      },
      redis
    )
    app.use(ACCOUNT_PATHS.signUp, new SignUpService(app, users, limiter), only)
  }
  if (recovery) {
    const mailer = new Mailer({ smtpUrl: settings.smtpUrl, from: settings.mailFrom })
    const base = { attempts, windowSeconds, sharedKey: shared.sharedKey }
    const requests = new AttemptLimiter({ ...base, name: 'recovery-request', refusal: 'Too many recovery requests for this address', forgiving: false }, redis)
    const answers = new AttemptLimiter({ ...base, name: 'recovery', refusal: 'Too many wrong answers or tokens for this account', forgiving: true }, redis)
    app.use(ACCOUNT_PATHS.recovery, new RecoveryRequests(app, users, answers, requests, mailer, { secret: shared.secret, resetUrl: settings.passwordResetUrl }), only)
    app.use(ACCOUNT_PATHS.reset, new PasswordResets(app, users, answers), only)
  }
}
