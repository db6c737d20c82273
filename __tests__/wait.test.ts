import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { FIRST_POLL_MS, pollDelay } from '../src/shared/schedule.js'
import { waitForBackup, type WaitOptions } from '../src/backup/wait.js'
import { CancelledError, WpeApiError } from '../src/wpengine/errors.js'
import { decodeBackup } from '../src/wpengine/decode.js'
import { BACKUP_ID, FakeClock, INSTALL } from './helpers.js'
import { apiError, backupOf, timedBackup } from './fakes.js'

const MINUTE = 60_000

function setup(durationMs: number, options: { outcome?: string; timeoutMs?: number; ceilingMs?: number; random?: () => number } = {}) {
  const clock = new FakeClock()
  const api = timedBackup(clock, { durationMs, outcome: options.outcome })
  const lines: string[] = []
  const warnings: string[] = []
  const wait = (extra: Partial<WaitOptions> = {}) =>
    waitForBackup({
      client: api,
      clock,
      install: INSTALL,
      backup: api.initial,
      deadline: clock.now() + (options.timeoutMs ?? 60 * MINUTE),
      pollCeilingMs: options.ceilingMs ?? 15_000,
      log: { info: (m) => lines.push(m), warning: (m) => warnings.push(m) },
      random: options.random ?? (() => 0.5),
      ...extra
    })
  return { clock, api, lines, warnings, wait }
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
    const lines: string[] = []
    const clock = new FakeClock()
    const statuses = ['initiated', 'initiated', 'completed']
    const result = await waitForBackup({
      client: { getBackup: async () => decodeBackup({ id: BACKUP_ID, status: statuses.shift() ?? 'completed' }) },
      clock,
      install: INSTALL,
      backup: backupOf({ id: BACKUP_ID, status: 'requested' }),
      deadline: clock.now() + MINUTE,
      pollCeilingMs: 5_000,
      log: { info: (m) => lines.push(m), warning: () => {} }
    })
    expect(result.outcome).toBe('completed')
    expect(lines.some((l) => l.includes('is in_progress'))).toBe(true)
  })

  it('warns once about an unknown status and waits on', async () => {
    const clock = new FakeClock()
    const statuses = ['queued', 'queued', 'queued', 'completed']
    const warnings: string[] = []
    const result = await waitForBackup({
      client: { getBackup: async () => decodeBackup({ id: BACKUP_ID, status: statuses.shift() ?? 'completed' }) },
      clock,
      install: INSTALL,
      backup: backupOf({ id: BACKUP_ID, status: 'requested' }),
      deadline: clock.now() + MINUTE,
      pollCeilingMs: 5_000,
      log: { info: () => {}, warning: (m) => warnings.push(m) }
    })
    expect(result.outcome).toBe('completed')
    expect(warnings).toEqual([expect.stringContaining("status 'queued'")])
  })

  it('times out with the last status, after a last check just before the deadline', async () => {
    const { wait, api, clock } = setup(2 * 60 * MINUTE, { timeoutMs: 5 * MINUTE })
    const start = clock.now()
    const result = await wait()
    expect(result).toMatchObject({ outcome: 'timeout', status: 'in_progress' })
    expect(clock.now() - start).toBeGreaterThanOrEqual(5 * MINUTE - 2_000)
    expect(clock.now() - start).toBeLessThanOrEqual(5 * MINUTE)
    expect(result.checks).toBe(api.calls)
  })

  it('reports every check, passed or failed, with the backup as last seen', async () => {
    const { wait, api } = setup(60_000)
    api.failOn(2, apiError(503))
    const seen: string[] = []
    await wait({ onCheck: (backup) => seen.push(backup.status) })
    expect(seen).toHaveLength(api.calls)
    expect(seen[1]).toBe(seen[0])
    expect(seen.at(-1)).toBe('completed')
  })

  it('rides out passing failures', async () => {
    const { wait, api, warnings } = setup(60_000)
    api.failOn(2, apiError(503))
    api.failOn(3, apiError(429))
    expect((await wait()).outcome).toBe('completed')
    expect(warnings).toEqual([
      expect.stringContaining('(1 in a row; giving up at 5)'),
      expect.stringContaining('(2 in a row; giving up at 5)')
    ])
  })

  it('gives up after five failed checks in a row', async () => {
    const { wait, api } = setup(60 * MINUTE)
    for (let n = 3; n <= 7; n++) api.failOn(n, apiError(502))
    await expect(wait()).rejects.toThrow(/Stopped waiting for backup e41fa98f-.*: 5 status checks in a row failed. The last: HTTP 502/)
    expect(api.calls).toBe(7)
  })

  it.each([401, 403])('stops at once on %d', async (status) => {
    const { wait, api } = setup(60 * MINUTE)
    api.failOn(2, apiError(status))
    await expect(wait()).rejects.toThrow(`HTTP ${status}`)
    expect(api.calls).toBe(2)
  })

  it('names the backup and the install on 404', async () => {
    const { wait, api } = setup(60 * MINUTE)
    api.failOn(1, apiError(404))
    await expect(wait()).rejects.toThrow('Backup e41fa98f-ea80-4654-b229-a9b765d0863a was not found on install mysite.')
  })

  it('reports a timeout when the client runs into the deadline', async () => {
    const { wait, api } = setup(60 * MINUTE)
    api.failOn(1, new WpeApiError('deadline', { kind: 'deadline', operation: 'x', ambiguous: false, transient: true, attempts: 0 }))
    expect((await wait()).outcome).toBe('timeout')
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
        const delay = pollDelay(elapsed, ceiling, () => r)
        expect(delay).toBeLessThanOrEqual(ceiling)
        expect(delay).toBeLessThanOrEqual(Math.max(FIRST_POLL_MS, elapsed * 0.2) + 1)
        expect(delay).toBeGreaterThanOrEqual(Math.min(ceiling, Math.max(FIRST_POLL_MS, elapsed * 0.2)) * 0.8 - 1)
      })
    )
  })

  it('notices a backup that completes after T within max(3 s, 20 % of T) and within the ceiling', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 2 * 60 * MINUTE }),
        fc.integer({ min: 1_000, max: 5 * MINUTE }),
        fc.integer(),
        async (durationMs, ceilingMs, seed) => {
          let state = seed
          const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000
          const { wait, clock } = setup(durationMs, { ceilingMs, timeoutMs: 3 * 60 * MINUTE, random })
          const start = clock.now()
          await wait()
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
        const { wait, api } = setup(20_000, { random: () => rs.shift() ?? 0 })
        await wait()
        expect(api.calls).toBeLessThanOrEqual(12)
      })
    )
  })

  it('spreads parallel jobs apart instead of polling in lockstep', () => {
    const delays = new Set(Array.from({ length: 50 }, () => pollDelay(60_000, 15_000, Math.random)))
    expect(delays.size).toBeGreaterThan(25)
  })
})
