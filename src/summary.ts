import { formatDuration } from './duration.js'
import type { Report } from './report.js'

function heading(report: Report): string {
  switch (report.outcome ?? 'failed') {
    case 'completed':
      return '✅ WP Engine backup completed'
    case 'requested':
      return `🕓 WP Engine backup ${(report.status ?? 'requested').replace('_', ' ')} (not waited for)`
    case 'aborted':
      return '❌ WP Engine backup aborted'
    case 'timeout':
      return '⏱️ WP Engine backup not finished before the timeout'
    case 'cancelled':
      return '⚠️ WP Engine backup step cancelled'
    case 'failed':
      return '❌ WP Engine backup step failed'
  }
}

/** Text from the API or the user, made inert in a Markdown table cell. */
function cell(value: string | undefined | null): string {
  if (!value) return '—'
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
}

/** The job summary: one table with what a reviewer of the deploy needs to know about its restore point. */
export function renderSummary(report: Report): string {
  const { install, backup, outcome = 'failed' } = report
  const rows: [string, string][] = [
    ['Install', install ? `${cell(install.name)} (${cell(install.id)})` : '—'],
    ['Backup ID', cell(backup?.id)],
    ['Status', report.status ? `**${cell(report.status)}**` : '—'],
    ['Description', cell(backup?.description)],
    ['Created', cell(backup?.create_time)],
    ['Completed', cell(report.status === 'completed' ? backup?.complete_time : undefined)],
    ['Waited', report.waitedMs === undefined ? '—' : formatDuration(report.waitedMs)],
    ['WordPress', cell(backup?.wordpress_version)]
  ]
  const lines = [`## ${heading(report)}`, '']
  if (report.error && outcome !== 'completed') {
    const kind = outcome === 'timeout' || outcome === 'cancelled' ? 'WARNING' : 'CAUTION'
    lines.push(`> [!${kind}]`, `> ${cell(report.error)}`, '')
  }
  lines.push('| | |', '| --- | --- |', ...rows.map(([name, value]) => `| ${name} | ${value} |`), '')
  return lines.join('\n')
}
