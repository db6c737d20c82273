// @ts-check
// What the bench sections share: the compiled source, seeded randomness, statistics, formatting, and targets.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { setImmediate } from 'node:timers'
import { join } from 'node:path'
import { ROOT, SAMPLE_RUN_CONTEXT } from '../scripts/run-action.js'

export const SECOND = 1000
export const MINUTE = 60 * SECOND

/**
 * @typedef {{ ok: boolean, line: string }} Target
 * @typedef {{ lines: string[], targets: Target[] }} SectionResult
 * @typedef {{ quick: boolean }} RunOptions `quick`: what CI runs, in well under a minute
 * @typedef {{ name: string, run: (options: RunOptions) => Promise<SectionResult> }} Section
 */

/**
 * One folder for everything a bench run writes, removed when the process ends however it ends (done,
 * failed, thrown, or interrupted). It becomes TMPDIR for this process, so every `mkdtemp(tmpdir())`
 * below it (the sections' own folders, and run-action's for each run of the action) lands inside it.
 */
export function scratchFolder() {
  const folder = mkdtempSync(join(tmpdir(), 'wpe-bench-'))
  process.env.TMPDIR = folder
  const remove = () => rmSync(folder, { recursive: true, force: true })
  process.on('exit', remove)
  for (const [signal, number] of /** @type {const} */ ([
    ['SIGHUP', 1],
    ['SIGINT', 2],
    ['SIGTERM', 15]
  ])) {
    // Exit (which removes the folder) as the signal would have ended the process.
    process.once(signal, () => process.exit(128 + number))
  }
  return folder
}

let compiled = false

/**
 * The source, compiled to build/ (it imports with .js extensions): what the in-process sections measure
 * is the very code the action runs. Compiled once per bench run. @param {string} file e.g. `backup/main.js`
 */
export async function built(file) {
  if (!compiled) {
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], {
      stdio: 'inherit'
    })
    if (tsc.status !== 0) throw new Error('tsc failed')
    compiled = true
  }
  return import(join(ROOT, 'build', file))
}

/** A seeded random source, so every run of the benchmark measures the same jitter. @param {number} seed */
export function seeded(seed) {
  let state = seed >>> 0
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32
}

/**
 * Checks at elapsed times given by `nextDelay` until one sees the backup done at `doneAt`: how late it
 * was noticed, and how many checks that took.
 * @param {number} doneAt @param {(elapsed: number) => number} nextDelay
 */
export function checkUntilDone(doneAt, nextDelay) {
  let t = 0
  let requests = 0
  for (;;) {
    t += nextDelay(t)
    requests++
    if (t >= doneAt) return { lag: t - doneAt, requests }
  }
}

export const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
export const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length

export const seconds = (/** @type {number} */ ms) => (ms < 10 * SECOND ? `${(ms / SECOND).toFixed(1)} s` : `${Math.round(ms / SECOND)} s`)

/** How a measured value is written; `extra` decimals are added to tell two values apart. @typedef {(value: number, extra: number) => string} Unit */

/** Milliseconds as seconds: one decimal under 10 s. @type {Unit} */
export const inSeconds = (ms, extra) => `${(ms / SECOND).toFixed((ms < 10 * SECOND ? 1 : 0) + extra)} s`
/** A count, or a mean of counts (one decimal). @type {Unit} */
export const count = (n, extra) => n.toFixed((Number.isInteger(n) ? 0 : 1) + extra)
/** Bytes as MB (MiB). @type {Unit} */
export const megabytes = (bytes, extra) => `${(bytes / (1024 * 1024)).toFixed(extra)} MB`

const RELATIONS = {
  'at most': (/** @type {number} */ value, /** @type {number} */ limit) => value <= limit,
  under: (/** @type {number} */ value, /** @type {number} */ limit) => value < limit,
  exactly: (/** @type {number} */ value, /** @type {number} */ limit) => value === limit
}

/**
 * A target: `value`, measured, against `limit`. The line reads `what: value (relation limit)`, both in
 * `unit`, with more decimals when the usual ones would print a failing value and its limit alike.
 * @param {string} what @param {number} value @param {keyof typeof RELATIONS} relation @param {number} limit
 * @param {{ unit?: Unit, limitIs?: string }} [options] `limitIs`: what the limit is, when it is a measurement too
 * @returns {Target}
 */
export function target(what, value, relation, limit, { unit = count, limitIs } = {}) {
  const ok = RELATIONS[relation](value, limit)
  let extra = 0
  while (extra < 6 && value !== limit && unit(value, extra) === unit(limit, extra)) extra++
  return {
    ok,
    line: `${ok ? 'PASS' : 'FAIL'} ${what}: ${unit(value, extra)} (${relation} ${unit(limit, extra)}${limitIs ? `, ${limitIs}` : ''})`
  }
}

/**
 * Simulated time for a whole step in process against the simulator: `clock` for the step and the
 * simulator, `send` wrapping the real transport. Time stands still while any request is in flight (the
 * simulator answers at once, in real time), and moves on to the earliest sleeper's wake-up only once
 * every request has been answered and what followed has settled: sleepers wake in order of their
 * wake-up time, however many installs sleep at once, and minutes of backups and outages take
 * milliseconds. With `latencyMs`, each request takes that much simulated time on the wire (half each
 * way), so that requests in flight overlap as they do against the real API.
 * @param {import('../src/wpengine/http.js').Send} realSend @param {{ latencyMs?: number, start?: number }} [options]
 */
export function virtualTime(realSend, { latencyMs = 0, start = Date.UTC(2026, 0, 1) } = {}) {
  let time = start
  let inFlight = 0
  let order = 0
  let ticking = false
  /** @type {{ at: number, order: number, wake: () => void, signal?: AbortSignal }[]} */
  let sleepers = []
  /** One abort listener per signal (however many sleep on it), rejecting its sleepers. @type {Map<AbortSignal, Map<object, (reason: unknown) => void>>} */
  const bySignal = new Map()
  const tick = () => {
    ticking = false
    if (inFlight > 0 || sleepers.length === 0) return
    time = Math.max(time, Math.min(...sleepers.map((s) => s.at)))
    const due = sleepers.filter((s) => s.at <= time).sort((a, b) => a.at - b.at || a.order - b.order)
    sleepers = sleepers.filter((s) => s.at > time)
    for (const s of due) s.wake()
    later()
  }
  // setImmediate: after every promise continuation the last event started has run.
  const later = () => {
    if (ticking) return
    ticking = true
    setImmediate(tick)
  }
  /** @type {import('../src/time/clock.js').Clock} */
  const clock = {
    now: () => time,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const sleeper = { at: time + Math.max(0, ms), order: order++, signal, wake: () => (forget(), resolve()) }
        const forget = () => {
          const waiting = signal && bySignal.get(signal)
          waiting?.delete(sleeper)
          if (signal && waiting?.size === 0) {
            bySignal.delete(signal)
            signal.removeEventListener('abort', onAbort)
          }
        }
        if (signal) {
          if (!bySignal.has(signal)) signal.addEventListener('abort', onAbort, { once: true })
          const waiting = bySignal.get(signal) ?? new Map()
          waiting.set(sleeper, (/** @type {unknown} */ reason) => {
            sleepers = sleepers.filter((s) => s !== sleeper)
            reject(reason)
          })
          bySignal.set(signal, waiting)
        }
        sleepers.push(sleeper)
        later()
      })
  }
  /** @this {AbortSignal} */
  function onAbort() {
    const waiting = bySignal.get(this)
    bySignal.delete(this)
    for (const rejectSleeper of waiting?.values() ?? []) rejectSleeper(this.reason)
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

/**
 * The backup step (run() of src/backup/main.ts, compiled) in process against the simulator, on
 * simulated time: `inputs` add to the simulator's URL and credentials. Returns whether it failed, its
 * outputs and its job summary. `retryBudget` and `rateLimit` false turn those off, to measure what they save.
 * @param {import('../sim/server.js').Simulator} sim @param {Record<string, string>} inputs
 * @param {{ clock: import('../src/time/clock.js').Clock, send: import('../src/wpengine/http.js').Send, random: () => number, retryBudget?: false, rateLimit?: false, env?: NodeJS.ProcessEnv }} tools
 */
export async function backupStepInProcess(sim, inputs, { clock, send, random, retryBudget, rateLimit, env = {} }) {
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
  await run({ core, env, context: SAMPLE_RUN_CONTEXT, clock, send, random, retryBudget, rateLimit })
  return { failed, outputs, summary }
}

/** Wall time of a command, in ms; rejects when it fails. @param {string} command @param {string[]} args */
export function timeCommand(command, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    // Not spawnSync: a simulator serving the command may run in this process.
    spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] })
      .on('error', reject)
      .on('exit', (code) =>
        code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`${command} exited ${code}`))
      )
  })
}

/** Whether a command is on the PATH (curl, unzip, age…): it answers its version. @param {string} command @param {string[]} [args] */
export const installed = (command, args = command === 'unzip' ? ['-v'] : ['--version']) => spawnSync(command, args).status === 0

/** The environment that makes the bundled action write its peak resident memory to `file` (the tests' probe). @param {string} file */
export const peakMemoryEnv = (file) => ({
  NODE_OPTIONS: `--import ${join(ROOT, '__tests__', 'fixtures', 'peak-memory.mjs')}`,
  PEAK_MEMORY_FILE: file
})
