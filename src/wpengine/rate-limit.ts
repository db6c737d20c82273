import type { Clock } from '../time/clock.js'

// WP Engine limits requests per account and publishes no numbers, and its 429 answers carry no
// Retry-After. With hundreds of installs, each retrying a 429 on its own clock would keep the account
// over its limit. So the step learns the limit together, as TCP shares a link (AIMD): no limit until
// the first 429; then the rate halves to half of what was being sent, every request waits out one
// shared pause, and the rate grows back by one request a second for every second without a 429.

/** A rate below this is not worth pacing to: a 429 then only pauses. */
const MIN_RATE = 0.5
/** Requests a second the rate grows back, each second of answers without a 429. */
const GROWTH_PER_SECOND = 1
/** How far back sends count for the rate being sent. */
const WINDOW_MS = 1_000
/** The shared pause after a 429 (doubling while 429s follow one another), and its ceiling. */
const PAUSE_MS = 1_000
const MAX_PAUSE_MS = 30_000

/** The log hears of a slow-down at most this often: a line per 429 would drown the step's own. */
const TELL_EVERY_MS = 60_000

/** The pace every request of one client keeps: ask `turn()` before sending, tell `answered()` after. */
export class AccountRateLimit {
  /** Requests a second allowed; undefined until the first 429. */
  private rate: number | undefined
  /** The rate may grow back to this: twice the rate that drew the last 429. */
  private ceiling = Infinity
  private pausedUntil = 0
  private lastSentAt = -Infinity
  private decreasedAt = -Infinity
  /** Since when the rate has grown back: the end of the last pause, then the last answer. */
  private grownAt = 0
  /** 429s in a row, for the length of the pause. */
  private streak = 0
  /** Send times within the last WINDOW_MS, oldest first. */
  private readonly recent: number[] = []

  private toldAt = -Infinity

  /** `onSlowDown` hears, at most once a minute, that the step slowed down and to what rate. */
  constructor(
    private readonly clock: Clock,
    private readonly onSlowDown?: (message: string) => void
  ) {}

  /** Requests a second allowed now, undefined while no 429 has come (for tests and the debug log). */
  get requestsPerSecond(): number | undefined {
    return this.rate
  }

  /** Waits until this request may go, and returns the time it went (to hand to `answered`). Rejects when `signal` aborts. */
  async turn(signal?: AbortSignal): Promise<number> {
    for (;;) {
      const now = this.clock.now()
      const spaced = this.rate === undefined ? -Infinity : this.lastSentAt + 1_000 / this.rate
      const at = Math.max(this.pausedUntil, spaced)
      if (at <= now) {
        this.lastSentAt = now
        this.forgetBefore(now - WINDOW_MS)
        this.recent.push(now)
        return now
      }
      // Whoever wakes first goes; the others look again, so a pause or a lower rate set meanwhile holds.
      await this.clock.sleep(at - now, signal)
    }
  }

  /** The answer to a request sent at `sentAt`: `limited` for a 429, with its Retry-After when it gave one. */
  answered(sentAt: number, limited: boolean, retryAfterMs?: number): void {
    const now = this.clock.now()
    if (!limited) {
      this.streak = 0
      if (this.rate !== undefined && now > this.grownAt) {
        this.rate = Math.min(this.ceiling, this.rate + (GROWTH_PER_SECOND * (now - this.grownAt)) / 1_000)
        this.grownAt = now
      }
      return
    }
    if (retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs)
    // A request sent before the last decrease was sent at the old rate: its 429 is already answered for.
    if (sentAt < this.decreasedAt) return
    this.streak++
    const sending = this.sentWithin(now)
    this.rate = Math.max(MIN_RATE, Math.min(this.rate ?? Infinity, sending) / 2)
    this.ceiling = Math.max(MIN_RATE, 2 * sending)
    this.decreasedAt = now
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(MAX_PAUSE_MS, PAUSE_MS * 2 ** (this.streak - 1)))
    // The rate grows back only once requests flow again.
    this.grownAt = this.pausedUntil
    if (now - this.toldAt >= TELL_EVERY_MS) {
      this.toldAt = now
      this.onSlowDown?.(
        `WP Engine's rate limit answered 429 (too many requests): every request of this step now waits its turn, ${perSecond(this.rate)}, and the pace grows back while no 429 comes.`
      )
    }
  }

  /** Requests sent in the last WINDOW_MS: the rate being sent. */
  private sentWithin(now: number): number {
    this.forgetBefore(now - WINDOW_MS)
    return (this.recent.length * 1_000) / WINDOW_MS
  }

  private forgetBefore(time: number): void {
    let old = 0
    while (old < this.recent.length && (this.recent[old] ?? 0) <= time) old++
    this.recent.splice(0, old)
  }
}

/** `about 10 requests a second`, or `one request every 2s`. */
function perSecond(rate: number): string {
  return rate >= 1 ? `about ${Math.round(rate)} requests a second` : `one request every ${Math.round(1 / rate)}s`
}
