import { detailsTable, fullIds, idCell, problemQuote } from '../step/summary-tables.js'
import type { StepVerdict } from '../step/harness.js'
import { cell } from '../text/markdown-cell.js'
import { formatDuration, readableTime } from '../time/time-text.js'
import { answerText, checksText } from '../workflows/check-site.js'
import { chosenText } from './choose-backup.js'
import { askedText, cachesText, reasonOf, skippedLine } from './messages.js'
import { nameOf, outcomeOf, restoredAsAsked, type RestoreEntry, type RestoreOutcome, type RestoreReport } from './report.js'
import type { RestoreSettings } from './inputs.js'

// The restore's job summary: what WP Engine was asked, and only what is known of it. The API gives
// no restore status, so an accepted restore is "accepted", never "restored"; "verified" says only
// what the site answered when it was checked.

function heading(entry: RestoreEntry, verdict: StepVerdict): string {
  const name = nameOf(entry)
  const outcome = outcomeOf(entry)
  if (outcome === 'accepted') {
    const of = `WP Engine accepted the restore of ${name}`
    if (verdict.cancelled)
      return `⚠️ ${of}; the step was cancelled ${entry.site ? 'while checking the site' : entry.purge ? 'while purging its cache' : 'after'}`
    if (entry.site?.state === 'verified' && restoredAsAsked(entry)) return `✅ ${of}, and the site answers`
    if (restoredAsAsked(entry)) return `✅ ${of}`
    return entry.site && entry.site.state !== 'verified'
      ? `❌ ${of}, but the site did not answer as asked`
      : `❌ ${of}, but its cache was not purged`
  }
  return {
    'not-started': `❌ WP Engine restore of ${name} not started`,
    unknown: `❓ WP Engine restore of ${name} may have started`,
    cancelled: `⚠️ WP Engine restore of ${name} cancelled before it was requested`,
    skipped: `⏭️ WP Engine restore of ${name} skipped: no restore point`
  }[outcome]
}

function severalHeading(entries: RestoreEntry[], verdict: StepVerdict): string {
  const count = (outcome: RestoreOutcome): number => entries.filter((entry) => outcomeOf(entry) === outcome).length
  const parts = [
    `${count('accepted')} accepted`,
    count('not-started') > 0 && `${count('not-started')} not started`,
    count('unknown') > 0 && `${count('unknown')} may have started`,
    count('cancelled') > 0 && `${count('cancelled')} cancelled`,
    count('skipped') > 0 && `${count('skipped')} skipped`
  ].filter(Boolean)
  const icon = verdict.cancelled ? '⚠️' : verdict.ok ? '✅' : '❌'
  return `${icon} WP Engine restores of ${entries.length} installs: ${parts.join(', ')}`
}

/** The backup, its state and when it was made, and why it was chosen. */
function backupCell({ backup, chosen }: RestoreEntry): string | undefined {
  if (!backup) return undefined
  const created = backup.create_time ? `, created ${cell(readableTime(backup.create_time))}` : ''
  const why = chosen ? `; ${cell(chosenText(chosen))}` : ''
  return `${idCell(backup.id)} (**${cell(backup.status)}**${created}${why})`
}

function cacheCell({ purge }: RestoreEntry): string | undefined {
  if (!purge) return undefined
  const caches = cell(cachesText(purge.type))
  if (purge.state === 'purged')
    return `${caches} purged${purge.waitedMs ? `, after waiting ${formatDuration(purge.waitedMs)} for WP Engine's rate limit` : ''}`
  if (purge.state === 'failed') return `**not purged**: ${cell(purge.error)}`
  return `${caches}: the purge did not finish`
}

/** What the site answered: the claim "verified" goes no further than the answer seen. */
function siteCell({ site }: RestoreEntry, settings: RestoreSettings): string | undefined {
  if (!site) return undefined
  const text = settings.verify?.text
  const asked = cell(askedText(text))
  const url = cell(site.url)
  const seen = `${cell(answerText(site.last, text))}, after ${checksText(site)}`
  if (site.state === 'verified') return `✅ verified: ${url} answered ${seen}`
  if (site.state === 'not-verified') return `❌ not verified: ${url} did not answer ${asked}; last answer ${seen}`
  return `⚠️ not verified: the checks of ${url} were cancelled; last answer ${seen}`
}

/** One install: every detail of what was asked and what is known of it. */
function card(entry: RestoreEntry, settings: RestoreSettings): string[] {
  const { install } = entry
  const asked = entry.request !== 'not-sent'
  return detailsTable([
    ['Install', install ? `${cell(install.name)} (${idCell(install.id)})` : cell(nameOf(entry))],
    ['Backup', backupCell(entry)],
    ['Restores', asked ? (settings.restoreDatabase ? 'files and database' : 'files only; the database is left as it is') : undefined],
    ['Checkpoint first', asked ? (settings.createCheckpoint ? 'yes, so the restore can be undone' : 'no') : undefined],
    ['Accepted', entry.acceptedAt ? cell(readableTime(entry.acceptedAt)) : undefined],
    ['Cache', cacheCell(entry)],
    ['Site', siteCell(entry, settings)]
  ])
}

// A no-break space keeps each outcome on one line in a narrow column.
const OUTCOMES: Record<RestoreOutcome, string> = {
  accepted: '✅\u00a0accepted',
  'not-started': '❌\u00a0not\u00a0started',
  unknown: '❓\u00a0may\u00a0have\u00a0started',
  cancelled: '⚠️\u00a0cancelled',
  skipped: '⏭️\u00a0skipped'
}

function outcomeCell(entry: RestoreEntry): string {
  const outcome = outcomeOf(entry)
  if (outcome !== 'accepted') return OUTCOMES[outcome]
  if (entry.site && entry.site.state !== 'verified') return '❌\u00a0accepted, site\u00a0not\u00a0verified'
  if (entry.purge?.state === 'failed') return '❌\u00a0accepted, cache\u00a0not\u00a0purged'
  return entry.site ? '✅\u00a0accepted, site\u00a0verified' : OUTCOMES.accepted
}

/** A few words on how it went: why this backup, then the purge and the site; or the whole reason it failed. */
function details(entry: RestoreEntry, settings: RestoreSettings): string {
  const outcome = outcomeOf(entry)
  if (outcome === 'skipped') return cell(entry.target.skip)
  if (outcome !== 'accepted') return cell(entry.error ?? reasonOf(entry))
  const facts = [
    entry.chosen && cell(chosenText(entry.chosen)),
    entry.acceptedAt && `accepted ${cell(readableTime(entry.acceptedAt))}`,
    cacheCell(entry),
    siteCell(entry, settings)
  ]
  return facts.filter(Boolean).join('; ')
}

/** Several installs: one compact row each, in the order given; backup IDs short, and whole under the table. */
function table(entries: RestoreEntry[], settings: RestoreSettings): string[] {
  return [
    '| Install | Outcome | Backup | Details |',
    '| :-- | :-- | :-- | :-- |',
    ...entries.map(
      (entry) =>
        `| ${cell(nameOf(entry))} | ${outcomeCell(entry)} | ${idCell(entry.backup?.id, { short: true })} | ${details(entry, settings)} |`
    ),
    '',
    ...fullIds(
      'Full backup IDs',
      entries.map((entry): [string, string | undefined] => [nameOf(entry), entry.backup?.id])
    )
  ]
}

export function renderRestoreSummary(report: RestoreReport, verdict: StepVerdict): string {
  const { entries, settings } = report
  const [only] = entries
  const several = entries.length > 1
  const lines = [`## ${several || !only ? severalHeading(entries, verdict) : heading(only, verdict)}`, '']
  if (!verdict.ok && !(several && !verdict.cancelled)) lines.push(...problemQuote(verdict.line))
  if (!several && only?.target.skip !== undefined) lines.push(cell(skippedLine(only)), '')
  if (several && !verdict.ok && !verdict.cancelled)
    lines.push('An install whose restore was not accepted as asked has its reason in its row.', '')
  lines.push(...(several || !only ? table(entries, settings) : card(only, settings)))
  const accepted = entries.some((entry) => outcomeOf(entry) === 'accepted')
  if (accepted) {
    lines.push(
      `WP Engine runs ${several ? 'each accepted restore' : 'the restore'} now. The API gives no status to follow: WP Engine emails ${cell(settings.notificationEmails.join(', '))} when it is done.${settings.verify ? ' A site that answers as asked shows what it answered when checked, not that the restore has finished.' : ''}`,
      ''
    )
  }
  return lines.join('\n')
}
