import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { pollUntilFinal } from '../../../src/workflows/poll-until-final.js'
import { AUTO_CEILING_MS, denseGap, FIRST_POLL_MS, pollDelay, type ExpectedWindow } from '../../../src/workflows/poll-schedule.js'
import type { Status } from '../../../src/wpengine/types.js'
import { BACKUP_ID, FakeClock } from '../../support/helpers.js'

// The schedule that learns from the install's history, on the polling loop itself with a fake clock:
// any usual range, any completion time, any jitter, the bounds the README states hold.

const SECOND = 1_000
const MINUTE = 60 * SECOND

const windows: fc.Arbitrary<ExpectedWindow> = fc
  .record({ lowMs: fc.integer({ min: 5 * SECOND, max: 6 * 60 * MINUTE }), spread: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ lowMs, spread }) => ({ lowMs, highMs: Math.round(lowMs * (1 + spread)) }))

function lcg(seed: number): () => number {
  let state = seed
  return () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000
}

/** Polls a backup that completes `doneMs` after it was created, and was `ageAtStartMs` old when waiting began. */
async function poll(doneMs: number, options: { expected?: ExpectedWindow; ceilingMs?: number; ageAtStartMs?: number; seed: number }) {
  const clock = new FakeClock()
  const start = clock.now()
  const createdAt = start - (options.ageAtStartMs ?? 0)
  const gaps: number[] = []
  let last = start
  await pollUntilFinal({
    subject: `backup ${BACKUP_ID}`,
    initial: 'requested' as Status,
    check: async (): Promise<Status> => {
      gaps.push(clock.now() - last)
      last = clock.now()
      return clock.now() - createdAt < doneMs ? 'in_progress' : 'completed'
    },
    state: (status) => status,
    clock,
    deadline: createdAt + 3 * doneMs + 60 * MINUTE,
    pollCeilingMs: options.ceilingMs,
    expected: () => options.expected,
    ageAtStartMs: options.ageAtStartMs,
    log: { info: () => {}, warning: () => {} },
    random: lcg(options.seed)
  })
  return { lag: clock.now() - createdAt - doneMs, gaps }
}

describe('a schedule paced by the install history', () => {
  it('completion inside the usual range is noticed within one dense gap, never more than 15 s', async () => {
    await fc.assert(
      fc.asyncProperty(windows, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), async (expected, at, seed) => {
        const doneMs = Math.round(expected.lowMs + at * (expected.highMs - expected.lowMs))
        const { lag } = await poll(doneMs, { expected, seed })
        expect(lag).toBeGreaterThanOrEqual(0)
        expect(lag).toBeLessThanOrEqual(denseGap(expected))
        expect(denseGap(expected)).toBeLessThanOrEqual(15 * SECOND)
      }),
      { numRuns: 200 }
    )
  })

  it('completion outside it, but no faster than twice the shortest, is noticed within max(3 s, 20 % of its time), never past a minute', async () => {
    await fc.assert(
      fc.asyncProperty(
        windows,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.integer(),
        async (expected, at, slow, seed) => {
          const doneMs = Math.round(slow ? expected.highMs * (1 + 3 * at) + 1 : expected.lowMs * (0.5 + 0.5 * at))
          fc.pre(doneMs < expected.lowMs || doneMs > expected.highMs)
          const { lag } = await poll(doneMs, { expected, seed })
          expect(lag).toBeLessThanOrEqual(Math.min(60 * SECOND, Math.max(3 * SECOND, 0.2 * doneMs)))
        }
      ),
      { numRuns: 200 }
    )
  })

  it('whatever the history, any completion is noticed within a minute (a backup far faster than usual too); checks never come closer than 2 s', async () => {
    await fc.assert(
      fc.asyncProperty(windows, fc.double({ min: 0, max: 4, noNaN: true }), fc.integer(), async (expected, at, seed) => {
        // From just after the request to four times the longest usual duration.
        const doneMs = Math.round(1 + at * expected.highMs)
        const { lag, gaps } = await poll(doneMs, { expected, seed })
        expect(lag).toBeLessThanOrEqual(MINUTE)
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2 * SECOND)
      }),
      { numRuns: 200 }
    )
  })

  it('a backup reused while it runs is paced by its age, not by the time waited', async () => {
    await fc.assert(
      fc.asyncProperty(windows, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), async (expected, at, seed) => {
        const doneMs = Math.round(expected.lowMs + at * (expected.highMs - expected.lowMs))
        const ageAtStartMs = Math.round(doneMs * at * 0.9)
        const { lag } = await poll(doneMs, { expected, ageAtStartMs, seed })
        expect(lag).toBeLessThanOrEqual(Math.max(FIRST_POLL_MS, denseGap(expected)))
      }),
      { numRuns: 100 }
    )
  })

  it('an explicit poll-interval stays a hard ceiling on every gap, history or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(windows, { nil: undefined }),
        fc.integer({ min: SECOND, max: 10 * MINUTE }),
        fc.integer({ min: SECOND, max: 2 * 60 * MINUTE }),
        fc.integer(),
        async (expected, ceilingMs, doneMs, seed) => {
          const { gaps } = await poll(doneMs, { expected, ceilingMs, seed })
          expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.max(ceilingMs, FIRST_POLL_MS))
        }
      ),
      { numRuns: 100 }
    )
  })

  it('a usual range that makes no sense never turns into a tight loop', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(NaN, Infinity, -Infinity, 0, -MINUTE),
        fc.constantFrom(NaN, Infinity, 0, MINUTE),
        fc.integer({ min: 0, max: 60 * MINUTE }),
        (lowMs, highMs, waited) => {
          const gap = pollDelay(waited, { expected: { lowMs, highMs } }, () => 0.999)
          expect(Number.isFinite(gap)).toBe(true)
          expect(gap).toBeGreaterThanOrEqual(2 * SECOND)
        }
      )
    )
  })

  it('without a history, auto is the schedule that needs none: 2.5 s, then 20 % of the time waited, up to 15 s', () => {
    expect(pollDelay(0, {}, () => 0)).toBe(FIRST_POLL_MS)
    expect(pollDelay(40 * SECOND, {}, () => 0)).toBe(8 * SECOND)
    expect(pollDelay(10 * MINUTE, {}, () => 0)).toBe(AUTO_CEILING_MS)
    // With a history, the same moment far before the usual range is a sparse one: a minute, never more.
    expect(pollDelay(10 * MINUTE, { expected: { lowMs: 60 * MINUTE, highMs: 66 * MINUTE } }, () => 0)).toBe(MINUTE)
  })
})
