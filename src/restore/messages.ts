import { formatDuration } from '../time/time-text.js'
import { answerText, quotedText } from '../workflows/check-site.js'
import type { CacheType } from '../wpengine/types.js'
import type { RestoreSettings } from './inputs.js'
import { backupIdOf, nameOf, outcomeOf, restoredAsAsked, type RestoreEntry } from './report.js'
import { namesByReason } from '../step/install-names.js'

// The restore step's sentences, in one place: what the log, the summary and the last line say.

/** `caches` for all of them, `page cache` for one. */
export function cachesText(type: CacheType): string {
  return type === 'all' ? 'caches' : `${type} cache`
}

/** What the site must answer: `2xx`, or `2xx with 'Welcome back'`. */
export function askedText(text: string | undefined): string {
  return text === undefined ? '2xx' : `2xx with ${quotedText(text)}`
}

/** How one install's site check ended, as a clause: `https://… answers 200 with 'x'`, or what it last answered. */
export function siteClause(entry: RestoreEntry, settings: RestoreSettings): string {
  const { site } = entry
  const text = settings.verify?.text
  if (!site) return ''
  if (site.state === 'verified') return `${site.url} answers ${answerText(site.last, text)}`
  const within =
    site.state === 'checking'
      ? `in the ${formatDuration(site.tookMs)} checked`
      : `within ${formatDuration(settings.verify?.timeoutMs ?? 0)}`
  return `${site.url} did not answer ${askedText(text)} ${within}: it last answered ${answerText(site.last, text)}`
}

/** A few words on why one install was not restored as asked, for a line that names many. */
export function reasonOf(entry: RestoreEntry): string {
  switch (outcomeOf(entry)) {
    case 'unknown':
      return 'answer lost: check it in the User Portal before running again'
    case 'not-started':
      return entry.reason ?? 'failed'
    case 'cancelled':
      return 'cancelled before it was requested'
  }
  const after = [
    entry.purge?.state === 'failed' && 'cache not purged',
    entry.site && entry.site.state !== 'verified' && `site answers ${answerText(entry.site.last)}`
  ].filter(Boolean)
  return `accepted; ${after.join(', ')}`
}

/** Several installs, some not restored as asked: which, why in a few words, and what became of the others. */
export function severalFailedLine(entries: RestoreEntry[], settings: RestoreSettings): string {
  const failing = entries.filter((entry) => !restoredAsAsked(entry))
  const fine = entries.filter((entry) => outcomeOf(entry) === 'accepted' && restoredAsAsked(entry)).length
  const named = namesByReason(failing.map((entry) => ({ ref: entry.target.ref, install: entry.install, reason: reasonOf(entry) })))
  const others =
    fine > 0 ? ` ${fine} other${fine === 1 ? ' was' : 's were'} ${settings.verify ? 'accepted and answer as asked' : 'accepted'}.` : ''
  return `${failing.length} of ${entries.length} installs were not restored as asked: ${named}.${others} The job summary says why for each.`
}

/** One install, accepted: what was accepted, and what followed (the purge, the site check), good or bad. */
export function acceptedLine(entry: RestoreEntry, settings: RestoreSettings): string {
  const accepted = `WP Engine accepted the restore of ${nameOf(entry)} from backup ${backupIdOf(entry)}`
  const { purge, site } = entry
  const caches = purge ? cachesText(purge.type) : ''
  if (restoredAsAsked(entry)) {
    const purged = purge ? `, and its ${caches} ${purge.type === 'all' ? 'were' : 'was'} purged` : ''
    const answers = site ? ` ${siteClause(entry, settings)}.` : ''
    return `✅ ${accepted}${purged}.${answers} It runs on WP Engine now and emails ${settings.notificationEmails.join(', ')} when done; the API gives no status to wait on.`
  }
  const purgeFailed = purge?.state === 'failed'
  const siteFailed = site !== undefined && site.state !== 'verified'
  const problems = [
    purgeFailed && `its ${caches} ${purge.type === 'all' ? 'were' : 'was'} not purged`,
    siteFailed && siteClause(entry, settings)
  ]
  const why = purgeFailed ? ` ${purge.error}` : ''
  const look = siteFailed
    ? ' The restore may still be running on WP Engine: check the site, and the install in the WP Engine User Portal.'
    : ''
  return `${accepted}, but ${problems.filter(Boolean).join(', and ')}.${why}${look}`
}

/** An install the backups input gave no restore point: nothing is sent for it. */
export function skippedLine(entry: Pick<RestoreEntry, 'target' | 'install'>): string {
  return `${nameOf(entry)} is not restored: ${entry.target.skip}.`
}
