import { installLabel } from '../step/inputs.js'
import { detailsTable, idCell, problemQuote } from '../step/summary-tables.js'
import { cell } from '../text/markdown-cell.js'
import { readableTime } from '../time/time-text.js'
import type { RestoreOutcome, RestoreReport, RestoreVerdict } from './conclude.js'

const HEADINGS: Record<RestoreOutcome, (name: string) => string> = {
  accepted: (name) => `✅ WP Engine accepted the restore of ${name}`,
  'not-started': (name) => `❌ WP Engine restore of ${name} not started`,
  unknown: (name) => `❓ WP Engine restore of ${name} may have started`,
  cancelled: (name) => `⚠️ WP Engine restore of ${name} cancelled before it was requested`
}

/**
 * The restore's job summary: what WP Engine was asked, and only what is known of it. The API gives
 * no restore status, so an accepted restore is "accepted", never "restored".
 */
export function renderRestoreSummary(report: RestoreReport, verdict: RestoreVerdict): string {
  const { settings, install, backup } = report
  const name = install?.name ?? installLabel(settings.install)
  const asked = report.request !== 'not-sent'
  const lines = [`## ${HEADINGS[verdict.outcome](name)}`, '']
  if (!verdict.ok) lines.push(...problemQuote(verdict.line))
  lines.push(
    ...detailsTable([
      ['Install', install ? `${cell(install.name)} (${idCell(install.id)})` : cell(name)],
      [
        'Backup',
        backup
          ? `${idCell(backup.id)} (**${cell(backup.status)}**${backup.create_time ? `, created ${cell(readableTime(backup.create_time))}` : ''})`
          : undefined
      ],
      ['Restores', asked ? (settings.restoreDatabase ? 'files and database' : 'files only; the database is left as it is') : undefined],
      ['Checkpoint first', asked ? (settings.createCheckpoint ? 'yes, so the restore can be undone' : 'no') : undefined],
      ['Accepted', report.acceptedAt ? cell(readableTime(report.acceptedAt)) : undefined]
    ])
  )
  if (verdict.outcome === 'accepted') {
    lines.push(
      `WP Engine runs the restore now. The API gives no status to follow: WP Engine emails ${cell(settings.notificationEmails.join(', '))} when it is done.`,
      ''
    )
  }
  return lines.join('\n')
}
