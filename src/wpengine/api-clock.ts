// The API's clock, as its answers' Date header shows it. WP Engine stamps a backup's create_time with
// its own clock, so an age is only right when counted by that clock, not the runner's: a runner or an
// API an hour off would make a fresh backup "1h old".

/** The header has whole seconds: a difference smaller than this says nothing about the clocks. */
const PRECISION_MS = 2_000
/** A Date header further off than this is not a clock, but a broken or hostile answer: ignored. */
const MOST_PLAUSIBLE_MS = 24 * 3_600_000

export class ApiClock {
  private offset = 0

  /** How far the API's clock is ahead of the runner's (negative: behind); 0 until a Date header says otherwise. */
  get offsetMs(): number {
    return this.offset
  }

  /**
   * Reads one answer's Date header, received at `receivedAt` (the runner's clock). The header is cut to
   * the second, so the middle of that second is taken. The last plausible header wins.
   */
  observe(date: string | undefined, receivedAt: number): void {
    const stamped = Date.parse(date ?? '')
    if (Number.isNaN(stamped)) return
    const offset = stamped + 500 - receivedAt
    if (Math.abs(offset) > MOST_PLAUSIBLE_MS) return
    this.offset = Math.abs(offset) < PRECISION_MS ? 0 : offset
  }
}
