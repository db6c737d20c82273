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

/** The description sent with the backup: the text, cut short if need be, then always the marker. */
export function describeBackup(custom: string | undefined, ctx: RunContext, marker: string): string {
  const text = custom ?? defaultDescription(ctx)
  return `${text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text} ${marker}`
}
