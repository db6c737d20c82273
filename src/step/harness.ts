import * as actionsCore from '@actions/core'
import { context as githubContext } from '@actions/github'
import { basicToken, WpeClient } from '../wpengine/client.js'
import { CancelledError, errorLine } from '../wpengine/errors.js'
import { createNodeSend, type ClosableSend, type Send } from '../wpengine/http.js'
import { proxyProblem } from '../wpengine/proxy.js'
import { systemClock, type Clock } from '../time/clock.js'
import { runContextOf, type RunContext } from './run-context.js'
import { InputError, type GetInput } from './inputs.js'
import { cell } from '../text/markdown-cell.js'
import { safeCore } from './output-sink.js'
import { withOutputFiles } from './output-files.js'
import type { Core } from './core.js'

// What every step does, whichever action it is: read and check the inputs, mask the credentials before
// anything else is printed, open and close the API client, turn the runner's cancel into an abort, decide
// the outcome once, and let the outputs, the job summary and the one failure line all read that decision.

/** Where the runner's cancellation signals arrive (process, in the action). */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
}

export interface Dependencies {
  core: Core
  env: NodeJS.ProcessEnv
  context: RunContext
  clock?: Clock
  send?: Send
  random?: () => number
  signals?: SignalSource
  /** `false`: the client retries without its step-wide retry budget (for the bench, which measures what the budget saves). */
  retryBudget?: false
  /** Called on cancellation once outputs and summary are written, to end the process promptly. */
  onCancelled?: () => void
  /**
   * How long an archive download may stay silent before it is dropped and resumed: a minute unless
   * given (DEFAULT_STALL_MS). A real-time limit, so the step tests, on a fake clock, shorten it here.
   */
  downloadStallMs?: number
  /** false: no pace shared by every request and learned from 429s (ClientOptions.rateLimit), for the bench to compare. */
  rateLimit?: false
}

/** The real collaborators: @actions/core, @actions/github's context, the process's signals. */
export function actionDependencies(): Dependencies {
  return {
    core: actionsCore,
    env: process.env,
    context: runContextOf(githubContext),
    signals: process,
    // In-flight requests are already aborted and the outputs written: end now, whatever else is pending.
    onCancelled: () => process.exit()
  }
}

/** What a step's work is given: its settings and the collaborators it acts through. */
export interface StepTools<S> {
  settings: S
  core: Core
  client: WpeClient
  clock: Clock
  /** Absolute clock time when the step's timeout runs out. */
  deadline: number
  /** Aborted when the runner cancels the step. */
  signal: AbortSignal
  context: RunContext
  env: NodeJS.ProcessEnv
  random?: () => number
  /** Dependencies.downloadStallMs, for the archive downloads. */
  downloadStallMs?: number
  /** A warning the step gives once, however many installs meet it (a feature the API does not offer). */
  warnOnce(message: string): void
}

/** The one decision on how a step ended. `line` is the last log line: the success, or the failure and what to do. */
export interface StepVerdict {
  ok: boolean
  cancelled: boolean
  line: string
}

export interface Credentials {
  userId: string
  password: string
  apiUrl: URL
}

/** One action: how to read its inputs, and the step that does the work once they are read. */
export interface ActionDefinition<S extends Credentials> {
  /** `WP Engine backup`: heads the summary of an input error. */
  title: string
  /** `context` is the run's, for problems that depend on it (a fork's pull request has no secrets). */
  readInputs(getInput: GetInput, env: NodeJS.ProcessEnv, context: RunContext): S
  /** The step for these settings (the backup action's dry run is a step of its own). */
  stepFor(settings: S): Step<S>
}

/** A step's work and how it is told: its report and verdict types are its own. */
export interface StepDefinition<S extends Credentials, R, V extends StepVerdict> {
  /** `readOnly`: the client refuses to send anything but GET (a dry run). */
  limits(settings: S): { timeoutMs: number; maxConcurrentRequests?: number; readOnly?: boolean }
  /** The report, kept current by the work so that it can be told however the step ends. */
  start(settings: S): R
  work(report: R, tools: StepTools<S>): Promise<void>
  /** `error` is what the work threw, if it threw. */
  conclude(report: R, ending: { cancelled: boolean; error?: unknown }): V
  outputs(report: R, verdict: V): Record<string, string>
  summary(report: R, verdict: V): string
}

/**
 * A step definition with its report and verdict types hidden, so that an action can choose between
 * steps whose types differ: the harness hands it a function, and the step calls it with itself.
 */
export type Step<S extends Credentials> = <T>(use: <R, V extends StepVerdict>(definition: StepDefinition<S, R, V>) => T) => T

export function defineStep<S extends Credentials, R, V extends StepVerdict>(definition: StepDefinition<S, R, V>): Step<S> {
  return (use) => use(definition)
}

export async function runAction<S extends Credentials>(action: ActionDefinition<S>, dependencies: Dependencies): Promise<void> {
  // Everything the step writes goes out through the output sink (safeCore), from the first input error on.
  const deps = { ...dependencies, core: safeCore(dependencies.core) }
  try {
    const settings = await readSettings(action, deps)
    if (!settings) return
    await action.stepFor(settings)((step) => runStep(step, settings, deps, action.title))
  } catch (error) {
    // What the step cannot report itself (e.g. an unwritable GITHUB_OUTPUT) still ends in one line, never a stack trace.
    deps.core.setFailed(`Unexpected failure: ${errorLine(error)}`)
  }
}

/** Opens the client, does the work, and tells the one verdict through the outputs, the summary and the last line. */
async function runStep<S extends Credentials, R, V extends StepVerdict>(
  step: StepDefinition<S, R, V>,
  settings: S,
  deps: Dependencies,
  title: string
): Promise<void> {
  const { core } = deps
  const clock = deps.clock ?? systemClock
  const cancel = new AbortController()
  const onSignal = (): void => cancel.abort(new CancelledError())
  deps.signals?.once('SIGINT', onSignal)
  deps.signals?.once('SIGTERM', onSignal)
  const send = deps.send ?? createNodeSend(deps.env)
  const { timeoutMs, maxConcurrentRequests, readOnly } = step.limits(settings)
  const deadline = clock.now() + timeoutMs
  const client = new WpeClient({
    ...settings,
    send,
    clock,
    deadline,
    signal: cancel.signal,
    random: deps.random,
    budget: deps.retryBudget,
    maxConcurrentRequests,
    readOnly,
    rateLimit: deps.rateLimit,
    onRetry: (message) => core.info(message),
    onDebug: (line) => core.debug(line),
    onWarning: (message) => core.warning(message)
  })
  const report = step.start(settings)
  const warned = new Set<string>()
  let error: unknown
  try {
    await step.work(report, {
      settings,
      core,
      client,
      clock,
      deadline,
      signal: cancel.signal,
      context: deps.context,
      env: deps.env,
      random: deps.random,
      downloadStallMs: deps.downloadStallMs,
      warnOnce: (message) => {
        if (warned.has(message)) return
        warned.add(message)
        core.warning(message)
      }
    })
  } catch (thrown) {
    error = thrown
  } finally {
    deps.signals?.off('SIGINT', onSignal)
    deps.signals?.off('SIGTERM', onSignal)
    if (!deps.send) (send as ClosableSend).close()
  }
  if (error instanceof InputError) {
    // Input found bad only once the API was read (a pattern that matches no install): it ends as bad input
    // does, and nothing but reads was sent.
    core.setFailed(`Invalid input: ${error.message}`)
    await writeSummary(core, nothingSentSummary(`${title}: invalid input`, error.problems, READ_ONLY_NOTE))
    return
  }
  const verdict = step.conclude(report, { cancelled: cancel.signal.aborted || error instanceof CancelledError, error })
  const outputs = withOutputFiles(step.outputs(report, verdict), deps.env.RUNNER_TEMP, core)
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
  await writeSummary(core, step.summary(report, verdict))
  if (verdict.ok) core.info(verdict.line)
  else core.setFailed(verdict.line)
  if (verdict.cancelled) deps.onCancelled?.()
}

/**
 * The inputs, parsed and checked, with the credentials masked before anything else is logged; or
 * undefined once the step has failed with one line naming every bad input (nothing is sent then).
 */
async function readSettings<S extends Credentials>(
  action: Pick<ActionDefinition<S>, 'title' | 'readInputs'>,
  { core, env, context }: Dependencies
): Promise<S | undefined> {
  let settings: S
  try {
    settings = action.readInputs((name) => core.getInput(name), env, context)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    // Whatever was given as credentials stays masked, even when another input is wrong.
    maskCredentials(core, env)
    core.setFailed(`Invalid input: ${error.message}`)
    await writeSummary(core, nothingSentSummary(`${action.title}: invalid input`, error.problems))
    return undefined
  }
  maskCredentials(core, env, settings)
  // A proxy variable that is not a URL would otherwise be ignored, and the credentials sent direct.
  const proxy = proxyProblem(settings.apiUrl, env)
  if (proxy !== undefined) {
    core.setFailed(proxy)
    await writeSummary(core, nothingSentSummary(`${action.title}: invalid proxy setting`, [proxy]))
    return undefined
  }
  return settings
}

/** The password and the header value derived from it. */
function maskCredentials(core: Core, env: NodeJS.ProcessEnv, settings?: Credentials): void {
  const userId = settings?.userId ?? (core.getInput('api-user-id') || env.WPENGINE_USER_ID?.trim() || '')
  const password = settings?.password ?? (core.getInput('api-password') || env.WPENGINE_PASSWORD || '')
  if (password === '') return
  core.setSecret(password)
  core.setSecret(basicToken(userId, password))
}

const NOTHING_SENT_NOTE = 'Nothing was sent to WP Engine.'
const READ_ONLY_NOTE = 'Nothing was requested: the step only read from WP Engine.'

function nothingSentSummary(heading: string, problems: string[], note = NOTHING_SENT_NOTE): string {
  return [`## ❌ ${heading}`, '', note, '', ...problems.map((problem) => `- ${cell(problem)}`), ''].join('\n')
}

/** The job summary; failing to write it is a warning, never the step's failure. */
async function writeSummary(core: Core, markdown: string): Promise<void> {
  try {
    core.summary.addRaw(markdown, true)
    await core.summary.write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorLine(error)}`)
  }
}
