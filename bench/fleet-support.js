// @ts-check
// What the fleet and rate-limit sections share: the compiled source, the step in process on simulated
// time, seeded randomness, targets, and running a section on its own (`node bench/<section>.js`).
import { spawnSync } from 'node:child_process'
import { setImmediate } from 'node:timers'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, SAMPLE_RUN_ENV } from '../scripts/run-action.js'

/**
 * @typedef {{ ok: boolean, line: string }} Target
 * @typedef {{ lines: string[], targets: Target[] }} SectionResult
 * @typedef {{ name: string, run: (options: { quick: boolean }) => Promise<SectionResult> }} Section
 */

let compiled = false

/** A module of the source, compiled to build/ once per process: what is measured is the code the action runs. @param {string} file */
export async function built(file) {
  if (!compiled) {
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], {
      stdio: 'inherit'
    })
    if (tsc.status !== 0) throw new Error('tsc failed')
    compiled = true
  }
  return import(pathToFileURL(join(ROOT, 'build', file)).href)
}

/** A seeded random source, so that every run measures the same jitter. @param {number} seed */
export function seeded(seed) {
  let state = seed >>> 0
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32
}

/** `what: value (relation limit)`, PASS or FAIL. @param {string} what @param {number} value @param {'at most' | 'under' | 'exactly'} relation @param {number} limit @param {(n: number) => string} [unit] */
export function target(what, value, relation, limit, unit = String) {
  const ok = relation === 'at most' ? value <= limit : relation === 'under' ? value < limit : value === limit
  return { ok, line: `${ok ? 'PASS' : 'FAIL'} ${what}: ${unit(value)} (${relation} ${unit(limit)})` }
}

/**
 * Simulated time for a whole step in process against the simulator. Each request takes `latencyMs` of
 * simulated time on the wire (half each way), so that requests in flight overlap as they do against
 * the real API; time stands still while the simulator answers (in real time), and moves on to the
 * earliest sleeper only once nothing is in flight and what followed has settled. Sleepers wake in the
 * order of their wake-up times, however many there are.
 * @param {import('../src/wpengine/http.js').Send} realSend @param {{ latencyMs?: number, start?: number }} [options]
 */
export function simulatedTime(realSend, { latencyMs = 0, start = Date.UTC(2026, 0, 1) } = {}) {
  let time = start
  let inFlight = 0
  let order = 0
  let scheduled = false
  /** @type {{ at: number, order: number, wake: () => void }[]} */
  let sleepers = []
  const tick = () => {
    scheduled = false
    if (inFlight > 0 || sleepers.length === 0) return
    let earliest = Infinity
    for (const sleeper of sleepers) earliest = Math.min(earliest, sleeper.at)
    time = Math.max(time, earliest)
    const due = sleepers.filter((s) => s.at <= time).sort((a, b) => a.at - b.at || a.order - b.order)
    sleepers = sleepers.filter((s) => s.at > time)
    for (const sleeper of due) sleeper.wake()
    later()
  }
  // setImmediate: after every promise continuation that the last event started has run.
  const later = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(tick)
  }
  /** @type {import('../src/time/clock.js').Clock} */
  const clock = {
    now: () => time,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const onAbort = () => {
          sleepers = sleepers.filter((s) => s !== sleeper)
          reject(signal?.reason)
        }
        const sleeper = {
          at: time + Math.max(0, ms),
          order: order++,
          wake: () => {
            signal?.removeEventListener('abort', onAbort)
            resolve()
          }
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        sleepers.push(sleeper)
        later()
      })
  }
  /** @type {import('../src/wpengine/http.js').Send} */
  const send = async (request, signal) => {
    if (latencyMs > 0) await clock.sleep(latencyMs / 2, signal)
    inFlight++
    try {
      return await realSend(request, signal)
    } finally {
      inFlight--
      later()
      if (latencyMs > 0) await clock.sleep(latencyMs / 2)
    }
  }
  return { clock, send }
}

/** The run as the runner describes it, for a step in process. */
export const RUN_CONTEXT = {
  repository: SAMPLE_RUN_ENV.GITHUB_REPOSITORY,
  sha: SAMPLE_RUN_ENV.GITHUB_SHA,
  ref: SAMPLE_RUN_ENV.GITHUB_REF,
  serverUrl: SAMPLE_RUN_ENV.GITHUB_SERVER_URL,
  workflow: SAMPLE_RUN_ENV.GITHUB_WORKFLOW,
  runNumber: Number(SAMPLE_RUN_ENV.GITHUB_RUN_NUMBER),
  runId: Number(SAMPLE_RUN_ENV.GITHUB_RUN_ID),
  runAttempt: Number(SAMPLE_RUN_ENV.GITHUB_RUN_ATTEMPT),
  actor: SAMPLE_RUN_ENV.GITHUB_ACTOR,
  job: SAMPLE_RUN_ENV.GITHUB_JOB,
  step: SAMPLE_RUN_ENV.GITHUB_ACTION
}

/**
 * The backup step (run() of src/backup/main.ts, compiled) in process against the simulator; `inputs`
 * add to the simulator's URL and credentials. Returns its failure line, if any, and its outputs.
 * @param {import('../sim/server.js').Simulator} sim @param {Record<string, string>} inputs
 * @param {{ clock: import('../src/time/clock.js').Clock, send: import('../src/wpengine/http.js').Send, random: () => number, rateLimit?: false, env?: NodeJS.ProcessEnv }} tools
 */
export async function stepInProcess(sim, inputs, { clock, send, random, rateLimit, env = {} }) {
  const { run } = await built('backup/main.js')
  /** @type {Record<string, string>} */
  const given = {
    'notification-emails': 'ops@example.com',
    'api-user-id': sim.credentials.userId,
    'api-password': sim.credentials.password,
    'api-url': sim.url,
    ...inputs
  }
  /** @type {Record<string, string>} */
  const outputs = {}
  /** @type {string | undefined} */
  let failed
  let summary = ''
  const core = {
    getInput: (/** @type {string} */ name) => given[name] ?? '',
    setOutput: (/** @type {string} */ name, /** @type {unknown} */ value) => void (outputs[name] = String(value)),
    setSecret() {},
    setFailed: (/** @type {string} */ message) => void (failed = message),
    info() {},
    warning() {},
    notice() {},
    debug() {},
    startGroup() {},
    endGroup() {},
    summary: {
      addRaw(/** @type {string} */ text) {
        summary += text
        return this
      },
      write: async () => undefined
    }
  }
  await run({ core, env, context: RUN_CONTEXT, clock, send, random, rateLimit })
  return { failed, outputs, summary }
}

/**
 * Runs a section when its file is run itself (`node bench/fleet.js [--quick]`): prints its tables and
 * targets, and exits 1 when a target is missed.
 * @param {string} url the section's import.meta.url @param {Section} section
 */
export async function runIfMain(url, section) {
  if (!process.argv[1] || url !== pathToFileURL(process.argv[1]).href) return
  const { lines, targets } = await section.run({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${[...lines, '', ...targets.map((t) => `- ${t.line}`)].join('\n')}\n`)
  process.exitCode = targets.every((t) => t.ok) ? 0 : 1
}
