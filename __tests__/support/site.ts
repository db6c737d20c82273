import { afterAll } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

// A WordPress site for the restore's verify-url checks: a local http server on 127.0.0.1 whose answer
// is a function of the time (the step's fake clock), so that a site down for minutes takes milliseconds.

export interface SitePage {
  status: number
  body?: string
}

export interface Site {
  /** The site's address, e.g. http://127.0.0.1:43210/. */
  url: string
  /** The headers of every request, in order, and the path each asked for. */
  requests: { path: string; headers: http.IncomingHttpHeaders }[]
  /** What the site answers from now on. */
  answer(respond: (path: string) => SitePage): void
}

/** Sites for the tests of one file: the function returned starts one; all are closed after those tests. */
export function useSites(): (respond: (path: string) => SitePage) => Promise<Site> {
  const servers: http.Server[] = []
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  })
  return async (first) => {
    let respond = first
    const requests: Site['requests'] = []
    const server = http.createServer((req, res) => {
      const path = req.url ?? '/'
      requests.push({ path, headers: req.headers })
      const page = respond(path)
      res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' })
      res.end(page.body ?? '')
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      requests,
      answer: (next) => void (respond = next)
    }
  }
}
