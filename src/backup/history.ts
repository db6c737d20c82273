import { formatDuration } from '../time/time-text.js'
import { normalizeStatus } from '../wpengine/status.js'
import type { Backup } from '../wpengine/types.js'
import { requestedByThisAction } from '../step/step-marker.js'

/** How long an install's backups usually take, from its recent completed backups. */
export interface DurationEstimate {
  /** The median of the durations kept. */
  typicalMs: number
  /** The shortest and the longest duration kept: the usual range. */
  lowMs: number
  highMs: number
  /** How many recent backups the estimate rests on, and how many of those were left out as outliers. */
  samples: number
  outliers: number
  /** Learned from backups this action requested (by their tag) only, not from WP Engine's automatic ones. */
  ownOnly?: true
}

/** What an install's list says about how long its backups take: the durations learned from, and the estimate. */
export interface History {
  durations: number[]
  estimate?: DurationEstimate
}

/**
 * How long the install's backups usually take. WP Engine's own daily backups are in the list beside
 * on-demand ones, and may take far longer or shorter; so the backups this action requested (found by
 * their tag) are learned from alone when they are enough for an estimate, and all completed backups
 * otherwise.
 */
export function historyOf(backups: Iterable<Backup>): History {
  const all = [...backups]
  const own = recentDurations(all.filter((backup) => requestedByThisAction(backup.description)))
  const fromOwn = estimateDuration(own)
  if (fromOwn) return { durations: own, estimate: { ...fromOwn, ownOnly: true } }
  const durations = recentDurations(all)
  return { durations, estimate: estimateDuration(durations) }
}

/** The estimate reads at most this many of the newest completed backups: recent enough to follow a site that grows. */
export const HISTORY_SIZE = 12
/** Fewer durations than this say too little to estimate from. */
export const MIN_SAMPLES = 3
// A duration under half or over twice the median is an outlier: a first backup after a large upload,
// one held up by the platform. Durations vary by a factor, so the rule is a ratio.
const OUTLIER_RATIO = 2
// A backup reported as taking longer than this has wrong times, not a long backup.
const LONGEST_PLAUSIBLE_MS = 7 * 24 * 3_600_000

/** The durations of the newest completed backups, newest first; backups without usable times are skipped. */
export function recentDurations(backups: Iterable<Backup>, size = HISTORY_SIZE): number[] {
  const timed: { createdAt: number; ms: number }[] = []
  for (const backup of backups) {
    if (normalizeStatus(backup.status) !== 'completed') continue
    const createdAt = Date.parse(backup.create_time ?? '')
    const ms = Date.parse(backup.complete_time ?? '') - createdAt
    if (ms > 0 && ms <= LONGEST_PLAUSIBLE_MS) timed.push({ createdAt, ms })
  }
  return timed
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, size)
    .map((t) => t.ms)
}

/**
 * The usual duration and range from recent durations, with outliers left out (a first backup after a
 * large upload, one held up by the platform); undefined when there are too few to say.
 */
export function estimateDuration(durations: readonly number[]): DurationEstimate | undefined {
  if (durations.length < MIN_SAMPLES) return undefined
  const center = median(durations)
  const kept = durations.filter((d) => d * OUTLIER_RATIO >= center && d <= center * OUTLIER_RATIO)
  if (kept.length < MIN_SAMPLES) return undefined
  return {
    typicalMs: median(kept),
    lowMs: Math.min(...kept),
    highMs: Math.max(...kept),
    samples: durations.length,
    outliers: durations.length - kept.length
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** A backup still requested or in progress this long after it was created is stuck: no backup takes this long. */
export const STALE_AFTER_MS = 6 * 3_600_000
// Or, for an install whose backups take hours, this many times its longest usual duration.
const STALE_FACTOR = 3

/**
 * How old a backup still requested or in progress may be before it counts as stuck: 6 h, or 3 times the
 * longest usual duration of the install's backups (its own or WP Engine's automatic ones, whichever
 * take longer) if that is more. Such a backup is never reused, adopted or waited for.
 */
export function staleAfterMs(backups: Iterable<Backup>): number {
  const all = [...backups]
  const longest = Math.max(
    0,
    ...[all, all.filter((b) => requestedByThisAction(b.description))].map((some) => estimateDuration(recentDurations(some))?.highMs ?? 0)
  )
  return Math.max(STALE_AFTER_MS, STALE_FACTOR * longest)
}

/** The usual range as the log and the summary say it: `4m 10s–5m 30s (last 12)`, `20s–25s (last 5 requested by this action)`. */
export function usualRange(estimate: DurationEstimate): string {
  const { lowMs, highMs, samples, outliers, ownOnly } = estimate
  const range =
    formatDuration(lowMs) === formatDuration(highMs) ? formatDuration(lowMs) : `${formatDuration(lowMs)}–${formatDuration(highMs)}`
  const left = outliers > 0 ? `, ${outliers} unusual left out` : ''
  return `${range} (last ${samples}${ownOnly ? ' requested by this action' : ''}${left})`
}
