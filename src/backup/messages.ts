import { InstallNotFoundError } from '../workflows/find-installs.js'
import { formatDuration, timeOfDay } from '../time/time-text.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Backup, BackupStatus, Install } from '../wpengine/types.js'
import { nameOf, type InstallEntry, type InstallReport, type Report } from './report.js'
import type { Reusable } from './reuse.js'
import { MIN_SAMPLES, usualRange, type DurationEstimate } from './history.js'
import { AUTO_CEILING_MS } from '../workflows/poll-schedule.js'

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

/**
 * A few words on why an install has no fresh backup, for the failure line of a step with several
 * installs; the job summary keeps the whole sentence.
 */
export function shortReason(error: unknown): string {
  if (error instanceof InstallNotFoundError) {
    return error.suggestions.length > 0 ? `not found; did you mean ${error.suggestions[0]}?` : 'not found'
  }
  if (!(error instanceof WpeApiError)) return 'failed'
  const { kind, status } = error.detail
  if (kind === 'http' && status !== undefined) {
    if (status === 401) return 'credentials refused (401)'
    if (status === 403) return 'not allowed (403)'
    if (status === 404) return 'not found (404)'
    if (status === 429) return 'rate-limited (429)'
    return status >= 500 ? `WP Engine error (${status})` : `refused (${status})`
  }
  const reasons: Record<string, string> = {
    network: 'API unreachable',
    timeout: 'API did not answer in time',
    deadline: 'timeout ran out',
    redirect: 'redirected',
    'bad-response': 'unexpected answer'
  }
  return reasons[kind] ?? 'failed'
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

/** `shoptwo, shopthree (aborted by WP Engine); blog9 (not found; did you mean blog8?)`: installs grouped by the few words of why. */
export function namesByReason(failed: InstallEntry[]): string {
  const byReason = new Map<string, string[]>()
  for (const entry of failed) {
    const reason = entry.reason ?? entry.outcome ?? 'failed'
    byReason.set(reason, [...(byReason.get(reason) ?? []), nameOf(entry)])
  }
  return [...byReason].map(([reason, names]) => `${names.join(', ')} (${reason})`).join('; ')
}

/** Backups completed, but some of the off-site copies asked for failed: the archive's own line for one install. */
export function noCopyMessage(installs: InstallReport[], uncopied: InstallReport[]): string {
  const [only] = uncopied
  if (installs.length === 1 && only) return only.archive?.error ?? ''
  const lead = `Every backup completed, but ${uncopied.length} of ${installs.length} installs have no off-site copy (${uncopied.map(nameOf).join(', ')}).`
  return `${lead} ${uncopied.map((entry) => `${nameOf(entry)}: ${entry.archive?.error}`).join(' ')}`
}

export function successMessage(report: Report, outcome: 'completed' | 'requested'): string {
  const [only] = report.installs
  if (report.installs.length === 1 && only) {
    if (outcome === 'requested') return `Backup ${only.backup?.id} is ${only.status}; not waiting for it (wait: false).`
    const waited = only.waitedMs ? ` after waiting ${formatDuration(only.waitedMs)}` : ''
    return `✅ Backup ${only.backup?.id} of install ${only.install?.name} completed${waited}.`
  }
  const reused = report.installs.filter((entry) => entry.reused).length
  const reusedNote = reused > 0 ? ` (${reused} reused)` : ''
  return outcome === 'requested'
    ? `Backups of ${report.installs.length} installs requested${reusedNote}; not waiting for them (wait: false). Their ids are in the backups output.`
    : `✅ Backups of ${report.installs.length} installs completed${reusedNote}. Their ids are in the backups output.`
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

/** A backup's age as the log and the summary say it: `12m old`, or `of unknown age` when the API gave no create_time. */
export function ageText(ageMs: number | undefined): string {
  return ageMs === undefined ? 'of unknown age' : `${formatDuration(ageMs)} old`
}
