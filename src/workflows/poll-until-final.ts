import { WpeApiError } from '../wpengine/errors.js'
import { isFinal, normalizeStatus } from '../wpengine/status.js'
import type { BackupStatus, Status } from '../wpengine/types.js'
import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import { pollDelay, type ExpectedWindow } from './poll-schedule.js'

/** What every wait shares: time, the schedule's ceiling, the log, cancellation. */
export interface WaitSettings {
  clock: Clock
  /** Absolute clock time when waiting ends. */
  deadline: number
  /** The poll-interval input: the longest gap between two checks; undefined is `auto`. */
  pollCeilingMs?: number
  log: { info(message: string): void; warning(message: string): void }
  signal?: AbortSignal
  random?: () => number
  /** The usual range from the item's history, asked before every gap: it may arrive while waiting. */
  expected?: () => ExpectedWindow | undefined
  /** How old the item was when waiting began. */
  ageAtStartMs?: number
}

export interface PollOptions<T> extends WaitSettings {
  /** What is waited for, as a message names it: `backup <id>`. */
  subject: string
  /** The item as last seen. */
  initial: T
  /** One status check. */
  check: () => Promise<T>
  state: (item: T) => Status
  /** Told after every check, passed or failed, with the item as last seen: keeps outputs and the heartbeat current. */
  onCheck?: (item: T) => void
}

export interface PollResult<T> {
  item: T
  /** The last documented state seen. */
  status: BackupStatus
  outcome: 'completed' | 'aborted' | 'timeout'
  checks: number
  waitedMs: number
}

// The last check happens this long before the deadline, so that its answer can still arrive in time.
const FINAL_CHECK_MARGIN_MS = 2_000

/**
 * Checks until the item is completed or aborted, or the deadline passes. A check that fails for a
 * passing reason (5xx, 429, network) is retried by the client for as long as its patience lasts; a
 * check it gave up on ends the wait, and so does any failure that cannot pass (401, 403, 404).
 * Backups and archives share these states.
 */
export async function pollUntilFinal<T>(options: PollOptions<T>): Promise<PollResult<T>> {
  const { clock, deadline, pollCeilingMs, log, signal, random = Math.random, onCheck, subject } = options
  const start = clock.now()
  const lastCheckAt = Math.max(start, deadline - Math.min(FINAL_CHECK_MARGIN_MS, (deadline - start) / 10))
  let item = options.initial
  let status: BackupStatus = normalizeStatus(options.state(item)) ?? 'requested'
  let checks = 0
  const warned = new Set<string>()
  const result = (outcome: PollResult<T>['outcome']): PollResult<T> => ({ item, status, outcome, checks, waitedMs: clock.now() - start })
  const Subject = subject.charAt(0).toUpperCase() + subject.slice(1)

  while (!isFinal(status)) {
    const now = clock.now()
    if (now >= lastCheckAt) return result('timeout')
    const pace = { ceilingMs: pollCeilingMs, expected: options.expected?.(), ageAtStartMs: options.ageAtStartMs }
    await clock.sleep(Math.min(pollDelay(now - start, pace, random), lastCheckAt - now), signal)
    try {
      item = await options.check()
      checks++
      const seen = options.state(item)
      const next = normalizeStatus(seen)
      if (next === undefined) {
        if (!warned.has(seen)) {
          warned.add(seen)
          log.warning(
            `WP Engine reported status '${seen}' for ${subject}, which this action does not know; waiting on for completed or aborted.`
          )
        }
      } else if (next !== status) {
        status = next
        log.info(`${Subject} is ${status} (after ${formatDuration(clock.now() - start)})`)
      }
    } catch (error) {
      if (!(error instanceof WpeApiError)) throw error
      if (error.detail.kind === 'deadline') return result('timeout')
      if (!error.detail.transient) throw error
      // The client retries a failure that may pass for as long as its patience lasts: past that, the wait ends.
      throw new WpeApiError(
        `Stopped waiting for ${subject}: its status checks failed for ${formatDuration(error.detail.failingForMs ?? 0)}. The last: ${error.message}`,
        error.detail
      )
    }
    onCheck?.(item)
  }
  return result(status)
}
