import { basename } from 'node:path'
import { formatBytes } from '../archive/disk-space.js'
import type { ArchiveReport } from '../archive/offsite-copy.js'
import { boundedTable, detailsTable, FOLD_OVER, folded, fullIds, idCell, problemQuote, SummaryBudget } from '../step/summary-tables.js'
import { formatDuration, readableTime } from '../time/time-text.js'
import { usualRange } from './history.js'
import { cell } from '../text/markdown-cell.js'
import type { BackupVerdict } from './conclude.js'
import { emptyShardText, leftOutLine } from './messages.js'
import { freshSentence, staleAge, staleSentence } from './freshness.js'
import { succeeded, type InstallReport, type Report } from './report.js'
import { nameOf } from '../step/install-names.js'

function heading(report: Report, { outcome }: BackupVerdict): string {
  const { installs } = report
  if (outcome === 'cancelled') return '⚠️ WP Engine backup step cancelled'
  const [only] = installs
  if (installs.length === 1 && only) {
    const of = `WP Engine backup of ${nameOf(only)}`
    if (only.archive?.error && only.outcome === 'completed') return `❌ ${of} completed, but its archive failed`
    if (only.outcome === 'completed' && report.audit?.stale.length) return `❌ ${of} is older than max-age (${maxAge(report)})`
    switch (only.outcome ?? 'failed') {
      case 'completed':
        return `✅ ${of} completed`
      case 'requested':
        return `🕓 ${of} ${(only.status ?? 'requested').replace('_', ' ')} (not waited for)`
      case 'aborted':
        return `❌ ${of} aborted`
      case 'timeout':
        return `⏱️ ${of} not finished before the timeout`
      default:
        return `❌ ${of} failed`
    }
  }
  if (installs.length === 0) return `✅ ${emptyShardText(report.shard)}`
  const stale = report.audit?.stale.length ?? 0
  if (stale > 0)
    return `❌ WP Engine backups: ${stale} of ${installs.length} installs without a completed backup within max-age (${maxAge(report)})`
  const failed = installs.filter((entry) => !succeeded(entry)).length
  if (failed > 0) return `❌ WP Engine backups: ${failed} of ${installs.length} installs without a fresh backup`
  const uncopied = installs.filter((entry) => entry.archive?.error).length
  if (uncopied > 0) return `❌ WP Engine backups completed, but ${uncopied} of ${installs.length} installs have no off-site copy`
  if (outcome === 'requested') return `🕓 WP Engine backups requested for ${installs.length} installs (not waited for)`
  return `✅ WP Engine backups completed for ${installs.length} installs`
}

/** Whether an existing backup was used, why, and how old it is. */
function reuseText(entry: InstallReport): string | undefined {
  const { reused } = entry
  if (!reused) return entry.backup ? 'no' : undefined
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

const time = (iso: string | null | undefined): string | undefined => (iso ? cell(readableTime(iso)) : undefined)

function completedAt(entry: InstallReport): string | undefined {
  return entry.status === 'completed' ? time(entry.backup?.complete_time) : undefined
}

/** The archive's id and state, and a missing link said plainly. Never the download link: it is a bearer URL, and the summary is not masked. */
function archiveState(archive: ArchiveReport): string {
  const state = archive.archive?.id ? `${idCell(archive.archive.id)} (**${cell(archive.state)}**)` : cell(archive.state)
  return archive.noLink ? `${state}, no download link yet` : state
}

/** One install: every detail a reviewer of the deploy needs about its restore point, and nothing unknown. */
function card(entry: InstallReport, report: Report): string[] {
  const { install, backup, archive } = entry
  return detailsTable([
    ['Install', install ? `${cell(install.name)} (${idCell(install.id)})` : cell(nameOf(entry))],
    ['Backup', backup ? idCell(backup.id) : undefined],
    ['Status', entry.status ? `**${cell(entry.status)}**` : undefined],
    ['Reused', reuseText(entry)],
    ['Description', backup?.description ? cell(backup.description) : undefined],
    ['Created', time(backup?.create_time)],
    ['Completed', completedAt(entry)],
    ['Waited', entry.waitedMs ? formatDuration(entry.waitedMs) : undefined],
    tookRow(entry),
    ['WordPress', backup?.wordpress_version ? cell(backup.wordpress_version) : undefined],
    ['Archive', archive ? archiveState(archive) : undefined],
    ['Archive file', archive?.file ? `${cell(archive.file)} (${formatBytes(archive.bytes ?? 0)}${encryptedText(archive)})` : undefined],
    ['SHA-256', archive?.sha256 ? idCell(archive.sha256) : undefined],
    ['Zip SHA-256', archive?.recipients && archive.zipSha256 ? idCell(archive.zipSha256) : undefined],
    ['Max age', report.audit ? maxAgeCell(report) : undefined]
  ])
}

/** Whether the one install passed the max-age audit. */
function maxAgeCell(report: Report): string {
  const [stale] = report.audit?.stale ?? []
  if (stale) return `❌ ${staleAge(stale)}, over ${maxAge(report)}`
  return `✅ within ${maxAge(report)}`
}

/** `, encrypted to 2 age recipients`, for a copy kept encrypted. */
function encryptedText({ recipients }: ArchiveReport): string {
  return recipients ? `, encrypted to ${recipients} age ${recipients === 1 ? 'recipient' : 'recipients'}` : ''
}

/** How long the backup took by WP Engine's own times, beside how long the install's backups usually take. */
function tookRow({ backup, usual }: InstallReport): [string, string | undefined] {
  const took = Date.parse(backup?.complete_time ?? '') - Date.parse(backup?.create_time ?? '')
  if (took > 0) return ['Took', `${formatDuration(took)}${usual ? `; usually ${usualRange(usual)}` : ''}`]
  return ['Usually takes', usual ? usualRange(usual) : undefined]
}

// A no-break space keeps each outcome on one line in a narrow column.
const OUTCOMES: Record<string, string> = {
  completed: '✅\u00a0completed',
  requested: '🕓\u00a0requested',
  aborted: '❌\u00a0aborted',
  timeout: '⏱️\u00a0timed\u00a0out',
  failed: '❌\u00a0failed',
  cancelled: '⚠️\u00a0cancelled'
}

/** A few words on how it went: when it completed and how long it took, or the whole reason it failed. */
function details(entry: InstallReport): string {
  if (!succeeded(entry)) return cell(entry.error ?? (entry.status ? `last seen ${entry.status}` : undefined))
  const reused = entry.reused ? `reused (${reuseText(entry)?.replace(/^yes: /, '')})` : undefined
  const done = completedAt(entry)
  const facts = [
    reused,
    done ? `completed ${done}` : entry.status ? `${cell(entry.status)} since ${time(entry.backup?.create_time) ?? '—'}` : undefined,
    !entry.reused && entry.waitedMs ? `after ${formatDuration(entry.waitedMs)}` : undefined,
    entry.usual ? `usually ${usualRange(entry.usual)}` : undefined
  ]
  return facts.filter(Boolean).join(', ') || '—'
}

/** Each install's off-site copy, for the archive column. */
function copyCell({ archive }: InstallReport): string {
  if (!archive) return '—'
  const state = archiveState(archive)
  if (archive.error) return `${state}: ${cell(archive.error)}`
  return archive.file ? `${state}: ${cell(basename(archive.file))} (${formatBytes(archive.bytes ?? 0)})` : state
}

const maxAge = (report: Report): string => formatDuration(report.audit?.maxAgeMs ?? 0)

/** Where a stale install stands in the audit (oldest first), by its ID or, when it was not found, its name. */
function staleOrder(report: Report): Map<string, number> {
  return new Map((report.audit?.stale ?? []).map((entry, index) => [entry.installId || entry.name, index]))
}
const keyOf = (entry: InstallReport): string => entry.install?.id ?? nameOf(entry)

/** One row of the table of several installs, with its outcome and why; a completed backup that max-age refuses says how old it is. */
function row(entry: InstallReport, report: Report, order: Map<string, number>): string {
  const archive = report.archiving ? ` ${copyCell(entry)} |` : ''
  const stale = report.audit?.stale[order.get(keyOf(entry)) ?? -1]
  const old = stale?.ageMs !== undefined && succeeded(entry) ? `older than max-age (${maxAge(report)}): ${staleAge(stale)}; ` : ''
  return `| ${cell(nameOf(entry))} | ${OUTCOMES[entry.outcome ?? ''] ?? cell(entry.status)} | ${idCell(entry.backup?.id, { short: true })} | ${old}${details(entry)} |${archive}`
}

/** A row of the folded table of a fleet's installs that need nothing: the backup and when it completed, in few bytes. */
function shortRow(entry: InstallReport, report: Report): string {
  const done = completedAt(entry) ?? (entry.status ? cell(entry.status) : '—')
  const reused =
    entry.reused?.ageMs === undefined ? (entry.reused ? ', reused' : '') : `, reused (${formatDuration(entry.reused.ageMs)} old)`
  const archive = report.archiving
    ? ` ${entry.archive?.file ? `${cell(basename(entry.archive.file))} (${formatBytes(entry.archive.bytes ?? 0)})` : copyCell(entry)} |`
    : ''
  return `| ${cell(nameOf(entry))} | ${idCell(entry.backup?.id, { short: true })} | ${done}${reused} |${archive}`
}

/**
 * Several installs: the ones that need attention first (stale ones oldest first, then failures and
 * failed copies), then the rest; a fleet folds the rest into a compact table. Backup IDs are shortened to
 * keep a row on one line; up to FOLD_OVER installs, the summary lists them whole below the tables
 * (fullIds), and the backups output always has them. The tables stay under GitHub's 1 MiB.
 */
function tables(report: Report): string[] {
  const { installs, archiving = false } = report
  const order = staleOrder(report)
  const attention = installs.filter((entry) => order.has(keyOf(entry)) || !succeeded(entry) || entry.archive?.error)
  attention.sort((a, b) => (order.get(keyOf(a)) ?? Infinity) - (order.get(keyOf(b)) ?? Infinity))
  const needed = new Set(attention)
  const fine = installs.filter((entry) => !needed.has(entry))
  const budget = new SummaryBudget()
  const head: [string, string] = [
    `| Install | Outcome | Backup | Details |${archiving ? ' Archive |' : ''}`,
    `| :-- | :-- | :-- | :-- |${archiving ? ' :-- |' : ''}`
  ]
  if (installs.length <= FOLD_OVER)
    return boundedTable(
      head,
      [...attention, ...fine].map((entry) => row(entry, report, order)),
      budget,
      leftOutLine
    )
  const shortHead: [string, string] = [
    `| Install | Backup | Completed |${archiving ? ' Archive |' : ''}`,
    `| :-- | :-- | :-- |${archiving ? ' :-- |' : ''}`
  ]
  const what = report.audit ? 'a completed backup within max-age' : 'a fresh backup'
  return [
    ...boundedTable(
      head,
      attention.map((entry) => row(entry, report, order)),
      budget,
      leftOutLine
    ),
    ...folded(
      `${fine.length} installs with ${what}`,
      boundedTable(
        shortHead,
        fine.map((entry) => shortRow(entry, report)),
        budget,
        leftOutLine
      )
    )
  ]
}

/** The job summary: what a reviewer of the deploy needs to know about its restore points. */
export function renderSummary(report: Report, verdict: BackupVerdict): string {
  const lines = [`## ${heading(report, verdict)}`, '']
  const [only] = report.installs
  if (report.installs.length === 1 && only) {
    if (verdict.error) lines.push(...problemQuote(verdict.error))
    lines.push(...card(only, report))
  } else {
    const stale = report.audit?.stale.length ?? 0
    const someFailed = verdict.outcome === 'failed' && report.installs.some((entry) => !succeeded(entry))
    if (report.audit && stale > 0) lines.push(staleSentence(report.audit), '')
    else if (someFailed) lines.push('Do not deploy to an install without a fresh backup; its row says why.', '')
    else if (verdict.error) lines.push(...problemQuote(verdict.error))
    else if (report.audit && report.installs.length > 0) lines.push(freshSentence(report.audit), '')
    lines.push(...tables(report))
    // The restore's backup-id takes only a whole ID: each is there to copy (a fleet's, from the backups output).
    if (report.installs.length <= FOLD_OVER) {
      const ids = report.installs.map((entry): [string, string | undefined] => [nameOf(entry), entry.backup?.id])
      lines.push(...fullIds('Full backup IDs', ids))
    }
  }
  return lines.join('\n')
}
