// @ts-check
// Bench section rate-limit: 300 installs in one step (install: '*', max-parallel 5) against a simulator
// that allows 20 requests a second across the account and answers 429 past it, with no Retry-After.
// The step runs in process on simulated time, each request taking 100 ms on the wire: how many
// requests were sent, what share was answered 429, whether every install completed with exactly one
// backup, and how long it took in simulated time; with the pace the step learns from its 429s, and
// without it (each request retrying on its own). Deterministic: seeded jitter, simulated time.
import { defaultInstalls, startSimulator } from '../sim/server.js'
import { backupStepInProcess, built, seeded, target, virtualTime } from './helpers.js'

const INSTALLS = 300
const PER_SECOND = 20
const LATENCY_MS = 100

/** @param {{ rateLimit?: false }} options */
async function measure({ rateLimit }) {
  const { createNodeSend } = await built('wpengine/http.js')
  const transport = createNodeSend({})
  const { clock, send } = virtualTime(transport, { latencyMs: LATENCY_MS })
  const sim = await startSimulator({
    installs: defaultInstalls(INSTALLS - 2),
    requestedMs: 500,
    durationMs: 2_000,
    rateLimit: { perSecond: PER_SECOND },
    now: clock.now
  })
  const start = clock.now()
  const { failed, outputs } = await backupStepInProcess(sim, { install: '*' }, { clock, send, random: seeded(7), rateLimit })
  const backups = /** @type {{ status: string }[]} */ (JSON.parse(outputs.backups || '[]'))
  const result = {
    failed,
    requests: sim.requests.length,
    limited: sim.requests.filter((r) => r.status === 429).length,
    completed: backups.filter((b) => b.status === 'completed').length,
    made: sim.backups().length,
    simulatedMs: clock.now() - start
  }
  await sim.close()
  transport.close()
  return result
}

/** @type {import('./helpers.js').Section} */
const section = {
  name: 'rate-limit',
  async run() {
    const paced = await measure({})
    const alone = await measure({ rateLimit: false })
    const share = (/** @type {{ limited: number, requests: number }} */ r) => r.limited / r.requests
    const percent = (/** @type {number} */ x) => `${(100 * x).toFixed(1)} %`
    const row = (/** @type {string} */ label, /** @type {typeof paced} */ r) =>
      `| ${label} | ${r.completed} of ${INSTALLS} | ${r.made} | ${r.requests} | ${r.limited} (${percent(share(r))}) | ${(r.simulatedMs / 1000).toFixed(0)} s |`
    return {
      lines: [
        `## Account rate limit (${INSTALLS} installs, install: '*', max-parallel 5; the simulator allows ${PER_SECOND} requests a second across the account, 429 past it, no Retry-After; ${LATENCY_MS} ms a request; the step in process, simulated time)`,
        '',
        '| | Completed | Backups made | Requests | Answered 429 | Took (simulated) |',
        '| --- | --- | --- | --- | --- | --- |',
        row('pace shared by the step, learned from 429s', paced),
        row('each request retrying on its own', alone)
      ],
      targets: [
        target('rate limit: installs completed', paced.completed, 'exactly', INSTALLS),
        target('rate limit: backups made (one per install)', paced.made, 'exactly', INSTALLS),
        target('rate limit: share of requests answered 429', share(paced), 'at most', 0.15, {
          unit: (x, extra) => `${(100 * x).toFixed(1 + extra)} %`
        })
      ]
    }
  }
}

export default section
