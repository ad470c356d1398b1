// Seed 002 §1–2: users (Outlook and Google accounts, tokens encrypted) and their calendars.
import { DateTime, Email, Enum, Password, Ref, Secret, Type, defineCollection } from '../../schemas/fields.js'
import { auditFields, auditStamps, hexColor, name, owner, timestamps } from './fields.js'
import { calendarSync } from './sync.js'

const group = 'Accounts'
const token = (description: string) => Type.Optional(Secret({ maxLength: 8192, description }))

export const users = defineCollection({
  name: 'users',
  schema: Type.Object({
    outlook_user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Unique Outlook user identifier' })),
    email: Email(),
    display_name: name(),
    role: Enum(['admin', 'user'], { default: 'user' }),
    // Encrypted at rest (AES-256-GCM), never returned to any caller, in events or exports.
    access_token: token('Encrypted OAuth access token'),
    refresh_token: token('Encrypted OAuth refresh token'),
    token_expires_at: Type.Optional(DateTime()),
    google_connected: Type.Boolean({ default: false }),
    google_access_token: token('Encrypted Google access token'),
    google_refresh_token: token('Encrypted Google refresh token'),
    // Added to the seed's fields for sign-in with Google: the Google account's id, and when its access token expires.
    google_user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Google account identifier (ID token sub)' })),
    google_token_expires_at: Type.Optional(DateTime()),
    last_login: Type.Optional(DateTime()),
    // Added to the seed's fields: a local password, for email + password login (administrators).
    password: Type.Optional(Password()),
    ...auditFields
  }),
  auth: {
    roleField: 'role',
    roleBy: 'name',
    // Sign in with Microsoft (Outlook) or Google, or connect Google to a signed-in account; new users get the default role `user`.
    oauth: {
      microsoft: {
        // The Graph user id is the ID token's `oid`; Entra vouches for an e-mail address with the optional claim `xms_edov`.
        idField: 'outlook_user_id',
        idClaim: 'oid',
        emailVerifiedClaim: 'xms_edov',
        scope: ['openid', 'email', 'profile', 'offline_access', 'Calendars.ReadWrite'],
        tokens: { access: 'access_token', refresh: 'refresh_token', expiresAt: 'token_expires_at' },
        profile: { display_name: ['name', 'email'] },
        lastLoginField: 'last_login'
      },
      google: {
        idField: 'google_user_id',
        scope: ['openid', 'email', 'profile', 'https://www.googleapis.com/auth/calendar'],
        // Google gives a refresh token only for offline access, asked with consent.
        authorizeParams: { access_type: 'offline', prompt: 'consent' },
        tokens: { access: 'google_access_token', refresh: 'google_refresh_token', expiresAt: 'google_token_expires_at' },
        connectedField: 'google_connected',
        profile: { display_name: ['name', 'email'] },
        lastLoginField: 'last_login'
      }
    }
  },
  timestamps,
  generate: auditStamps,
  indexes: [
    // Sparse: accounts made locally (an administrator) have no Outlook id, and MongoDB counts missing as a value.
    { fields: { outlook_user_id: 1 }, unique: true, sparse: true },
    { fields: { google_user_id: 1 }, unique: true, sparse: true },
    { fields: { email: 1 }, unique: true },
    { fields: { role: 1 } }
  ],
  admin: { titleField: 'display_name', listFields: ['display_name', 'email', 'role', 'google_connected', 'last_login'], group }
})

export const calendars = defineCollection({
  name: 'calendars',
  schema: Type.Object({
    user_id: owner(),
    outlook_calendar_id: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    name: name(),
    color: Type.Optional(hexColor()),
    is_primary: Type.Boolean({ default: false }),
    can_edit: Type.Boolean({ default: true }),
    is_active: Type.Boolean({ default: true, description: 'Whether to sync this calendar' }),
    google_calendar_id: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    sync_enabled: Type.Boolean({ default: false, description: 'Cross-platform sync enabled' }),
    last_synced: Type.Optional(DateTime()),
    // Added to the seed's fields: where the next sync starts (Graph's delta link, Google's sync token), kept by the engine.
    outlook_delta_link: Type.Optional(Type.String({ maxLength: 4000, readOnly: true, description: 'Microsoft Graph @odata.deltaLink of the last sync' })),
    google_sync_token: Type.Optional(Type.String({ maxLength: 4000, readOnly: true, description: 'Google Calendar nextSyncToken of the last sync' })),
    // Added: Google ids of events deleted here, to delete at Google on the next sync.
    google_removals: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000, readOnly: true, description: 'Deleted here, to delete at Google' })),
    ...auditFields
  }),
  timestamps,
  generate: auditStamps,
  // Seed 002's purpose: active calendars with sync enabled pull Outlook's changes and push to / pull from Google.
  connector: calendarSync,
  indexes: [
    { fields: { user_id: 1 } },
    // Sparse: a calendar made here (or only on Google) has no Outlook id yet.
    { fields: { outlook_calendar_id: 1 }, unique: true, sparse: true },
    { fields: { user_id: 1, is_active: 1 } }
  ],
  admin: { titleField: 'name', listFields: ['name', 'user_id', 'is_primary', 'is_active', 'sync_enabled', 'last_synced'], group }
})

/** The calendar an event lives in must be its owner's (a Ref kept inside the user). */
export const calendarOfOwner = () => Ref('calendars', { onDelete: 'cascade', sameAs: ['user_id'] })
