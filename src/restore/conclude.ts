import type { StepVerdict } from '../step/harness.js'
import { errorLine } from '../wpengine/errors.js'
import type { RestoreSettings } from './inputs.js'
import { acceptedLine, severalFailedLine, skippedLine } from './messages.js'
import { backupIdOf, nameOf, outcomeOf, restoredAsAsked, type RestoreEntry, type RestoreReport } from './report.js'

/** The restore's one decision: what is known of every install, read by outputs, summary and the last line. */
export function conclude(report: RestoreReport, { cancelled, error }: { cancelled: boolean; error?: unknown }): StepVerdict {
  const { entries, settings } = report
  const [only] = entries
  if (cancelled || entries.some((entry) => entry.cancelled)) {
    return { ok: false, cancelled: true, line: entries.length === 1 && only ? cancelledLine(only) : severalCancelledLine(entries) }
  }
  if (error !== undefined) return { ok: false, cancelled: false, line: errorLine(error) }
  if (entries.length === 1 && only) return oneInstall(only, settings)
  if (entries.every(restoredAsAsked)) return { ok: true, cancelled: false, line: severalLine(entries, settings) }
  return { ok: false, cancelled: false, line: severalFailedLine(entries, settings) }
}

function oneInstall(entry: RestoreEntry, settings: RestoreSettings): StepVerdict {
  if (outcomeOf(entry) === 'accepted') return { ok: restoredAsAsked(entry), cancelled: false, line: acceptedLine(entry, settings) }
  if (entry.target.skip !== undefined) return { ok: true, cancelled: false, line: skippedLine(entry) }
  return { ok: false, cancelled: false, line: entry.error ?? 'The restore step failed' }
}

function cancelledLine(entry: RestoreEntry): string {
  const name = nameOf(entry)
  switch (outcomeOf(entry)) {
    case 'accepted':
      return `The step was cancelled after WP Engine accepted the restore of ${name} from backup ${backupIdOf(entry)}${entry.site ? ', while checking the site' : entry.purge ? ', while purging its cache' : ''}. The restore runs on WP Engine; check the site.`
    case 'unknown':
      return `The step was cancelled while the request to restore ${name} from backup ${backupIdOf(entry)} was on its way; WP Engine may or may not have started the restore. Check the install in the WP Engine User Portal before running the restore again.`
    default:
      return `The step was cancelled before the restore of ${name} was requested: nothing was restored.`
  }
}

function severalCancelledLine(entries: RestoreEntry[]): string {
  const names = (outcome: string): string[] => entries.filter((entry) => outcomeOf(entry) === outcome).map(nameOf)
  const accepted = names('accepted')
  const unknown = names('unknown')
  return [
    'The step was cancelled.',
    accepted.length > 0 && `WP Engine had accepted the restores of ${accepted.join(', ')}.`,
    unknown.length > 0 &&
      `The requests to restore ${unknown.join(', ')} were on their way: check them in the WP Engine User Portal before running the restore again.`,
    `The others were not restored.`
  ]
    .filter(Boolean)
    .join(' ')
}

/** Every install restored as asked (or skipped, for want of a restore point). */
function severalLine(entries: RestoreEntry[], settings: RestoreSettings): string {
  const accepted = entries.filter((entry) => outcomeOf(entry) === 'accepted').length
  const skipped = entries.length - accepted
  if (accepted === 0)
    return `Nothing was restored: none of the ${entries.length} installs had a restore point (the summary says why for each).`
  const then = [settings.purgeCache && 'their caches purged', settings.verify && 'every site answers as asked'].filter(Boolean)
  return (
    `✅ WP Engine accepted the restores of ${accepted} installs, each from its own backup${then.length > 0 ? `; ${then.join(', and ')}` : ''}.` +
    `${skipped > 0 ? ` ${skipped === 1 ? '1 install had' : `${skipped} installs had`} no restore point and ${skipped === 1 ? 'was' : 'were'} skipped (the summary says why).` : ''}` +
    ` They run on WP Engine now and email ${settings.notificationEmails.join(', ')} when done.`
  )
}
