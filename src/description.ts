import { randomBytes } from 'node:crypto'

/** Where this run comes from, read from the workflow context; every field may be missing outside Actions. */
export interface RunContext {
  repository?: string
  sha?: string
  workflow?: string
  runNumber?: number
  runId?: number
  runAttempt?: number
  actor?: string
  job?: string
  /** The step's id (GITHUB_ACTION). */
  step?: string
}

/** `Pre-deploy backup: acme/shop@8c3f2a1 (Deploy #42, run 987654321 attempt 1) by octocat` */
export function defaultDescription(ctx: RunContext): string {
  const where = ctx.repository ? `${ctx.repository}${ctx.sha ? `@${ctx.sha.slice(0, 7)}` : ''}` : 'wpengine-backup-action'
  const run = [
    ctx.workflow && `${ctx.workflow}${ctx.runNumber ? ` #${ctx.runNumber}` : ''}`,
    ctx.runId && `run ${ctx.runId} attempt ${ctx.runAttempt ?? 1}`
  ]
    .filter(Boolean)
    .join(', ')
  return `Pre-deploy backup: ${where}${run ? ` (${run})` : ''}${ctx.actor ? ` by ${ctx.actor}` : ''}`
}

// The step's identity in a marker: characters that could break the tag are dropped.
const markerId = (value: string | undefined): string => (value ?? '').replace(/[^A-Za-z0-9_.-]/g, '') || '-'

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

/**
 * The attempt of this run that put this step's marker into `description`, when it was an earlier
 * attempt than the current one; undefined otherwise (another run, job or step, or no marker).
 */
export function earlierAttemptOf(description: string | null | undefined, ctx: RunContext): number | undefined {
  if (!description || ctx.runId === undefined) return undefined
  const current = ctx.runAttempt ?? 1
  for (const [, runId, attempt, job, step] of description.matchAll(MARKER)) {
    if (Number(runId) === ctx.runId && job === markerId(ctx.job) && step === markerId(ctx.step) && Number(attempt) < current)
      return Number(attempt)
  }
  return undefined
}

export function describeBackup(custom: string | undefined, ctx: RunContext, marker: string): string {
  return `${custom ?? defaultDescription(ctx)} ${marker}`
}
