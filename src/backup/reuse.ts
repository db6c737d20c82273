import type { RunContext } from '../step/run-context.js'
import { earlierAttemptOf } from '../step/step-marker.js'
import type { WpeClient } from '../wpengine/client.js'
import { CancelledError } from '../wpengine/errors.js'
import type { Backup, Install } from '../wpengine/types.js'
import { ageOf, listBackups } from '../workflows/list-backups.js'
import { isFinal, normalizeStatus } from '../wpengine/status.js'
import { staleAfterMs, STALE_AFTER_MS } from './history.js'

/**
 * Why an existing backup stands in for a new one:
 * - `rerun`: an earlier attempt of this workflow run requested it, in this same step;
 * - `in-flight`: one is already requested or in progress on the install (reuse-within is set);
 * - `recent`: a completed one is younger than reuse-within.
 */
export type ReuseReason = 'rerun' | 'in-flight' | 'recent'

export interface Reusable {
  backup: Backup
  reason: ReuseReason
  /** Since the backup was created, by its create_time; undefined when the API gave none. */
  ageMs?: number
  /** For `rerun`: the attempt that requested it. */
  attempt?: number
}

export interface ReusePolicy {
  context: RunContext
  reuseWithinMs?: number
  /** Now by the API's clock (WpeClient.apiNow), which stamps create_time. */
  now: number
}

/**
 * Without reuse-within, an earlier attempt's completed backup is this run's restore point only while it
 * is this recent: a re-run days later would otherwise roll the site back over days of changes.
 */
export const RERUN_REUSE_WITHIN_MS = 6 * 3_600_000

/** A backup found still requested or in progress long after any backup of the install finishes. */
export interface Stale {
  backup: Backup
  ageMs: number
  /** The age past which it counts as stuck (staleAfterMs). */
  limitMs: number
}

/** What the install's list offers instead of a new backup, and what it held that cannot be used. */
export interface ReuseChoice {
  reusable?: Reusable
  /** Backups that would have been reused or waited for, were they not stuck. */
  stale: Stale[]
  /** An earlier attempt's completed backup, no longer recent enough (or of unknown age) to be this run's restore point. */
  outdated?: { backup: Backup; ageMs?: number; attempt: number; limitMs: number }
}

/** What the install's backups are listed for: a re-run's earlier attempt, and reuse-within's running or recent backups. */
export function reuseLookups(policy: Pick<ReusePolicy, 'context' | 'reuseWithinMs'>): ('rerun' | 'reuse-within')[] {
  const rerun = policy.context.runId !== undefined && (policy.context.runAttempt ?? 1) > 1
  return [...(rerun ? (['rerun'] as const) : []), ...(policy.reuseWithinMs !== undefined ? (['reuse-within'] as const) : [])]
}

/** Whether any backup could be reused at all; when not, the install's backups are not listed. */
export function mayReuse(policy: Pick<ReusePolicy, 'context' | 'reuseWithinMs'>): boolean {
  return reuseLookups(policy).length > 0
}

/**
 * When a backup could be reused at all: every backup of the install, in one pass through its list
 * (the install's history is read from it too), and the one to reuse, if any.
 */
export async function findReusable(
  client: Pick<WpeClient, 'listBackups'>,
  install: Install,
  policy: ReusePolicy
): Promise<ReuseChoice & { backups?: Backup[] }> {
  if (!mayReuse(policy)) return { stale: [] }
  const backups = await listBackups(client, install)
  return { ...chooseReusable(backups, policy), backups }
}

/**
 * The backup to use instead of requesting one, if any. An earlier attempt's backup comes first (it is
 * the state before this run's first deploy) while it is recent: younger than reuse-within, or 6 h
 * without it. Then, with reuse-within, one still running (WP Engine advises against requesting a
 * second while one runs), then the newest completed one inside the window. Aborted ones never count,
 * nor one still running long past any plausible duration (stuck: see staleAfterMs).
 */
export function chooseReusable(backups: Iterable<Backup>, policy: ReusePolicy): ReuseChoice {
  const choice: ReuseChoice = { stale: [] }
  if (!mayReuse(policy)) return choice
  const all = [...backups]
  const limitMs = staleAfterMs(all)
  const rerunWithinMs = policy.reuseWithinMs ?? RERUN_REUSE_WITHIN_MS
  let rerun: Reusable | undefined
  let inFlight: Reusable | undefined
  let recent: Reusable | undefined
  for (const backup of all) {
    const status = normalizeStatus(backup.status)
    if (status === undefined || status === 'aborted') continue
    const ageMs = ageOf(backup, policy.now)
    const newer = (known: { ageMs?: number } | undefined): boolean => known === undefined || (ageMs ?? Infinity) < (known.ageMs ?? Infinity)
    const attempt = earlierAttemptOf(backup.description, policy.context)
    const running = !isFinal(status)
    if (attempt === undefined && (policy.reuseWithinMs === undefined || !running)) {
      if (policy.reuseWithinMs !== undefined && ageMs !== undefined && ageMs < policy.reuseWithinMs && newer(recent))
        recent = { backup, reason: 'recent', ageMs }
      continue
    }
    // An earlier attempt's backup, or (with reuse-within) one still running.
    const stuck = running ? stuckAt(backup, policy.now, limitMs) : undefined
    if (stuck) choice.stale.push(stuck)
    else if (attempt === undefined) {
      if (newer(inFlight)) inFlight = { backup, reason: 'in-flight', ageMs }
    } else if (running || (ageMs !== undefined && ageMs < rerunWithinMs)) {
      if (newer(rerun)) rerun = { backup, reason: 'rerun', ageMs, attempt }
    } else if (newer(choice.outdated)) choice.outdated = { backup, ageMs, attempt, limitMs: rerunWithinMs }
  }
  choice.reusable = rerun ?? inFlight ?? recent
  if (rerun) choice.outdated = undefined
  return choice
}

/**
 * The age at which the backup named by backup-id, still requested or in progress, counts as stuck; and
 * the install's backups when they had to be read to say (only past 6 h, for an install whose backups
 * take hours). Undefined when it is not stuck.
 */
export async function stuckNamedBackup(
  client: Pick<WpeClient, 'listBackups'>,
  install: Install,
  backup: Backup,
  now: number
): Promise<{ stuck?: Stale; backups?: Backup[] }> {
  if (stuckAt(backup, now, STALE_AFTER_MS) === undefined) return {}
  // One attempt: the history only raises the limit, and 6 h holds without it.
  const backups = await listBackups(client, install, { once: true }).catch((error: unknown) => {
    if (error instanceof CancelledError) throw error
    return undefined
  })
  return { stuck: stuckAt(backup, now, backups ? staleAfterMs(backups) : STALE_AFTER_MS), backups }
}

/** The backup, when it is still requested or in progress past `limitMs` after it was created (by `now`, the API's clock). */
export function stuckAt(backup: Backup, now: number, limitMs: number): Stale | undefined {
  const ageMs = ageOf(backup, now)
  if (isFinal(normalizeStatus(backup.status)) || ageMs === undefined || ageMs <= limitMs) return undefined
  return { backup, ageMs, limitMs }
}
