// Requests Node's HTTP parser refuses before any middleware runs (a request line or headers over the limit, a
// malformed request): answered as the API's other errors are, a Feathers error in JSON, instead of Node's bare status line.
import type { Server } from 'node:http'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'

/** The parser's error codes that mean "too large" or "too slow"; every other parse error is a 400. */
const STATUS_OF: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 }
const NAME_OF: Record<number, string> = { 400: 'BadRequest', 408: 'Timeout', 431: 'RequestHeaderFieldsTooLarge' }
const MESSAGE_OF: Record<number, string> = {
  400: 'The request could not be read as HTTP',
  408: 'The request took too long to arrive',
  431: `The request line and headers are over ${Math.round(maxHeaderSize / 1024)} kB: shorten the query (fewer or shorter values)`
}

export function answerClientErrors(server: Server) {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }) => {
    // A connection reset by the client, or one whose response has begun, cannot take an answer (as Node's own handler).
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) return socket.destroy()
    const status = STATUS_OF[error.code ?? ''] ?? 400
    const className = NAME_OF[status].replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase()
    const body = JSON.stringify({ name: NAME_OF[status], message: MESSAGE_OF[status], code: status, className })
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    )
  })
}
