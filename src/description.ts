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

/**
 * A tag that this step execution alone puts in its backup's description, for a custom description
 * too: it lets the step recognise the backup it created when the answer to the create call is lost.
 * Shape: `[ci <run id>-<attempt> <job>/<step> <8 hex>]`.
 */
export function stepMarker(ctx: RunContext, nonce = randomBytes(4).toString('hex')): string {
  const id = (value: string | undefined): string => (value ?? '').replace(/[^A-Za-z0-9_.-]/g, '') || '-'
  return `[ci ${ctx.runId ?? 'local'}-${ctx.runAttempt ?? 1} ${id(ctx.job)}/${id(ctx.step)} ${nonce}]`
}

export function describeBackup(custom: string | undefined, ctx: RunContext, marker: string): string {
  return `${custom ?? defaultDescription(ctx)} ${marker}`
}
