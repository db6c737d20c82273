import { randomBytes } from 'node:crypto'
import { runUrl, type RunContext } from '../step/run-context.js'

// WP Engine documents no limit on a description; kept short so that no limit can cut off the marker at its end.
const MAX_TEXT = 200

/**
 * `Pre-deploy backup of acme/shop@8c3f2a1 (PR #12) by octocat: https://github.com/acme/shop/actions/runs/987654321`:
 * what is being deployed and the run's page, so a person in the User Portal can get from the backup to the deploy.
 */
export function defaultDescription(ctx: RunContext): string {
  const what = ctx.repository ? `${ctx.repository}${ctx.sha ? `@${ctx.sha.slice(0, 7)}` : ''}` : 'wpengine-backup-action'
  const where = ctx.pullRequest ? `PR #${ctx.pullRequest}` : refName(ctx.ref)
  const url = runUrl(ctx)
  return `Pre-deploy backup of ${what}${where ? ` (${where})` : ''}${ctx.actor ? ` by ${ctx.actor}` : ''}${url ? `: ${url}` : ''}`
}

/** `refs/heads/main` → `main`, `refs/tags/v1.2.0` → `tag v1.2.0`; a pull request's merge ref says nothing more than its number. */
function refName(ref: string | undefined): string | undefined {
  if (!ref) return undefined
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length)
  if (ref.startsWith('refs/tags/')) return `tag ${ref.slice('refs/tags/'.length)}`
  return undefined
}

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

/** The description sent with the backup: the text, cut short if need be, then always the marker. */
export function describeBackup(custom: string | undefined, ctx: RunContext, marker: string): string {
  const text = custom ?? defaultDescription(ctx)
  return `${text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text} ${marker}`
}
