import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../../sim/server.js'
import { ACTION, ROOT, runAction, SAMPLE_RUN_ENV } from '../../scripts/run-action.js'
import { startConnectProxy, startTlsFront, type ConnectProxy, type TlsFront } from '../support/proxies.js'

// The bundled action behind a corporate proxy, run as the runner runs it (under ACTION_NODE when set,
// e.g. Node 24.4.0, which has no proxy support of its own). The API is https://wpe.test:<port>: a
// name that only the test's proxy resolves (to the simulator, behind an https front with a test
// certificate for wpe.test), so a run that completes went through the proxy.

const MYSITE_ID = '294deacc-d8b8-4005-82c4-0727ba8ddde0'
const MB = 1024 * 1024
const FIXTURES = join(ROOT, '__tests__', 'fixtures')
const CERT = join(FIXTURES, 'wpe-test-cert.pem')
const TLS = { cert: readFileSync(CERT), key: readFileSync(join(FIXTURES, 'wpe-test-key.pem')) }
const RESOLVE_WPE_TEST = join(FIXTURES, 'resolve-wpe-test.mjs')

// Backups and archives that take a third of a second, checked a second apart (poll-interval 1s, in
// run()): a run still requests, checks and completes, in about a second. Where the checks are not the
// point, backups and archives are complete at once (AT_ONCE).
const PACE = { requestedMs: 100, durationMs: 300, archiveMs: 300 }
const AT_ONCE = { requestedMs: 0, durationMs: 0, archiveMs: 0 }

const closers: (() => Promise<void>)[] = []
const dirs: string[] = []

beforeAll(() => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
})
afterAll(async () => {
  await Promise.all(closers.map((close) => close()))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

interface Network {
  sim: Simulator
  front: TlsFront
  proxy: ConnectProxy
  /** api-url for the action: https://wpe.test:<port>/v1. */
  apiUrl: string
}

/** A simulator reachable as https://wpe.test:<port>, and a proxy that alone knows that name. */
async function network(options: Parameters<typeof startSimulator>[0] = {}): Promise<Network> {
  const sim = await startSimulator({ ...PACE, ...options })
  const front = await startTlsFront(new URL(sim.url).origin, TLS, 'wpe.test')
  const proxy = await startConnectProxy({ hosts: ['wpe.test'] })
  closers.push(() => sim.close(), front.close, proxy.close)
  return { sim, front, proxy, apiUrl: `${front.origin}/v1` }
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wpe-proxy-workspace-'))
  dirs.push(dir)
  return dir
}

const visible = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')

/** Runs the bundled action against `apiUrl`; whatever happens, no secret may be logged. */
async function run(sim: Simulator, apiUrl: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  const { userId, password } = sim.credentials
  const result = await runAction({
    inputs: { install: MYSITE_ID, 'notification-emails': 'ops@example.com', 'api-url': apiUrl, 'poll-interval': '1s', ...inputs },
    env: { ...SAMPLE_RUN_ENV, WPENGINE_USER_ID: userId, WPENGINE_PASSWORD: password, NODE_EXTRA_CA_CERTS: CERT, ...env }
  })
  const token = Buffer.from(`${userId}:${password}`).toString('base64')
  for (const stream of [visible(result.stdout), result.stderr, result.summary]) {
    expect(stream).not.toContain(password)
    expect(stream).not.toContain(token)
  }
  return result
}

/** What the proxy could read: the TLS records of a tunnel, never the credentials or the API's paths. */
function expectOnlyCiphertext(proxy: ConnectProxy, sim: Simulator, secrets: string[] = []): void {
  const seen = proxy.tunnelled()
  expect(seen.length).toBeGreaterThan(0)
  expect(seen[0]).toBe(0x16) // a TLS handshake record: the ClientHello
  const text = seen.toString('latin1')
  const { userId, password } = sim.credentials
  for (const secret of [password, Buffer.from(`${userId}:${password}`).toString('base64'), userId, '/installs', ...secrets]) {
    expect(text).not.toContain(secret)
  }
  expect(text.toLowerCase()).not.toContain('authorization')
}

describe('bundled action behind a proxy', () => {
  it.concurrent.each([
    ['HTTPS_PROXY', false],
    ['https_proxy', true]
  ] as const)(
    'https API through an http proxy (%s, proxy credentials: %s): one CONNECT tunnel per connection to wpe.test, the proxy sees only ciphertext',
    async (variable, proxyCredentials) => {
      const { sim, front, proxy, apiUrl } = await network()
      const proxyUrl = new URL(proxy.url)
      if (proxyCredentials) [proxyUrl.username, proxyUrl.password] = ['proxy-user', 'proxy-secret']
      const result = await run(sim, apiUrl, { install: 'mysite' }, { [variable]: proxyUrl.href })
      expect(result.code).toBe(0)
      expect(result.outputs).toMatchObject({ status: 'completed', 'install-id': MYSITE_ID })
      expect(proxy.connects.length).toBeGreaterThan(0)
      expect(new Set(proxy.connects)).toEqual(new Set([`wpe.test:${front.port}`]))
      expect(proxy.forwarded).toEqual([])
      expect(new Set(proxy.authorizations)).toEqual(
        new Set([proxyCredentials ? `Basic ${Buffer.from('proxy-user:proxy-secret').toString('base64')}` : undefined])
      )
      expect(result.stdout + result.stderr + result.summary).not.toContain('proxy-secret')
      expectOnlyCiphertext(proxy, sim)
      // Every request arrived, authorized, through the tunnel: the pages of installs, the backup, the polls.
      expect(sim.requests.length).toBeGreaterThanOrEqual(4)
      expect(sim.requests.every((r) => r.authorized)).toBe(true)
      expect(front.requests).toHaveLength(sim.requests.length)
    }
  )

  it.concurrent('NO_PROXY naming the host: the requests go direct (wpe.test resolved locally), the proxy sees nothing', async () => {
    const { sim, front, proxy, apiUrl } = await network()
    const result = await run(
      sim,
      apiUrl,
      { wait: 'false' },
      { HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com, wpe.test', NODE_OPTIONS: `--import ${RESOLVE_WPE_TEST}` }
    )
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('requested')
    expect(front.requests).toHaveLength(2)
    expect(proxy.connects).toEqual([])
    expect(proxy.forwarded).toEqual([])
  })

  it.concurrent('plain http to a loopback api-url never goes through the proxy (the credentials would travel in clear)', async () => {
    const sim = await startSimulator({ ...AT_ONCE, archiveBytes: MB })
    const proxy = await startConnectProxy({ hosts: ['wpe.test'] })
    closers.push(() => sim.close(), proxy.close)
    const dir = workspace()
    const everyVariable = { HTTP_PROXY: proxy.url, http_proxy: proxy.url, HTTPS_PROXY: proxy.url, https_proxy: proxy.url, NO_PROXY: '' }
    const result = await run(sim, sim.url, { 'archive-path': 'site.zip' }, { ...everyVariable, GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    expect(result.outputs['archive-state']).toBe('completed')
    expect(statSync(join(dir, 'site.zip')).size).toBe(MB)
    expect(proxy.connects).toEqual([])
    expect(proxy.forwarded).toEqual([])
  })

  it.concurrent('a malformed proxy URL: one ::error:: line naming the variable, no password, no stack trace, nothing sent', async () => {
    const { sim, front, proxy, apiUrl } = await network()
    const result = await run(sim, apiUrl, {}, { HTTPS_PROXY: `http://user:secret@[bad` })
    expect(result.code).toBe(1)
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error::'))
    expect(errors).toEqual([
      "::error::The proxy variable HTTPS_PROXY is set to 'http://***@[bad', which is not a valid URL. Set it to a URL such as http://proxy.example.com:3128, or unset it."
    ])
    expect(result.stdout + result.stderr + result.summary).not.toContain('secret')
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /)
    expect(result.stderr).toBe('')
    expect(result.stdout).not.toContain('retrying')
    expect(front.requests).toEqual([])
    expect(proxy.connects).toEqual([])
  })

  it.concurrent('the archive download goes through the proxy too, and its bearer link stays inside the tunnel', async () => {
    const { sim, front, proxy, apiUrl } = await network({ ...AT_ONCE, archiveBytes: 3 * MB })
    const dir = workspace()
    const result = await run(sim, apiUrl, { 'archive-path': 'backups/' }, { HTTPS_PROXY: proxy.url, GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    const [archive] = sim.archives()
    const token = new URL(archive?.download_uri ?? 'http://x/').searchParams.get('token') ?? ''
    expect(token).not.toBe('')
    expect(result.outputs['archive-url']).toBe(`${front.origin}/downloads/${archive?.id}.zip?token=${token}`)
    expect(statSync(result.outputs['archive-file'] ?? '').size).toBe(3 * MB)
    expect(front.requests.filter((r) => r.startsWith('GET /downloads/'))).toHaveLength(1)
    expect(new Set(proxy.connects)).toEqual(new Set([`wpe.test:${front.port}`]))
    expectOnlyCiphertext(proxy, sim, [token, '/downloads/'])
  })
})
