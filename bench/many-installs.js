// @ts-check
// Twenty installs in one step with max-parallel 5, beside twenty single-install runs one after
// another: wall time, requests and peak concurrency. The full run times the bundled action; the quick
// run counts requests of the step in process, on simulated time (no wall time).
import { startSimulator } from '../sim/server.js'
import { actionAgainst, runAction } from '../scripts/run-action.js'
import { backupStepInProcess, built, inSeconds, seconds, seeded, target, virtualTime } from './helpers.js'

const SIM = { requestedMs: 500, durationMs: 2_000, latencyMs: 50 }
const NAMES = [...Array.from({ length: 19 }, (_, n) => `filler${String(n * 6 + 1).padStart(4, '0')}`), 'mysite']

/**
 * The same twenty installs, by name, backed up by one step and by twenty steps in a row, each
 * against a fresh simulator whose answers take 50 ms and whose backups take 2 s.
 */
async function manyInstalls() {
  const options = SIM
  /** @param {Record<string, string>} inputs @param {import('../sim/server.js').Simulator} sim */
  const step = async (inputs, sim) => {
    const result = await runAction(actionAgainst(sim, inputs))
    if (result.code !== 0) throw new Error(`the action failed: ${result.stdout}`)
    return result.durationMs
  }
  const names = NAMES

  const together = await startSimulator(options)
  const togetherMs = await step({ install: names.join(', '), 'max-parallel': '5' }, together)
  const result = {
    togetherMs,
    togetherRequests: together.requests.length,
    peak: together.concurrency.max,
    sequentialMs: 0,
    sequentialRequests: 0
  }
  await together.close()

  const alone = await startSimulator(options)
  for (const name of names) result.sequentialMs += await step({ install: name }, alone)
  result.sequentialRequests = alone.requests.length
  await alone.close()
  return result
}

/**
 * The same, the step in process on simulated time (the simulator's answers still take 50 ms of real
 * time, so requests overlap as they would): requests and peak concurrency, no wall time.
 */
async function manyInstallsInProcess() {
  const { createNodeSend } = await built('wpengine/http.js')
  const transport = createNodeSend({})
  const { clock, send } = virtualTime(transport)
  const random = seeded(3)
  const together = await startSimulator({ ...SIM, now: clock.now })
  const failed = (/** @type {string | undefined} */ failure) => {
    if (failure !== undefined) throw new Error(`the step failed: ${failure}`)
  }
  failed((await backupStepInProcess(together, { install: NAMES.join(', '), 'max-parallel': '5' }, { clock, send, random })).failed)
  const result = { togetherRequests: together.requests.length, peak: together.concurrency.max, sequentialRequests: 0 }
  await together.close()
  // One request at a time: the 50 ms would only add to the wall time, and time stands still while they are answered.
  const alone = await startSimulator({ ...SIM, latencyMs: 0, now: clock.now })
  for (const name of NAMES) failed((await backupStepInProcess(alone, { install: name }, { clock, send, random })).failed)
  result.sequentialRequests = alone.requests.length
  await alone.close()
  transport.close()
  return result
}

/** @type {import('./helpers.js').Section} */
export default {
  name: 'many-installs',
  async run({ quick }) {
    if (quick) {
      const many = await manyInstallsInProcess()
      return {
        lines: [
          '## Twenty installs (by name; simulator answers in 50 ms, backups take 2 s; the step in process, simulated time)',
          '',
          '| | Requests | Most requests in flight |',
          '| --- | --- | --- |',
          `| one step, \`max-parallel: 5\` | ${many.togetherRequests} | ${many.peak} |`,
          `| 20 single-install runs, one after another | ${many.sequentialRequests} | 1 |`
        ],
        targets: [
          target('twenty installs: one step, requests', many.togetherRequests, 'at most', many.sequentialRequests, {
            limitIs: 'twenty runs in a row'
          }),
          target('twenty installs: one step, most requests in flight', many.peak, 'at most', 5)
        ]
      }
    }
    const many = await manyInstalls()
    const lines = [
      '## Twenty installs (by name; simulator answers in 50 ms, backups take 2 s)',
      '',
      '| | Wall time | Requests | Most requests in flight |',
      '| --- | --- | --- | --- |',
      `| one step, \`max-parallel: 5\` | ${seconds(many.togetherMs)} | ${many.togetherRequests} | ${many.peak} |`,
      `| 20 single-install runs, one after another | ${seconds(many.sequentialMs)} | ${many.sequentialRequests} | 1 |`
    ]
    const targets = [
      // Wall clock, but with wide headroom: twenty runs in a row wait out twenty 2-second backups one by one.
      target('twenty installs: one step, wall time', many.togetherMs, 'under', many.sequentialMs / 4, {
        unit: inSeconds,
        limitIs: 'a quarter of twenty runs in a row'
      }),
      target('twenty installs: one step, requests', many.togetherRequests, 'at most', many.sequentialRequests, {
        limitIs: 'twenty runs in a row'
      }),
      target('twenty installs: one step, most requests in flight', many.peak, 'at most', 5)
    ]
    return { lines, targets }
  }
}
