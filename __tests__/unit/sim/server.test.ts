import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_CREDENTIALS, GATEWAY_ROUTES, startSimulator, type Simulator } from '../../../sim/server.js'
import { ROOT } from '../../../scripts/run-action.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { systemClock } from '../../../src/time/clock.js'
import { basicToken, FakeClock, INSTALL } from '../../support/helpers.js'
import { credentialsOf, simClient, useSimulators } from '../../support/sim-helpers.js'

// The simulator itself: its faults do what the README and `npm run sim -- --help` promise. The
// command's flags are unit/sim/cli-args.test.ts; one run of the command is bundle/commands.test.ts.

const transport = createNodeSend()
const freshSim = useSimulators()
let sim: Simulator

const auth = () => ({ authorization: credentialsOf(sim).authorization })
/** What a simulator started without credentials (as `npm run sim` is) accepts. */
const defaultAuth = { authorization: `Basic ${basicToken(DEFAULT_CREDENTIALS.userId, DEFAULT_CREDENTIALS.password)}` }
const client = (attemptTimeoutMs = 30_000) =>
  simClient(sim, { send: transport, clock: systemClock, deadline: Date.now() + 30_000, attemptTimeoutMs, random: () => 0 })

beforeAll(async () => {
  sim = await freshSim({ requestedMs: 100, durationMs: 300 })
})
afterAll(() => transport.close())

describe('simulator', () => {
  it("purges an install's cache, at most one object-cache purge a minute (all included), and refuses an unknown type", async () => {
    const own = await freshSim()
    const purge = (type: unknown) =>
      fetch(`${own.url}/installs/${INSTALL.id}/purge_cache`, {
        method: 'POST',
        headers: { authorization: credentialsOf(own).authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ type })
      })
    expect((await purge('all')).status).toBe(202)
    expect((await purge('page')).status).toBe(202)
    const limited = await purge('object')
    expect([limited.status, limited.headers.get('retry-after'), await limited.json()]).toEqual([
      429,
      null,
      { message: 'Too Many Requests' }
    ])
    const bad = await purge('everything')
    expect([bad.status, ((await bad.json()) as { errors: unknown[] }).errors[0]]).toEqual([400, expect.objectContaining({ field: 'type' })])
    expect(own.purges().map((p) => p.type)).toEqual(['all', 'page'])
  })

  it('binds to loopback only', async () => {
    await expect(startSimulator({ host: '0.0.0.0' })).rejects.toThrow('loopback only')
  })

  it('answers 401 Bad Credentials without valid Basic auth', async () => {
    const response = await fetch(`${sim.url}/user`)
    expect([response.status, await response.json()]).toEqual([401, { message: 'Bad Credentials' }])
  })

  it('caps limit at 100, as the API does', async () => {
    const response = await fetch(`${sim.url}/installs?limit=101`, { headers: auth() })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ field: 'limit', type: 'invalid_value' })
  })

  it('moves a backup from requested through in_progress to completed with time', async () => {
    const clock = new FakeClock()
    const timed = await freshSim({ requestedMs: 100, durationMs: 300, now: () => clock.now() })
    const c = simClient(timed, { send: transport, clock, random: () => 0 })
    const backup = await c.createBackup(INSTALL, { description: 'x', notification_emails: ['a@b.co'] })
    expect(backup.status).toBe('requested')
    clock.advance(150)
    expect((await c.getBackup(INSTALL, backup.id)).status).toBe('in_progress')
    clock.advance(200)
    expect(await c.getBackup(INSTALL, backup.id)).toMatchObject({ status: 'completed', complete_time: expect.any(String) })
  })

  it("can report the deprecated 'initiated' instead of in_progress", async () => {
    const legacy = await freshSim({ requestedMs: 0, durationMs: 60_000, legacyInitiated: true })
    const headers = { ...defaultAuth, 'content-type': 'application/json' }
    const created = (await (
      await fetch(`${legacy.url}/installs/${INSTALL.id}/backups`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ description: 'x', notification_emails: ['a@b.co'] })
      })
    ).json()) as { id: string }
    expect(
      ((await (await fetch(`${legacy.url}/installs/${INSTALL.id}/backups/${created.id}`, { headers })).json()) as { status: string }).status
    ).toBe('initiated')
  })

  it.each([
    ['429', undefined],
    ['429', '3'],
    ['408', undefined],
    ['500', undefined],
    ['502', undefined],
    ['503', '10'],
    ['504', undefined]
  ])('fault %s (Retry-After %s)', async (type, retryAfter) => {
    sim.fault({ method: 'GET', path: '/user', type: type as '429', retryAfter })
    const response = await fetch(`${sim.url}/user`, { headers: auth() })
    expect(response.status).toBe(Number(type))
    expect(response.headers.get('retry-after')).toBe(retryAfter ?? null)
    expect((await fetch(`${sim.url}/user`, { headers: auth() })).status).toBe(200)
  })

  it('fault invalid-json: a 200 whose body does not parse', async () => {
    sim.fault({ path: '/user', type: 'invalid-json' })
    const response = await fetch(`${sim.url}/user`, { headers: auth() })
    expect(response.status).toBe(200)
    await expect(response.json()).rejects.toThrow()
  })

  it.each([
    ['reset', 'the connection drops and nothing is done', 0],
    ['lost-answer', 'the backup is made, then the connection drops', 1]
  ] as const)('fault %s: %s', async (type, _what, made) => {
    const before = sim.backups().length
    sim.fault({ method: 'POST', type })
    await expect(
      fetch(`${sim.url}/installs/${INSTALL.id}/backups`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: '{"description":"x","notification_emails":["a@b.co"]}'
      })
    ).rejects.toThrow()
    expect(sim.backups().length).toBe(before + made)
  })

  it('fault hang: no answer at all, which the client abandons at its time limit and retries', async () => {
    sim.fault({ path: '/user', type: 'hang' })
    const started = Date.now()
    await expect(client(300).getUser()).resolves.toMatchObject({ id: 'fd8e24a5-1f16-4b80-af5f-d748bcc9e64d' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(sim.requests.filter((r) => r.path === '/user' && r.fault === 'hang')).toHaveLength(1)
  })

  it('records how many requests were open at once', async () => {
    const fresh = await freshSim()
    fresh.fault({ path: '/user', type: 'hang', times: 3 })
    const abort = new AbortController()
    const open = Array.from({ length: 3 }, () =>
      fetch(`${fresh.url}/user`, { headers: defaultAuth, signal: abort.signal }).catch(() => undefined)
    )
    for (let i = 0; i < 100 && fresh.requests.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(fresh.concurrency).toEqual({ current: 3, max: 3 })
    abort.abort()
    await Promise.all(open)
    for (let i = 0; i < 100 && fresh.concurrency.current > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(fresh.concurrency).toEqual({ current: 0, max: 3 })
  })
})

describe('simulator: gateway mode', () => {
  const MISSING = [403, { message: 'Missing Authentication Token' }]
  const answer = async (response: Response) => [response.status, await response.json()]

  it.each([
    [
      '1.10',
      [
        'GET /installs/{id}/backups',
        'GET /installs/{id}/archives',
        'POST /installs/{id}/archives',
        'POST /installs/{id}/backups/{b}/restore'
      ]
    ],
    ['1.17', ['POST /installs/{id}/archives']],
    ['1.21', []]
  ] as const)(
    'as v%s: the routes it lacks answer 403 Missing Authentication Token, with or without credentials',
    async (version, lacking) => {
      const gated = await freshSim({ gateway: { version } })
      const backup = gated.seedBackup({ installId: INSTALL.id })
      const all = [
        'GET /user',
        'GET /installs',
        'GET /installs/{id}',
        'POST /installs/{id}/backups',
        'GET /installs/{id}/backups/{b}',
        'GET /installs/{id}/backups',
        'GET /installs/{id}/archives',
        'POST /installs/{id}/archives',
        'POST /installs/{id}/backups/{b}/restore'
      ]
      for (const route of all) {
        const [method, template] = route.split(' ') as [string, string]
        const url = `${gated.url}${template.replace('{id}', INSTALL.id).replace('{b}', backup.id)}`
        const body =
          method === 'POST' ? JSON.stringify({ notification_emails: ['a@b.co'], description: 'x', backup_id: backup.id }) : undefined
        const headers = { authorization: credentialsOf(gated).authorization, 'content-type': 'application/json' }
        const [status, said] = await answer(await fetch(url, { method, headers, body }))
        if ((lacking as readonly string[]).includes(route)) {
          expect([route, status, said]).toEqual([route, ...MISSING])
          expect(await answer(await fetch(url, { method, body }))).toEqual(MISSING)
        } else expect([route, status]).not.toEqual([route, 403])
      }
    }
  )

  it('plays back the routes each version has, as spec/README.md records them from the public swagger copies', () => {
    const readme = readFileSync(join(ROOT, 'spec', 'README.md'), 'utf8')
    const table = readme.slice(readme.indexOf('### Routes by version'), readme.indexOf('### The gateway'))
    const versions = ['1.6.7', '1.10', '1.17', '1.21'] as const
    const recorded = new Map<string, Set<string>>(
      versions.map((v) => [v, new Set(['GET /user', 'GET /installs', 'GET /installs/{install_id}'])])
    )
    for (const [, route, cells] of table.matchAll(/^\| `([A-Z]+ [^`]+)`[^|]*((?:\|[^|\n]*)+)\|$/gm)) {
      cells!
        .split('|')
        .slice(1)
        .forEach((cell, i) => cell.trim() === 'yes' && recorded.get(versions[i]!)!.add(route!))
    }
    for (const version of versions)
      expect([version, [...GATEWAY_ROUTES[version]].sort()]).toEqual([version, [...recorded.get(version)!].sort()])
  })

  it('a path outside /v1 answers 403 Missing Authentication Token, as every path does when api-url lacks /v1', async () => {
    const gated = await freshSim({ gateway: {} })
    const origin = new URL(gated.url).origin
    expect(await answer(await fetch(`${origin}/installs`, { headers: { authorization: credentialsOf(gated).authorization } }))).toEqual(
      MISSING
    )
    expect(await answer(await fetch(`${origin}/v2/installs`, { headers: { authorization: credentialsOf(gated).authorization } }))).toEqual(
      MISSING
    )
  })

  it("a backend status it does not map arrives as 500 with the backend's message", async () => {
    const gated = await freshSim({ gateway: { unmapped: [403] }, installs: [{ ...INSTALL, forbidden: true }] })
    const response = await fetch(`${gated.url}/installs/${INSTALL.id}`, { headers: { authorization: credentialsOf(gated).authorization } })
    expect(await answer(response)).toEqual([500, { message: "You don't have permission to perform that action" }])
  })
})

describe('simulator: the account rate limit', () => {
  it('lets a burst through, answers 429 with no Retry-After past it, and refills at the rate by its own clock', async () => {
    let time = Date.UTC(2026, 0, 1)
    const limited = await freshSim({ rateLimit: { perSecond: 20 }, now: () => time })
    const get = () => fetch(`${limited.url}/user`, { headers: { authorization: credentialsOf(limited).authorization } })
    const first = await Promise.all(Array.from({ length: 25 }, get))
    expect(first.filter((r) => r.status === 200)).toHaveLength(20)
    const refused = first.find((r) => r.status === 429)
    expect([refused?.headers.get('retry-after'), await refused?.json()]).toEqual([null, { message: 'Too Many Requests' }])
    time += 250 // a quarter of a second: five more
    const next = await Promise.all(Array.from({ length: 8 }, get))
    expect(next.filter((r) => r.status === 200)).toHaveLength(5)
    expect(limited.requests.filter((r) => r.status === 429)).toHaveLength(8)
  })
})
