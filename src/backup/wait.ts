import type { Clock } from '../clock.js'
import { formatDuration } from '../duration.js'
import { safeText } from '../log-safety.js'
import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Backup, BackupStatus, Install } from '../wpengine/types.js'
import { getBackupOf } from './get-backup.js'
import { pollDelay } from './schedule.js'
import { isFinal, normalizeStatus } from './status.js'

export interface WaitOptions {
  client: Pick<WpeClient, 'getBackup'>
  clock: Clock
  install: Install
  /** The backup as last seen (from the create answer, or a first GET). */
  backup: Backup
  /** Absolute clock time when waiting ends. */
  deadline: number
  /** The poll-interval input: the longest gap between two checks. */
  pollCeilingMs: number
  log: { info(message: string): void; warning(message: string): void }
  signal?: AbortSignal
  random?: () => number
  /** Told after every check, passed or failed, with the backup as last seen: keeps outputs and the heartbeat current. */
  onCheck?: (backup: Backup) => void
  maxConsecutiveFailures?: number
}

export interface WaitResult {
  backup: Backup
  /** The last documented status seen. */
  status: BackupStatus
  outcome: 'completed' | 'aborted' | 'timeout'
  checks: number
  waitedMs: number
}

// The last check happens this long before the deadline, so that its answer can still arrive in time.
const FINAL_CHECK_MARGIN_MS = 2_000

/**
 * Polls the backup until it is completed or aborted, or the deadline passes. A check that fails
 * for a passing reason (5xx, 429, network) does not end the wait; a run of them in a row does,
 * and so does any failure that cannot pass (401, 403, 404).
 */
export async function waitForBackup(options: WaitOptions): Promise<WaitResult> {
  const { client, clock, install, deadline, pollCeilingMs, log, signal, random = Math.random, onCheck } = options
  const maxFailures = options.maxConsecutiveFailures ?? 5
  const start = clock.now()
  const lastCheckAt = Math.max(start, deadline - Math.min(FINAL_CHECK_MARGIN_MS, (deadline - start) / 10))
  let backup = options.backup
  let status: BackupStatus = normalizeStatus(backup.status) ?? 'requested'
  let checks = 0
  let failures = 0
  const warned = new Set<string>()
  const result = (outcome: WaitResult['outcome']): WaitResult => ({ backup, status, outcome, checks, waitedMs: clock.now() - start })

  while (!isFinal(status)) {
    const now = clock.now()
    if (now >= lastCheckAt) return result('timeout')
    await clock.sleep(Math.min(pollDelay(now - start, pollCeilingMs, random), lastCheckAt - now), signal)
    try {
      const seen = await getBackupOf(client, install, backup.id)
      checks++
      failures = 0
      backup = seen
      const next = normalizeStatus(seen.status)
      if (next === undefined) {
        if (!warned.has(seen.status)) {
          warned.add(seen.status)
          log.warning(`WP Engine reported status '${safeText(String(seen.status), 40)}' for backup ${backup.id}, which this action does not know; waiting on for completed or aborted.`)
        }
      } else if (next !== status) {
        status = next
        log.info(`Backup ${backup.id} is ${status} (after ${formatDuration(clock.now() - start)})`)
      }
    } catch (error) {
      if (!(error instanceof WpeApiError)) throw error
      if (error.detail.kind === 'deadline') return result('timeout')
      if (!error.detail.transient) throw error
      failures++
      if (failures >= maxFailures) {
        throw new WpeApiError(`Stopped waiting for backup ${backup.id}: ${failures} status checks in a row failed. The last: ${error.message}`, error.detail)
      }
      log.warning(`A status check of backup ${backup.id} failed (${failures} in a row; giving up at ${maxFailures}): ${error.message}`)
    }
    onCheck?.(backup)
  }
  return result(status)
}
