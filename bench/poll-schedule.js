// @ts-check
// Poll schedule (fake clock, no real waiting): how late a finished backup is noticed, and how many
// status requests that costs, paced by the install's history and without one, beside the fixed
// 30-second polling other tools use.
import { built, checkUntilDone, inSeconds, mean, MINUTE, SECOND, seconds, seeded, target } from './helpers.js'

const { pollDelay } = await built('workflows/poll-schedule.js')
const { estimateDuration, HISTORY_SIZE } = await built('backup/history.js')

/** @param {number} ceilingMs */
function schedule(ceilingMs) {
  const rows = []
  const random = seeded(42)
  /** @type {[string, number][]} */
  const durations = [
    ['20 s', 20 * SECOND],
    ['2 min', 2 * MINUTE],
    ['10 min', 10 * MINUTE],
    ['1 h', 60 * MINUTE]
  ]
  for (const [label, T] of durations) {
    /** @type {{ ours: { lags: number[], requests: number[] }, fixed: { lags: number[], requests: number[] } }} */
    const stats = { ours: { lags: [], requests: [] }, fixed: { lags: [], requests: [] } }
    let late = 0
    // Backups never take exactly T: sample durations around it, and ours with fresh jitter each time.
    for (let i = 0; i < 2000; i++) {
      const doneAt = T * (0.75 + 0.5 * random())
      const ours = checkUntilDone(doneAt, (/** @type {number} */ t) => pollDelay(t, { ceilingMs }, random))
      if (ours.lag > Math.min(ceilingMs, Math.max(3 * SECOND, 0.2 * doneAt))) late++
      const fixed = checkUntilDone(doneAt, () => 30 * SECOND)
      stats.ours.lags.push(ours.lag)
      stats.ours.requests.push(ours.requests)
      stats.fixed.lags.push(fixed.lag)
      stats.fixed.requests.push(fixed.requests)
    }
    const worst = (/** @type {number[]} */ xs) => Math.max(...xs)
    // The 20 s target is about a backup of exactly 20 s, whatever the jitter.
    const exact = Array.from({ length: 2000 }, () => checkUntilDone(T, (/** @type {number} */ t) => pollDelay(t, { ceilingMs }, random)))
    rows.push({
      label,
      T,
      ours: {
        worstLag: worst(stats.ours.lags),
        meanLag: mean(stats.ours.lags),
        meanRequests: mean(stats.ours.requests),
        worstRequestsAtT: worst(exact.map((e) => e.requests))
      },
      fixed: { worstLag: worst(stats.fixed.lags), meanLag: mean(stats.fixed.lags), meanRequests: mean(stats.fixed.requests) },
      late
    })
  }
  return rows
}

const STABLE_SHARE = 0.15

/**
 * The schedule paced by the install's history, beside the schedule that needs none (`poll-interval:
 * auto` without a history, i.e. today's 15 s ceiling) and fixed 30-second polling. Each run draws a
 * history of HISTORY_SIZE durations within ±15 % of T, estimates the usual range from it as the action
 * does, then a backup that completes inside that range (or at half or twice the usual time).
 * @param {number} runs
 */
function historySchedule(runs) {
  const random = seeded(7)
  /** @param {number} doneAt @param {(t: number) => number} next */
  const measure = (doneAt, next) => checkUntilDone(doneAt, next)
  const rows = []
  for (const [label, T] of /** @type {[string, number][]} */ ([
    ['2 min', 2 * MINUTE],
    ['10 min', 10 * MINUTE],
    ['1 h', 60 * MINUTE]
  ])) {
    /** @type {Record<'ours' | 'today' | 'fixed', { lags: number[], requests: number[] }>} */
    const inside = { ours: { lags: [], requests: [] }, today: { lags: [], requests: [] }, fixed: { lags: [], requests: [] } }
    const outside = { fast: { worst: 0, late: 0 }, slow: { worst: 0, late: 0 } }
    for (let i = 0; i < runs; i++) {
      const history = Array.from({ length: HISTORY_SIZE }, () => T * (1 + STABLE_SHARE * (2 * random() - 1)))
      const estimate = estimateDuration(history)
      const expected = { lowMs: estimate.lowMs, highMs: estimate.highMs }
      const ours = (/** @type {number} */ t) => pollDelay(t, { expected }, random)
      const doneAt = expected.lowMs + random() * (expected.highMs - expected.lowMs)
      for (const [name, next] of /** @type {const} */ ([
        ['ours', ours],
        ['today', (/** @type {number} */ t) => pollDelay(t, {}, random)],
        ['fixed', () => 30 * SECOND]
      ])) {
        const { lag, requests } = measure(doneAt, next)
        inside[name].lags.push(lag)
        // The history costs one list request of its own when no reuse pass read the list already.
        inside[name].requests.push(requests + (name === 'ours' ? 1 : 0))
      }
      for (const [name, at] of /** @type {const} */ ([
        ['fast', estimate.typicalMs / 2],
        ['slow', estimate.typicalMs * 2]
      ])) {
        const { lag } = measure(at, ours)
        outside[name].worst = Math.max(outside[name].worst, lag)
        if (lag > Math.min(60 * SECOND, Math.max(3 * SECOND, 0.2 * at))) outside[name].late++
      }
    }
    const summary = (/** @type {{ lags: number[], requests: number[] }} */ x) => ({
      worstLag: Math.max(...x.lags),
      meanLag: mean(x.lags),
      meanRequests: mean(x.requests)
    })
    rows.push({ label, T, ours: summary(inside.ours), today: summary(inside.today), fixed: summary(inside.fixed), outside })
  }
  return rows
}

const HISTORY_RUNS = 2000

/** @type {import('./helpers.js').Section} */
export default {
  name: 'poll-schedule',
  async run() {
    const paced = historySchedule(HISTORY_RUNS)
    const rows = schedule(15 * SECOND)
    const lines = [
      `## Poll schedule paced by the install's history (poll-interval auto; ${HISTORY_RUNS} backups each: a history of ${HISTORY_SIZE} durations within ±15 % of T, completion inside its usual range; fake clock)`,
      '',
      '| Backup takes | History-paced: worst lag | mean lag | requests (mean, with the history list) | No history (15 s ceiling): worst lag | mean lag | requests | Fixed 30 s: worst lag | mean lag | requests | 2x faster: worst lag | 2x slower: worst lag |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...paced.map(
        (r) =>
          `| ${r.label} | ${seconds(r.ours.worstLag)} | ${seconds(r.ours.meanLag)} | ${r.ours.meanRequests.toFixed(1)} | ${seconds(r.today.worstLag)} | ${seconds(r.today.meanLag)} | ${r.today.meanRequests.toFixed(1)} | ${seconds(r.fixed.worstLag)} | ${seconds(r.fixed.meanLag)} | ${r.fixed.meanRequests.toFixed(1)} | ${seconds(r.outside.fast.worst)} | ${seconds(r.outside.slow.worst)} |`
      ),
      '',
      'No history: the same schedule as before, unchanged.',
      '',
      '## Poll schedule without a history (poll-interval auto or 15s; 2000 backups each, durations T ±25 %, fake clock)',
      '',
      '| Backup takes | This action: worst lag | mean lag | status requests (mean) | Fixed 30 s: worst lag | mean lag | status requests (mean) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.label} | ${seconds(r.ours.worstLag)} | ${seconds(r.ours.meanLag)} | ${r.ours.meanRequests.toFixed(1)} | ${seconds(r.fixed.worstLag)} | ${seconds(r.fixed.meanLag)} | ${r.fixed.meanRequests.toFixed(1)} |`
      )
    ]
    const twenty = rows[0]
    const targets = [
      ...paced.flatMap((r) => [
        target(`${r.label}, stable history, completing inside its usual range: worst lag`, r.ours.worstLag, 'at most', 15 * SECOND, {
          unit: inSeconds
        }),
        target(`${r.label}, stable history, completing inside its usual range: mean lag`, r.ours.meanLag, 'at most', 5 * SECOND, {
          unit: inSeconds
        }),
        target(`${r.label}: requests (status checks and the history list, mean)`, r.ours.meanRequests, 'under', r.today.meanRequests, {
          limitIs: 'the schedule without a history'
        }),
        ...(r.T >= 60 * MINUTE
          ? [target(`${r.label}: requests (mean)`, r.ours.meanRequests, 'at most', r.fixed.meanRequests, { limitIs: 'fixed 30 s polling' })]
          : []),
        target(
          `${r.label}: backups twice as fast or twice as slow as their history noticed later than max(3 s, 20 % of their time) capped at 60 s, of ${2 * HISTORY_RUNS}`,
          r.outside.fast.late + r.outside.slow.late,
          'exactly',
          0
        )
      ]),
      ...rows.map((r) =>
        target(
          `${r.label}: backups noticed later than max(3 s, 20 % of their duration) capped at the 15 s ceiling, of 2000`,
          r.late,
          'exactly',
          0
        )
      ),
      target('a 20 s backup: status requests, worst over 2000 jitter draws', twenty?.ours.worstRequestsAtT ?? Number.NaN, 'at most', 12)
    ]
    return { lines, targets }
  }
}
