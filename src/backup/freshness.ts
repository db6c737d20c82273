import { formatDuration } from '../time/time-text.js'
import type { Backup } from '../wpengine/types.js'

// The max-age audit: when the step ends, every install chosen must have a completed backup no older
// than max-age. A real run holds each install to the backup it made or reused; a dry run to the newest
// completed one it found. Age counts from the backup's create_time, as reuse-within's does.

/** One install as the audit sees it: the completed backup it is held to, if any, or why there is none. */
export interface Candidate {
  name: string
  /** Empty when the install was not found. */
  installId: string
  backup?: Backup
  /** Why there is no completed backup, in a few words (`aborted by WP Engine`). */
  reason?: string
}

/** An install without a completed backup within max-age. */
export interface StaleInstall {
  name: string
  installId: string
  /** The newest completed backup's create_time, from which its age counts; undefined when there is none. */
  newestCompleted?: string
  ageMs?: number
  reason?: string
}

export interface Audit {
  maxAgeMs: number
  /** Clock time of the audit: when the step's work ended. */
  at: number
  /** Oldest first: installs with no completed backup at all, then by age. */
  stale: StaleInstall[]
  /** How many installs were held to max-age, and the age of the oldest that passed. */
  audited: number
  oldestFreshMs?: number
}

/** Holds every candidate to max-age at `now`. */
export function auditFreshness(candidates: Candidate[], maxAgeMs: number, now: number): Audit {
  const stale: StaleInstall[] = []
  let oldestFreshMs: number | undefined
  for (const { name, installId, backup, reason } of candidates) {
    // No create_time is no proof of freshness: the complete_time is the best the API gave, else none.
    const taken = Date.parse(backup?.create_time ?? backup?.complete_time ?? '')
    const ageMs = Number.isNaN(taken) ? undefined : Math.max(0, now - taken)
    if (ageMs !== undefined && ageMs <= maxAgeMs) {
      oldestFreshMs = Math.max(oldestFreshMs ?? 0, ageMs)
      continue
    }
    stale.push({
      name,
      installId,
      newestCompleted: ageMs === undefined ? undefined : new Date(taken).toISOString(),
      ageMs,
      reason: backup ? undefined : reason
    })
  }
  stale.sort((a, b) => (b.ageMs ?? Infinity) - (a.ageMs ?? Infinity) || a.name.localeCompare(b.name))
  return { maxAgeMs, at: now, stale, audited: candidates.length, oldestFreshMs }
}

/** The `stale` output: one object per stale install, oldest first. */
export function staleOutput(audit: Audit | undefined): string {
  if (!audit) return ''
  return JSON.stringify(
    audit.stale.map((entry) => ({
      install: entry.name,
      'install-id': entry.installId,
      'newest-completed': entry.newestCompleted ?? '',
      'age-seconds': entry.ageMs === undefined ? null : Math.round(entry.ageMs / 1000)
    }))
  )
}

/** `27h 3m old`, or `none` (with why, when known). */
export function staleAge({ ageMs, reason }: Pick<StaleInstall, 'ageMs' | 'reason'>): string {
  if (ageMs !== undefined) return `${formatDuration(ageMs)} old`
  return reason ? `none: ${reason}` : 'none'
}

// The failure line names stale installs until it is this long, then counts the rest (a log line stops at 4,000).
const LINE_BUDGET = 3_000

/**
 * `3 of 1300 installs have no completed backup within max-age (26h): shop2 (none: aborted by WP Engine),
 * blog1 (27h 3m old). ` Oldest first; a long list names as many as fit and counts the rest.
 */
export function staleLine(audit: Audit, total: number): string {
  const { stale, maxAgeMs } = audit
  const lead = `${stale.length} of ${total} install${total === 1 ? '' : 's'} ${stale.length === 1 ? 'has' : 'have'} no completed backup within max-age (${formatDuration(maxAgeMs)}): `
  const named: string[] = []
  let length = lead.length
  for (const entry of stale) {
    const text = `${entry.name} (${staleAge(entry)})`
    if (length + text.length > LINE_BUDGET && named.length > 0) break
    named.push(text)
    length += text.length + 2
  }
  const more = stale.length > named.length ? ` and ${stale.length - named.length} more (all in the stale output)` : ''
  return `${lead}${named.join(', ')}${more}.`
}

/** `every install has a completed backup within max-age (26h; the oldest is 23h 4m old)`. */
export function freshText({ maxAgeMs, oldestFreshMs, audited }: Audit): string {
  const every = audited === 1 ? 'the install has' : `all ${audited} installs have`
  const oldest = oldestFreshMs === undefined ? '' : `; the oldest is ${formatDuration(oldestFreshMs)} old`
  return `${every} a completed backup within max-age (${formatDuration(maxAgeMs)}${oldest})`
}

/** The sentence a summary opens with when every install passed. */
export function freshSentence(audit: Audit): string {
  const text = freshText(audit)
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
}

/** The sentence a summary of several installs opens with when some are stale. */
export function staleSentence({ maxAgeMs }: Audit): string {
  return `The installs listed first have no completed backup within max-age (${formatDuration(maxAgeMs)}), oldest first; the stale output lists them too.`
}
