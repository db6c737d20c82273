import { randomBytes } from 'node:crypto'
import type { RunContext } from './run-context.js'

// The tag the backup action puts in the description of every backup it requests, and reading it back:
// the backup action finds its own backups by it, the restore action this run's.

// The step's identity in a marker: characters that could break the tag are dropped, and the length is bounded.
const markerId = (value: string | undefined): string => ((value ?? '').replace(/[^A-Za-z0-9_.-]/g, '') || '-').slice(0, 40)

/**
 * A tag that this step execution alone puts in its backup's description, for a custom description
 * too: it lets the step recognise the backup it created when the answer to the create call is lost,
 * and a re-run of the workflow recognise the backup an earlier attempt of the step requested.
 * Shape: `[ci <run id>-<attempt> <job>/<step> <8 hex>]`.
 */
export function stepMarker(ctx: RunContext, nonce = randomBytes(4).toString('hex')): string {
  return `[ci ${ctx.runId ?? 'local'}-${ctx.runAttempt ?? 1} ${markerId(ctx.job)}/${markerId(ctx.step)} ${nonce}]`
}

const MARKER = /\[ci (\d+)-(\d+) ([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+) [0-9a-f]{8}\]/g
// Any step's tag, from any run (or `local`): a backup this action requested.
const ANY_MARKER = /\[ci (?:\d+|local)-\d+ [A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+ [0-9a-f]{8}\]/

/** Whether this action requested the backup: its description carries a step's tag (stepMarker). */
export function requestedByThisAction(description: string | null | undefined): boolean {
  return description ? ANY_MARKER.test(description) : false
}

/** Which step execution put a marker into a description. */
export interface MarkedBy {
  runId: number
  attempt: number
  job: string
  step: string
}

/** Every marker in `description`, in order: the run, attempt, job and step of each (a run's local markers have no run id, and no place here). */
export function markersIn(description: string | null | undefined): MarkedBy[] {
  if (!description) return []
  return [...description.matchAll(MARKER)].map(([, runId, attempt, job, step]) => ({
    runId: Number(runId),
    attempt: Number(attempt),
    job: job as string,
    step: step as string
  }))
}

/**
 * The attempt of this run that put this step's marker into `description`, when it was an earlier
 * attempt than the current one; undefined otherwise (another run, job or step, or no marker).
 */
export function earlierAttemptOf(description: string | null | undefined, ctx: RunContext): number | undefined {
  if (ctx.runId === undefined) return undefined
  const current = ctx.runAttempt ?? 1
  return markersIn(description).find(
    (by) => by.runId === ctx.runId && by.job === markerId(ctx.job) && by.step === markerId(ctx.step) && by.attempt < current
  )?.attempt
}
