import http from 'node:http'
import https from 'node:https'
import { ProxyAgents, type ProxyEnv } from './proxy.js'

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
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their lowercase forms) from `env` are honoured as
 * @actions/http-client honours them, whatever the Node version (see proxy.ts), as self-hosted
 * runners behind a corporate proxy need. A proxy variable that cannot be used fails the request
 * with a ProxyConfigError, which is not a NetworkError: nothing was sent, and no retry can help.
 */
export function createNodeSend(env: ProxyEnv = {}): ClosableSend {
  const agents = new ProxyAgents(env, true)
  const send: Send = (request, signal) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const isHttps = request.url.protocol === 'https:'
      const agent = agents.agentFor(request.url)
      const headers: Record<string, string> = { ...request.headers }
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body))
      // Until the socket has connected (through the proxy's tunnel, if any), not one byte of the request can have reached the server.
      let connected = false
      let settled = false
      // Node reports an abort only once the request has a socket; a proxy that sits on CONNECT never gives it one.
      const onAbort = (): void => {
        req.destroy()
        fail(signal.reason)
      }
      const fail = (error: unknown): void => {
        if (settled) return
        settled = true
        signal.removeEventListener('abort', onAbort)
        const err = error as NodeJS.ErrnoException
        if (signal.aborted) {
          const reason: unknown = signal.reason
          // The attempt's own time limit ran out: report it like any other lost answer.
          if (reason instanceof DOMException && reason.name === 'TimeoutError') {
            return reject(new NetworkError('no answer within the time limit', 'ETIMEDOUT', connected))
          }
          return reject(reason)
        }
        const tunnel = tunnelFailure(err)
        if (tunnel) return reject(new NetworkError(tunnel, 'EPROXY', connected))
        reject(new NetworkError(err.message, err.code ?? 'ECONNRESET', connected))
      }
      if (signal.aborted) return fail(signal.reason)
      const req = (isHttps ? https : http).request(request.url, { method: request.method, headers, agent, signal })
      signal.addEventListener('abort', onAbort, { once: true })
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
          signal.removeEventListener('abort', onAbort)
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
        })
      })
      req.end(request.body)
    })
  return Object.assign(send, {
    close(): void {
      agents.destroy()
    }
  })
}

/**
 * The proxy would not open a tunnel: the `tunnel` package reports that as ECONNRESET, which would
 * blame the API. The message names the proxy's answer or the cause, never the proxy's password.
 */
function tunnelFailure(error: Error): string | undefined {
  const match = /^tunneling socket could not be established, (?:statusCode=(\d+)|cause=(.*))$/s.exec(error.message)
  if (!match) return error.message === 'got illegal response body from proxy' ? 'the proxy answered CONNECT with a body' : undefined
  return match[1] ? `the proxy refused the tunnel (HTTP ${match[1]})` : `could not reach the proxy: ${match[2]}`
}
