export type FailureKind =
  | 'http' // the API answered with an error status
  | 'network' // no usable answer: connection refused or reset, DNS, TLS
  | 'timeout' // an attempt took longer than its time limit
  | 'deadline' // the step's own timeout left no time for another attempt
  | 'redirect' // a 3xx, deliberately not followed
  | 'bad-response' // a 2xx whose body is not the JSON the API documents

export interface FailureDetail {
  kind: FailureKind
  /** What the request was for, e.g. `request a backup of install mysite`. */
  operation: string
  status?: number
  /** Node's error code for network failures (ECONNRESET, ENOTFOUND…). */
  code?: string
  /** The API's `message`, made safe for the log. */
  apiMessage?: string
  /** Every field-level `errors[].message`, made safe for the log. */
  fieldErrors?: string[]
  /** True for a POST whose outcome is unknown: the API may or may not have acted on it. */
  ambiguous: boolean
  /** True when the failure is of a kind that may pass (5xx, 429, network, timeout). */
  transient: boolean
  attempts: number
  /** How long this request had been failing when it was given up (0 when it failed at once). */
  failingForMs?: number
}

/** A request to the WP Engine API that failed for good; `message` is one line ready for the log. */
export class WpeApiError extends Error {
  readonly detail: FailureDetail
  constructor(message: string, detail: FailureDetail) {
    super(message)
    this.name = 'WpeApiError'
    this.detail = detail
  }

  get status(): number | undefined {
    return this.detail.status
  }
}

/** The step was cancelled (SIGINT/SIGTERM from the runner) while a request or a wait was under way. */
export class CancelledError extends Error {
  constructor() {
    super('The step was cancelled')
    this.name = 'CancelledError'
  }
}
