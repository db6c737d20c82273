// @ts-check
// Bad API days (simulated time, the whole step in process against the simulator): a 3-minute outage of the
// whole API at the step's start, from the create request on, and from the first status check on;
// whether the step completed, the requests sent during the outage, and how long after the API
// recovered the step noticed it.
import { startSimulator } from '../sim/server.js'
import { backupStepInProcess, built, inSeconds, MINUTE, SECOND, seconds, seeded, target, virtualTime } from './helpers.js'

/**
 * The whole backup step in process, on simulated time against the simulator, through a 3-minute outage
 * starting at each phase.
 * @param {number} seeds
 */
async function badApiDays(seeds) {
  const { createNodeSend } = await built('wpengine/http.js')
  const transport = createNodeSend({})
  const OUTAGE_MS = 3 * MINUTE
  /** @type {[string, { startsWith?: { method: string, path: RegExp } }][]} */
  const phases = [
    ["at the step's start", {}],
    ['from the create request on', { startsWith: { method: 'POST', path: /\/backups$/ } }],
    ['from the first status check on', { startsWith: { method: 'GET', path: /\/backups\/[0-9a-f-]{36}$/ } }]
  ]
  const rows = []
  for (const [label, start] of phases) {
    let completed = 0
    /** @type {number[]} */
    const requests = []
    /** @type {number[]} */
    const lags = []
    for (let seed = 1; seed <= seeds; seed++) {
      const { clock, send } = virtualTime(transport)
      const sim = await startSimulator({ now: clock.now, requestedMs: 10 * SECOND, durationMs: 2 * MINUTE })
      sim.outage({ ...start, forMs: OUTAGE_MS, answer: 'mixed' })
      const { failed } = await backupStepInProcess(sim, { install: 'mysite' }, { clock, send, random: seeded(seed) })
      const during = sim.requests.filter((r) => r.fault !== undefined)
      const outageEnd = (during[0]?.at ?? 0) + OUTAGE_MS
      const noticed = sim.requests.find((r) => r.at >= outageEnd)
      if (failed === undefined && sim.backups().length === 1) completed++
      requests.push(during.length)
      lags.push((noticed?.at ?? outageEnd) - outageEnd)
      await sim.close()
    }
    const stats = (/** @type {number[]} */ values) => {
      const sorted = [...values].sort((a, b) => a - b)
      return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 }
    }
    rows.push({ label, runs: seeds, completed, requests: stats(requests), lag: stats(lags) })
  }
  transport.close()
  return rows
}

/** @type {import('./helpers.js').Section} */
export default {
  name: 'bad-api-days',
  async run({ quick }) {
    const seeds = quick ? 5 : 25
    const days = await badApiDays(seeds)
    const lines = [
      `## Bad API days (3-minute outage of the whole API, every request 503 or reset; simulated time, ${seeds} seeds each)`,
      '',
      '| Outage starts | Completed, one backup | Requests during the outage (median, max) | Recovery noticed after (median, max) |',
      '| --- | --- | --- | --- |',
      ...days.map(
        (d) =>
          `| ${d.label} | ${d.completed}/${d.runs} | ${d.requests.median}, ${d.requests.max} | ${seconds(d.lag.median)}, ${seconds(d.lag.max)} |`
      )
    ]
    const targets = days.flatMap((d) => [
      target(`outage ${d.label}: runs completed with exactly one backup`, d.completed, 'exactly', d.runs),
      // 20 retries of burst, then a handful a minute: never a flood.
      target(`outage ${d.label}: requests during the 3 minutes, worst run`, d.requests.max, 'at most', 40),
      // Backoff is capped at 30 s: recovery is noticed within one backoff (plus a poll gap while waiting).
      target(`outage ${d.label}: recovery noticed after, worst run`, d.lag.max, 'at most', 45 * SECOND, { unit: inSeconds })
    ])
    return { lines, targets }
  }
}
