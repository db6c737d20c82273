// @ts-check
// A history that does not fit: waiting for an on-demand backup when the install's history does not fit
// it. WP Engine's own daily backups are in the list beside on-demand ones and may take far longer: here
// 40 minutes, while the backup waited for takes 20 s, 2 min or 5 min. On a fake clock, with the very
// functions the action runs (compiled from src/ to build/): the history is learned as the action
// learns it (historyOf), and the checks follow pollDelay. Three schedules per row:
//  - the automatic backups only (no backup of this action's in the list yet): the lag is bounded by a
//    minute, whatever the history;
//  - the same, plus 6 backups this action requested (found by their tag), which it learns from alone;
//  - no history at all (a new install), for comparison.
// Targets: every completion noticed within 60 s, and within 15 s when it falls inside the usual range the
// action learned.
import { built, checkUntilDone, inSeconds, mean, MINUTE, SECOND, seconds, seeded, target } from './helpers.js'

const AUTOMATIC_MS = 40 * MINUTE
// Durations vary: the history within ±15 % of its centre, the backup waited for within ±25 % of T.
const HISTORY_SPREAD = 0.15
const DURATION_SPREAD = 0.25

const { pollDelay } = await built('workflows/poll-schedule.js')
const { historyOf, HISTORY_SIZE } = await built('backup/history.js')

const T0 = Date.UTC(2026, 0, 1)
const DAY = 24 * 60 * MINUTE

/**
 * A completed backup as the client decodes it, `daysAgo` old, that took `ms`.
 * @param {number} daysAgo @param {number} ms @param {string} description
 */
function completed(daysAgo, ms, description) {
  const created = T0 - daysAgo * DAY
  return {
    id: '00000000-0000-4000-8000-000000000000',
    status: 'completed',
    description,
    create_time: new Date(created).toISOString(),
    complete_time: new Date(created + ms).toISOString()
  }
}

/** @param {() => number} random @param {number} center @param {number} spread */
const around = (random, center, spread) => center * (1 + spread * (2 * random() - 1))

/** @typedef {{ lags: number[], requests: number[], insideWorst: number, inside: number }} Tally */
/** @returns {Tally} */
const tally = () => ({ lags: [], requests: [], insideWorst: 0, inside: 0 })

/**
 * @param {number} T the on-demand backup's usual duration
 * @param {() => number} random
 * @param {number} runs
 */
function row(T, random, runs) {
  const schedules = { automatic: tally(), own: tally(), none: tally() }
  for (let i = 0; i < runs; i++) {
    const automatic = Array.from({ length: HISTORY_SIZE }, (_, day) =>
      completed(day + 1, around(random, AUTOMATIC_MS, HISTORY_SPREAD), 'Automatic backup')
    )
    // Older than the automatic ones, so that the newest twelve completed backups are all automatic.
    const own = Array.from({ length: 6 }, (_, n) =>
      completed(HISTORY_SIZE + 1 + n, around(random, T, HISTORY_SPREAD), `Pre-deploy [ci 1-1 deploy/backup 0000000${n}]`)
    )
    const doneAt = around(random, T, DURATION_SPREAD)
    for (const [name, backups] of /** @type {const} */ ([
      ['automatic', automatic],
      ['own', [...automatic, ...own]],
      ['none', undefined]
    ])) {
      const estimate = backups && historyOf(backups).estimate
      const expected = estimate && { lowMs: estimate.lowMs, highMs: estimate.highMs }
      const { lag, requests } = checkUntilDone(doneAt, (t) => pollDelay(t, expected ? { expected } : {}, random))
      const stats = schedules[name]
      stats.lags.push(lag)
      // A history costs one list request of its own when no reuse pass read the list already.
      stats.requests.push(requests + (backups ? 1 : 0))
      if (expected && doneAt >= expected.lowMs && doneAt <= expected.highMs) {
        stats.inside++
        stats.insideWorst = Math.max(stats.insideWorst, lag)
      }
    }
  }
  /** @param {Tally} s */
  const summary = (s) => ({ worstLag: Math.max(...s.lags), meanLag: mean(s.lags), meanRequests: mean(s.requests), ...s })
  return { automatic: summary(schedules.automatic), own: summary(schedules.own), none: summary(schedules.none) }
}

/** @type {import('./helpers.js').Section} */
export default {
  name: 'history-fit',
  async run({ quick }) {
    const runs = quick ? 500 : 2000
    const random = seeded(19)
    const rows = /** @type {[string, number][]} */ ([
      ['20 s', 20 * SECOND],
      ['2 min', 2 * MINUTE],
      ['5 min', 5 * MINUTE]
    ]).map(([label, T]) => ({ label, ...row(T, random, runs) }))
    /** @param {{ worstLag: number, meanLag: number, meanRequests: number }} s */
    const cells = (s) => `${seconds(s.worstLag)} | ${seconds(s.meanLag)} | ${s.meanRequests.toFixed(1)}`
    const lines = [
      `## A history that does not fit (${HISTORY_SIZE} automatic backups of 40 min ±15 %; the backup waited for takes T ±25 %; ${runs} runs per row, fake clock)`,
      '',
      "| Backup takes | Automatic backups only: worst lag | mean lag | requests | With 6 of this action's own (T ±15 %): worst lag | mean lag | requests | No history: worst lag | mean lag | requests |",
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.label} | ${cells(r.automatic)} | ${cells(r.own)} | ${cells(r.none)} |`),
      '',
      'Requests are means: the status checks, plus the one list request that reads the history (none without one).'
    ]
    const targets = rows.flatMap((r) => [
      target(`${r.label}, automatic backups only: worst lag`, r.automatic.worstLag, 'at most', 60 * SECOND, { unit: inSeconds }),
      target(`${r.label}, learned from this action's own backups: worst lag`, r.own.worstLag, 'at most', 60 * SECOND, { unit: inSeconds }),
      target(
        `${r.label}, learned from this action's own backups: worst lag inside the usual range (${r.own.inside} of ${runs} inside)`,
        r.own.insideWorst,
        'at most',
        15 * SECOND,
        { unit: inSeconds }
      )
    ])
    return { lines, targets }
  }
}
