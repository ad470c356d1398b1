// The generated client's runtime: Feathers client pieces wired for a blueprint's services. Shipped as `runtime.js` in each package.
import { feathers, type Application, type Params, type TransportConnection } from '@feathersjs/feathers'
import restModule from '@feathersjs/rest-client'
import socketioModule from '@feathersjs/socketio-client'
import authenticationModule, { MemoryStorage, type AuthenticationClientOptions } from '@feathersjs/authentication-client'
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client'

/** What the client needs to know of a service: its methods (declared actions included) and custom events. */
export interface ServiceDescription {
  methods: string[]
  events: string[]
}

/** The packages are CommonJS: Node hands an ESM importer `module.exports`, bundlers may hand `exports.default`; both carry `.default`. */
const interop = <T>(module: { default: T }): T => (module as any).default ?? module
const restClient = interop(restModule)
const socketioClient = interop(socketioModule)
const authenticationClient = interop(authenticationModule)

/** A REST connection over `fetch` (the browser's, or Node's own). */
export function restConnection(url: string, fetchImplementation: typeof fetch = globalThis.fetch.bind(globalThis)): TransportConnection<any> {
  return restClient(url).fetch(fetchImplementation)
}

/** A Socket.io connection from a URL (a new socket) or a socket the caller made. */
export function socketConnection(socket: string | Socket, options: Partial<ManagerOptions & SocketOptions> = {}): TransportConnection<any> {
  // `as any`: socket.io-client ships ESM and CJS typings of the same Socket, which TypeScript holds apart.
  return socketioClient((typeof socket === 'string' ? io(socket, options) : socket) as any)
}

const hasLocalStorage = () => {
  try {
    return typeof window !== 'undefined' && !!window.localStorage
  } catch {
    return false
  }
}

export function createFeathersClient(
  connection: TransportConnection<any>,
  authenticationOptions: Partial<AuthenticationClientOptions> = {},
  services: Record<string, ServiceDescription>
): Application & { login: (credentials: Record<string, unknown>, params?: Params) => Promise<any> } {
  const client = feathers() as any
  client.configure(connection)
  // Outside a browser Feathers keeps tokens in one process-wide memory store; each client gets its own instead.
  const storage = authenticationOptions.storage ?? (hasLocalStorage() ? undefined : new MemoryStorage())
  client.configure(authenticationClient({ ...authenticationOptions, ...(storage ? { storage } : {}) }))
  client.set('connection', connection)
  for (const [path, { methods }] of Object.entries(services)) {
    // Only `methods`: a socket service must keep its own event list, or Feathers would re-emit server events to the server.
    client.use(path, connection.service(path), { methods })
  }
  client.login = (credentials: Record<string, unknown>, params?: Params) => client.authenticate({ strategy: 'local', ...credentials }, params)
  return client
}
