// Retry policy modelled on the AWS SDK "standard" mode and Octokit's retry plugin:
// a classifier that knows which failures may pass and which POSTs may have taken effect,
// exponential backoff with full jitter, Retry-After as a floor, and a retry budget per step;
// retrying lasts for a span of time (the patience), as real API outages last minutes, not attempts.

export type Method = 'GET' | 'POST'

/** What one attempt produced, as far as retrying is concerned. */
export type AttemptOutcome =
  /** `message`: the API's own `message` in an error answer, log-safe and bounded. */
  | { kind: 'response'; status: number; message?: string }
  /** A 2xx whose body is not JSON (cut short, or a page from something in between); `reason` says why, log-safe. */
  | { kind: 'bad-response'; reason: string }
  /** A 2xx whose JSON does not fit its shape (a field the action needs is missing or odd); `reason` names the field, log-safe. */
  | { kind: 'misfit'; reason: string }
  | { kind: 'network'; code: string; sent: boolean }
  | { kind: 'timeout'; sent: boolean }

/**
 * - `success`: done.
 * - `retry`: send the same request again (after a backoff).
 * - `ambiguous`: a POST that may have reached the API; the caller must look before resending.
 * - `fail`: retrying cannot help (4xx, TLS trust failures, redirects).
 */
export type RetryDecision = 'success' | 'retry' | 'ambiguous' | 'fail'

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

// Errors that no retry fixes: the certificate or the TLS setup is wrong.
const TLS_TRUST_FAILURE = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/

export function isTlsTrustFailure(code: string): boolean {
  return TLS_TRUST_FAILURE.test(code)
}

/**
 * An answer that parses but does not fit is asked for again this many times, in case it was a glitch:
 * the API answers the same way every time, so it is not an outage to wait out.
 */
export const MISFIT_RETRIES = 1

/** `misfitsBefore`: how many earlier attempts of this request got a misfitting answer. */
export function classify(method: Method, outcome: AttemptOutcome, misfitsBefore = 0): RetryDecision {
  switch (outcome.kind) {
    case 'response': {
      const { status } = outcome
      if (status >= 200 && status < 300) return 'success'
      if (!RETRYABLE_STATUSES.has(status)) return 'fail'
      // A 429 is the rate limiter turning the request away before the API saw it.
      if (method === 'GET' || status === 429) return 'retry'
      return 'ambiguous'
    }
    case 'bad-response':
      return method === 'GET' ? 'retry' : 'ambiguous'
    case 'misfit':
      // A POST was acted on all the same: what it made must be looked for, never simply asked for again.
      if (method === 'POST') return 'ambiguous'
      return misfitsBefore < MISFIT_RETRIES ? 'retry' : 'fail'
    case 'network':
      if (isTlsTrustFailure(outcome.code)) return 'fail'
      return method === 'GET' || !outcome.sent ? 'retry' : 'ambiguous'
    case 'timeout':
      return method === 'GET' || !outcome.sent ? 'retry' : 'ambiguous'
  }
}

export interface BackoffOptions {
  baseMs: number
  capMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 }

/**
 * How long a request is retried while the API keeps failing in a way that may pass: hosting API
 * incidents last minutes, and a pre-deploy step would rather wait than have the pipeline re-run.
 * Never past the step's timeout, which stays the bound a user sets.
 */
export const DEFAULT_PATIENCE_MS = 5 * 60_000

/**
 * Full jitter ("Exponential Backoff and Jitter", AWS Architecture Blog): a uniform delay in
 * [0, min(cap, base·2^retry)). `retry` counts from 0 for the first retry.
 */
export function backoffDelay(retry: number, random: () => number, options = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(retry, 30))
  return Math.floor(random() * ceiling)
}

/** Retry-After in milliseconds from `nowMs`: delta-seconds or an HTTP date; undefined if absent or invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  if (!/[a-z]/i.test(text)) return undefined
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/**
 * A step-wide retry quota, as in the AWS SDK standard retry mode: every retry spends tokens
 * (timeouts and connection failures more, since they are the costliest to repeat), every success
 * earns a little back, and tokens come back with time. A retry the budget cannot pay for waits
 * until it can: however long the API fails, the step sends only a handful of retries a minute for
 * each request it may have in flight.
 */
export class RetryBudget {
  static readonly RETRY_COST = 5
  static readonly TIMEOUT_COST = 10
  /** Tokens that come back each minute, for each request in flight at once: six retries, or three after time-outs. */
  static readonly REFILL_PER_MINUTE = 30
  private tokens: number
  private updatedAt: number | undefined
  private readonly perMs: number

  constructor(
    private readonly capacity = 100,
    lanes = 1
  ) {
    this.tokens = capacity
    this.perMs = (RetryBudget.REFILL_PER_MINUTE * lanes) / 60_000
  }

  /** The tokens there are at `now` (negative while retries already granted are still being paid for). */
  available(now: number): number {
    this.refill(now)
    return this.tokens
  }

  /**
   * Takes the tokens for one retry; returns what it cost and how long from `now` the retry must wait
   * for the budget to have paid for it (0 when it could pay at once).
   */
  reserve(outcome: AttemptOutcome, now: number): { cost: number; waitMs: number } {
    const cost = outcome.kind === 'network' || outcome.kind === 'timeout' ? RetryBudget.TIMEOUT_COST : RetryBudget.RETRY_COST
    this.refill(now)
    this.tokens -= cost
    return { cost, waitMs: this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.perMs) }
  }

  /** A request succeeded: return what its retries took, or one token when it needed none. */
  release(spent: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (spent > 0 ? spent : 1))
  }

  private refill(now: number): void {
    if (this.updatedAt !== undefined && now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.perMs)
    }
    this.updatedAt = Math.max(now, this.updatedAt ?? now)
  }
}
