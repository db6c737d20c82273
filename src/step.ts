import type { Clock } from './clock.js'
import type { RunContext } from './description.js'
import { safeText } from './log-safety.js'
import { InputError } from './inputs.js'
import { createRunner, runContextFromEnv, type Runner } from './runner.js'
import { basicToken } from './wpengine/client.js'
import { WpeApiError } from './wpengine/errors.js'
import type { Send } from './wpengine/http.js'

// What the backup and the restore action share: their collaborators, log groups, and one-line failures.

/** Where the runner's cancellation signals arrive (process, in the action). */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
}

export interface Dependencies {
  runner: Runner
  env: NodeJS.ProcessEnv
  context: RunContext
  clock?: Clock
  send?: Send
  random?: () => number
  signals?: SignalSource
  /** Called on cancellation once outputs are written, to end the process promptly. */
  onCancelled?: () => void
}

/** The real collaborators: the runner protocol on stdout and files, the run context, process signals. */
export function actionDependencies(): Dependencies {
  return {
    runner: createRunner(process.env),
    env: process.env,
    context: runContextFromEnv(process.env),
    signals: process,
    // In-flight requests are already aborted and the outputs written: end now, whatever else is pending.
    onCancelled: () => process.exit()
  }
}

export async function group<T>(runner: Runner, name: string, body: () => Promise<T>): Promise<T> {
  runner.startGroup(name)
  try {
    return await body()
  } finally {
    runner.endGroup()
  }
}

export /** One line, never a stack trace: our own errors carry a finished message; anything else is unexpected. */
function failureMessage(error: unknown): string {
  if (error instanceof WpeApiError) return error.message
  if (error instanceof Error) return safeText(error.message)
  return safeText(String(error))
}

/**
 * The inputs, parsed and checked, with the credentials masked before anything else is logged; or
 * undefined once the step has failed with one line naming every bad input (nothing is sent then).
 */
export function readSettings<S extends { userId: string; password: string }>(runner: Runner, parse: () => S): S | undefined {
  let settings: S
  try {
    settings = parse()
  } catch (error) {
    runner.setFailed(error instanceof InputError ? `Invalid input: ${error.message}` : String(error))
    return undefined
  }
  // The password and the header value derived from it.
  runner.setSecret(settings.password)
  runner.setSecret(basicToken(settings.userId, settings.password))
  return settings
}

/** The job summary; failing to write it is a warning, never the step's failure. */
export async function writeSummary(runner: Runner, markdown: string): Promise<void> {
  try {
    await runner.writeSummary(markdown)
  } catch (error) {
    runner.warning(`Could not write the job summary: ${failureMessage(error)}`)
  }
}
