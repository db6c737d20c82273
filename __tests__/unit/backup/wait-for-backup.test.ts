import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import nock from 'nock'
import { pollUntilFinal } from '../../../src/workflows/poll-until-final.js'
import { FIRST_POLL_MS, pollDelay } from '../../../src/workflows/poll-schedule.js'
import { waitForBackup, type WaitOptions } from '../../../src/backup/wait-for-backup.js'
import { WpeClient } from '../../../src/wpengine/client.js'
import { CancelledError } from '../../../src/wpengine/errors.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { decodeBackup } from '../../../src/wpengine/decode.js'
import type { Backup, Status } from '../../../src/wpengine/types.js'
import type { FaultRule, Simulator } from '../../../sim/server.js'
import { API, BACKUP_ID, CREDS, FakeClock, INSTALL, useNock } from '../../support/helpers.js'
import { count, requestsTo, simClient, useSimulators } from '../../support/sim-helpers.js'

// Waiting for a backup, against the simulator on a fake clock: its backups move on with that clock
// as WP Engine's do with time, so hours of waiting take milliseconds.

const MINUTE = 60_000
const transport = createNodeSend()
const freshSim = useSimulators()
let clock = new FakeClock()
let sim: Simulator

beforeAll(async () => {
  // One simulator for the file, on whichever clock the running test set up.
  sim = await freshSim({ now: () => clock.now() })
})
afterAll(() => transport.close())

interface Setup {
  outcome?: 'completed' | 'aborted'
  timeoutMs?: number
  ceilingMs?: number
  random?: () => number
  /** The simulator reports the deprecated 'initiated' instead of in_progress. */
  legacyInitiated?: boolean
  /** When the client's own deadline (the step's timeout) comes, if before the wait's. */
  clientDeadlineMs?: number
  /** How long the client retries a failing check (none by default). */
  patienceMs?: number
}

/** A backup of mysite requested just now that takes `durationMs` (1 s of it 'requested'), and a wait for it. */
function setup(durationMs: number, options: Setup = {}) {
  clock = new FakeClock()
  sim.configure({ requestedMs: 1_000, durationMs, legacyInitiated: options.legacyInitiated ?? false })
  const backup: Backup = decodeBackup(sim.seedBackup({ installId: INSTALL.id, outcome: options.outcome }))
  const path = `/installs/${INSTALL.id}/backups/${backup.id}`
  const deadline = clock.now() + (options.timeoutMs ?? 60 * MINUTE)
  const lines: string[] = []
  // No patience in the client unless asked for, so that every status check is one request and a
  // fault fails the check; the client's own retries are client.test.ts's concern.
  const client = simClient(sim, {
    send: transport,
    clock,
    deadline: options.clientDeadlineMs === undefined ? deadline : clock.now() + options.clientDeadlineMs,
    patienceMs: options.patienceMs ?? 0,
    random: options.random ?? (() => 0.5),
    onRetry: (m) => lines.push(m)
  })
  const warnings: string[] = []
  const armed = new Map<number, FaultRule[]>()
  let checks = 0
  /** Makes the n-th status check (1-based) fail: the simulator answers it with this fault. */
  const failCheck = (n: number, type: FaultRule['type']) => {
    const rule: FaultRule = { method: 'GET', path, type }
    if (n === 1) sim.fault(rule)
    else armed.set(n, [...(armed.get(n) ?? []), rule])
  }
  const wait = (extra: Partial<WaitOptions> = {}) =>
    waitForBackup({
      client,
      clock,
      install: INSTALL,
      backup,
      deadline,
      pollCeilingMs: options.ceilingMs ?? 15_000,
      log: { info: (m) => lines.push(m), warning: (m) => warnings.push(m) },
      random: options.random ?? (() => 0.5),
      ...extra,
      onCheck: (seen) => {
        checks++
        for (const rule of armed.get(checks + 1) ?? []) sim.fault(rule)
        extra.onCheck?.(seen)
      }
    })
  /** The status checks the simulator received, and how it answered each. */
  const calls = () => count(sim, 'GET', path)
  const answers = () => requestsTo(sim, 'GET', path).map((r) => r.status)
  return { clock, backup, lines, warnings, wait, failCheck, calls, answers }
}

describe('waitForBackup', () => {
  it('ends when the backup completes, with one line per status change', async () => {
    const { wait, lines, clock } = setup(20_000)
    const result = await wait()
    expect(result.outcome).toBe('completed')
    expect(result.backup.complete_time).not.toBeNull()
    expect(lines.filter((l) => l.includes(' is '))).toEqual([
      expect.stringMatching(/is in_progress/),
      expect.stringMatching(/is completed/)
    ])
    expect(clock.now() - Date.UTC(2026, 0, 1)).toBeLessThanOrEqual(24_000)
  })

  it('ends when the backup is aborted', async () => {
    const { wait } = setup(90_000, { outcome: 'aborted' })
    expect((await wait()).outcome).toBe('aborted')
  })

  it("reads the deprecated 'initiated' as in_progress", async () => {
    const { wait, lines } = setup(20_000, { legacyInitiated: true, timeoutMs: MINUTE, ceilingMs: 5_000 })
    const seen: string[] = []
    const result = await wait({ onCheck: (backup) => seen.push(backup.status) })
    // The simulator answers 'initiated'; the client's door hands on the documented in_progress.
    expect(seen).toContain('in_progress')
    expect(seen).not.toContain('initiated')
    expect(result.outcome).toBe('completed')
    expect(lines.some((l) => l.includes('is in_progress'))).toBe(true)
  })

  it('times out with the last status, after a last check just before the deadline', async () => {
    const { wait, calls, clock } = setup(2 * 60 * MINUTE, { timeoutMs: 5 * MINUTE })
    const start = clock.now()
    const result = await wait()
    expect(result).toMatchObject({ outcome: 'timeout', status: 'in_progress' })
    expect(clock.now() - start).toBeGreaterThanOrEqual(5 * MINUTE - 2_000)
    expect(clock.now() - start).toBeLessThanOrEqual(5 * MINUTE)
    expect(result.checks).toBe(calls())
  })

  it('reports every check with the backup as last seen; a check the client retried is one check', async () => {
    const { wait, failCheck, calls, answers } = setup(60_000, { patienceMs: 5 * MINUTE })
    failCheck(2, '503')
    const seen: string[] = []
    await wait({ onCheck: (backup) => seen.push(backup.status) })
    expect(answers().slice(0, 3)).toEqual([200, 503, 200])
    expect(seen).toHaveLength(calls() - 1)
    expect(seen.at(-1)).toBe('completed')
  })

  it('rides out passing failures', async () => {
    const { wait, failCheck, lines, warnings, backup } = setup(60_000, { patienceMs: 5 * MINUTE })
    failCheck(2, '503')
    failCheck(3, '429')
    expect((await wait()).outcome).toBe('completed')
    // Passed, so lines in the log and no warning annotation: one that lasts fails the step, its one annotation.
    expect(warnings).toEqual([])
    expect(lines.filter((line) => line.includes('while trying to'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^HTTP 503 "An unexpected error occurred, please try again in a few minutes" while trying to get backup ${backup.id} of install mysite; retrying in [0-9.]+s, for up to 5m while it keeps failing`
        )
      ),
      expect.stringMatching(
        new RegExp(
          `^HTTP 429 "Too Many Requests" while trying to get backup ${backup.id} of install mysite; retrying in [0-9.]+s, for up to 5m while it keeps failing`
        )
      )
    ])
  })

  // Patience is time, not a count of checks: an outage of minutes is ridden out however many checks
  // it takes, and one that outlasts the client's patience ends the wait soon after, whatever the poll interval.
  it.each([
    [MINUTE, 4 * MINUTE, 'completed'],
    [4 * MINUTE, 5 * MINUTE, 'completed'],
    [10 * MINUTE, 2 * MINUTE, 'failed'],
    [10 * MINUTE, 5 * MINUTE, 'failed']
  ] as const)('checks failing for %i ms, with a patience of %i ms: %s', async (outageMs, patienceMs, ending) => {
    const { wait, clock, backup, lines } = setup(20 * MINUTE, { patienceMs })
    const start = clock.now()
    const endOutage = sim.outage({ fromMs: start + 10_000, forMs: outageMs })
    const run = wait({ pollCeilingMs: 15_000 }).finally(endOutage)
    if (ending === 'failed') {
      await expect(run).rejects.toThrow(new RegExp(`^Stopped waiting for backup ${backup.id}: its status checks failed for \\d+m`))
      // Ends within the patience and one backoff (at most 15 s with this jitter) of the first failed check.
      const firstFailedAt = requestsTo(sim, 'GET').find((r) => r.status !== 200)?.at ?? Number.NaN
      expect(clock.now() - firstFailedAt).toBeGreaterThanOrEqual(patienceMs)
      expect(clock.now() - firstFailedAt).toBeLessThanOrEqual(patienceMs + 15_000)
    } else {
      await expect(run).resolves.toMatchObject({ outcome: 'completed' })
    }
    // The log hears of the failing checks: the client's first retry, then a note about once a minute.
    const notes = lines.filter((line) => line.includes(`while trying to get backup ${backup.id}`))
    expect(notes.length).toBeGreaterThanOrEqual(Math.max(1, Math.floor(Math.min(outageMs, patienceMs) / MINUTE)))
  })

  it.each(['401', '403'] as const)('stops at once on %s', async (status) => {
    const { wait, failCheck, calls } = setup(60 * MINUTE)
    failCheck(2, status)
    await expect(wait()).rejects.toMatchObject({ status: Number(status), message: expect.stringContaining(`(${status}`) })
    expect(calls()).toBe(2)
  })

  it('names the backup and the install on 404', async () => {
    const { wait } = setup(60 * MINUTE)
    // A backup the install does not have: the simulator knows only the one it made.
    await expect(wait({ backup: { id: BACKUP_ID, status: 'requested' } })).rejects.toThrow(
      'Backup e41fa98f-ea80-4654-b229-a9b765d0863a was not found on install mysite.'
    )
  })

  it('reports a timeout when the client runs into the deadline', async () => {
    const { wait, calls } = setup(60 * MINUTE, { clientDeadlineMs: 1_000 })
    expect((await wait()).outcome).toBe('timeout')
    expect(calls()).toBe(0)
  })

  it('stops when cancelled', async () => {
    const { wait } = setup(60 * MINUTE)
    const cancel = new AbortController()
    cancel.abort(new CancelledError())
    await expect(wait({ signal: cancel.signal })).rejects.toBeInstanceOf(CancelledError)
  })
})

describe('poll schedule', () => {
  const ceilings = fc.integer({ min: 1_000, max: 10 * MINUTE })
  const draws = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

  it('never waits longer than the ceiling or 20 % of the time waited (but for the short first checks)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 * 60 * MINUTE }), ceilings, draws, (elapsed, ceiling, r) => {
        const delay = pollDelay(elapsed, { ceilingMs: ceiling }, () => r)
        expect(delay).toBeLessThanOrEqual(ceiling)
        expect(delay).toBeLessThanOrEqual(Math.max(FIRST_POLL_MS, elapsed * 0.2) + 1)
        expect(delay).toBeGreaterThanOrEqual(Math.min(ceiling, Math.max(FIRST_POLL_MS, elapsed * 0.2)) * 0.8 - 1)
      })
    )
  })

  it('notices a backup that completes after T within max(3 s, 20 % of T) and within the ceiling', async () => {
    // Some 200,000 status checks in all (a two-hour backup polled every second takes 7,200), too many
    // for any API over HTTP: this property of the schedule is checked on the polling loop itself
    // (src/shared/poll.ts, which waitForBackup runs), its check reading the state from the clock.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 2 * 60 * MINUTE }),
        fc.integer({ min: 1_000, max: 5 * MINUTE }),
        fc.integer(),
        async (durationMs, ceilingMs, seed) => {
          let state = seed
          const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000
          const clock = new FakeClock()
          const start = clock.now()
          await pollUntilFinal({
            subject: `backup ${BACKUP_ID}`,
            initial: 'requested' as Status,
            check: async (): Promise<Status> => (clock.now() - start < durationMs ? 'in_progress' : 'completed'),
            state: (status) => status,
            clock,
            deadline: start + 3 * 60 * MINUTE,
            pollCeilingMs: ceilingMs,
            log: { info: () => {}, warning: () => {} },
            random
          })
          const lag = clock.now() - start - durationMs
          expect(lag).toBeGreaterThanOrEqual(0)
          expect(lag).toBeLessThanOrEqual(Math.min(ceilingMs, Math.max(3_000, durationMs * 0.2)) + 1)
        }
      ),
      { numRuns: 300 }
    )
  })

  it('costs at most 12 status checks for a 20-second backup, whatever the jitter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(draws, { minLength: 30, maxLength: 30 }), async (rs) => {
        const { wait, calls } = setup(20_000, { random: () => rs.shift() ?? 0 })
        await wait()
        expect(calls()).toBeLessThanOrEqual(12)
      })
    )
  })

  it('spreads parallel jobs apart instead of polling in lockstep', () => {
    const delays = new Set(Array.from({ length: 50 }, () => pollDelay(60_000, { ceilingMs: 15_000 }, Math.random)))
    expect(delays.size).toBeGreaterThan(25)
  })
})

describe('waitForBackup: a status the simulator never reports', () => {
  useNock(nock, { beforeAll, afterEach, afterAll })

  it('warns once about an unknown status and waits on', async () => {
    const clock = new FakeClock()
    const path = `/v1/installs/${INSTALL.id}/backups/${BACKUP_ID}`
    const scope = nock(API)
      .get(path)
      .times(3)
      .reply(200, { id: BACKUP_ID, status: 'queued' })
      .get(path)
      .reply(200, { id: BACKUP_ID, status: 'completed' })
    const warnings: string[] = []
    const result = await waitForBackup({
      client: new WpeClient({ apiUrl: new URL(`${API}/v1`), ...CREDS, send: transport, clock, deadline: clock.now() + MINUTE }),
      clock,
      install: INSTALL,
      backup: { id: BACKUP_ID, status: 'requested' },
      deadline: clock.now() + MINUTE,
      pollCeilingMs: 5_000,
      log: { info: () => {}, warning: (m) => warnings.push(m) }
    })
    scope.done()
    expect(result.outcome).toBe('completed')
    expect(warnings).toEqual([expect.stringContaining("status 'queued'")])
  })
})
