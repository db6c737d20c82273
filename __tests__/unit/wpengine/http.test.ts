import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeSend, NetworkError } from '../../../src/wpengine/http.js'

// The transport against a real local server that misbehaves on purpose.

let server: http.Server
let base: string
const send = createNodeSend()

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      for (let i = 0; i < 5; i++) res.write(chunk)
      return res.end()
    }
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"id": "e41fa98f')
      return setTimeout(() => res.socket?.destroy(), 20)
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  send.close()
  server.close()
})

async function networkError(path: string): Promise<NetworkError> {
  try {
    await send({ method: 'GET', url: new URL(`${base}${path}`), headers: {} }, AbortSignal.timeout(5_000))
  } catch (error) {
    expect(error).toBeInstanceOf(NetworkError)
    return error as NetworkError
  }
  throw new Error('expected a NetworkError')
}

describe('createNodeSend', () => {
  it('refuses an answer larger than 4 MiB instead of holding it in memory', async () => {
    expect(await networkError('/huge')).toMatchObject({ code: 'E_BODY_TOO_LARGE', sent: true })
  })

  it('reports an answer cut off mid-body as a reset after sending', async () => {
    expect(await networkError('/cut')).toMatchObject({ code: 'ECONNRESET', sent: true })
  })

  it('reports a refused connection as never sent', async () => {
    const error = await send(
      { method: 'POST', url: new URL('http://127.0.0.1:1/v1'), headers: {}, body: '{}' },
      AbortSignal.timeout(5_000)
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ECONNREFUSED', sent: false })
  })

  it('passes the abort reason through when the step is cancelled', async () => {
    const cancel = new AbortController()
    const reason = new Error('cancelled')
    cancel.abort(reason)
    await expect(send({ method: 'GET', url: new URL(`${base}/ok`), headers: {} }, cancel.signal)).rejects.toBe(reason)
  })
})
