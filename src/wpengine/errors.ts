import { formatDuration } from '../time/time-text.js'
import { safeText } from '../text/safe-text.js'
import { isTlsTrustFailure, type AttemptOutcome, type RetryDecision } from './retry.js'

export type FailureKind =
  | 'http' // the API answered with an error status
  | 'network' // no usable answer: connection refused or reset, DNS, TLS
  | 'timeout' // an attempt took longer than its time limit
  | 'deadline' // the step's own timeout left no time for another attempt
  | 'redirect' // a 3xx, deliberately not followed
  | 'bad-response' // a 2xx whose body is not the JSON the API documents
  | 'misfit' // a 2xx whose JSON does not fit its shape, the same when asked again
  | 'no-route' // the API gateway has no such route: 403 Missing Authentication Token

export interface FailureDetail {
  kind: FailureKind
  /** What the request was for, e.g. `request a backup of install mysite`. */
  operation: string
  /** The route, as the API's description names it: `GET /installs/{install_id}/backups`. */
  endpoint?: string
  /** What the route offers, in a few words: `the list of backups`, `restores`. */
  feature?: string
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
  /** How long the API asked to wait before trying again (Retry-After), when it said. */
  retryAfterMs?: number
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

/** The API gateway has no route for the request: the feature is not offered by the API this step talks to. */
export function isMissingRouteError(error: unknown): error is WpeApiError {
  return error instanceof WpeApiError && error.detail.kind === 'no-route'
}

/** The step was cancelled (SIGINT/SIGTERM from the runner) while a request or a wait was under way. */
export class CancelledError extends Error {
  constructor() {
    super('The step was cancelled')
    this.name = 'CancelledError'
  }
}

/** One line, never a stack trace: the client's errors carry a finished message; anything else is made log-safe. */
export function errorLine(error: unknown): string {
  if (error instanceof WpeApiError) return error.message
  if (error instanceof Error) return safeText(error.message)
  return safeText(String(error))
}

// The wording of every failure the client reports, beside the errors that carry it.

const API_ACCESS_PAGE = 'https://my.wpengine.com/api_access'

/** What one attempt got, as a failure line names it: `HTTP 503`, `network error ECONNRESET`. */
export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.status}${outcome.message ? ` "${outcome.message}"` : ''}`
    case 'bad-response':
      return `an answer that cannot be used (${outcome.reason})`
    case 'misfit':
      return `an answer that does not fit the API's description (${outcome.reason})`
    case 'network':
      return `network error ${outcome.code}`
    case 'timeout':
      return 'no answer in time'
  }
}

/** Why a request failed for good, and what to do; `origin` is api-url's. */
export function attemptFailureText({
  operation,
  outcome,
  decision,
  apiMessage,
  fieldErrors,
  attempts,
  failingForMs,
  origin,
  endpoint
}: {
  operation: string
  endpoint: string
  outcome: AttemptOutcome
  decision: RetryDecision
  apiMessage?: string
  fieldErrors: string[]
  attempts: number
  failingForMs: number
  origin: string
}): string {
  // How long the API failed: the line says whether this was a blip or an outage.
  const tries = attempts > 1 ? ` for ${formatDuration(failingForMs)} (${attempts} attempts)` : ''
  if (decision === 'ambiguous') {
    return `WP Engine's answer was lost while trying to ${operation} (${describeOutcome(outcome)}); WP Engine may or may not have acted on it.`
  }
  if (outcome.kind === 'network' && isTlsTrustFailure(outcome.code)) {
    return (
      `Could not make a trusted TLS connection to ${origin} to ${operation} (${outcome.code}). ` +
      `If the runner is behind a TLS-inspecting proxy, give Node its CA certificate with NODE_EXTRA_CA_CERTS; otherwise check api-url.`
    )
  }
  if (outcome.kind === 'network') {
    return `Could not reach the WP Engine API at ${origin} to ${operation} (${outcome.code})${tries}. Check api-url and the runner's network.`
  }
  if (outcome.kind === 'timeout') {
    return `The WP Engine API did not answer in time to ${operation}${tries}. It may be overloaded; re-run the job later.`
  }
  if (outcome.kind === 'bad-response') {
    return `The WP Engine API's answer while trying to ${operation} could not be used${tries}: ${outcome.reason}. Re-run the job later.`
  }
  if (outcome.kind === 'misfit') {
    const again = attempts > 1 ? ', also when asked again' : ''
    return (
      `WP Engine's answer to ${endpoint} (to ${operation}) does not fit the API's description${again}: ${outcome.reason}. ` +
      `The API answers this way every time, so the step stops rather than wait; if it persists, report it to WP Engine support.`
    )
  }
  const { status } = outcome
  const said = apiMessage ? `: ${apiMessage}` : ''
  switch (status) {
    case 401:
      return (
        `WP Engine did not accept the API credentials (401${said}). Check api-user-id and api-password ` +
        `(or WPENGINE_USER_ID and WPENGINE_PASSWORD), and that API access is enabled for the account: ${API_ACCESS_PAGE}`
      )
    case 403:
      return (
        `The API user is not allowed to ${operation} (403${said}). Check the user's access to this install ` +
        `in the WP Engine User Portal, and that API access is enabled for the account: ${API_ACCESS_PAGE}`
      )
    case 404:
      return `Not found: could not ${operation} (404${said}).`
    case 429:
      return `WP Engine is rate-limiting this account or runner (429) and still refused to ${operation}${tries}. Wait a few minutes and re-run, or run fewer jobs at once.`
  }
  if (status >= 500) {
    return `WP Engine failed to ${operation} (${status}${said})${tries}. The API may be having problems; re-run the job later.`
  }
  const fields = fieldErrors.length > 0 ? ` ${fieldErrors.join('; ')}` : ''
  return `WP Engine refused to ${operation} (${status}${said}).${fields}`
}

/**
 * The API gateway (AWS API Gateway) answers a route it does not have with 403 "Missing Authentication
 * Token", whatever the credentials: every route when api-url lacks /v1, and the routes an older
 * version of the API lacks. Never a matter of the user's access.
 */
export function isMissingRoute(status: number, apiMessage: string | undefined): boolean {
  return status === 403 && apiMessage?.trim().toLowerCase() === 'missing authentication token'
}

/** Why a route is missing, and what to do: a base URL without /v1, or an API that does not offer the feature. */
export function missingRouteText({
  endpoint,
  feature,
  apiUrl,
  defaultApiUrl
}: {
  endpoint: string
  feature: string
  apiUrl: URL
  defaultApiUrl: string
}): string {
  const answered = `${endpoint} answered 403 Missing Authentication Token, the API gateway's answer for a route it does not have`
  const path = apiUrl.pathname.replace(/\/+$/, '')
  if (!path.endsWith('/v1')) {
    return (
      `The WP Engine API has no route for ${feature} at ${apiUrl.origin}${path} (${answered}): api-url's path does not end in /v1, where the API's routes are. ` +
      `Check api-url: WP Engine's own is ${defaultApiUrl}, the default when api-url is left out.`
    )
  }
  return (
    `The WP Engine API at ${apiUrl.origin} does not offer ${feature} (${answered}): this endpoint is not available from the API, ` +
    `which may be an older version than the one that added it. Nothing was done by this request.`
  )
}

export function retryAfterTooLongText(operation: string, outcome: AttemptOutcome, retryAfterMs: number, timeLeftMs: number): string {
  return (
    `WP Engine asked to wait ${formatDuration(retryAfterMs)} before trying again to ${operation} (${describeOutcome(outcome)} with Retry-After), ` +
    `more than the ${formatDuration(timeLeftMs)} left before the step's timeout. Re-run the job later, or raise timeout.`
  )
}

export function firstRetryText(operation: string, outcome: AttemptOutcome, delay: string, keepTrying: string): string {
  if (outcome.kind === 'misfit') return `${describeOutcome(outcome)} while trying to ${operation}; asking once more in ${delay}.`
  return `${describeOutcome(outcome)} while trying to ${operation}; retrying in ${delay}, for up to ${keepTrying} while it keeps failing.`
}

export function stillFailingText(operation: string, outcome: AttemptOutcome, failingForMs: number, keepTrying: string): string {
  return (
    `The WP Engine API has been failing for ${formatDuration(failingForMs)} while trying to ${operation} (last: ${describeOutcome(outcome)}); ` +
    `still trying, for up to ${keepTrying} more.`
  )
}

export function redirectText(operation: string, status: number, location: string): string {
  return (
    `The API answered an attempt to ${operation} with a redirect (${status} to ${location}); it was not followed, ` +
    `so that the credentials are not sent elsewhere. Check api-url.`
  )
}

export function deadlineText(operation: string, last: AttemptOutcome | undefined, failingForMs: number): string {
  const lastSeen = last ? ` (the API had been failing for ${formatDuration(failingForMs)}; last answer: ${describeOutcome(last)})` : ''
  return `The step's timeout ran out while trying to ${operation}${lastSeen}.`
}
