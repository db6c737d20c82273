import http from 'node:http'
import https from 'node:https'

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers: Record<string, string>
  body?: string
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * Sends one request and reads the whole answer: no retries and no redirects (a 3xx comes back
 * as a response, so credentials never follow it to another host). Fails with a NetworkError,
 * or with the signal's reason when the signal is aborted.
 */
export type Send = (request: HttpRequest, signal: AbortSignal) => Promise<HttpResponse>

/** A request that got no complete answer. `sent` is false only when the request surely never left. */
export class NetworkError extends Error {
  readonly code: string
  readonly sent: boolean
  constructor(message: string, code: string, sent: boolean) {
    super(message)
    this.name = 'NetworkError'
    this.code = code
    this.sent = sent
  }
}

// The API answers in JSON of a few kilobytes; anything past this is not an answer we can use.
const MAX_BODY_BYTES = 4 * 1024 * 1024

/** A Send that can also let go of its connections. */
export type ClosableSend = Send & { close(): void }

/**
 * A Send over node:http and node:https, with keep-alive so that a long wait reuses one connection.
 * HTTP_PROXY, HTTPS_PROXY and NO_PROXY from `env` are honoured (Node 24's built-in proxy support),
 * as self-hosted runners behind a corporate proxy need.
 */
export function createNodeSend(env: NodeJS.ProcessEnv = {}): ClosableSend {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, proxyEnv: env }),
    'https:': new https.Agent({ keepAlive: true, proxyEnv: env })
  }
  const send: Send = (request, signal) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const isHttps = request.url.protocol === 'https:'
      const headers: Record<string, string> = { ...request.headers }
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body))
      // Until the socket has connected, not one byte of the request can have reached the server.
      let connected = false
      let settled = false
      const fail = (error: unknown): void => {
        if (settled) return
        settled = true
        const err = error as NodeJS.ErrnoException
        if (signal.aborted) {
          const reason: unknown = signal.reason
          // The attempt's own time limit ran out: report it like any other lost answer.
          if (reason instanceof DOMException && reason.name === 'TimeoutError') {
            return reject(new NetworkError('no answer within the time limit', 'ETIMEDOUT', connected))
          }
          return reject(reason)
        }
        reject(new NetworkError(err.message, err.code ?? 'ECONNRESET', connected))
      }
      const req = (isHttps ? https : http).request(request.url, {
        method: request.method,
        headers,
        agent: isHttps ? agents['https:'] : agents['http:'],
        signal
      })
      req.on('socket', (socket) => {
        if (!socket.connecting) connected = true
        else socket.once('connect', () => (connected = true))
      })
      req.on('error', fail)
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_BODY_BYTES) {
            res.destroy()
            fail(Object.assign(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`), { code: 'E_BODY_TOO_LARGE' }))
            return
          }
          chunks.push(chunk)
        })
        res.on('error', fail)
        res.on('close', () => {
          if (!res.complete)
            return fail(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }))
          if (settled) return
          settled = true
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
        })
      })
      req.end(request.body)
    })
  return Object.assign(send, {
    close(): void {
      agents['http:'].destroy()
      agents['https:'].destroy()
    }
  })
}
