/** The first status checks come this soon, so a short backup is noticed within seconds. */
export const FIRST_POLL_MS = 2_500
/** Each gap is at most this share of the time waited so far: a backup done after T is noticed within 20 % of T. */
const GROWTH = 0.2
/** Jitter takes up to this share off a gap, so parallel jobs drift apart instead of polling in lockstep. */
const JITTER = 0.2

/**
 * The gap before the next status check, after `elapsedMs` of waiting (the waiter design of
 * AWS/Smithy: a short first delay, growth to the ceiling, jitter). Jitter only shortens a gap, so
 * neither the 20 % bound nor the `poll-interval` ceiling is ever exceeded.
 */
export function pollDelay(elapsedMs: number, ceilingMs: number, random: () => number): number {
  const target = Math.min(ceilingMs, Math.max(FIRST_POLL_MS, elapsedMs * GROWTH))
  return Math.round(target * (1 - JITTER * random()))
}
