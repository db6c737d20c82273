import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeSend, NetworkError, type HttpResponse } from '../../../src/wpengine/http.js'
import { newAgent, ProxyConfigError, proxyProblem } from '../../../src/wpengine/proxy.js'
import { HttpClient } from '@actions/http-client'
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { rejection as failure } from '../../support/helpers.js'
import { until, useConnectProxies, type ConnectProxy } from '../../support/proxies.js'

// The transport behind a proxy, in process: a CONNECT-only proxy that alone knows the name
// wpe.test, and a plain-http server on loopback behind it. The proxy variables come from the env
// given to createNodeSend, so every test picks its own.

const HOST = 'wpe.test'
let server: http.Server
let port: number
let proxy: ConnectProxy
const newProxy = useConnectProxies({ hosts: [HOST] })

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' })
      for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1024 * 1024, 0x20))
      return res.end()
    }
    if (req.url === '/redirect') return res.writeHead(302, { location: 'http://elsewhere.example/' }).end()
    if (req.url === '/slow') return setTimeout(() => res.writeHead(200).end('{}'), 10_000).unref()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  proxy = await newProxy()
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

/** One GET with a fresh transport on `env`, closed afterwards. */
async function get(url: string, env: NodeJS.ProcessEnv, timeoutMs = 5_000): Promise<HttpResponse> {
  const send = createNodeSend(env)
  try {
    return await send(
      { method: 'GET', url: new URL(url), headers: { authorization: 'Basic dGVzdDp0ZXN0' } },
      AbortSignal.timeout(timeoutMs)
    )
  } finally {
    send.close()
  }
}

describe('createNodeSend behind a proxy', () => {
  it('tunnels through HTTP_PROXY with CONNECT to a host only the proxy knows', async () => {
    const before = proxy.connects.length
    const response = await get(`http://${HOST}:${port}/ok`, { HTTP_PROXY: proxy.url })
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body)).toMatchObject({ path: '/ok' })
    expect(proxy.connects.slice(before)).toEqual([`${HOST}:${port}`])
    expect(proxy.forwarded).toEqual([])
  })

  it('takes http_proxy before HTTP_PROXY, as @actions/http-client does', async () => {
    const lower = await newProxy()
    const upper = await newProxy()
    expect((await get(`http://${HOST}:${port}/ok`, { http_proxy: lower.url, HTTP_PROXY: upper.url })).status).toBe(200)
    expect(lower.connects).toEqual([`${HOST}:${port}`])
    expect(upper.connects).toEqual([])
  })

  it('sends proxy credentials from the URL as Proxy-Authorization, to the proxy only', async () => {
    const p = await newProxy()
    const url = new URL(p.url)
    url.username = 'proxy-user'
    url.password = 'p@ss word'
    expect((await get(`http://${HOST}:${port}/ok`, { HTTP_PROXY: url.href })).status).toBe(200)
    expect(p.authorizations).toEqual([`Basic ${Buffer.from('proxy-user:p@ss word').toString('base64')}`])
  })

  it.each(['wpe.test', '.test', 'WPE.TEST', `wpe.test:PORT`, 'example.com, wpe.test', '*'])(
    'NO_PROXY=%s: the request goes direct, so the name does not resolve',
    async (noProxy) => {
      const p = await newProxy()
      const error = await failure(get(`http://${HOST}:${port}/ok`, { HTTP_PROXY: p.url, NO_PROXY: noProxy.replace('PORT', String(port)) }))
      expect(error).toBeInstanceOf(NetworkError)
      expect((error as NetworkError).code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/)
      expect((error as NetworkError).sent).toBe(false)
      expect(p.connects).toEqual([])
    }
  )

  it.each(['127.0.0.1', 'localhost'])('plain http to %s never goes through the proxy, whatever NO_PROXY says', async (host) => {
    const p = await newProxy()
    const env = { HTTP_PROXY: p.url, http_proxy: p.url, HTTPS_PROXY: p.url, NO_PROXY: '' }
    const response = await get(`http://${host}:${port}/ok`, env)
    expect(response.status).toBe(200)
    expect(p.connects).toEqual([])
    expect(p.forwarded).toEqual([])
  })

  it('a proxy refusing the tunnel (407) is EPROXY and surely not sent', async () => {
    const p = await newProxy({ refuse: 407 })
    const error = await failure(get(`http://${HOST}:${port}/ok`, { HTTP_PROXY: p.url }))
    expect(error).toMatchObject({ code: 'EPROXY', sent: false, message: 'the proxy refused the tunnel (HTTP 407)' })
  })

  it('an unreachable proxy is EPROXY and surely not sent', async () => {
    const error = await failure(get(`http://${HOST}:${port}/ok`, { HTTP_PROXY: 'http://127.0.0.1:1' }))
    expect(error).toMatchObject({ code: 'EPROXY', sent: false })
    expect(error.message).toMatch(/^could not reach the proxy: .*ECONNREFUSED/)
  })

  it('a malformed proxy variable fails before anything is sent, naming it, without its password; no retry is offered', async () => {
    const p = await newProxy()
    const error = await failure(get(`http://${HOST}:${port}/ok`, { HTTP_PROXY: 'http://user:secret@[bad' }))
    expect(error).toBeInstanceOf(ProxyConfigError)
    expect(error).not.toBeInstanceOf(NetworkError)
    expect(error.message).toBe(
      "The proxy variable HTTP_PROXY is set to 'http://***@[bad', which is not a valid URL. Set it to a URL such as http://proxy.example.com:3128, or unset it."
    )
    expect(p.connects).toEqual([])
  })

  it('keeps its guarantees through the tunnel: no redirects followed, the body cap, sent once tunnelled', async () => {
    const env = { HTTP_PROXY: proxy.url }
    expect((await get(`http://${HOST}:${port}/redirect`, env)).status).toBe(302)
    expect(await failure(get(`http://${HOST}:${port}/huge`, env))).toMatchObject({ code: 'E_BODY_TOO_LARGE', sent: true })
    expect(await failure(get(`http://${HOST}:${port}/slow`, env, 300))).toMatchObject({ code: 'ETIMEDOUT', sent: true })
  })

  it('the time limit running out while the proxy sits on CONNECT: ETIMEDOUT, not sent; close() ends the waiting tunnel', async () => {
    const p = await newProxy({ hang: true })
    const send = createNodeSend({ HTTP_PROXY: p.url })
    const error = await failure(
      send({ method: 'POST', url: new URL(`http://${HOST}:${port}/ok`), headers: {}, body: '{}' }, AbortSignal.timeout(200))
    )
    expect(error).toMatchObject({ code: 'ETIMEDOUT', sent: false })
    await until(() => p.connects.length === 1)
    expect(p.openConnections()).toBe(1)
    send.close()
    await until(() => p.openConnections() === 0)
  })

  it('close() ends a tunnel in use, so that the process can exit', async () => {
    const p = await newProxy()
    const send = createNodeSend({ HTTP_PROXY: p.url })
    const pending = failure(send({ method: 'GET', url: new URL(`http://${HOST}:${port}/slow`), headers: {} }, AbortSignal.timeout(5_000)))
    await until(() => p.openConnections() === 1 && p.tunnelled().length > 0)
    send.close()
    expect(await pending).toMatchObject({ sent: true })
    await until(() => p.openConnections() === 0)
  })
})

describe('newAgent', () => {
  it.each([
    ['https through an http proxy, with credentials', 'https://wpe.test/v1', 'http://proxy-user:p%40ss@proxy.example.com:3128'],
    ['https through an https proxy on its default port', 'https://wpe.test/v1', 'https://proxy.example.com'],
    ['http through an http proxy', 'http://wpe.test/v1', 'http://proxy.example.com:8080'],
    ['https direct', 'https://wpe.test/v1', undefined],
    ['http direct', 'http://wpe.test/v1', undefined]
  ])('%s: the agent @actions/http-client would make', (_, target, proxyValue) => {
    const saved = { ...process.env }
    for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY']) delete process.env[name]
    if (proxyValue) process.env[target.startsWith('https:') ? 'HTTPS_PROXY' : 'HTTP_PROXY'] = proxyValue
    try {
      const url = new URL(target)
      const theirs = new HttpClient('wpengine-backup-action', [], { keepAlive: true }).getAgent(target) as unknown as Record<
        string,
        unknown
      >
      const ours = newAgent(url, getProxyUrl(url), true) as unknown as Record<string, unknown>
      expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(theirs))
      for (const key of ['options', 'proxyOptions', 'maxSockets', 'keepAlive', 'defaultPort', 'createSocket', 'request']) {
        expect([key, ours[key]]).toEqual([key, theirs[key]])
      }
      if (proxyValue?.includes('@')) expect(ours.proxyOptions).toMatchObject({ proxyAuth: 'proxy-user:p@ss' })
    } finally {
      process.env = saved
    }
  })
})

describe('proxyProblem', () => {
  const api = new URL('https://api.wpengineapi.com/v1')
  const check = (env: NodeJS.ProcessEnv, url = api) => proxyProblem(url, env)

  it.each([
    ['no proxy at all', {}],
    ['an http proxy', { HTTPS_PROXY: 'http://proxy.example.com:3128' }],
    ['an https proxy with credentials', { HTTPS_PROXY: 'https://user:pa%24s@proxy.example.com' }],
    ['host:port with an IP address (http-client reads it as http://)', { HTTPS_PROXY: '10.0.0.1:3128' }],
    ['an empty value', { HTTPS_PROXY: '' }],
    ['a malformed value for the other scheme', { HTTP_PROXY: 'http://[bad' }],
    ['a malformed value, bypassed by NO_PROXY', { HTTPS_PROXY: 'http://[bad', NO_PROXY: '.wpengineapi.com' }],
    ['a malformed value, shadowed by https_proxy', { https_proxy: 'http://proxy.example.com:3128', HTTPS_PROXY: 'http://[bad' }]
  ])('none for %s', (_, env) => {
    expect(check(env)).toBeUndefined()
  })

  it.each([
    ['http://user:secret@[bad', "'http://***@[bad', which is not a valid URL"],
    ['proxy.example.com:3128', "'proxy.example.com:3128', which is not an http:// or https:// URL"],
    ['socks5://proxy.example.com:1080', "'socks5://proxy.example.com:1080', which is not an http:// or https:// URL"],
    [
      'http://user:%zz-secret@proxy.example.com',
      "'http://***@proxy.example.com', which has a user name or password that is not valid percent-encoding"
    ],
    ['user:se@cret@[::1', "'***@[: :1', which is not an http:// or https:// URL"]
  ])('%s: one line naming the variable, never the password', (value, said) => {
    const problem = check({ HTTPS_PROXY: value })
    expect(problem).toBe(
      `The proxy variable HTTPS_PROXY is set to ${said}. Set it to a URL such as http://proxy.example.com:3128, or unset it.`
    )
    expect(problem).not.toMatch(/secret|se@cret/)
  })

  it('reads https_proxy for https, http_proxy for http, as http-client does', () => {
    const env = { https_proxy: 'http://[bad-https', HTTP_PROXY: 'http://[bad-http' }
    expect(check(env)).toContain('https_proxy')
    expect(check(env, new URL('http://wpe.test/v1'))).toContain('HTTP_PROXY')
  })

  it('none for plain http to loopback, nor for https to loopback (http-client never proxies loopback)', () => {
    const env = { HTTP_PROXY: 'http://[bad', HTTPS_PROXY: 'http://[bad' }
    expect(check(env, new URL('http://127.0.0.1:8787/v1'))).toBeUndefined()
    expect(check(env, new URL('https://localhost:8787/v1'))).toBeUndefined()
  })

  it('leaves process.env as it was', () => {
    const before = { ...process.env }
    check({ HTTPS_PROXY: 'http://[bad', NO_PROXY: 'example.com', https_proxy: '' })
    expect(process.env).toEqual(before)
  })
})
