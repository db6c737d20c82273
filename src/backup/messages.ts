import { ageText, formatDuration, timeOfDay } from '../time/time-text.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Backup, BackupStatus, Install } from '../wpengine/types.js'
import type { InstallReport, Report } from './report.js'
import type { ReuseChoice, Reusable, Stale } from './reuse.js'
import { MIN_SAMPLES, usualRange, type DurationEstimate } from './history.js'
import { AUTO_CEILING_MS } from '../workflows/poll-schedule.js'
import type { Chosen } from '../workflows/choose-installs.js'
import { ruleText } from '../workflows/install-rules.js'
import { shardText, type Shard } from '../workflows/shard.js'
import type { Settings } from './inputs.js'
import { freshText } from './freshness.js'
import { nameOf, namesByReason } from '../step/install-names.js'

// The backup step's sentences, in one place: what the log, the summary and the failure line say.

export function abortedMessage(backup: Backup, install: Install): string {
  return `WP Engine aborted backup ${backup.id} of install ${install.name}: there is no fresh restore point, so do not deploy. Check the install in the WP Engine User Portal, then re-run the job.`
}

export function timeoutMessage(backup: Backup, install: Install, status: BackupStatus, timeoutMs: number): string {
  return (
    `Backup ${backup.id} of install ${install.name} was still ${status} when the timeout of ${formatDuration(timeoutMs)} ran out. ` +
    `It keeps running on WP Engine: to wait for it later, run this action with backup-id: ${backup.id}, or raise timeout.`
  )
}

export function reuseMessage({ backup, reason, ageMs, attempt }: Reusable, install: Install, reuseWithinMs: number | undefined): string {
  const { status } = backup
  const age = ageText(ageMs)
  switch (reason) {
    case 'rerun':
      return `Backup ${backup.id} was requested by attempt ${attempt} of this run and is ${status} (${age}): using it instead of requesting another.`
    case 'in-flight':
      return `Backup ${backup.id} of ${install.name} is already ${status} (${age}): waiting for it instead of requesting a second one, as WP Engine advises.`
    case 'recent':
      return `Backup ${backup.id} of ${install.name} completed and is ${age}, within reuse-within (${formatDuration(reuseWithinMs ?? 0)}): using it instead of requesting another.`
  }
}

/** A backup that would have been reused or waited for, but is stuck: said once, by name. */
export function staleMessage({ backup, ageMs, limitMs }: Stale, install: Install): string {
  return (
    `Backup ${backup.id} of ${install.name} is still ${backup.status} ${formatDuration(ageMs)} after it was created, longer than any backup ` +
    `of the install takes (${formatDuration(limitMs)}): it looks stuck, so it is not reused or waited for.`
  )
}

/** An earlier attempt's completed backup that is too old (or of unknown age) to be this run's restore point. */
export function outdatedMessage(
  { backup, ageMs, attempt, limitMs }: NonNullable<ReuseChoice['outdated']>,
  reuseWithinMs: number | undefined
): string {
  const within =
    reuseWithinMs === undefined ? `${formatDuration(limitMs)}, the limit without reuse-within` : `reuse-within (${formatDuration(limitMs)})`
  const age =
    ageMs === undefined ? 'is of unknown age (its create_time is missing or in the future)' : `is ${ageText(ageMs)}, older than ${within}`
  return `Backup ${backup.id}, requested by attempt ${attempt} of this run, completed but ${age}: restoring it would undo what changed since, so it is not this run's restore point. Requesting a new backup.`
}

/** The backup named by backup-id is stuck: the step does not wait for it. */
export function stuckNamedMessage({ backup, ageMs, limitMs }: Stale, install: Install): string {
  return (
    `Backup ${backup.id} of install ${install.name} (backup-id) is still ${backup.status} ${formatDuration(ageMs)} after it was created, longer than ` +
    `any backup of the install takes (${formatDuration(limitMs)}): it looks stuck and will not complete, so the step does not wait for it. ` +
    `Leave backup-id out to request a new backup.`
  )
}

/**
 * Several installs: which have no fresh backup and, in a few words, why, then which have a backup but
 * lost the off-site copy asked for; the job summary has each one's detail.
 */
export function severalFailedMessage(installs: InstallReport[], failed: InstallReport[], uncopied: InstallReport[] = []): string {
  const copies =
    uncopied.length === 0
      ? ''
      : ` ${uncopied.length} more ${uncopied.length === 1 ? 'has' : 'have'} a backup but no off-site copy: ${namesByReason(uncopied.map((entry) => ({ ...entry, reason: entry.archive?.reason })))}.`
  return `${failed.length} of ${installs.length} installs have no fresh backup, so do not deploy to them: ${namesByReason(failed)}.${copies} The job summary says why for each.`
}

/** Backups completed, but some of the off-site copies asked for failed: the archive's own line for one install. */
export function noCopyMessage(installs: InstallReport[], uncopied: InstallReport[]): string {
  const [only] = uncopied
  if (installs.length === 1 && only) return only.archive?.error ?? ''
  const lead = `Every backup completed, but ${uncopied.length} of ${installs.length} installs have no off-site copy (${uncopied.map(nameOf).join(', ')}).`
  return `${lead} ${uncopied.map((entry) => `${nameOf(entry)}: ${entry.archive?.error}`).join(' ')}`
}

export function successMessage(report: Report, outcome: 'completed' | 'requested'): string {
  if (report.installs.length === 0) return `✅ ${emptyShardText(report.shard)}.`
  const [only] = report.installs
  if (report.installs.length === 1 && only) {
    if (outcome === 'requested') return `Backup ${only.backup?.id} is ${only.status}; not waiting for it (wait: false).`
    const waited = only.waitedMs ? ` after waiting ${formatDuration(only.waitedMs)}` : ''
    const fresh = report.audit ? `, within max-age (${formatDuration(report.audit.maxAgeMs)})` : ''
    return `✅ Backup ${only.backup?.id} of install ${only.install?.name} completed${waited}${fresh}.`
  }
  const reused = report.installs.filter((entry) => entry.reused).length
  const reusedNote = reused > 0 ? ` (${reused} reused)` : ''
  const fresh = report.audit ? `; ${freshText(report.audit)}` : ''
  return outcome === 'requested'
    ? `Backups of ${report.installs.length} installs requested${reusedNote}; not waiting for them (wait: false). Their ids are in the backups output.`
    : `✅ Backups of ${report.installs.length} installs completed${reusedNote}${fresh}. Their ids are in the backups output.`
}

/** What was still running when the runner cancelled the step, and how to pick it up again. */
export function cancelledMessage(report: Report, running: InstallReport[]): string {
  const [only] = running
  if (running.length === 1 && only?.backup) {
    const id = only.backup.id
    return `The step was cancelled while waiting for backup ${id}${report.installs.length > 1 ? ` of ${nameOf(only)}` : ''}. The backup keeps running on WP Engine: to wait for it later, run this action with backup-id: ${id}.`
  }
  if (running.length > 1) {
    return `The step was cancelled while waiting for ${running.length} backups (${running.map((entry) => `${nameOf(entry)}: ${entry.backup?.id}`).join(', ')}). They keep running on WP Engine: to wait for one later, run this action with its install and backup-id.`
  }
  const copying = report.installs.filter((entry) => entry.archive && !entry.archive.copied && !entry.archive.error)
  const [copy] = copying
  if (copying.length === 1 && copy?.backup) {
    const archive = copy.archive?.archive?.id ? ` (archive ${copy.archive.archive.id})` : ''
    return `The step was cancelled while making the off-site copy of backup ${copy.backup.id}${archive}. The backup itself completed and is a restore point; re-run the job to finish the archive.`
  }
  if (copying.length > 1) {
    return `The step was cancelled while making the off-site copies of ${copying.length} backups (${copying.map(nameOf).join(', ')}). The backups themselves completed and are restore points; re-run the job to finish the archives.`
  }
  if (report.installs.some((entry) => entry.backup)) {
    return 'The step was cancelled. The backups it requested keep running on WP Engine; their ids are in the backups output.'
  }
  return "The step was cancelled before WP Engine confirmed a backup request. If the request had already reached WP Engine, the backup runs on; its description ends with this step's [ci …] tag."
}

/**
 * The API does not offer a route the step reads from (an older API version): what the step could not do
 * without it, once per step: `… so the step could not look for a backup to reuse (reuse-within) and requests a new one.`
 */
export function missingRouteWarning(error: WpeApiError, consequence: string): string {
  const { feature, endpoint } = error.detail
  return `The WP Engine API does not offer ${feature} (${endpoint} answered 403 Missing Authentication Token), so ${consequence}.`
}

/** What a re-run, reuse-within and the history could not look for when the install's backups cannot be listed. */
export function cannotLook(lookup: 'rerun' | 'reuse-within' | 'history', dryRun = false): string {
  const who = dryRun ? 'the dry run' : 'the step'
  const instead = dryRun ? 'a real run would request a new one' : 'it requests a new one'
  switch (lookup) {
    case 'rerun':
      return `${who} could not look for the backup an earlier attempt of this run requested; ${instead}`
    case 'reuse-within':
      return `${who} could not look for a backup to reuse or one already running (reuse-within); ${instead}`
    case 'history':
      return `${who} could not learn how long backups of the install usually take; ${dryRun ? 'a real run keeps' : 'checks keep'} the schedule that needs none`
  }
}

// A runner and an API whose clocks differ by less than this are not worth a line.
const CLOCK_NOTE_MS = 60_000

/** Said once the API has answered, when its clock is well off the runner's: why ages may differ from the runner's reckoning. */
export function apiClockLine(offsetMs: number): string | undefined {
  if (Math.abs(offsetMs) < CLOCK_NOTE_MS) return undefined
  const side = offsetMs < 0 ? 'behind' : 'ahead of'
  return `WP Engine's clock is ${formatDuration(Math.abs(offsetMs))} ${side} the runner's (by its Date header); backup ages are counted by WP Engine's clock.`
}

/** The wait's group: how long it may take, and what paces the checks. */
export function waitTitle(backup: Backup, timeLeftMs: number, pollIntervalMs: number | undefined): string {
  const pace = pollIntervalMs === undefined ? 'poll-interval auto' : `checks at most ${formatDuration(pollIntervalMs)} apart`
  return `Waiting for backup ${backup.id} (timeout ${formatDuration(timeLeftMs)}, ${pace})`
}

/** What the install's history says about this wait, once it is read. */
export function historyLine(install: Install, durations: number, estimate: DurationEstimate | undefined, createdAt: number): string {
  if (estimate) {
    return `Backups of ${install.name} usually take ${usualRange(estimate)}; expecting completion around ${timeOfDay(createdAt + estimate.typicalMs)}.`
  }
  const few = durations === 0 ? 'No completed backup' : `Only ${durations} completed backup${durations === 1 ? '' : 's'}`
  return `${few} of ${install.name} with times to learn from (${MIN_SAMPLES} needed, outliers aside); checks keep the schedule that needs none (at most ${formatDuration(AUTO_CEILING_MS)} apart, or poll-interval).`
}

/** `install *; environment production; exclude old*, retired1; shard 2/4`: the rules that choose the installs. */
export function choiceText({
  installs,
  exclude,
  environments,
  shard
}: Pick<Settings, 'installs' | 'exclude' | 'environments' | 'shard'>): string {
  return [
    `install ${installs.map(ruleText).join(', ')}`,
    environments.length > 0 && `environment ${environments.join(', ')}`,
    exclude.length > 0 && `exclude ${exclude.map(ruleText).join(', ')}`,
    shard && `shard ${shardText(shard)}`
  ]
    .filter(Boolean)
    .join('; ')
}

// A log line names this many installs left out, and counts the rest.
const EXCLUDED_NAMED = 20

/** `Chose 1300 of the 2000 installs this API user sees; exclude left out 2: oldshop, oldblog.` */
export function chosenLine({ resolutions, excluded, visible }: Chosen): string {
  const of = visible === undefined ? '' : ` of the ${visible} installs this API user sees`
  const names = excluded.slice(0, EXCLUDED_NAMED).map((install) => install.name)
  const more = excluded.length > names.length ? ` and ${excluded.length - names.length} more` : ''
  const left = excluded.length > 0 ? `; exclude left out ${excluded.length}: ${names.join(', ')}${more}` : ''
  return `Chose ${resolutions.length}${of}${left}.`
}

/** `Shard 2/4 takes 325 of the 1300 installs chosen.` */
export function shardLine(shard: Shard, taken: number, chosen: number): string {
  const share = taken === 0 ? 'none' : String(taken)
  const rest = taken === 0 ? ': nothing to back up in this job; the other shards take them all' : '; the other shards take the rest'
  return `Shard ${shardText(shard)} takes ${share} of the ${chosen} installs chosen${rest}.`
}

/** `Shard 2/4 has no install to back up: the other shards take every install chosen`. */
export function emptyShardText(shard: Shard | undefined): string {
  return shard ? `Shard ${shardText(shard)} has no install to back up: the other shards take every install chosen` : 'No install to back up'
}

/** Under a summary's table that could not hold every install. */
export function leftOutLine(dropped: number): string {
  return `… and ${dropped} more installs, left out to keep the summary under GitHub's 1 MiB: every install is in the backups output and the file backups-file names.`
}
