import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CREDENTIALS, startSimulator, type Simulator } from '../../../sim/server.js'
import { ROOT } from '../../../scripts/run-action.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { systemClock } from '../../../src/time/clock.js'
import { basicToken, INSTALL } from '../../support/helpers.js'
import { credentialsOf, simClient, useSimulators } from '../../support/sim-helpers.js'

// The simulator itself: its faults do what the README and `npm run sim -- --help` promise.

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
    const c = client()
    const backup = await c.createBackup(INSTALL, { description: 'x', notification_emails: ['a@b.co'] })
    expect(backup.status).toBe('requested')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect((await c.getBackup(INSTALL, backup.id)).status).toBe('in_progress')
    await new Promise((resolve) => setTimeout(resolve, 200))
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

  it('fault reset: the connection drops and nothing is done', async () => {
    const before = sim.backups().length
    sim.fault({ method: 'POST', type: 'reset' })
    await expect(
      fetch(`${sim.url}/installs/${INSTALL.id}/backups`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: '{"description":"x","notification_emails":["a@b.co"]}'
      })
    ).rejects.toThrow()
    expect(sim.backups().length).toBe(before)
  })

  it('fault lost-answer: the backup is made, then the connection drops', async () => {
    const before = sim.backups().length
    sim.fault({ method: 'POST', type: 'lost-answer' })
    await expect(
      fetch(`${sim.url}/installs/${INSTALL.id}/backups`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: '{"description":"x","notification_emails":["a@b.co"]}'
      })
    ).rejects.toThrow()
    expect(sim.backups().length).toBe(before + 1)
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

describe('npm run sim (sim/cli.js)', () => {
  it('starts on the given port, writes the ready file, applies faults, and stops on SIGTERM', async () => {
    const ready = join(mkdtempSync(join(tmpdir(), 'sim-cli-')), 'url')
    const child = spawn(
      process.execPath,
      ['sim/cli.js', '--port', '0', '--quiet', '--ready-file', ready, '--fault', 'GET:^/user$:503:1:7', '--outcome', 'aborted'],
      { cwd: ROOT }
    )
    let stdout = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    for (let i = 0; i < 100 && !existsSync(ready); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    const url = readFileSync(ready, 'utf8').trim()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    const headers = defaultAuth
    const first = await fetch(`${url}/user`, { headers })
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '7'])
    expect((await fetch(`${url}/user`, { headers })).status).toBe(200)
    const exited = new Promise((resolve) => child.on('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stdout).toContain(`WP Engine API simulator listening on ${url}`)
  })

  it('explains its flags, and refuses bad ones', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['sim/cli.js', ...args], { cwd: ROOT })
        let out = ''
        child.stdout.on('data', (c) => (out += c))
        child.stderr.on('data', (c) => (out += c))
        child.on('exit', (code) => resolve({ code, out }))
      })
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    expect(help.out).toContain('--fault SPEC')
    const bad = await run(['--outcome', 'maybe'])
    expect(bad).toEqual({ code: 2, out: "--outcome 'maybe' must be completed or aborted\n" })
    expect(await run(['--tls-cert', 'x.pem'])).toEqual({ code: 2, out: '--tls-cert and --tls-key go together\n' })
  })
})
