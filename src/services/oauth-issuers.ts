// An OpenID Connect provider as the engine talks to it: its endpoints (from the issuer's discovery document unless
// configured), its ID tokens verified against its published keys, and its token endpoint (code exchange is Grant's;
// refreshing is ours). Settings come from OAUTH_<NAME>_… variables.
import { BadRequest, NotAuthenticated, NotFound, Unavailable } from '@feathersjs/errors'
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'

/** What a deployment configures per declared provider. */
export interface OAuthProviderSettings {
  clientId: string
  clientSecret: string
  /** The `iss` of the provider's ID tokens (`{tenantid}` stands for the token's `tid`, as Microsoft's common endpoint says); its discovery document is read from `<issuer>/.well-known/openid-configuration`. */
  issuer: string
  /** Override the discovered endpoints. */
  authorizeUrl?: string
  tokenUrl?: string
  jwksUrl?: string
}

/** Environment variable suffixes of each setting: `OAUTH_MICROSOFT_CLIENT_ID`, … */
export const OAUTH_VARIABLES: Record<keyof OAuthProviderSettings, string> = {
  clientId: 'CLIENT_ID',
  clientSecret: 'CLIENT_SECRET',
  issuer: 'ISSUER',
  authorizeUrl: 'AUTHORIZE_URL',
  tokenUrl: 'TOKEN_URL',
  jwksUrl: 'JWKS_URL'
}

/** Every `OAUTH_<NAME>_<SETTING>` variable, grouped by provider name (lower-cased). */
export function oauthSettingsFromEnv(env: Record<string, string | undefined>): Record<string, Partial<OAuthProviderSettings>> {
  const providers: Record<string, Partial<OAuthProviderSettings>> = {}
  const suffixes = Object.entries(OAUTH_VARIABLES)
  for (const [variable, value] of Object.entries(env)) {
    if (!value) continue
    for (const [setting, suffix] of suffixes) {
      const match = new RegExp(`^OAUTH_([A-Z][A-Z0-9]*)_${suffix}$`).exec(variable)
      if (match) (providers[match[1].toLowerCase()] ??= {})[setting as keyof OAuthProviderSettings] = value
    }
  }
  return providers
}

/** The settings of one provider, complete, or a start-up error naming the missing variable. */
export function checkProviderSettings(name: string, given: Partial<OAuthProviderSettings>): OAuthProviderSettings {
  for (const setting of ['clientId', 'clientSecret', 'issuer'] as const) {
    if (!given[setting]) throw new Error(`Sign-in with ${name}: OAUTH_${name.toUpperCase()}_${OAUTH_VARIABLES[setting]} must be set too`)
  }
  for (const setting of ['issuer', 'authorizeUrl', 'tokenUrl', 'jwksUrl'] as const) {
    if (given[setting] && !URL.canParse(given[setting]!)) throw new Error(`Sign-in with ${name}: OAUTH_${name.toUpperCase()}_${OAUTH_VARIABLES[setting]} must be a URL, not "${given[setting]}"`)
  }
  return given as OAuthProviderSettings
}

export interface Endpoints {
  authorization: string
  token: string
  jwks: string
}

/** A token endpoint's answer (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token?: string
  refresh_token?: string
  id_token?: string
  expires_in?: number | string
}

const TIMEOUT_MS = 10_000

export class Issuer {
  private _endpoints?: Promise<Endpoints>
  private _keys?: ReturnType<typeof createRemoteJWKSet>

  constructor(
    readonly name: string,
    readonly settings: OAuthProviderSettings
  ) {}

  /** Read once; a failed read is tried again at the next sign-in. */
  endpoints(): Promise<Endpoints> {
    this._endpoints ??= this.discover().catch((error) => {
      this._endpoints = undefined
      throw error
    })
    return this._endpoints
  }

  private async discover(): Promise<Endpoints> {
    const { issuer, authorizeUrl, tokenUrl, jwksUrl } = this.settings
    if (authorizeUrl && tokenUrl && jwksUrl) return { authorization: authorizeUrl, token: tokenUrl, jwks: jwksUrl }
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
    let document: Record<string, unknown>
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      document = await response.json()
    } catch (error: any) {
      throw new Unavailable(`Sign-in with ${this.name} is unavailable: its discovery document ${url} could not be read (${error.message}); try again later`)
    }
    const endpoints = { authorization: authorizeUrl ?? document.authorization_endpoint, token: tokenUrl ?? document.token_endpoint, jwks: jwksUrl ?? document.jwks_uri }
    for (const [what, value] of Object.entries(endpoints)) {
      if (typeof value !== 'string' || !URL.canParse(value)) throw new Unavailable(`Sign-in with ${this.name} is unavailable: ${url} gives no ${what} endpoint`)
    }
    return endpoints as Endpoints
  }

  /** The ID token's claims once its signature (the issuer's published keys), issuer, audience (our client id) and expiry hold; else 401. */
  async verifyIdToken(idToken: unknown): Promise<JWTPayload> {
    if (typeof idToken !== 'string') throw new NotAuthenticated(`${this.name} answered without an ID token (is the openid scope granted?)`)
    const { jwks } = await this.endpoints()
    this._keys ??= createRemoteJWKSet(new URL(jwks), { timeoutDuration: TIMEOUT_MS })
    let claims: JWTPayload
    try {
      ;({ payload: claims } = await jwtVerify(idToken, this._keys, { audience: this.settings.clientId, clockTolerance: 60 }))
    } catch (error: any) {
      throw new NotAuthenticated(`The ID token from ${this.name} is not valid: ${error.message}`)
    }
    const issuer = this.settings.issuer.replace('{tenantid}', String(claims.tid ?? '{tenantid}'))
    if (claims.iss !== issuer) throw new NotAuthenticated(`The ID token from ${this.name} is not valid: issued by "${claims.iss}", not "${issuer}"`)
    return claims
  }

  /**
   * A call of the token endpoint with our client's credentials. The provider's refusal (400/401: a revoked or expired
   * grant) is a 401 saying so; anything else (unreachable, 5xx) a 503, worth trying again.
   */
  async tokenRequest(form: Record<string, string>): Promise<TokenResponse> {
    const { token } = await this.endpoints()
    const body = new URLSearchParams({ ...form, client_id: this.settings.clientId, client_secret: this.settings.clientSecret })
    let response: Response
    let answer: any
    try {
      response = await fetch(token, { method: 'POST', body, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) })
      answer = await response.json().catch(() => ({}))
    } catch (error: any) {
      throw new Unavailable(`${this.name}'s token endpoint could not be reached (${error.message}); try again later`)
    }
    if (response.ok && typeof answer?.access_token === 'string') return answer
    const reason = [answer?.error, answer?.error_description].filter((part) => typeof part === 'string').join(': ') || `HTTP ${response.status}`
    if (response.status === 400 || response.status === 401) throw new NotAuthenticated(`${this.name} refused the ${form.grant_type} grant (${reason}); the user must sign in with ${this.name} again`, { provider: this.name, error: answer?.error })
    throw new Unavailable(`${this.name}'s token endpoint failed (${reason}); try again later`)
  }
}

/** A provider's name from a route: declared and configured, else 404 naming those offered. */
export function issuerFor(issuers: Map<string, Issuer>, name: unknown): Issuer {
  const issuer = typeof name === 'string' ? issuers.get(name) : undefined
  if (issuer) return issuer
  const offered = [...issuers.keys()]
  if (typeof name !== 'string') throw new BadRequest('Name the provider to sign in with')
  throw new NotFound(`No sign-in with "${name}" here${offered.length ? ` (offered: ${offered.join(', ')})` : ''}`)
}
