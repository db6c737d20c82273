import type { RunContext } from '../step/run-context.js'
import { earlierAttemptOf } from './description.js'
import type { WpeClient } from '../wpengine/client.js'
import type { Backup, Install, ListOptions } from '../wpengine/types.js'
import { allItems } from '../wpengine/pages.js'
import { normalizeStatus } from '../wpengine/status.js'

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
  now: number
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
): Promise<{ reusable?: Reusable; backups?: Backup[] }> {
  if (!mayReuse(policy)) return {}
  const backups = await listBackups(client, install)
  return { reusable: chooseReusable(backups, policy), backups }
}

/** Every backup of the install, in one pass through its list. */
export async function listBackups(client: Pick<WpeClient, 'listBackups'>, install: Install, options?: ListOptions): Promise<Backup[]> {
  const backups: Backup[] = []
  for await (const backup of allItems((offset) => client.listBackups(install, offset, options))) backups.push(backup)
  return backups
}

/**
 * The backup to use instead of requesting one, if any. An earlier attempt's backup comes first (it is
 * the state before this run's first deploy), then, with reuse-within, one still running (WP Engine
 * advises against requesting a second while one runs), then the newest completed one inside the
 * window. Aborted ones never count.
 */
export function chooseReusable(backups: Iterable<Backup>, policy: ReusePolicy): Reusable | undefined {
  if (!mayReuse(policy)) return undefined
  let rerun: Reusable | undefined
  let inFlight: Reusable | undefined
  let recent: Reusable | undefined
  for (const backup of backups) {
    const status = normalizeStatus(backup.status)
    if (status === undefined || status === 'aborted') continue
    const ageMs = ageOf(backup, policy.now)
    const newer = (known: Reusable | undefined): boolean => known === undefined || (ageMs ?? Infinity) < (known.ageMs ?? Infinity)
    const attempt = earlierAttemptOf(backup.description, policy.context)
    if (attempt !== undefined) {
      if (newer(rerun)) rerun = { backup, reason: 'rerun', ageMs, attempt }
    } else if (policy.reuseWithinMs !== undefined && status !== 'completed') {
      if (newer(inFlight)) inFlight = { backup, reason: 'in-flight', ageMs }
    } else if (policy.reuseWithinMs !== undefined && ageMs !== undefined && ageMs < policy.reuseWithinMs) {
      if (newer(recent)) recent = { backup, reason: 'recent', ageMs }
    }
  }
  return rerun ?? inFlight ?? recent
}

/** Since the backup was created, by its create_time; undefined when the API gave none. */
export function ageOf(backup: Backup, now: number): number | undefined {
  const created = Date.parse(backup.create_time ?? '')
  return Number.isNaN(created) ? undefined : Math.max(0, now - created)
}
