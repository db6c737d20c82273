import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import { usualRange, type DurationEstimate } from './history.js'

export interface Waiting {
  /** The install's name, shown when several backups are waited for. */
  name: string
  backupId: string
  status: string
  /** How long the install's backups usually take, and how long this one has run, once its history is read. */
  usual?: DurationEstimate
  runningMs?: number
}

// With many installs the line names this many and counts the rest.
const NAMED_AT_MOST = 10

/**
 * A "still waiting" line about once a minute, for one backup or many together, on the clock's timer
 * (run), so that a long gap between status checks, or a retry's backoff, still shows the step alive.
 * It is anchored to whole minutes since `start`.
 */
export class Heartbeat {
  private last: number

  constructor(
    private readonly clock: Clock,
    private readonly start: number,
    private readonly deadline: number,
    private readonly log: { info(message: string): void },
    private readonly everyMs = 60_000
  ) {
    this.last = start
  }

  /** Beats on the clock's timer with what `waiting` says is still running, out of `total`, until the function returned is called. */
  run(waiting: () => Waiting[], total: number): () => void {
    return this.clock.every?.(this.everyMs, () => this.beat(waiting(), total)) ?? (() => undefined)
  }

  /** One beat, with what is still being waited for, out of `total`: a line when a minute has passed since the last. */
  beat(waiting: Waiting[], total: number): void {
    const now = this.clock.now()
    if (waiting.length === 0 || now - this.last < this.everyMs) return
    this.last += Math.floor((now - this.last) / this.everyMs) * this.everyMs
    const times = `${formatDuration(now - this.start)} elapsed, ${formatDuration(Math.max(0, this.deadline - now))} left`
    const [only] = waiting
    if (total === 1 && only) {
      this.log.info(`Still waiting for backup ${only.backupId}: ${only.status}, ${times}${againstUsual(only)}`)
      return
    }
    const named = waiting.slice(0, NAMED_AT_MOST).map((w) => `${w.name} ${w.status}`)
    const more = waiting.length > NAMED_AT_MOST ? ` and ${waiting.length - NAMED_AT_MOST} more` : ''
    this.log.info(`Still waiting for ${waiting.length} of ${total} backups, ${times}: ${named.join(', ')}${more}`)
  }
}

/** Progress against the install's history: `; usually done after 4m 10s–5m 30s (last 12)`, or that this one takes longer. */
function againstUsual({ usual, runningMs }: Waiting): string {
  if (!usual || runningMs === undefined) return ''
  return runningMs <= usual.highMs ? `; usually done after ${usualRange(usual)}` : `; already longer than the usual ${usualRange(usual)}`
}
