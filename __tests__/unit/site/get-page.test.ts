import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { getPage, MAX_REDIRECTS } from '../../../src/site/get-page.js'
import { createNodeSend, NetworkError } from '../../../src/wpengine/http.js'

// One look at a site, against a local server: a visitor's GET, redirects followed, and no credentials.

const send = createNodeSend()
const headers: http.IncomingHttpHeaders[] = []
let server: http.Server
let origin = ''

beforeAll(async () => {
  server = http.createServer((req, res) => {
    headers.push(req.headers)
    const url = new URL(req.url ?? '/', origin)
    const hops = Number(url.searchParams.get('hops') ?? 0)
    if (url.pathname === '/hop' && hops > 0) {
      res.writeHead(302, { location: `/hop?hops=${hops - 1}` })
      return res.end()
    }
    if (url.pathname === '/elsewhere') {
      res.writeHead(301, { location: 'ftp://example.com/' })
      return res.end()
    }
    res.writeHead(url.pathname === '/down' ? 503 : 200, { 'content-type': 'text/html' })
    res.end('<h1>Welcome back</h1>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  send.close()
  await new Promise((resolve) => server.close(resolve))
})

const get = (path: string) => getPage(send, new URL(path, origin), AbortSignal.timeout(2_000))

describe('getPage', () => {
  it('GETs the page with no credentials of any kind, and hands back its status and body', async () => {
    headers.length = 0
    await expect(get('/down')).resolves.toEqual({ status: 503, redirects: 0, body: '<h1>Welcome back</h1>' })
    expect(headers).toHaveLength(1)
    expect(Object.keys(headers[0] ?? {}).filter((name) => /authorization|cookie/i.test(name))).toEqual([])
    expect(headers[0]?.['user-agent']).toBe('wpengine-backup-action (site check)')
  })

  it(`follows up to ${MAX_REDIRECTS} redirects, relative ones too; past that the redirect is the answer`, async () => {
    await expect(get(`/hop?hops=${MAX_REDIRECTS}`)).resolves.toMatchObject({ status: 200, redirects: MAX_REDIRECTS })
    await expect(get(`/hop?hops=${MAX_REDIRECTS + 1}`)).resolves.toMatchObject({ status: 302, redirects: MAX_REDIRECTS })
  })

  it('does not follow a redirect away from http and https', async () => {
    await expect(get('/elsewhere')).resolves.toMatchObject({ status: 301, redirects: 0 })
  })

  it('rejects as the transport does when nothing answers', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(getPage(send, new URL(`http://127.0.0.1:${port}/`), AbortSignal.timeout(2_000))).rejects.toBeInstanceOf(NetworkError)
  })
})
