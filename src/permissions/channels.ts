// Realtime: every event goes only to connections whose ability may read the record, each with its own field mask.
import type { Application, HookContext, RealTimeConnection } from '@feathersjs/feathers'
import { Channel } from '@feathersjs/transport-commons/lib/channels/channel/base.js'
import type { Permissions } from './abilities.js'
import { maskRecord } from './access.js'
import { withoutSecrets } from '../hooks/secrets.js'
import { sessionEnded, tokenStartedAt } from '../services/authentication.js'
import { hideMasked } from '../hooks/workflows/masking.js'
import type { Collection } from '../schemas/types.js'
import type { Revocations } from '../services/revocations.js'

/** The claims of the token a connection logged in with (already verified at login; only read here). */
function tokenClaims(connection: any): { iat?: number; jti?: string } {
  const token: string | undefined = connection.authentication?.accessToken
  try {
    return token ? JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) : {}
  } catch {
    return {}
  }
}

export const ANONYMOUS = 'anonymous'
export const AUTHENTICATED = 'authenticated'

/** Connections start anonymous, move to `authenticated` at login and back at logout. */
export function setupChannels(app: any, usersCollection: Collection, revocations: Revocations) {
  app.on('connection', (connection: RealTimeConnection) => app.channel(ANONYMOUS).join(connection))
  app.on('login', (_result: unknown, { connection }: any) => {
    if (!connection) return
    app.channel(ANONYMOUS).leave(connection)
    app.channel(AUTHENTICATED).join(connection)
  })
  app.on('logout', (_result: unknown, { connection }: any) => {
    if (!connection) return
    app.channel(AUTHENTICATED).leave(connection)
    app.channel(ANONYMOUS).join(connection)
  })
  // A connection's user changes with its record, so its next event is judged with the new role and values.
  const users = app.service(usersCollection.name)
  const refresh = (user: any) => {
    for (const connection of app.channel(AUTHENTICATED).connections) {
      if (!connection.user || String(connection.user._id) !== String(user._id)) continue
      // A deactivated account's open connections, and those logged in before a password change, hear nothing more.
      if (sessionEnded(usersCollection, user, tokenStartedAt(tokenClaims(connection).iat))) app.channel(AUTHENTICATED).leave(connection)
      else connection.user = withoutSecrets(usersCollection, user)
    }
  }
  users.on('patched', refresh)
  users.on('updated', refresh)
  // A token logged out anywhere (another socket, REST, another instance): its open sockets hear nothing more, and their calls get 401.
  revocations.onRevoked((jti) => {
    for (const connection of app.channel(AUTHENTICATED).connections) {
      if (tokenClaims(connection).jti === jti) app.channel(AUTHENTICATED).leave(connection)
    }
  })
  users.on('removed', (user: any) => {
    for (const connection of app.channel(AUTHENTICATED).connections) {
      if (connection.user && String(connection.user._id) === String(user._id)) app.channel(AUTHENTICATED).leave(connection)
    }
  })
}

/** The publisher of a collection: one single-connection channel per permitted receiver, carrying its masked record. */
export function permittedPublisher(app: Application, collection: Collection, permissions: Permissions) {
  return async (data: any, _context: HookContext) => {
    const record = withoutSecrets(collection, data)
    const channels: Channel[] = []
    const connections = (app as any).channel(ANONYMOUS, AUTHENTICATED).connections as RealTimeConnection[]
    for (const connection of connections) {
      const ability = await permissions.abilityFor(connection.user)
      const masked = maskRecord(ability, collection.name, record, collection.fields)
      if (masked) channels.push(new Channel([connection], hideMasked(ability, collection, masked)))
    }
    return channels
  }
}
