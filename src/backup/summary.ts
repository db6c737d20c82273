import { basename } from 'node:path'
import { formatBytes } from '../archive/download.js'
import type { ArchiveReport } from '../archive/phase.js'
import { formatDuration } from '../util/duration.js'
import { cell } from '../util/markdown.js'
import type { BackupVerdict } from './outcome.js'
import { nameOf, succeeded, type InstallReport, type Report } from './report.js'

function heading(report: Report, { outcome }: BackupVerdict): string {
  const { installs } = report
  if (outcome === 'cancelled') return '⚠️ WP Engine backup step cancelled'
  const [only] = installs
  if (only?.archive?.error && only.outcome === 'completed' && installs.length === 1)
    return '❌ WP Engine backup completed, but its archive failed'
  if (installs.length === 1 && only) {
    switch (only.outcome ?? 'failed') {
      case 'completed':
        return '✅ WP Engine backup completed'
      case 'requested':
        return `🕓 WP Engine backup ${(only.status ?? 'requested').replace('_', ' ')} (not waited for)`
      case 'aborted':
        return '❌ WP Engine backup aborted'
      case 'timeout':
        return '⏱️ WP Engine backup not finished before the timeout'
      default:
        return '❌ WP Engine backup step failed'
    }
  }
  const failed = installs.filter((entry) => !succeeded(entry)).length
  if (failed > 0) return `❌ WP Engine backups: ${failed} of ${installs.length} installs without a fresh backup`
  const uncopied = installs.filter((entry) => entry.archive?.error).length
  if (uncopied > 0) return `❌ WP Engine backups completed, but ${uncopied} of ${installs.length} installs have no off-site copy`
  if (outcome === 'requested') return `🕓 WP Engine backups requested for ${installs.length} installs (not waited for)`
  return `✅ WP Engine backups completed for ${installs.length} installs`
}

/** Whether an existing backup was used, why, and how old it is. */
export function reuseText(entry: InstallReport): string {
  const { reused } = entry
  if (!reused) return entry.backup ? 'no' : '—'
  const age = reused.ageMs === undefined ? '' : `, ${formatDuration(reused.ageMs)} old`
  switch (reused.reason) {
    case 'rerun':
      return `yes: requested by attempt ${reused.attempt} of this run${age}`
    case 'in-flight':
      return `yes: already running when this step started${age}`
    case 'recent':
      return `yes: completed within reuse-within${age}`
  }
}

function statusCell(entry: InstallReport): string {
  return entry.status ? `**${cell(entry.status)}**` : '—'
}

function waitedCell(entry: InstallReport): string {
  return entry.waitedMs === undefined ? '—' : formatDuration(entry.waitedMs)
}

function completedCell(entry: InstallReport): string {
  return cell(entry.status === 'completed' ? entry.backup?.complete_time : undefined)
}

/** The archive's id and state, and a missing link said plainly. Never the download link: it is a bearer URL, and the summary is not masked. */
function archiveState(archive: ArchiveReport): string {
  const state = archive.archive?.id ? `${cell(archive.archive.id)} (**${cell(archive.state)}**)` : cell(archive.state)
  return archive.noLink ? `${state}, no download link yet` : state
}

/** One install: every detail a reviewer of the deploy needs about its restore point. */
function card(entry: InstallReport): string[] {
  const { install, backup, archive } = entry
  const rows: [string, string][] = [
    ['Install', install ? `${cell(install.name)} (${cell(install.id)})` : cell(nameOf(entry))],
    ['Backup ID', cell(backup?.id)],
    ['Status', statusCell(entry)],
    ['Reused', reuseText(entry)],
    ['Description', cell(backup?.description)],
    ['Created', cell(backup?.create_time)],
    ['Completed', completedCell(entry)],
    ['Waited', waitedCell(entry)],
    ['WordPress', cell(backup?.wordpress_version)],
    ...(archive ? ([['Archive', archiveState(archive)]] as [string, string][]) : []),
    ...(archive?.file
      ? ([
          ['Archive file', `${cell(archive.file)} (${formatBytes(archive.bytes ?? 0)})`],
          ['SHA-256', cell(archive.sha256)]
        ] as [string, string][])
      : [])
  ]
  return ['| | |', '| --- | --- |', ...rows.map(([name, value]) => `| ${name} | ${value} |`)]
}

/** Several installs: one row each, in the order they were given; with archiving, each one's copy too. */
function table(entries: InstallReport[], archiving: boolean): string[] {
  const copy = (entry: InstallReport): string[] => {
    if (!archiving) return []
    const { archive } = entry
    if (!archive) return ['—']
    return [
      archive.file
        ? `${archiveState(archive)}: ${cell(basename(archive.file))} (${formatBytes(archive.bytes ?? 0)})`
        : archiveState(archive)
    ]
  }
  const rows = entries.map((entry) =>
    [
      cell(nameOf(entry)),
      cell(entry.backup?.id),
      statusCell(entry),
      reuseText(entry),
      cell(entry.backup?.create_time),
      completedCell(entry),
      waitedCell(entry),
      cell(entry.backup?.wordpress_version),
      ...copy(entry)
    ].join(' | ')
  )
  return [
    `| Install | Backup ID | Status | Reused | Created | Completed | Waited | WordPress |${archiving ? ' Archive |' : ''}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |${archiving ? ' --- |' : ''}`,
    ...rows.map((row) => `| ${row} |`)
  ]
}

/** The job summary: what a reviewer of the deploy needs to know about its restore points. */
export function renderSummary(report: Report, verdict: BackupVerdict): string {
  const lines = [`## ${heading(report, verdict)}`, '']
  if (verdict.error) {
    const kind = verdict.outcome === 'timeout' || verdict.outcome === 'cancelled' ? 'WARNING' : 'CAUTION'
    lines.push(`> [!${kind}]`, `> ${cell(verdict.error)}`, '')
  }
  const [only] = report.installs
  lines.push(...(report.installs.length === 1 && only ? card(only) : table(report.installs, report.archiving ?? false)), '')
  return lines.join('\n')
}
