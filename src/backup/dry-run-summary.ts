import { boundedTable, detailsTable, FOLD_OVER, folded, idCell, problemQuote, SummaryBudget } from '../step/summary-tables.js'
import { cell } from '../text/markdown-cell.js'
import { ageText, readableTime } from '../time/time-text.js'
import { freshSentence, staleSentence } from './freshness.js'
import { leftOutLine } from './messages.js'
import { ageOf } from '../workflows/list-backups.js'
import { usualRange } from './history.js'
import type { DryRunVerdict } from './dry-run.js'
import type { DryRunInstall, DryRunReport, Preflight } from './dry-run-report.js'
import { nameOf } from '../step/install-names.js'

// The job summary of a dry run: plainly a dry run, and per install what was found and what a real run would do.

// A row stays readable with a few backups still running; the backups output lists them all.
const RUNNING_SHOWN = 3

function heading({ ok, cancelled }: DryRunVerdict): string {
  if (cancelled) return '⚠️ WP Engine backup dry run cancelled: nothing was requested'
  return ok ? '✅ WP Engine backup dry run passed: nothing was requested' : '❌ WP Engine backup dry run failed: nothing was requested'
}

function newestCompleted({ newestCompleted: newest, checkedAt, unread }: Preflight, short: boolean): string {
  if (unread) return 'the backups could not be read'
  if (!newest) return 'none yet'
  const completed = newest.complete_time ? `, completed ${cell(readableTime(newest.complete_time))}` : ''
  return `${idCell(newest.id, { short })} (${ageText(ageOf(newest, checkedAt))}${completed})`
}

function running({ running: backups, checkedAt, unread }: Preflight, short: boolean): string {
  if (unread) return '—'
  if (backups.length === 0) return 'none'
  const shown = backups
    .slice(0, RUNNING_SHOWN)
    .map((backup) => `${idCell(backup.id, { short })} (**${cell(backup.status)}**, ${ageText(ageOf(backup, checkedAt))})`)
  const more = backups.length > RUNNING_SHOWN ? ` and ${backups.length - RUNNING_SHOWN} more` : ''
  return `${shown.join(', ')}${more}`
}

function usually({ estimate, unread }: Preflight): string {
  if (unread) return '—'
  return estimate ? cell(usualRange(estimate)) : 'too few completed backups to say'
}

function realRun(entry: DryRunInstall): string {
  if (entry.error !== undefined) return `❌ fail: ${cell(entry.error)}`
  const { wouldDo, hint } = entry.preflight ?? {}
  return wouldDo ? cell(hint ? `${wouldDo}. ${hint}` : wouldDo) : '—'
}

/** One install: everything the dry run found, and what a real run would do. */
function card(entry: DryRunInstall): string[] {
  const { install, preflight } = entry
  return detailsTable([
    ['Install', install ? `${cell(install.name)} (${idCell(install.id)})` : cell(nameOf(entry))],
    ['Found', install ? 'yes' : entry.error !== undefined ? 'no' : undefined],
    ['Newest completed backup', preflight ? newestCompleted(preflight, false) : undefined],
    ['Still running', preflight ? running(preflight, false) : undefined],
    ['Usually takes', preflight ? usually(preflight) : undefined],
    ['A real run would', install || entry.error !== undefined ? realRun(entry) : undefined]
  ])
}

function row(entry: DryRunInstall): string {
  const { preflight } = entry
  const facts = preflight ? [newestCompleted(preflight, true), running(preflight, true), usually(preflight)] : ['—', '—', '—']
  return `| ${cell(nameOf(entry))} | ${facts.join(' | ')} | ${realRun(entry)} |`
}

/** A row of the folded table of a fleet's installs that need nothing: the newest completed backup, and the plan in a word. */
function shortRow(entry: DryRunInstall): string {
  const { preflight } = entry
  const plan = preflight?.plan
  const would = !plan
    ? '—'
    : plan.action === 'request'
      ? 'request'
      : `${plan.action === 'wait' ? 'wait for' : 'use'} ${idCell(plan.backup.id, { short: true })}`
  return `| ${cell(nameOf(entry))} | ${preflight ? newestCompleted(preflight, true) : '—'} | ${would} |`
}

/**
 * Several installs: the ones that need attention first (with max-age, those without a completed backup
 * within it, oldest first; then the ones a real run would fail on), then the rest; a fleet folds the
 * rest into a compact table. The tables stay under GitHub's 1 MiB.
 */
function tables(report: DryRunReport): string[] {
  const { installs, audit } = report
  const order = new Map((audit?.stale ?? []).map((entry, index) => [entry.installId || entry.name, index]))
  const keyOf = (entry: DryRunInstall): string => entry.install?.id ?? nameOf(entry)
  const attention = installs.filter((entry) => order.has(keyOf(entry)) || entry.error !== undefined)
  attention.sort((a, b) => (order.get(keyOf(a)) ?? Infinity) - (order.get(keyOf(b)) ?? Infinity))
  const needed = new Set(attention)
  const fine = installs.filter((entry) => !needed.has(entry))
  const budget = new SummaryBudget()
  const head: [string, string] = [
    '| Install | Newest completed backup | Still running | Usually takes | A real run would |',
    '| :-- | :-- | :-- | :-- | :-- |'
  ]
  if (installs.length <= FOLD_OVER) return boundedTable(head, [...attention, ...fine].map(row), budget, leftOutLine)
  const shortHead: [string, string] = ['| Install | Newest completed backup | A real run would |', '| :-- | :-- | :-- |']
  const what = audit ? 'a completed backup within max-age' : 'nothing in the way of a real run'
  return [
    ...boundedTable(head, attention.map(row), budget, leftOutLine),
    ...folded(`${fine.length} installs with ${what}`, boundedTable(shortHead, fine.map(shortRow), budget, leftOutLine))
  ]
}

export function renderDryRunSummary(report: DryRunReport, verdict: DryRunVerdict): string {
  const lines = [`## ${heading(verdict)}`, '']
  if (verdict.error) lines.push(...problemQuote(verdict.error))
  const credentials = report.credentialsWork ? ' The API credentials work.' : ''
  lines.push(`A dry run only reads from the WP Engine API: no backup, archive or restore was requested.${credentials}`, '')
  const { audit } = report
  if (audit && audit.stale.length === 0 && report.installs.length > 0) lines.push(freshSentence(audit), '')
  else if (audit && audit.stale.length > 0 && report.installs.length > 1) lines.push(staleSentence(audit), '')
  const checked = report.installs.some((entry) => entry.install || entry.error !== undefined)
  if (!checked) return lines.join('\n')
  const [only] = report.installs
  if (report.installs.length === 1 && only) lines.push(...card(only))
  else lines.push(...tables(report))
  return lines.join('\n')
}
