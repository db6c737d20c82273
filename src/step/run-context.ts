import type { context as githubContext } from '@actions/github'

type Context = typeof githubContext

/** Where this run comes from; every field may be missing outside GitHub Actions. */
export interface RunContext {
  repository?: string
  sha?: string
  /** `refs/heads/main`, `refs/pull/12/merge`, `refs/tags/v1.2.0`. */
  ref?: string
  /** The pull request being deployed, when the event is one. */
  pullRequest?: number
  /**
   * The run is for a pull request from a fork (`pull_request` and its review events): GitHub gives it
   * no secrets. Not for `pull_request_target`, which runs in the base repository with its secrets.
   */
  forkPullRequest?: boolean
  workflow?: string
  runNumber?: number
  runId?: number
  runAttempt?: number
  actor?: string
  job?: string
  /** The step's id (GITHUB_ACTION). */
  step?: string
  /** `https://github.com`, or a GitHub Enterprise Server's address. */
  serverUrl?: string
}

const positive = (n: number | undefined): number | undefined => (n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined)
const text = (value: string | undefined): string | undefined => value || undefined

/** The run's identity from @actions/github's context (the runner's GITHUB_* variables and the event payload). */
export function runContextOf(context: Context): RunContext {
  const payload = context.payload as { pull_request?: PullRequestPayload }
  const pr = payload.pull_request?.number
  return {
    repository: repositoryOf(context),
    sha: text(context.sha),
    ref: text(context.ref),
    pullRequest: typeof pr === 'number' ? positive(pr) : undefined,
    forkPullRequest: isFork(context.eventName, payload.pull_request) || undefined,
    workflow: text(context.workflow),
    runNumber: positive(context.runNumber),
    runId: positive(context.runId),
    runAttempt: positive(context.runAttempt),
    actor: text(context.actor),
    job: text(context.job),
    step: text(context.action),
    serverUrl: text(context.serverUrl)
  }
}

interface PullRequestPayload {
  number?: unknown
  head?: { repo?: { full_name?: unknown } | null }
  base?: { repo?: { full_name?: unknown } | null }
}

// The head repository is compared by name, not by its `fork` flag: a pull request inside a repository that
// is itself a fork gets secrets. A head repository that was deleted (null) was a fork.
function isFork(eventName: string | undefined, pr: PullRequestPayload | undefined): boolean {
  const base = pr?.base?.repo?.full_name
  if (!pr || eventName === 'pull_request_target' || typeof base !== 'string') return false
  return pr.head?.repo?.full_name !== base
}

/** The run's page, where a person can get from a backup to the deploy that made it. */
export function runUrl(ctx: RunContext): string | undefined {
  if (!ctx.serverUrl || !ctx.repository || ctx.runId === undefined) return undefined
  return `${ctx.serverUrl.replace(/\/+$/, '')}/${ctx.repository}/actions/runs/${ctx.runId}`
}

function repositoryOf(context: Context): string | undefined {
  try {
    const { owner, repo } = context.repo
    return owner && repo ? `${owner}/${repo}` : undefined
  } catch {
    // context.repo throws outside a run (no GITHUB_REPOSITORY, no repository in the payload).
    return undefined
  }
}
