import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { estimateDuration, historyOf, HISTORY_SIZE, MIN_SAMPLES, recentDurations, usualRange } from '../../../src/backup/history.js'
import { safeText } from '../../../src/text/safe-text.js'
import type { Backup, Status } from '../../../src/wpengine/types.js'

// How long an install's backups usually take, from its newest completed backups.

const MINUTE = 60_000
const T0 = Date.parse('2026-11-30T08:00:00Z')

function completed(createdAt: number, ms: number, status = 'completed'): Backup {
  return {
    id: 'e41fa98f-ea80-4654-b229-a9b765d0863a',
    status: status as Status,
    create_time: new Date(createdAt).toISOString(),
    complete_time: new Date(createdAt + ms).toISOString()
  }
}

/** A history of `n` durations within ±15 % of `center`. */
const stableHistory = fc
  .record({ center: fc.integer({ min: 10_000, max: 6 * 60 * MINUTE }), n: fc.integer({ min: MIN_SAMPLES, max: HISTORY_SIZE }) })
  .chain(({ center, n }) =>
    fc
      .array(fc.double({ min: 0.85, max: 1.15, noNaN: true }), { minLength: n, maxLength: n })
      .map((shares) => shares.map((s) => Math.round(center * s)))
  )

describe('recentDurations', () => {
  it('reads the newest completed backups with usable times, newest first, at most HISTORY_SIZE', () => {
    const backups = [
      ...Array.from({ length: 15 }, (_, i) => completed(T0 - i * 60 * MINUTE, (i + 1) * 1_000)),
      completed(T0 + MINUTE, 99_000, 'aborted'),
      completed(T0 + 2 * MINUTE, 98_000, 'in_progress'),
      { ...completed(T0 + 3 * MINUTE, 97_000), complete_time: undefined },
      { ...completed(T0 + 4 * MINUTE, 96_000), create_time: 'yesterday' },
      completed(T0 + 5 * MINUTE, -1_000)
    ]
    expect(recentDurations(backups.reverse())).toEqual(Array.from({ length: HISTORY_SIZE }, (_, i) => (i + 1) * 1_000))
  })
})

describe('estimateDuration', () => {
  it('says nothing from fewer than three durations', () => {
    expect(estimateDuration([])).toBeUndefined()
    expect(estimateDuration([MINUTE, 2 * MINUTE])).toBeUndefined()
  })

  it('any history: the usual range holds the median, and lies within the durations', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 7 * 24 * 60 * MINUTE }), { minLength: 3, maxLength: HISTORY_SIZE }), (durations) => {
        const estimate = estimateDuration(durations)
        if (!estimate) return
        expect(estimate.lowMs).toBeLessThanOrEqual(estimate.typicalMs)
        expect(estimate.typicalMs).toBeLessThanOrEqual(estimate.highMs)
        expect(estimate.lowMs).toBeGreaterThanOrEqual(Math.min(...durations))
        expect(estimate.highMs).toBeLessThanOrEqual(Math.max(...durations))
        expect(estimate.samples).toBe(durations.length)
        expect(estimate.outliers).toBeLessThanOrEqual(durations.length - MIN_SAMPLES)
      })
    )
  })

  it('a stable history (within ±15 %) keeps every duration: its range is the shortest to the longest', () => {
    fc.assert(
      fc.property(stableHistory, (durations) => {
        expect(estimateDuration(durations)).toMatchObject({ lowMs: Math.min(...durations), highMs: Math.max(...durations), outliers: 0 })
      })
    )
  })

  it('leaves out a backup that took three times as long as the longest, or a third of the shortest, in a stable history', () => {
    fc.assert(
      fc.property(stableHistory, fc.boolean(), (durations, long) => {
        fc.pre(durations.length >= 4)
        const odd = long ? 3 * Math.max(...durations) : Math.round(Math.min(...durations) / 3)
        const estimate = estimateDuration([odd, ...durations.slice(1)])
        expect(estimate?.outliers).toBe(1)
        expect(estimate?.lowMs).not.toBe(odd)
        expect(estimate?.highMs).not.toBe(odd)
      })
    )
  })

  it('says the range as a person reads it', () => {
    expect(usualRange({ typicalMs: 280_000, lowMs: 250_000, highMs: 330_000, samples: 12, outliers: 0 })).toBe('4m 10s–5m 30s (last 12)')
    expect(usualRange({ typicalMs: 60_000, lowMs: 60_200, highMs: 59_800, samples: 3, outliers: 0 })).toBe('1m (last 3)')
    expect(usualRange({ typicalMs: 60_000, lowMs: 50_000, highMs: 70_000, samples: 6, outliers: 2 })).toBe(
      '50s–1m 10s (last 6, 2 unusual left out)'
    )
  })
})

describe('historyOf: WP Engine’s automatic backups beside this action’s', () => {
  const tagged = (backup: Backup, n: number): Backup => ({
    ...backup,
    description: safeText(`Pre-deploy [ci 987654321-1 deploy/backup ${String(n).padStart(8, '0')}]`)
  })
  // Twelve nightly automatic backups of 40 minutes, newer than anything this action requested.
  const automatic = Array.from({ length: 12 }, (_, i) => completed(T0 - i * 24 * 60 * MINUTE, 40 * MINUTE + i * 1_000))
  const own = (n: number) => Array.from({ length: n }, (_, i) => tagged(completed(T0 - (20 + i) * 24 * 60 * MINUTE, 20_000 + i * 1_000), i))

  it('learns from the backups this action requested, found by their tag, once there are enough', () => {
    const { durations, estimate } = historyOf([...automatic, ...own(4)])
    expect(durations).toEqual([20_000, 21_000, 22_000, 23_000])
    expect(estimate).toMatchObject({ lowMs: 20_000, highMs: 23_000, ownOnly: true })
    expect(usualRange(estimate!)).toBe('20s–23s (last 4 requested by this action)')
  })

  it('learns from every completed backup while this action requested too few', () => {
    const { estimate } = historyOf([...automatic, ...own(2)])
    expect(estimate).toMatchObject({ lowMs: 40 * MINUTE, samples: 12 })
    expect(estimate?.ownOnly).toBeUndefined()
  })
})
