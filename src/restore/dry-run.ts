import type { StepDefinition, StepTools, StepVerdict } from '../step/harness.js'
import type { Scope } from '../step/log-scope.js'
import { detailsTable, fullIds, idCell, problemQuote } from '../step/summary-tables.js'
import { cell } from '../text/markdown-cell.js'
import { formatDuration } from '../time/time-text.js'
import { errorLine } from '../wpengine/errors.js'
import type { Backup, Install } from '../wpengine/types.js'
import { chooseBackup, choiceLine, chosenText, type Chosen } from './choose-backup.js'
import { shownUrl, siteUrl, type RestoreSettings } from './inputs.js'
import { askedText, cachesText } from './messages.js'
import { nameOf, outputsOf } from './report.js'
import { assertRestorable } from './request-restore.js'
import { optionsText } from './restore-install.js'
import { eachTarget, type TargetEntry } from './restore-installs.js'
import { restoreLimits } from './limits.js'
import { namesByReason } from '../step/install-names.js'

// dry-run: true. Everything a real run reads before its first POST, read the same way (credentials,
// installs, each one's backup, chosen by the same rules) and judged the same way, and nothing
// written: no restore is requested, no cache purged, no site checked.

export interface DryRunEntry extends TargetEntry {
  backup?: Backup
  chosen?: Chosen
  /** What a real run would do, finishing "A real run would …"; unset when it would fail for this install. */
  wouldDo?: string
}

export interface RestoreDryRunReport {
  settings: RestoreSettings
  entries: DryRunEntry[]
  credentialsWork: boolean
}

/** The restore action's step when dry-run is true: through a client that sends nothing but GET. */
export const restoreDryRunStep: StepDefinition<RestoreSettings, RestoreDryRunReport, StepVerdict> = {
  limits: (settings) => restoreLimits(settings, true),
  start: (settings) => ({ settings, entries: settings.targets.map((target) => ({ target })), credentialsWork: false }),
  async work(report, tools) {
    const { core, client } = tools
    core.info('Dry run: checking the credentials, the installs and the backups to restore from. Nothing will be restored.')
    await client.getUser()
    report.credentialsWork = true
    core.info('The API credentials work.')
    report.entries = await eachTarget(report.entries, tools, (entry, install, scope) => checkInstall(entry, install, tools, scope))
  },
  conclude: concludeDryRun,
  outputs: dryRunOutputs,
  summary: renderDryRunSummary
}

/** One install: its backup chosen and judged as a real run would, and what a real run would then do. */
async function checkInstall(entry: DryRunEntry, install: Install, tools: StepTools<RestoreSettings>, scope: Scope): Promise<void> {
  const { client, clock, context, settings } = tools
  const { backup, chosen } = await chooseBackup(client, install, entry.target.choice, { context, now: () => clock.now() })
  entry.backup = backup
  entry.chosen = chosen
  scope.log.info(choiceLine(backup, chosen, install))
  assertRestorable(backup, install)
  entry.wouldDo = wouldDo(install, backup, chosen, settings)
  scope.log.info(`A real run would ${entry.wouldDo}.`)
}

function wouldDo(install: Install, backup: Backup, chosen: Chosen, settings: RestoreSettings): string {
  const { purgeCache, verify } = settings
  return [
    `restore ${install.name} from backup ${backup.id} (${chosenText(chosen)}; ${optionsText(settings)})`,
    purgeCache && `then purge its ${cachesText(purgeCache)}`,
    verify &&
      `then check ${shownUrl(siteUrl(verify, install.name))} until it answers ${askedText(verify.text)}, for up to ${formatDuration(verify.timeoutMs)}`
  ]
    .filter(Boolean)
    .join(', ')
}

/** The dry run's one decision: it fails exactly where a real run would fail before its first request to change anything. */
function concludeDryRun(report: RestoreDryRunReport, { cancelled, error }: { cancelled: boolean; error?: unknown }): StepVerdict {
  const { entries } = report
  if (cancelled || entries.some((entry) => entry.cancelled))
    return { ok: false, cancelled: true, line: 'The dry run was cancelled. Nothing was restored.' }
  if (error !== undefined) return { ok: false, cancelled: false, line: `Dry run: ${errorLine(error)}` }
  const failing = entries.filter((entry) => entry.error !== undefined)
  const [only] = entries
  if (entries.length === 1 && only?.error) return { ok: false, cancelled: false, line: `Dry run: ${only.error}` }
  if (failing.length > 0) {
    const named = namesByReason(failing.map((entry) => ({ ref: entry.target.ref, install: entry.install, reason: entry.reason })))
    return {
      ok: false,
      cancelled: false,
      line: `Dry run: ${failing.length} of ${entries.length} installs would not be restored in a real run: ${named}. The job summary says why for each.`
    }
  }
  const planned = entries.filter((entry) => entry.wouldDo).length
  const skipped = entries.length - planned
  const what =
    entries.length === 1 && only?.wouldDo
      ? `a real run would ${only.wouldDo}`
      : `a real run would restore ${planned} installs, each from its own backup${skipped > 0 ? `, and skip ${skipped} without a restore point` : ''}`
  return { ok: true, cancelled: false, line: `✅ Dry run passed: ${what}. Nothing was restored.` }
}

/** No restore was requested: `accepted` and `verified` are false, and `restores` has what a real run would do for each install. */
function dryRunOutputs(report: RestoreDryRunReport): Record<string, string> {
  const outputs = outputsOf({ entries: report.entries.map((entry) => ({ ...entry, request: 'not-sent' as const })) })
  const findings = report.entries.map((entry) => ({
    'install-id': entry.install?.id ?? entry.target.installId ?? (entry.target.ref.kind === 'id' ? entry.target.ref.id : ''),
    'install-name': entry.install?.name ?? (entry.target.ref.kind === 'name' ? entry.target.ref.name : ''),
    'backup-id': entry.backup?.id ?? '',
    'chosen-by': entry.chosen?.how ?? '',
    'real-run': entry.wouldDo ? 'restore' : entry.target.skip !== undefined ? 'skip' : 'fail',
    problem: entry.error ?? entry.target.skip ?? ''
  }))
  return { ...outputs, accepted: 'false', verified: 'false', restores: JSON.stringify(findings), 'dry-run': 'true' }
}

function realRun(entry: DryRunEntry): string {
  if (entry.error !== undefined) return `❌ fail: ${cell(entry.error)}`
  if (entry.target.skip !== undefined) return `⏭️ skip: ${cell(entry.target.skip)}`
  return entry.wouldDo ? cell(entry.wouldDo) : '—'
}

function renderDryRunSummary(report: RestoreDryRunReport, verdict: StepVerdict): string {
  const { entries } = report
  const heading = verdict.cancelled
    ? '⚠️ WP Engine restore dry run cancelled: nothing was restored'
    : verdict.ok
      ? '✅ WP Engine restore dry run passed: nothing was restored'
      : '❌ WP Engine restore dry run failed: nothing was restored'
  const lines = [`## ${heading}`, '']
  if (!verdict.ok) lines.push(...problemQuote(verdict.line))
  const credentials = report.credentialsWork ? ' The API credentials work.' : ''
  lines.push(`A dry run only reads from the WP Engine API: no restore was requested, no cache purged, no site checked.${credentials}`, '')
  const [only] = entries
  if (entries.length === 1 && only) {
    lines.push(
      ...detailsTable([
        ['Install', only.install ? `${cell(only.install.name)} (${idCell(only.install.id)})` : cell(nameOf(only))],
        [
          'Backup',
          only.backup
            ? `${idCell(only.backup.id)} (**${cell(only.backup.status)}**${only.chosen ? `; ${cell(chosenText(only.chosen))}` : ''})`
            : undefined
        ],
        ['A real run would', only.install || only.error !== undefined ? realRun(only) : undefined]
      ])
    )
    return lines.join('\n')
  }
  lines.push(
    '| Install | Backup | A real run would |',
    '| :-- | :-- | :-- |',
    ...entries.map((entry) => `| ${cell(nameOf(entry))} | ${idCell(entry.backup?.id, { short: true })} | ${realRun(entry)} |`),
    '',
    ...fullIds(
      'Full backup IDs',
      entries.map((entry): [string, string | undefined] => [nameOf(entry), entry.backup?.id])
    )
  )
  return lines.join('\n')
}
