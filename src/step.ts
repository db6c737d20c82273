import type { Clock } from './clock.js'
import type { RunContext } from './description.js'
import { safeText } from './log-safety.js'
import { createRunner, runContextFromEnv, type Runner } from './runner.js'
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
