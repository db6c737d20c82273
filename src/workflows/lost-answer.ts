import type { Clock } from '../time/clock.js'

/**
 * How long after a request whose answer was lost the action keeps looking for what it made before it
 * asks again: WP Engine's lists can show a new backup or archive only some time after it was made, and
 * asking again too soon makes a second one.
 */
const LIST_LAG_WINDOW_MS = 90_000
// A short timeout keeps most of its time for the work: the looking takes at most this share of what is left.
const WINDOW_SHARE_OF_TIME_LEFT = 0.25

/** The window for a lost answer at `now`: 90 s, or a quarter of the time left before the deadline if less. */
export function listLagWindow(now: number, deadline: number): number {
  return Math.max(0, Math.min(LIST_LAG_WINDOW_MS, (deadline - now) * WINDOW_SHARE_OF_TIME_LEFT))
}
// The looks come at growing gaps: soon at first (most lost answers are found at once), then sparser.
const FIRST_GAP_MS = 2_000
const MAX_GAP_MS = 30_000

export interface LookResult<T> {
  found?: T
  /** From the first look to the last. */
  lookedForMs: number
  /** False when the deadline came before the whole window was looked across: asking again is not safe then. */
  complete: boolean
}

/** Looks for what a lost request made, at once and then at growing gaps, until found or the window is over. */
export async function lookAcrossListLag<T>(options: {
  clock: Clock
  deadline: number
  signal?: AbortSignal
  look: () => Promise<T | undefined>
  windowMs?: number
}): Promise<LookResult<T>> {
  const { clock, deadline, signal, look } = options
  const start = clock.now()
  const windowMs = options.windowMs ?? listLagWindow(start, deadline)
  for (let gap = FIRST_GAP_MS; ; gap = Math.min(gap * 2, MAX_GAP_MS)) {
    const found = await look()
    const lookedForMs = clock.now() - start
    if (found !== undefined) return { found, lookedForMs, complete: true }
    if (lookedForMs >= windowMs) return { lookedForMs, complete: true }
    const pause = Math.min(gap, windowMs - lookedForMs)
    if (clock.now() + pause >= deadline) return { lookedForMs, complete: false }
    await clock.sleep(pause, signal)
  }
}
