import { detailsTable, idCell, problemQuote } from '../step/summary-tables.js'
import { cell } from '../text/markdown-cell.js'
import { readableTime } from '../time/time-text.js'
import { ageText } from './messages.js'
import { ageOf } from './reuse.js'
import { usualRange } from './history.js'
import type { DryRunVerdict } from './dry-run.js'
import type { DryRunInstall, DryRunReport, Preflight } from './dry-run-report.js'
import { nameOf } from './report.js'

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

/** Several installs: one row each, in the order given. */
function table(entries: DryRunInstall[]): string[] {
  return [
    '| Install | Newest completed backup | Still running | Usually takes | A real run would |',
    '| :-- | :-- | :-- | :-- | :-- |',
    ...entries.map((entry) => {
      const { preflight } = entry
      const facts = preflight ? [newestCompleted(preflight, true), running(preflight, true), usually(preflight)] : ['—', '—', '—']
      return `| ${cell(nameOf(entry))} | ${facts.join(' | ')} | ${realRun(entry)} |`
    }),
    ''
  ]
}

export function renderDryRunSummary(report: DryRunReport, verdict: DryRunVerdict): string {
  const lines = [`## ${heading(verdict)}`, '']
  if (verdict.error) lines.push(...problemQuote(verdict.error))
  const credentials = report.credentialsWork ? ' The API credentials work.' : ''
  lines.push(`A dry run only reads from the WP Engine API: no backup, archive or restore was requested.${credentials}`, '')
  const checked = report.installs.some((entry) => entry.install || entry.error !== undefined)
  if (!checked) return lines.join('\n')
  const [only] = report.installs
  if (report.installs.length === 1 && only) lines.push(...card(only))
  else lines.push(...table(report.installs))
  return lines.join('\n')
}
