import type { PageAnswer } from '../site/get-page.js'
import { safeText } from '../text/safe-text.js'
import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import { CancelledError } from '../wpengine/errors.js'
import { NetworkError } from '../wpengine/http.js'
import { pollDelay } from './poll-schedule.js'

// After a restore, the site is asked until it answers as it should: checks start gently and get
// sparser (the schedule of a backup's status checks, with a ceiling of its own), so that a site
// coming back up is not hammered, and each check is bounded in time.

/** No two checks are further apart than this. */
export const SITE_CHECK_CEILING_MS = 30_000
/** One check that brings no answer in this long is no answer. */
export const SITE_ATTEMPT_TIMEOUT_MS = 30_000
/** While nothing changes, the log hears how the site answers about this often. */
const STILL_EVERY_MS = 60_000

/** What one check saw: an answer (and whether it held the text asked for), or none and why. */
export type SiteAnswer = { kind: 'answer'; status: number; redirects: number; hasText?: boolean } | { kind: 'none'; code: string }

export interface SiteCheckResult {
  ok: boolean
  checks: number
  /** From the start of the checks to the last answer. */
  tookMs: number
  last?: SiteAnswer
}

export interface SiteCheckOptions {
  /** One look at the site (getPage over a transport that carries no credentials). */
  get: (signal: AbortSignal) => Promise<PageAnswer>
  /** What the page must hold, when anything. */
  text?: string
  clock: Clock
  timeoutMs: number
  signal?: AbortSignal
  random?: () => number
  /** Real time a check may take; SITE_ATTEMPT_TIMEOUT_MS unless given. */
  attemptTimeoutMs?: number
  /**
   * Told of every check; `news` is set for the first answer, every change, the success, and about
   * once a minute while nothing changes: what is worth a log line.
   */
  onCheck?: (answer: SiteAnswer, { elapsedMs, news }: { elapsedMs: number; news: boolean }) => void
}

/** Whether the site answered as asked: 2xx, holding the text if one was given. */
export function answersAsAsked(answer: SiteAnswer | undefined): boolean {
  return answer?.kind === 'answer' && answer.status >= 200 && answer.status < 300 && answer.hasText !== false
}

/**
 * Checks the site until it answers 2xx (holding `text`, if given) or `timeoutMs` has passed; the last
 * check falls on the deadline. Nothing the site sends fails the step by itself: every answer, and
 * every failure to answer, is only what was seen.
 */
export async function checkSite(options: SiteCheckOptions): Promise<SiteCheckResult> {
  const { clock, timeoutMs, signal, random = Math.random, onCheck } = options
  const start = clock.now()
  const deadline = start + timeoutMs
  let last: SiteAnswer | undefined
  let toldAt = start
  let checks = 0
  while (clock.now() < deadline) {
    try {
      await clock.sleep(
        Math.min(pollDelay(clock.now() - start, { ceilingMs: SITE_CHECK_CEILING_MS }, random), deadline - clock.now()),
        signal
      )
    } catch {
      throw new CancelledError()
    }
    const answer = await look(options)
    checks++
    const changed = !sameAnswer(answer, last)
    last = answer
    const ok = answersAsAsked(answer)
    const news = changed || ok || clock.now() - toldAt >= STILL_EVERY_MS
    if (news) toldAt = clock.now()
    onCheck?.(answer, { elapsedMs: clock.now() - start, news })
    if (ok) return { ok, checks, tookMs: clock.now() - start, last }
  }
  return { ok: false, checks, tookMs: clock.now() - start, last }
}

async function look({ get, text, signal, attemptTimeoutMs = SITE_ATTEMPT_TIMEOUT_MS }: SiteCheckOptions): Promise<SiteAnswer> {
  const attempt = AbortSignal.timeout(attemptTimeoutMs)
  try {
    const page = await get(signal ? AbortSignal.any([signal, attempt]) : attempt)
    return {
      kind: 'answer',
      status: page.status,
      redirects: page.redirects,
      hasText: text === undefined ? undefined : page.body.includes(text)
    }
  } catch (error) {
    if (signal?.aborted) throw new CancelledError()
    if (error instanceof NetworkError) return { kind: 'none', code: error.code }
    // The transport's own refusal (a proxy variable it cannot use) is no answer from the site either.
    return { kind: 'none', code: error instanceof Error ? error.name : 'error' }
  }
}

function sameAnswer(a: SiteAnswer, b: SiteAnswer | undefined): boolean {
  if (b === undefined || a.kind !== b.kind) return false
  return a.kind === 'answer' && b.kind === 'answer'
    ? a.status === b.status && a.hasText === b.hasText
    : a.kind === 'none' && b.kind === 'none' && a.code === b.code
}

/** The text a page must hold, as a line quotes it: log-safe and short. */
export function quotedText(text: string): string {
  return `'${safeText(text, 60)}'`
}

/** `503`, `200 without 'Welcome back'`, `no answer (ECONNREFUSED)`: what one check saw, for a line or a cell. */
export function answerText(answer: SiteAnswer | undefined, text?: string): string {
  if (!answer) return 'no check made'
  if (answer.kind === 'none') return `no answer (${answer.code})`
  const redirects = answer.redirects > 0 ? ` after ${answer.redirects} redirect${answer.redirects === 1 ? '' : 's'}` : ''
  const holds = answer.hasText === undefined || text === undefined ? '' : `${answer.hasText ? ' with' : ' without'} ${quotedText(text)}`
  return `${answer.status}${holds}${redirects}`
}

/** How many checks, over how long: `14 checks over 2m 30s`. */
export function checksText({ checks, tookMs }: Pick<SiteCheckResult, 'checks' | 'tookMs'>): string {
  return `${checks} check${checks === 1 ? '' : 's'} over ${formatDuration(tookMs)}`
}
