import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import { safeText } from '../text/safe-text.js'
import {
  BadAnswer,
  decodeArchive,
  decodeBackup,
  decodeErrorBody,
  decodeInstall,
  decodePage,
  decodeUser,
  type Misfit,
  type Note
} from './decode.js'
import {
  attemptFailureText,
  CancelledError,
  deadlineText,
  firstRetryText,
  isMissingRoute,
  missingRouteText,
  redirectText,
  retryAfterTooLongText,
  stillFailingText,
  WpeApiError,
  type FailureDetail
} from './errors.js'
import { ApiClock } from './api-clock.js'
import { NetworkError, type HttpResponse, type Send } from './http.js'
import {
  backoffDelay,
  classify,
  DEFAULT_PATIENCE_MS,
  parseRetryAfter,
  RetryBudget,
  type AttemptOutcome,
  type Method,
  type RetryDecision
} from './retry.js'
import { Semaphore } from './semaphore.js'
import { AccountRateLimit } from './rate-limit.js'
import type {
  Archive,
  Backup,
  CreateArchiveBody,
  CreateBackupBody,
  CacheType,
  Install,
  ListOptions,
  Page,
  RestoreBody,
  Unusable,
  User
} from './types.js'

export const DEFAULT_API_URL = 'https://api.wpengineapi.com/v1'
/**
 * What each route offers, as a failure line names it when the API does not have the route: older
 * versions of the API lack some of them (spec/README.md).
 */
const FEATURES: Record<string, string> = {
  'GET /user': 'the credentials check',
  'GET /installs': 'the list of installs',
  'GET /installs/{install_id}': 'installs by id',
  'POST /installs/{install_id}/backups': 'requesting backups',
  'GET /installs/{install_id}/backups': 'the list of backups',
  'GET /installs/{install_id}/backups/{backup_id}': 'backup status checks',
  'POST /installs/{install_id}/backups/{backup_id}/restore': 'restores',
  'GET /installs/{install_id}/archives': 'the list of archives',
  'POST /installs/{install_id}/archives': 'requesting archives'
}
const PAGE_LIMIT = 100
// While a request keeps failing, the log hears of it about this often: enough to show the step is alive, not a line per retry.
const RETRY_NOTE_EVERY_MS = 60_000

export interface ClientOptions {
  apiUrl: URL
  userId: string
  password: string
  send: Send
  clock: Clock
  /** Absolute time (clock ms) after which no attempt starts and no backoff sleeps. */
  deadline: number
  /** Aborted when the step is cancelled. */
  signal?: AbortSignal
  random?: () => number
  attemptTimeoutMs?: number
  /** How long one request is retried while the API keeps failing in a way that may pass (never past the deadline). */
  patienceMs?: number
  /**
   * Step-wide; by default one that lets each request in flight retry a handful of times a minute.
   * `false`: none, each retry waits its backoff alone (the bench measures what the budget saves).
   */
  budget?: RetryBudget | false
  /** Requests in flight at once, across everything sharing this client (the max-parallel input). */
  maxConcurrentRequests?: number
  userAgent?: string
  /** Told about the first retry of a request, then about once a minute while the API keeps failing, so the log shows why the step is taking longer. */
  onRetry?: (message: string) => void
  /**
   * Told about every attempt in one line (for core.debug): method, path, status or error code, time
   * taken and what happens next. Never a header, a body or a host.
   */
  onDebug?: (line: string) => void
  /**
   * Told, once each, about list items skipped because they do not match their shape, and about fields
   * that are only shown and do not fit (once for each route and field).
   */
  onWarning?: (message: string) => void
  /** Sends nothing but GET: anything else throws before it leaves (a dry run changes nothing, by construction). */
  readOnly?: boolean
  /** false: no shared pace learned from 429s (rate-limit.ts), each request retrying on its own; for the bench to compare. */
  rateLimit?: false
}

/** Turns the body of a 2xx answer into checked values, or throws BadAnswer; shown-only fields that do not fit go to `note`. */
type Decoder<T> = (body: string, note: Note) => T

function json<T>(decode: (value: unknown, note: Note) => T): Decoder<T> {
  return (body, note) => {
    let value: unknown
    try {
      value = JSON.parse(body)
    } catch {
      throw new BadAnswer(safeText('it is not JSON'), 'not-json')
    }
    return decode(value, note)
  }
}

/** For the calls documented to answer 202 with no body: whatever comes back is not read. */
const noBody: Decoder<void> = () => undefined

export function basicToken(userId: string, password: string): string {
  return Buffer.from(`${userId}:${password}`, 'utf8').toString('base64')
}

/**
 * The WP Engine API, as far as this action needs it. Knows URLs, auth, time limits, retries and
 * error decoding; knows nothing of GitHub Actions.
 */
export class WpeClient {
  private readonly options: Required<
    Omit<ClientOptions, 'signal' | 'onRetry' | 'onDebug' | 'onWarning' | 'maxConcurrentRequests' | 'readOnly' | 'rateLimit'>
  > &
    Pick<ClientOptions, 'signal' | 'onRetry' | 'onDebug' | 'onWarning' | 'readOnly'>
  private readonly authorization: string
  private readonly slots: Semaphore
  private readonly pace: AccountRateLimit | undefined
  private readonly warned = new Set<string>()
  /** Routes the API gateway said it does not have: not asked for again by this client (one step). */
  private readonly missingRoutes = new Set<string>()
  private readonly apiClock = new ApiClock()

  constructor(options: ClientOptions) {
    // `??`, not a spread of defaults: an option passed as undefined must still get its default.
    this.options = {
      ...options,
      random: options.random ?? Math.random,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 30_000,
      patienceMs: options.patienceMs ?? DEFAULT_PATIENCE_MS,
      budget: options.budget ?? new RetryBudget(undefined, options.maxConcurrentRequests ?? 1),
      userAgent: options.userAgent ?? 'wpengine-backup-action'
    }
    this.authorization = `Basic ${basicToken(options.userId, options.password)}`
    this.slots = new Semaphore(options.maxConcurrentRequests ?? 1)
    this.pace = options.rateLimit === false ? undefined : new AccountRateLimit(options.clock, (message) => this.options.onRetry?.(message))
  }

  /** Now by the API's clock, as its answers' Date header shows it: what a backup's create_time is counted against. */
  apiNow(): number {
    return this.options.clock.now() + this.apiClock.offsetMs
  }

  /** How far the API's clock is ahead of the runner's (negative: behind); 0 while they agree. */
  apiClockOffsetMs(): number {
    return this.apiClock.offsetMs
  }

  getUser(): Promise<User> {
    return this.request('GET', ['user'], 'check the API credentials', json(decodeUser))
  }

  /** The install, which must be the one asked for. */
  getInstall(installId: string): Promise<Install> {
    return this.request(
      'GET',
      ['installs', installId],
      `get install ${installId}`,
      json((value, note) => decodeInstall(value, installId, note))
    )
  }

  listInstalls(offset: number, options?: ListOptions): Promise<Page<Install>> {
    return this.list(['installs'], 'list installs', offset, (value, note) => decodeInstall(value, undefined, note), options)
  }

  /** One POST: retried here only when it surely did not reach the API; ambiguous failures are the caller's to resolve. */
  createBackup(install: Install, body: CreateBackupBody): Promise<Backup> {
    return this.request(
      'POST',
      ['installs', install.id, 'backups'],
      `request a backup of install ${install.name}`,
      json((value, note) => decodeBackup(value, undefined, note)),
      { body }
    )
  }

  /** The backup, which must be the one asked for. */
  getBackup(install: Install, backupId: string): Promise<Backup> {
    return this.request(
      'GET',
      ['installs', install.id, 'backups', backupId],
      `get backup ${backupId} of install ${install.name}`,
      json((value, note) => decodeBackup(value, backupId, note))
    )
  }

  listBackups(install: Install, offset: number, options?: ListOptions): Promise<Page<Backup>> {
    return this.list(
      ['installs', install.id, 'backups'],
      `list the backups of install ${install.name}`,
      offset,
      (value, note) => decodeBackup(value, undefined, note),
      options
    )
  }

  /** Asks WP Engine to turn a completed backup into a downloadable zip; 202 with no documented body. */
  async createArchive(install: Install, body: CreateArchiveBody): Promise<void> {
    await this.request(
      'POST',
      ['installs', install.id, 'archives'],
      `request an archive of backup ${body.backup_id} of install ${install.name}`,
      noBody,
      { body }
    )
  }

  listArchives(install: Install, offset: number, options?: ListOptions): Promise<Page<Archive>> {
    return this.list(['installs', install.id, 'archives'], `list the archives of install ${install.name}`, offset, decodeArchive, options)
  }

  /** Starts restoring the install from the backup; 202 with no body, and no status to follow. */
  async restoreBackup(install: Install, backupId: string, body: RestoreBody): Promise<void> {
    await this.request(
      'POST',
      ['installs', install.id, 'backups', backupId, 'restore'],
      `restore install ${install.name} from backup ${backupId}`,
      noBody,
      { body }
    )
  }

  /**
   * Purges one of the install's caches; 202 with no body. One attempt: WP Engine allows one
   * object-cache purge a minute per install, so a 429 comes back to the caller (with its Retry-After
   * in the error's detail) to wait on as it sees fit, rather than being retried here.
   */
  async purgeCache(install: Install, type: CacheType): Promise<void> {
    await this.request(
      'POST',
      ['installs', install.id, 'purge_cache'],
      `purge the ${type === 'all' ? 'caches' : `${type} cache`} of install ${install.name}`,
      noBody,
      { body: { type }, once: true }
    )
  }

  /** One page; items that do not match their shape are skipped with one warning each, unless the caller asked for them. */
  private async list<T>(
    segments: string[],
    operation: string,
    offset: number,
    decodeItem: (value: unknown, note: Note) => T,
    options?: ListOptions
  ): Promise<Page<T>> {
    const { page, skipped } = await this.request(
      'GET',
      segments,
      operation,
      json((value, note) => decodePage(value, decodeItem, operation, options, note)),
      { query: { limit: PAGE_LIMIT, offset }, signal: options?.signal, once: options?.once }
    )
    if (skipped.length > 0) this.warnOnce(skippedMessage(operation, skipped, page.received))
    return page
  }

  /** `key` tells which warnings are the same one: by default the message itself. */
  private warnOnce(message: string, key = message): void {
    if (this.warned.has(key)) return
    this.warned.add(key)
    this.options.onWarning?.(message)
  }

  /** Path segments are encoded one by one, so no value can change the path it is put into. */
  private url(segments: string[], query: Record<string, number> = {}): URL {
    const base = this.options.apiUrl.href.replace(/\/+$/, '')
    const url = new URL(`${base}/${segments.map(encodeURIComponent).join('/')}`)
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value))
    return url
  }

  private async request<T>(
    method: Method,
    segments: string[],
    operation: string,
    decode: Decoder<T>,
    { query, body, signal: callSignal, once }: { query?: Record<string, number>; body?: unknown; signal?: AbortSignal; once?: boolean } = {}
  ): Promise<T> {
    const { send, clock, deadline, budget, onDebug } = this.options
    const patienceMs = once ? 0 : this.options.patienceMs
    if (this.options.readOnly && method !== 'GET') throw new Error(`A read-only client may not ${operation} (${method}).`)
    const stepSignal = this.options.signal
    const signal = callSignal && stepSignal ? AbortSignal.any([stepSignal, callSignal]) : (callSignal ?? stepSignal)
    const target = `${method} ${apiPath(segments, query)}`
    const endpoint = endpointOf(method, segments)
    if (this.missingRoutes.has(endpoint)) throw this.missingRouteError(operation, endpoint, 0)
    const notes: Misfit[] = []
    // Answers that parsed but did not fit, so far: such an answer is asked for again only once.
    let misfits = 0
    const debug = (result: string, next?: string): void => onDebug?.(`${target} → ${result}${next ? `; ${next}` : ''}`)
    const request = {
      method,
      url: this.url(segments, query),
      headers: {
        authorization: this.authorization,
        accept: 'application/json',
        'user-agent': this.options.userAgent,
        ...(body === undefined ? {} : { 'content-type': 'application/json' })
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    }
    let spent = 0
    let last: { outcome: AttemptOutcome; response?: HttpResponse } | undefined
    // When this request's failures began, and when the log last heard of them.
    let failingSince: number | undefined
    let toldAt: number | undefined
    for (let attempt = 1; ; attempt++) {
      // A slot is held only while a request is in flight, never during a backoff; the attempt's time limit starts once it has one.
      await this.slots.acquire(signal)
      // Every request of the step keeps the account's pace, learned from its 429s.
      const pacedAt = await this.pace?.turn(signal).catch(() => {
        this.slots.release()
        throw new CancelledError()
      })
      const left = deadline - clock.now()
      if (left <= 0) {
        this.slots.release()
        throw this.deadlineError(operation, attempt - 1, last?.outcome, failingSince)
      }
      // Whole milliseconds: AbortSignal.timeout refuses a fraction, and a window or a gap can leave one.
      const attemptSignal = AbortSignal.timeout(Math.max(1, Math.floor(Math.min(this.options.attemptTimeoutMs, left))))
      let response: HttpResponse | undefined
      let outcome: AttemptOutcome
      let decoded: T | undefined
      const sentAt = clock.now()
      try {
        response = await send(request, signal ? AbortSignal.any([signal, attemptSignal]) : attemptSignal).finally(() =>
          this.slots.release()
        )
        this.apiClock.observe(headerValue(response, 'date'), clock.now())
        // The API's own words on an error go with it into every line about it, a 500's included.
        outcome = { kind: 'response', status: response.status, message: errorMessage(response) }
        notes.length = 0
        if (response.status >= 300 && response.status < 400) {
          debug(`${response.status} in ${clock.now() - sentAt} ms`, 'redirect not followed; giving up')
          throw this.redirectError(operation, response, attempt)
        }
        if (isMissingRoute(response.status, decodeErrorBody(response.body).apiMessage)) {
          debug(`${response.status} in ${clock.now() - sentAt} ms`, 'no such route; giving up')
          this.missingRoutes.add(endpoint)
          throw this.missingRouteError(operation, endpoint, attempt)
        }
        if (response.status >= 200 && response.status < 300) {
          try {
            decoded = decode(response.body, (misfit) => notes.push(misfit))
          } catch (error) {
            if (!(error instanceof BadAnswer)) throw error
            outcome = { kind: error.kind === 'not-json' ? 'bad-response' : 'misfit', reason: error.reason }
          }
        }
      } catch (error) {
        if (signal?.aborted) {
          debug(`cancelled after ${clock.now() - sentAt} ms`)
          throw new CancelledError()
        }
        if (!(error instanceof NetworkError)) {
          if (!(error instanceof WpeApiError))
            debug(`${error instanceof Error ? error.name : 'error'} after ${clock.now() - sentAt} ms`, 'giving up')
          throw error
        }
        outcome =
          error.code === 'ETIMEDOUT' && attemptSignal.aborted
            ? { kind: 'timeout', sent: error.sent }
            : { kind: 'network', code: error.code, sent: error.sent }
      }
      last = { outcome, response }
      // Only an answer says anything of the account's limit; a lost one says nothing.
      const limited = outcome.kind === 'response' && outcome.status === 429
      if (pacedAt !== undefined && response)
        this.pace?.answered(pacedAt, limited, limited ? parseRetryAfter(headerValue(response, 'retry-after'), clock.now()) : undefined)
      const result = attemptResult(outcome, response, clock.now() - sentAt)
      const verdict = classify(method, outcome, misfits)
      if (outcome.kind === 'misfit') misfits++
      if (verdict !== 'success') failingSince ??= sentAt
      const failingFor = failingSince === undefined ? 0 : clock.now() - failingSince
      if (verdict === 'success') {
        debug(result)
        if (budget) budget.release(spent)
        for (const misfit of notes) this.warnOnce(misfitText(endpoint, misfit), `${endpoint} ${misfit.field}`)
        return decoded as T
      }
      if (verdict === 'retry' && failingFor < patienceMs) {
        const retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'), clock.now())
        const backoff = Math.max(backoffDelay(attempt - 1, this.options.random), retryAfterMs ?? 0)
        const timeLeft = deadline - clock.now()
        if (retryAfterMs !== undefined && retryAfterMs >= timeLeft) {
          debug(result, `giving up: Retry-After ${seconds(retryAfterMs)} is past the step's timeout`)
          throw this.failure(
            retryAfterTooLongText(operation, outcome, retryAfterMs, timeLeft),
            // Not transient for this step: waiting on would only run into the timeout.
            operation,
            outcome,
            'fail',
            response,
            attempt,
            failingFor,
            endpoint
          )
        }
        // The budget is only asked once the retry fits in the time left, so a retry never made is never paid for.
        const reserved = backoff < timeLeft ? (budget ? budget.reserve(outcome, clock.now()) : { cost: 0, waitMs: 0 }) : undefined
        const delay = Math.max(backoff, reserved?.waitMs ?? 0)
        if (reserved !== undefined && delay < timeLeft) {
          spent += reserved.cost
          debug(result, `retrying in ${seconds(delay)}`)
          const keepTrying = formatDuration(Math.min(patienceMs - failingFor, timeLeft))
          if (toldAt === undefined) {
            toldAt = clock.now()
            this.options.onRetry?.(firstRetryText(operation, outcome, seconds(delay), keepTrying))
          } else if (clock.now() - toldAt >= RETRY_NOTE_EVERY_MS) {
            toldAt = clock.now()
            this.options.onRetry?.(stillFailingText(operation, outcome, failingFor, keepTrying))
          }
          try {
            await clock.sleep(delay, signal)
          } catch {
            throw new CancelledError()
          }
          continue
        }
        // The retry does not fit before the timeout: the step ends as timed out, with what the API last said.
        if (reserved !== undefined && budget) budget.release(reserved.cost)
        debug(result, "giving up: no time left before the step's timeout")
        throw this.deadlineError(operation, attempt, outcome, failingSince, response?.status)
      }
      debug(
        result,
        verdict === 'ambiguous'
          ? 'not retried: it may have been acted on'
          : `giving up after ${attempt > 1 ? `${attempt} attempts over ${seconds(failingFor)}` : '1 attempt'}`
      )
      throw this.failure(
        attemptFailureText({
          operation,
          outcome,
          decision: verdict,
          ...decodeErrorBody(response?.body ?? ''),
          attempts: attempt,
          failingForMs: failingFor,
          origin: this.options.apiUrl.origin,
          endpoint
        }),
        operation,
        outcome,
        verdict,
        response,
        attempt,
        failingFor,
        endpoint
      )
    }
  }

  private failure(
    message: string,
    operation: string,
    outcome: AttemptOutcome,
    verdict: RetryDecision,
    response: HttpResponse | undefined,
    attempts: number,
    failingForMs = 0,
    endpoint?: string
  ): WpeApiError {
    const body = decodeErrorBody(response?.body ?? '')
    const detail: FailureDetail = {
      kind: outcome.kind === 'response' ? 'http' : outcome.kind,
      operation,
      endpoint,
      status: response?.status,
      code: outcome.kind === 'network' ? outcome.code : undefined,
      apiMessage: body.apiMessage,
      fieldErrors: body.fieldErrors,
      ambiguous: verdict === 'ambiguous',
      // An answer that does not fit is the same when asked again: not a failure that may pass.
      transient: verdict !== 'fail' && outcome.kind !== 'misfit',
      attempts,
      failingForMs,
      retryAfterMs: parseRetryAfter(headerValue(response, 'retry-after'), this.options.clock.now())
    }
    return new WpeApiError(message, detail)
  }

  private redirectError(operation: string, response: HttpResponse, attempts: number): WpeApiError {
    const location = safeText(headerValue(response, 'location') ?? 'no location', 200)
    const error = this.failure(
      redirectText(operation, response.status, location),
      operation,
      { kind: 'response', status: response.status },
      'fail',
      response,
      attempts
    )
    return new WpeApiError(error.message, { ...error.detail, kind: 'redirect' })
  }

  private missingRouteError(operation: string, endpoint: string, attempts: number): WpeApiError {
    const feature = FEATURES[endpoint] ?? endpoint
    const detail: FailureDetail = {
      kind: 'no-route',
      operation,
      endpoint,
      feature,
      status: 403,
      ambiguous: false,
      transient: false,
      attempts
    }
    return new WpeApiError(missingRouteText({ endpoint, feature, apiUrl: this.options.apiUrl, defaultApiUrl: DEFAULT_API_URL }), detail)
  }

  private deadlineError(
    operation: string,
    attempts: number,
    last: AttemptOutcome | undefined,
    failingSince: number | undefined,
    status?: number
  ): WpeApiError {
    const failingForMs = failingSince === undefined ? 0 : this.options.clock.now() - failingSince
    const detail: FailureDetail = { kind: 'deadline', operation, status, ambiguous: false, transient: true, attempts, failingForMs }
    return new WpeApiError(deadlineText(operation, last, failingForMs), detail)
  }
}

/**
 * The route as the API's description names it: `GET /installs/{install_id}/backups/{backup_id}`. Every
 * path alternates a collection and an id; the id is named after its collection.
 */
function endpointOf(method: Method, segments: string[]): string {
  const path = segments.map((segment, i) => (i % 2 === 1 ? `{${(segments[i - 1] ?? '').replace(/s$/, '')}_id}` : segment))
  return `${method} /${path.join('/')}`
}

/** A shown-only field that did not fit, and what the step shows instead. */
function misfitText(endpoint: string, { field, value, placeholder }: Misfit): string {
  const instead = placeholder ? `showing ${placeholder} in its place` : 'without it'
  return `WP Engine's answer to ${endpoint} gives the ${field} as ${value}, which does not fit the API's description; carrying on ${instead}.`
}

/** The request's path below api-url, as the debug lines show it: `/installs/…/backups?limit=100&offset=0`. */
function apiPath(segments: string[], query: Record<string, number> = {}): string {
  const search = Object.entries(query)
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
  return `/${segments.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`
}

/** What one attempt got, and how long it took: `503 in 12 ms`, `ECONNRESET after 3 ms (sent)`. */
function attemptResult(outcome: AttemptOutcome, response: HttpResponse | undefined, ms: number): string {
  switch (outcome.kind) {
    case 'response':
      return `${outcome.status} in ${ms} ms`
    case 'bad-response':
      return `${response?.status ?? 'an answer'} in ${ms} ms, not the documented JSON`
    case 'misfit':
      return `${response?.status ?? 'an answer'} in ${ms} ms, not in the documented shape`
    case 'network':
      return `${outcome.code} after ${ms} ms (${outcome.sent ? 'sent' : 'not sent'})`
    case 'timeout':
      return `no answer after ${ms} ms (${outcome.sent ? 'sent' : 'not sent'})`
  }
}

/** The API's `message` in an error answer (log-safe, bounded by decodeErrorBody); none for a 2xx or 3xx. */
function errorMessage(response: HttpResponse): string | undefined {
  return response.status >= 400 ? decodeErrorBody(response.body).apiMessage : undefined
}

/** `1234` → `1.2s`: finer than formatDuration, for backoffs of a fraction of a second. */
function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms)
}

function headerValue(response: HttpResponse | undefined, name: string): string | undefined {
  const value = response?.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** `Skipped 2 of the 100 items …: reason; reason.` Long lists name the first few and count the rest. */
function skippedMessage(operation: string, skipped: Unusable[], received: number): string {
  const named = skipped.slice(0, 3).map((item) => item.reason)
  const more = skipped.length > named.length ? `; and ${skipped.length - named.length} more` : ''
  return `Skipped ${skipped.length} of the ${received} items in WP Engine's answer to ${operation}, as they do not match the API's description: ${named.join('; ')}${more}.`
}
