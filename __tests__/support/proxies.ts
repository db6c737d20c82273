import { afterAll } from '@jest/globals'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

// Test doubles for a corporate network: a forward proxy that only tunnels (CONNECT), and an https
// server for a host name that only that proxy can resolve.

export interface ConnectProxy {
  /** http://127.0.0.1:<port>, to put in HTTPS_PROXY or HTTP_PROXY. */
  url: string
  /** Every CONNECT target as asked for, e.g. `wpe.test:443`. */
  connects: string[]
  /** The Proxy-Authorization header of every CONNECT. */
  authorizations: (string | undefined)[]
  /** Plain forward requests (an absolute URI instead of CONNECT): answered 502, recorded here. */
  forwarded: string[]
  /** Every byte a client sent into a tunnel: what the proxy could read of the traffic. */
  tunnelled(): Buffer
  /** Connections from clients still open. */
  openConnections(): number
  close(): Promise<void>
}

export interface ConnectProxyOptions {
  /** Names the proxy resolves itself (to 127.0.0.1); CONNECT to any other name gets 502. */
  hosts?: string[]
  /** Answer every CONNECT with this status instead of opening the tunnel (e.g. 407). */
  refuse?: number
  /** Never answer CONNECT at all. */
  hang?: boolean
}

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const hosts = new Set(options.hosts ?? [])
  const connects: string[] = []
  const authorizations: (string | undefined)[] = []
  const forwarded: string[] = []
  const tunnelled: Buffer[] = []
  const sockets = new Set<net.Socket>()
  const server = http.createServer((req, res) => {
    forwarded.push(`${req.method} ${req.url}`)
    res.writeHead(502).end()
  })
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? ''
    connects.push(target)
    authorizations.push(req.headers['proxy-authorization'])
    client.on('error', () => client.destroy())
    // The server's sockets are half-open: when the client hangs up, hang up too.
    client.on('end', () => client.destroy())
    if (options.hang) return
    if (options.refuse) return void client.end(`HTTP/1.1 ${options.refuse} Refused\r\nContent-Length: 0\r\n\r\n`)
    const colon = target.lastIndexOf(':')
    const [host, port] = [target.slice(0, colon), Number(target.slice(colon + 1))]
    if (!hosts.has(host)) return void client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) {
        tunnelled.push(head)
        upstream.write(head)
      }
      client.on('data', (chunk: Buffer) => tunnelled.push(chunk))
      client.pipe(upstream)
      upstream.pipe(client)
    })
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    authorizations,
    forwarded,
    tunnelled: () => Buffer.concat(tunnelled),
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/**
 * CONNECT proxies for one test file: the function returned starts one, with `defaults` under the
 * options it is given, and remembers it; all are closed after the file.
 */
export function useConnectProxies(defaults: ConnectProxyOptions = {}): (options?: ConnectProxyOptions) => Promise<ConnectProxy> {
  const proxies: ConnectProxy[] = []
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()))
  })
  return async (options = {}) => {
    const p = await startConnectProxy({ ...defaults, ...options })
    proxies.push(p)
    return p
  }
}

/** Waits until `condition()` holds (looked at every 10 ms, for at most `ms`): for what a proxy sees of connections, which no event announces. */
export async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export interface TlsFront {
  /** https://<name>:<port> */
  origin: string
  port: number
  /** Requests the front received. */
  requests: string[]
  close(): Promise<void>
}

/**
 * An https server for `name` in front of a plain-http server at `target` (the simulator): requests
 * are passed on, and `target` in JSON answers (pagination and download links) becomes this front's
 * origin, so that every link the action follows leads back through the proxy.
 */
export async function startTlsFront(target: string, tls: { cert: Buffer; key: Buffer }, name: string): Promise<TlsFront> {
  const requests: string[] = []
  const sockets = new Set<net.Socket>()
  let origin = ''
  const server = https.createServer(tls, (req, res) => {
    requests.push(`${req.method} ${req.url}`)
    const upstream = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host }, agent: false },
      (answer) => {
        const headers = { ...answer.headers }
        if (!String(headers['content-type'] ?? '').includes('json')) {
          res.writeHead(answer.statusCode ?? 502, headers)
          answer.pipe(res)
          return
        }
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replaceAll(target, origin))
          delete headers['transfer-encoding']
          res.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(body.length) })
          res.end(body)
        })
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('secureConnection', (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await listen(server)
  origin = `https://${name}:${port}`
  return {
    origin,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
