/** The first status check comes this soon, so a short backup (or one refused at once) is noticed within seconds. */
export const FIRST_POLL_MS = 2_500
/** `poll-interval: auto` without a history: the ceiling of the schedule that knows nothing of the install. */
export const AUTO_CEILING_MS = 15_000
/** Each gap is at most this share of the time so far: a backup done after T is noticed within 20 % of T. */
const GROWTH = 0.2
/** Jitter takes up to this share off a gap, so parallel jobs drift apart instead of polling in lockstep. */
const JITTER = 0.2

// With a history, the usual range [low, high] is covered by about this many checks, their gaps kept
// between DENSE_MIN_MS and DENSE_MAX_MS: a mean lag under 5 s where completion is likely.
const WINDOW_CHECKS = 100
const DENSE_MIN_MS = 9_000
const DENSE_MAX_MS = 15_000
/**
 * Outside the usual range, no gap is longer than this: whatever the history (WP Engine's automatic
 * backups may take far longer than an on-demand one), any completion is noticed within a minute.
 */
const OUTSIDE_MAX_MS = 60_000

/** When the backup is expected to complete, in ms after it was created: the usual range of its install's history. */
export interface ExpectedWindow {
  lowMs: number
  highMs: number
}

/** What the gaps between status checks are made of. */
export interface PollPace {
  /** The poll-interval input: no gap is longer. Undefined is `auto`. */
  ceilingMs?: number
  /** The usual range, when the install's history gives one. */
  expected?: ExpectedWindow
  /** How old the backup was when waiting began (one reused while it runs); the usual range counts from its creation. */
  ageAtStartMs?: number
}

/**
 * The gap before the next status check, after `waitedMs` of waiting. Jitter only shortens a gap, so
 * no bound below is ever exceeded.
 *
 * Without a history, the waiter design of AWS/Smithy: a short first delay, then gaps of 20 % of the
 * time waited, up to the ceiling (15 s for `auto`).
 *
 * With a history, checks are spent where completion is likely (a lag of at most L over a window W
 * costs W/L checks): dense across the usual range, at most a minute apart before it, and in between
 * never landing more than one dense gap inside the range, nor more than 20 % late for a backup twice
 * as fast as usual. After the range, gaps grow by 20 % of the backup's age up to a minute. An explicit
 * `poll-interval` stays a hard ceiling.
 */
export function pollDelay(waitedMs: number, pace: PollPace, random: () => number): number {
  const { ceilingMs, expected } = pace
  let target: number
  if (waitedMs < FIRST_POLL_MS) target = FIRST_POLL_MS
  else if (expected) target = expectedGap(waitedMs + (pace.ageAtStartMs ?? 0), expected)
  else target = Math.max(FIRST_POLL_MS, waitedMs * GROWTH)
  const ceiling = ceilingMs ?? (expected ? Infinity : AUTO_CEILING_MS)
  let gap = Math.min(ceiling, target)
  // A window that makes no sense (NaN, endless) must never turn into a tight loop of requests.
  if (!Number.isFinite(gap)) gap = Math.min(ceilingMs ?? AUTO_CEILING_MS, AUTO_CEILING_MS)
  return Math.round(gap * (1 - JITTER * random()))
}

/** The gap after a check at `ageMs` (since the backup was created), given its usual range. */
export function expectedGap(ageMs: number, { lowMs, highMs }: ExpectedWindow): number {
  const dense = denseGap({ lowMs, highMs })
  if (ageMs >= lowMs && ageMs <= highMs) return dense
  if (ageMs > highMs) return Math.min(OUTSIDE_MAX_MS, Math.max(dense, GROWTH * ageMs), dense + (ageMs - highMs))
  // Before the range. A backup done at half the low end is twice as fast as any in the history: noticed within 20 % of that.
  const half = lowMs / 2
  const fast = Math.min(OUTSIDE_MAX_MS, Math.max(FIRST_POLL_MS, GROWTH * half))
  const early = Math.min(OUTSIDE_MAX_MS, fast + Math.max(0, half - ageMs))
  // Landing at most one dense gap past the low end, and at most `fast` past half of it.
  return Math.min(early, dense + (lowMs - ageMs))
}

/** The gap across the usual range: about WINDOW_CHECKS checks, and never slower than 20 % of the shortest usual duration. */
export function denseGap({ lowMs, highMs }: ExpectedWindow): number {
  const spread = Math.min(DENSE_MAX_MS, Math.max(DENSE_MIN_MS, (highMs - lowMs) / WINDOW_CHECKS))
  return Math.min(spread, Math.max(FIRST_POLL_MS, GROWTH * lowMs))
}
