import { afterAll } from '@jest/globals'
import type { Simulator } from '../../sim/server.js'
import { run } from '../../src/backup/main.js'
import { runRestore } from '../../src/restore/main.js'
import type { Dependencies } from '../../src/step/harness.js'
import type { RunContext } from '../../src/step/run-context.js'
import type { Clock } from '../../src/time/clock.js'
import { createNodeSend, type ClosableSend, type Send } from '../../src/wpengine/http.js'
import { FakeClock, RecordingCore, RUN_CONTEXT } from './helpers.js'
import { useSimulators, type SimOptions } from './sim-helpers.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The step tier: a whole step (run() of an action) in process, against the simulator on a fake clock,
// with a recording Core in place of @actions/core. Backups of minutes take milliseconds.

// Where a step writes its output files (RUNNER_TEMP on a runner): one folder per test file, removed after it.
let runnerTemp: string | undefined
afterAll(() => {
  if (runnerTemp) rmSync(runnerTemp, { recursive: true, force: true })
})
const runnerTempOf = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  RUNNER_TEMP: (runnerTemp ??= mkdtempSync(join(tmpdir(), 'wpe-runner-temp-'))),
  ...env
})

export interface StepOptions {
  clock: Clock
  send: Send
  inputs?: Record<string, string>
  context?: RunContext
  env?: NodeJS.ProcessEnv
  /** The archive download's stall limit (a minute of real time unless shortened). */
  downloadStallMs?: number
  /** The jitter of retries and checks; Math.random unless given (seededRandom in turns.ts gives the same on every run). */
  random?: () => number
  /** Where the runner's cancel arrives: emit SIGTERM on it to cancel the step. */
  signals?: Dependencies['signals']
}

/** The inputs every step run starts from: the simulator's URL and credentials; `inputs` add to them or replace them. */
function simInputs(s: Simulator, inputs: Record<string, string>): Record<string, string> {
  return {
    'api-user-id': s.credentials.userId,
    'api-password': s.credentials.password,
    'api-url': s.url,
    ...inputs
  }
}

/**
 * The backup step in process against the simulator, on the simulator's fake clock: one install
 * (mysite) unless `inputs` says otherwise, with the simulator's credentials.
 */
export async function backupStep(
  s: Simulator,
  { clock, send, inputs = {}, context = RUN_CONTEXT, env = {}, downloadStallMs, random = Math.random }: StepOptions
): Promise<{ core: RecordingCore; start: number }> {
  const core = new RecordingCore(simInputs(s, { install: 'mysite', 'notification-emails': 'ops@example.com', ...inputs }))
  const start = clock.now()
  await run({ core, env: runnerTempOf(env), context, clock, send, random, downloadStallMs })
  return { core, start }
}

/** The restore step in process against the simulator, likewise: mysite unless `inputs` says otherwise. */
export async function restoreStep(
  s: Simulator,
  { clock, send, inputs = {}, context = RUN_CONTEXT, env = {}, random = Math.random, signals }: StepOptions
): Promise<{ core: RecordingCore; start: number }> {
  const core = new RecordingCore(simInputs(s, { install: 'mysite', ...inputs }))
  const start = clock.now()
  await runRestore({ core, env, context, clock, send, random, signals })
  return { core, start }
}

/**
 * For one test file: one transport (closed after the file), and `setup()`, which starts a simulator
 * on a fresh fake clock (`defaults` under the options given) and runs steps against it.
 */
export function useStepBed(defaults: SimOptions = {}) {
  const send: ClosableSend = createNodeSend()
  afterAll(() => send.close())
  const freshSim = useSimulators(defaults)
  return async (options: SimOptions = {}) => {
    const clock = new FakeClock()
    const sim = await freshSim({ now: () => clock.now(), ...options })
    return {
      sim,
      clock,
      send,
      backup: (inputs: Record<string, string> = {}, more: Partial<StepOptions> = {}) => backupStep(sim, { clock, send, inputs, ...more }),
      restore: (inputs: Record<string, string> = {}, more: Partial<StepOptions> = {}) => restoreStep(sim, { clock, send, inputs, ...more })
    }
  }
}
