import { cell } from '../util/markdown.js'
import type { RestoreOutcome, RestoreReport, RestoreVerdict } from './outcome.js'

const HEADINGS: Record<RestoreOutcome, string> = {
  accepted: '✅ WP Engine restore accepted',
  'not-started': '❌ WP Engine restore not started',
  unknown: '❓ WP Engine restore may have started',
  cancelled: '⚠️ WP Engine restore cancelled before it was requested'
}

/** The restore's job summary: what WP Engine was asked, and what is known of it. */
export function renderRestoreSummary(report: RestoreReport, verdict: RestoreVerdict): string {
  const { settings, install } = report
  const lines = [`## ${HEADINGS[verdict.outcome]}`, '']
  if (!verdict.ok) lines.push(`> [!${verdict.outcome === 'unknown' ? 'WARNING' : 'CAUTION'}]`, `> ${cell(verdict.line)}`, '')
  if (verdict.outcome === 'accepted' && install) {
    lines.push(
      '| | |',
      '| --- | --- |',
      `| Install | ${cell(install.name)} (${cell(install.id)}) |`,
      `| Backup ID | ${cell(settings.backupId)} |`,
      `| Database | ${settings.restoreDatabase ? 'restored' : 'left as it is'} |`,
      `| Checkpoint first | ${settings.createCheckpoint ? 'yes' : 'no'} |`,
      `| Accepted at | ${cell(report.acceptedAt)} |`,
      '',
      `WP Engine gives no restore status to follow; it emails ${cell(settings.notificationEmails.join(', '))} when the restore is done.`,
      ''
    )
  }
  return lines.join('\n')
}
