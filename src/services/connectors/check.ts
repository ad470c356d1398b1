// A connector declaration checked against the schemas at start, the providers the engine has, and the settings of both.
import type { Settings } from '../../engine.js'
import { DeclarationError } from '../../schemas/sanitize.js'
import type { Collection, ConnectorProviderInput } from '../../schemas/types.js'
import { googleCalendar } from './google-calendar.js'
import { graphCalendar } from './graph-calendar.js'
import { HTTP_DEFAULTS, type HttpOptions } from './http.js'
import type { ProviderFactory } from './provider.js'

/** The engine's providers by kind, with the setting of their base URL. */
export const PROVIDERS: Record<ConnectorProviderInput['kind'], { factory: ProviderFactory; url: keyof Settings; defaultUrl: string }> = {
  'graph-calendar': { factory: graphCalendar, url: 'graphUrl', defaultUrl: 'https://graph.microsoft.com/v1.0' },
  'google-calendar': { factory: googleCalendar, url: 'googleCalendarUrl', defaultUrl: 'https://www.googleapis.com/calendar/v3' }
}

/** Declarations checked against the schemas, once the blueprint's collections are known. */
export function checkConnectors(collections: Collection[], oauthNames: string[]) {
  for (const collection of collections) {
    const connector = collection.connector
    if (!connector) continue
    const where = `collection "${collection.name}" connector`
    const own = collection.schema.properties ?? {}
    const records = collections.find((c) => c.name === connector.records.collection)
    const log = collections.find((c) => c.name === connector.log.collection)
    if (!records) throw new DeclarationError(where, `records.collection "${connector.records.collection}" is not a collection`)
    if (!log) throw new DeclarationError(where, `log.collection "${connector.log.collection}" is not a collection`)
    const fieldsOf = (c: Collection) => c.schema.properties ?? {}
    const need = (c: Collection, field: string, what: string) => {
      if (!fieldsOf(c)[field]) throw new DeclarationError(where, `${what} "${field}" is not a field of "${c.name}"`)
    }
    need(collection, connector.owner, 'owner')
    if (connector.lastSynced) need(collection, connector.lastSynced, 'lastSynced')
    need(records, connector.records.parent, 'records.parent')
    need(records, connector.records.owner, 'records.owner')
    if (!records.references.some((ref) => ref.path === connector.records.parent && ref.collection === collection.name)) {
      throw new DeclarationError(where, `records.parent "${connector.records.parent}" must reference "${collection.name}"`)
    }
    const status = connector.status
    for (const field of [status.field, status.errors, status.at, status.state]) need(records, field, 'status')
    for (const value of [status.synced, status.pending, status.error]) {
      if (!fieldsOf(records)[status.field].enum?.includes(value)) throw new DeclarationError(where, `status value "${value}" is not in "${status.field}"'s Enum`)
    }
    for (const field of Object.keys(connector.fields)) need(records, field, 'mapped field')
    for (const field of connector.internal) {
      need(records, field, 'internal field')
      if (connector.fields[field]) throw new DeclarationError(where, `"${field}" is internal: it may not be mapped to a provider field`)
    }
    const l = connector.log
    for (const field of [l.owner, l.status.field, ...Object.values(l.counts), l.errors.field, l.startedAt, l.completedAt, l.duration]) need(log, field, 'log')
    for (const [name, provider] of Object.entries(connector.providers)) {
      if (!PROVIDERS[provider.kind]) throw new DeclarationError(where, `provider "${name}": unknown kind "${provider.kind}"`)
      if (!oauthNames.includes(provider.oauth)) throw new DeclarationError(where, `provider "${name}": "${provider.oauth}" is not an OAuth provider of the user collection`)
      if (provider.push && provider.kind !== 'google-calendar') throw new DeclarationError(where, `provider "${name}": push is only for google-calendar`)
      need(collection, provider.remoteId, `provider "${name}" remoteId`)
      need(collection, provider.cursor, `provider "${name}" cursor`)
      if (!own[provider.cursor].readOnly) throw new DeclarationError(where, `provider "${name}": cursor "${provider.cursor}" is the engine's: declare it readOnly`)
      if (provider.removals) {
        if (!provider.push) throw new DeclarationError(where, `provider "${name}": removals needs push`)
        need(collection, provider.removals, `provider "${name}" removals`)
        if (own[provider.removals].type !== 'array' || !own[provider.removals].readOnly) throw new DeclarationError(where, `provider "${name}": removals "${provider.removals}" must be a readOnly array`)
      }
      need(records, provider.id, `provider "${name}" id`)
      need(records, provider.etag, `provider "${name}" etag`)
      if (!fieldsOf(records)[status.state].properties?.[name]) throw new DeclarationError(where, `status.state "${status.state}" needs a property "${name}"`)
    }
  }
}

export interface ConnectorSettings {
  http: HttpOptions
  /** Overrides every declared schedule's cron; `off`: no scheduled runs (on-demand ones only). */
  schedule?: string
  urls: Partial<Record<ConnectorProviderInput['kind'], string>>
}

export function connectorSettings(settings: Settings): ConnectorSettings {
  const http = {
    retries: settings.syncRetries ?? HTTP_DEFAULTS.retries,
    backoffMs: settings.syncBackoffMs ?? HTTP_DEFAULTS.backoffMs,
    maxRetryAfterSeconds: settings.syncMaxRetryAfterSeconds ?? HTTP_DEFAULTS.maxRetryAfterSeconds
  }
  if (!(Number.isInteger(http.retries) && http.retries >= 0)) throw new Error(`syncRetries (SYNC_RETRIES) must be a whole number, not "${settings.syncRetries}"`)
  if (!(http.backoffMs >= 0)) throw new Error(`syncBackoffMs (SYNC_BACKOFF_MS) must be a number of ms, not "${settings.syncBackoffMs}"`)
  if (!(http.maxRetryAfterSeconds >= 0)) throw new Error(`syncMaxRetryAfterSeconds (SYNC_MAX_RETRY_AFTER_SECONDS) must be a number of seconds, not "${settings.syncMaxRetryAfterSeconds}"`)
  const urls: ConnectorSettings['urls'] = {}
  for (const [kind, { url, defaultUrl }] of Object.entries(PROVIDERS)) urls[kind as ConnectorProviderInput['kind']] = (settings[url] as string | undefined) || defaultUrl
  return { http, schedule: settings.syncSchedule || undefined, urls }
}

