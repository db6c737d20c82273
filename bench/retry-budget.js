// @ts-check
// The step-wide retry budget, measured: 300 installs in one step (max-parallel 5) through a 3-minute
// outage of the whole API, with the client's refilling retry budget and without it (budget: false).
// The whole step in process against the simulator, on simulated time. The outage begins with the first
// status check, when every install has its backup requested and is waiting for it.
import { defaultInstalls, startSimulator } from '../sim/server.js'
import { backupStepInProcess, built, median, MINUTE, SECOND, seconds, seeded, target, virtualTime } from './helpers.js'

const INSTALLS = 300
const OUTAGE_MS = 3 * MINUTE
const STATUS_CHECK = /^\/installs\/[0-9a-f-]{36}\/backups\/([0-9a-f-]{36})$/

/** @param {boolean} budget */
async function throughOutage(budget) {
  const { createNodeSend } = await built('wpengine/http.js')
  const transport = createNodeSend({})
  const { clock, send } = virtualTime(transport)
  const sim = await startSimulator({
    now: clock.now,
    requestedMs: 10 * SECOND,
    durationMs: 2 * MINUTE,
    installs: defaultInstalls(INSTALLS)
  })
  sim.outage({ startsWith: { method: 'GET', path: STATUS_CHECK }, forMs: OUTAGE_MS, answer: 'mixed' })
  const names = sim.installs.filter((i) => i.name.startsWith('filler')).map((i) => i.name)
  const started = clock.now()
  const { failed, outputs } = await backupStepInProcess(
    sim,
    { install: names.join(' '), 'max-parallel': '5' },
    { clock, send, random: seeded(1), retryBudget: budget ? undefined : false }
  )
  const during = sim.requests.filter((r) => r.fault !== undefined)
  const recovered = (during[0]?.at ?? Number.NaN) + OUTAGE_MS
  // Each backup was completed before the API came back: when the step saw each of them completed.
  /** @type {Map<string, number>} */
  const seen = new Map()
  for (const r of sim.requests) {
    const backup = STATUS_CHECK.exec(r.path)?.[1]
    if (backup && r.status === 200 && r.at >= recovered && !seen.has(backup)) seen.set(backup, r.at - recovered)
  }
  const afterRecovery = [...seen.values()]
  /** @type {{ status?: string }[]} */
  const backups = JSON.parse(outputs.backups ?? '[]')
  const result = {
    budget,
    failed,
    completed: backups.filter((b) => b.status === 'completed').length,
    created: sim.backups().length,
    duringOutage: during.length,
    total: sim.requests.length,
    firstAfterRecovery: (sim.requests.find((r) => r.at >= recovered)?.at ?? Number.NaN) - recovered,
    allSeen: { median: median(afterRecovery), max: Math.max(...afterRecovery) },
    stepMs: clock.now() - started
  }
  await sim.close()
  transport.close()
  return result
}

/** @type {import('./helpers.js').Section} */
export default {
  name: 'retry-budget',
  async run() {
    const withBudget = await throughOutage(true)
    const without = await throughOutage(false)
    const time = (/** @type {number} */ ms) => (ms < 2 * MINUTE ? seconds(ms) : `${(ms / MINUTE).toFixed(1)} min`)
    const row = (/** @type {string} */ label, /** @type {Awaited<ReturnType<typeof throughOutage>>} */ r) =>
      `| ${label} | ${r.duringOutage} | ${r.total} | ${r.completed}/${INSTALLS}, ${r.created} backups | ${time(r.firstAfterRecovery)} | ${time(r.allSeen.median)}, ${time(r.allSeen.max)} | ${time(r.stepMs)} |`
    const lines = [
      `## Retry budget: ${INSTALLS} installs through a 3-minute outage (max-parallel 5; the whole API 503 or reset from the first status check on, when all ${INSTALLS} are waiting; backups take 2 min; simulated time)`,
      '',
      '| | Requests during the outage | Requests in all | Completed | First request after recovery | Each completed backup seen after recovery (median, max) | Step took |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      row('with the step-wide retry budget', withBudget),
      row('without it (`budget: false`)', without),
      '',
      "Requests during the outage count each install's first failed status check; the budget paces only retries. The recovery times are not targets: they are what the budget costs."
    ]
    const targets = [
      target('retry budget: requests during the outage with the budget', withBudget.duringOutage, 'under', without.duringOutage, {
        limitIs: 'without it'
      }),
      ...[withBudget, without].flatMap((r) => {
        const label = r.budget ? 'with the budget' : 'without it'
        return [
          target(`retry budget, ${label}: installs completed`, r.completed, 'exactly', INSTALLS),
          target(`retry budget, ${label}: backups created`, r.created, 'exactly', INSTALLS),
          target(`retry budget, ${label}: step failures`, r.failed === undefined ? 0 : 1, 'exactly', 0)
        ]
      })
    ]
    return { lines, targets }
  }
}
