import type { Clock } from '../time/clock.js'
import { isMissingRouteError, WpeApiError } from '../wpengine/errors.js'

/**
 * How long after a request whose answer was lost the action keeps looking for what it made before it
 * asks again: WP Engine's lists can show a new backup or archive only some time after it was made, and
 * asking again too soon makes a second one.
 */
const LIST_LAG_WINDOW_MS = 90_000
// A short timeout keeps most of its time for the work: the looking takes at most this share of what is left.
const WINDOW_SHARE_OF_TIME_LEFT = 0.25

/** The window for a lost answer at `now`: 90 s, or a quarter of the time left before the deadline if less. */
function listLagWindow(now: number, deadline: number): number {
  return Math.max(0, Math.min(LIST_LAG_WINDOW_MS, (deadline - now) * WINDOW_SHARE_OF_TIME_LEFT))
}
// The looks come at growing gaps: soon at first (most lost answers are found at once), then sparser.
const FIRST_GAP_MS = 2_000
const MAX_GAP_MS = 30_000

interface LookResult<T> {
  found?: T
  /** From the first look to the last. */
  lookedForMs: number
  /** False when the deadline came before the whole window was looked across: asking again is not safe then. */
  complete: boolean
}

/** Looks for what a lost request made, at once and then at growing gaps, until found or the window is over. */
async function lookAcrossListLag<T>(options: {
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

// The first request, and at most one more once the first surely made nothing that is listed.
const MAX_REQUESTS = 2

/** The lines that tell the log what happened to a lost answer, in the words of what was requested. */
export interface LostAnswerWords<T> {
  /** The answer was lost: where the item is looked for now. */
  looking(error: WpeApiError): string
  /** The item a lost request made was found in the list. */
  found?(item: T): string
  /** Nothing was listed across the whole window: the request goes once more. */
  askingAgain(lookedForMs: number): string
  /** The deadline came before the window was looked across, too soon to ask again safely. */
  tooLate(error: WpeApiError, lookedForMs: number): string
  /** The second answer was lost too, and nothing was listed after either. */
  lostTwice(error: WpeApiError, lookedForMs: number): string
  /** The API offers no list to look in (an older version): asking again could make a second one. */
  cannotLook(error: WpeApiError, missing: WpeApiError): string
}

export interface RequestOnceOptions<T, A extends T | undefined> {
  clock: Clock
  /** No look, and no second request, after this clock time. */
  deadline: number
  signal?: AbortSignal
  /** How long to look for what a lost request made before asking again; by default listLagWindow. */
  windowMs?: number
  /** Sends the request: what its answer says was made, or undefined when the answer carries nothing (a 202). */
  send: () => Promise<A>
  /** What a request of this step made, as the list shows it now; undefined while none is listed. */
  look: () => Promise<T | undefined>
  log: { info(message: string): void }
  say: LostAnswerWords<T>
}

export interface RequestOnceResult<T, A extends T | undefined> {
  /** What the answer said was made, or what the list showed after a lost answer. */
  made: A | T
  /** True when the answer was lost and the item was found in the list instead. */
  recovered: boolean
  requests: number
}

/**
 * Requests something that must be made once (a backup, an archive) from an API that takes no
 * idempotency key. When an answer is lost (reset after sending, timeout, 5xx) the request may have
 * been acted on: look for what it made across the list-lag window, at once and then at growing
 * gaps, and send it again, once, only if the whole window passed without it.
 */
export async function requestOnce<T, A extends T | undefined>(options: RequestOnceOptions<T, A>): Promise<RequestOnceResult<T, A>> {
  const { clock, deadline, signal, windowMs, send, look, log, say } = options
  for (let requests = 1; ; requests++) {
    try {
      return { made: await send(), recovered: false, requests }
    } catch (error) {
      if (!(error instanceof WpeApiError) || !error.detail.ambiguous) throw error
      log.info(say.looking(error))
      const { found, lookedForMs, complete } = await lookAcrossListLag({ clock, deadline, signal, windowMs, look }).catch(
        (lookError: unknown) => {
          // Without a list, a lost answer can never be ruled out: never a second request.
          if (isMissingRouteError(lookError)) throw new WpeApiError(say.cannotLook(error, lookError), error.detail)
          throw lookError
        }
      )
      if (found !== undefined) {
        if (say.found) log.info(say.found(found))
        return { made: found, recovered: true, requests }
      }
      if (!complete) throw new WpeApiError(say.tooLate(error, lookedForMs), { ...error.detail, kind: 'deadline' })
      if (requests >= MAX_REQUESTS) throw new WpeApiError(say.lostTwice(error, lookedForMs), error.detail)
      log.info(say.askingAgain(lookedForMs))
    }
  }
}
