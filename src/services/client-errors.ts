// Requests Node's HTTP parser refuses before any middleware runs (a request line or headers over the limit, a
// malformed request): answered as the API's other errors are, a Feathers error in JSON, instead of Node's bare status line.
import type { Server } from 'node:http'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { BadRequest, FeathersError, Timeout } from '@feathersjs/errors'

/** The parser's error codes that mean "too large" or "too slow"; every other parse error is a 400. */
const ERROR_OF: Record<string, () => FeathersError> = {
  HPE_HEADER_OVERFLOW: () =>
    new FeathersError(
      `The request line and headers are over ${Math.round(maxHeaderSize / 1024)} kB: shorten the query (fewer or shorter values)`,
      'RequestHeaderFieldsTooLarge',
      431,
      'request-header-fields-too-large',
      undefined
    ),
  ERR_HTTP_REQUEST_TIMEOUT: () => new Timeout('The request took too long to arrive')
}

export function answerClientErrors(server: Server) {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }) => {
    // A connection reset by the client, or one whose response has begun, cannot take an answer (as Node's own handler).
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) return socket.destroy()
    const answer = ERROR_OF[error.code ?? '']?.() ?? new BadRequest('The request could not be read as HTTP')
    const body = JSON.stringify(answer.toJSON())
    socket.end(
      `HTTP/1.1 ${answer.code} ${STATUS_CODES[answer.code]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    )
  })
}
