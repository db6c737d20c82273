import { getBackupOf } from '../workflows/get-backup.js'
import type { StepDefinition, StepTools, StepVerdict } from '../step/harness.js'
import type { Scope } from '../step/log-scope.js'
import { ageText, formatDuration, readableTime } from '../time/time-text.js'
import { CancelledError, errorLine, isMissingRouteError } from '../wpengine/errors.js'
import { isFinal, normalizeStatus } from '../wpengine/status.js'
import type { Backup, Install } from '../wpengine/types.js'
import type { Shard } from '../workflows/shard.js'
import { historyOf, staleAfterMs, usualRange, type DurationEstimate } from './history.js'
import type { Settings } from './inputs.js'
import { eachInstall, findAllInstalls, namedInstalls } from './back-up-installs.js'
import { cannotLook, emptyShardText, missingRouteWarning, outdatedMessage, staleMessage, stuckNamedMessage } from './messages.js'
import { auditFreshness, freshText, staleLine } from './freshness.js'
import { dryRunOutputs, type DryRunInstall, type DryRunReport, type Existing, type Preflight, type RealRun } from './dry-run-report.js'
import { renderDryRunSummary } from './dry-run-summary.js'
import { ageOf, listBackups } from '../workflows/list-backups.js'
import { chooseReusable, mayReuse, reuseLookups, stuckAt } from './reuse.js'
import { nameOf, namesByReason } from '../step/install-names.js'

// dry-run: true. Everything a real run reads before its first POST, read the same way (credentials,
// installs, each install's backups) and judged by the same rules, and nothing written: no backup,
// archive or restore is requested.

export interface DryRunVerdict extends StepVerdict {
  dryRun: true
  /** Set when the dry run failed or was cancelled: the same sentence as `line`. */
  error?: string
}

/**
 * The backup action's step when dry-run is true: checks the credentials, finds every install as a
 * real run does, and reads each one's backups, through a client that sends nothing but GET.
 */
export const dryRunStep: StepDefinition<Settings, DryRunReport, DryRunVerdict> = {
  limits: (settings) => ({ timeoutMs: settings.timeoutMs, maxConcurrentRequests: settings.maxParallel, readOnly: true }),
  start: (settings) => ({ installs: namedInstalls(settings), credentialsWork: false, shard: settings.shard }),
  work: dryRun,
  conclude: concludeDryRun,
  outputs: dryRunOutputs,
  summary: renderDryRunSummary
}

async function dryRun(report: DryRunReport, tools: StepTools<Settings>): Promise<void> {
  const { core, client } = tools
  core.info('Dry run: checking the credentials, the installs and their backups. Nothing will be requested.')
  await client.getUser()
  report.credentialsWork = true
  core.info('The API credentials work.')
  await findAllInstalls(report, tools)
  await eachInstall(report, tools, (entry, install, scope) => checkInstall(tools, entry, install, scope.log))
  // The audit: each install's newest completed backup, as it stands when the dry run ends.
  if (tools.settings.maxAgeMs !== undefined) {
    const candidates = report.installs.map((entry) => ({
      name: nameOf(entry),
      installId: entry.install?.id ?? '',
      backup: entry.preflight?.newestCompleted,
      reason: entry.reason ?? (entry.preflight ? 'no completed backup yet' : undefined)
    }))
    report.audit = auditFreshness(candidates, tools.settings.maxAgeMs, tools.client.apiNow())
  }
}

const created = (backup: Backup): number => Date.parse(backup.create_time ?? '') || 0
const newestFirst = (a: Backup, b: Backup): number => created(b) - created(a)

/** One install: its backups listed once, what a real run would do with them, and what it would find on the way. */
async function checkInstall(tools: StepTools<Settings>, entry: DryRunInstall, install: Install, log: Scope['log']): Promise<void> {
  const { client, settings, context, signal, warnOnce } = tools
  // As a real run does: the named backup by its id, so that a lagging list cannot hide it.
  const named = settings.backupId === undefined ? undefined : await getBackupOf(client, install, settings.backupId)
  // The audit reads the list too: its newest completed backup is what max-age judges.
  const needed = (named === undefined && mayReuse({ context, reuseWithinMs: settings.reuseWithinMs })) || settings.maxAgeMs !== undefined
  const backups = await listBackups(client, install).catch((error: unknown) => {
    // An older API without the list: a real run says what it could not look for, and requests a backup.
    if (isMissingRouteError(error)) {
      for (const lookup of [...reuseLookups({ context, reuseWithinMs: settings.reuseWithinMs }), 'history' as const])
        warnOnce(missingRouteWarning(error, cannotLook(lookup, true)))
      return undefined
    }
    // A real run reads the list to decide only when it could reuse a backup; otherwise only to learn
    // how long backups take, which never fails it.
    if (needed || error instanceof CancelledError || signal.aborted) throw error
    log.info(
      `Could not read the backups of ${install.name} (${errorLine(error)}); a real run reads them only to learn how long backups take, which never stops it.`
    )
    return undefined
  })
  // Ages by the API's clock, which stamps create_time.
  const now = client.apiNow()
  const sorted = [...(backups ?? [])].sort(newestFirst)
  const preflight: Preflight = {
    unread: backups === undefined ? true : undefined,
    checkedAt: now,
    newestCompleted: sorted.find((backup) => normalizeStatus(backup.status) === 'completed'),
    running: sorted.filter((backup) => {
      const status = normalizeStatus(backup.status)
      return status !== undefined && !isFinal(status)
    }),
    estimate: historyOf(sorted).estimate
  }
  entry.preflight = preflight
  log.info(newestCompletedText(preflight))
  for (const backup of preflight.running)
    log.info(`Still running: backup ${backup.id} is ${backup.status} (${ageText(ageOf(backup, now))})`)
  log.info(usualText(install, preflight.estimate))

  if (named && normalizeStatus(named.status) === 'aborted') {
    entry.outcome = 'failed'
    entry.error = `Backup ${named.id} of install ${install.name} (backup-id) was aborted by WP Engine, so a real run would fail at once. Leave backup-id out to request a new backup, or name one that is not aborted.`
    entry.reason = 'backup-id aborted'
    return
  }
  const stuck = named && stuckAt(named, now, staleAfterMs(sorted))
  if (stuck) {
    entry.outcome = 'failed'
    entry.error = `A real run would stop at once: ${stuckNamedMessage(stuck, install)}`
    entry.reason = 'backup-id stuck'
    return
  }
  const choice = named ? undefined : chooseReusable(sorted, { context, reuseWithinMs: settings.reuseWithinMs, now })
  for (const stale of choice?.stale ?? []) log.warning(staleMessage(stale, install))
  if (choice?.outdated) log.info(outdatedMessage(choice.outdated, settings.reuseWithinMs))
  const existing: Existing | undefined = named ? { backup: named, reason: 'backup-id', ageMs: ageOf(named, now) } : choice?.reusable
  const status = normalizeStatus(existing?.backup.status)
  preflight.plan = existing ? { action: isFinal(status) || !settings.wait ? 'use' : 'wait', ...existing } : { action: 'request' }
  preflight.wouldDo = wouldDo(preflight.plan, settings)
  log.info(`A real run would ${preflight.wouldDo}.`)
  const [other] = preflight.running
  if (preflight.plan.action === 'request' && other) {
    preflight.hint = `Backup ${other.id} is ${other.status} already: a real run would request a second one next to it. With reuse-within set, it would wait for that one instead, as WP Engine advises.`
    log.info(preflight.hint)
  }
}

export function newestCompletedText({ newestCompleted: newest, checkedAt, unread }: Preflight): string {
  if (unread) return 'The backups could not be read'
  if (!newest) return 'No completed backup yet'
  const completed = newest.complete_time ? `, completed ${readableTime(newest.complete_time)}` : ''
  return `Newest completed backup: ${newest.id} (${ageText(ageOf(newest, checkedAt))}${completed})`
}

export function usualText(install: Install, estimate: DurationEstimate | undefined): string {
  return estimate
    ? `Backups of ${install.name} usually take ${usualRange(estimate)}`
    : `Too few completed backups of ${install.name} to say how long one usually takes`
}

/** `, keeping it encrypted to 2 age recipients`, with archive-recipients. */
function encryptedTo({ archiveRecipients: { length } }: Settings): string {
  return length > 0 ? `, keeping it only encrypted to ${length} age ${length === 1 ? 'recipient' : 'recipients'}` : ''
}

/** What a real run would do, by the same rules: "request a new backup and wait for it, then …". */
function wouldDo(plan: RealRun, settings: Settings): string {
  const copy = settings.archive
    ? `, then have WP Engine archive it as a zip${settings.archivePath ? ` and download the zip to ${settings.archivePath.path}${encryptedTo(settings)}` : ''}`
    : ''
  if (plan.action === 'request') {
    return `request a new backup${settings.wait ? ` and wait for it${copy}` : ' without waiting for it (wait: false)'}`
  }
  const { backup, reason, ageMs, attempt } = plan
  const age = ageMs === undefined ? '' : `, ${formatDuration(ageMs)} old`
  const why = {
    'backup-id': `named by backup-id (${backup.status}${age})`,
    rerun: `requested by attempt ${attempt} of this run (${backup.status}${age})`,
    'in-flight': `already ${backup.status}${age}, instead of requesting a second one`,
    recent: `completed${age}, within reuse-within (${formatDuration(settings.reuseWithinMs ?? 0)}), instead of requesting one`
  }[reason]
  const notWaiting = plan.action === 'use' && !isFinal(normalizeStatus(backup.status)) ? ', without waiting for it (wait: false)' : ''
  return `${plan.action === 'wait' ? 'wait for' : 'use'} backup ${backup.id}, ${why}${notWaiting}${copy}`
}

/** The dry run's one decision: it fails exactly where a real run would fail before its first request to change anything. */
function concludeDryRun(report: DryRunReport, { cancelled, error }: { cancelled: boolean; error?: unknown }): DryRunVerdict {
  const { installs } = report
  if (cancelled || installs.some((entry) => entry.outcome === 'cancelled')) {
    return failed('The dry run was cancelled. Nothing was requested.', true)
  }
  if (error !== undefined) return failed(`Dry run: ${errorLine(error)}`)
  const failing = installs.filter((entry) => entry.error !== undefined)
  const [only] = failing
  if (installs.length === 1 && only) return failed(`Dry run: ${only.error}`)
  const { audit } = report
  if (audit && audit.stale.length > 0) {
    // Every install that would fail has no completed backup either: the audit's line names them all.
    return failed(`Dry run: ${staleLine(audit, installs.length)} Nothing was requested.`)
  }
  if (failing.length > 0) {
    return failed(
      `Dry run: ${failing.length} of ${installs.length} installs would fail in a real run: ${namesByReason(failing)}. The job summary says why for each.`
    )
  }
  const fresh = audit && installs.length > 0 ? `; ${freshText(audit)}` : ''
  return {
    ok: true,
    cancelled: false,
    dryRun: true,
    line: `✅ Dry run passed: ${plansInShort(installs, report.shard)}${fresh}. Nothing was requested.`
  }
}

function failed(line: string, cancelled = false): DryRunVerdict {
  return { ok: false, cancelled, dryRun: true, line, error: line }
}

/** "a real run would request a new backup of mysite", or for several "… request 2 new backups and use 1 existing one". */
function plansInShort(installs: DryRunInstall[], shard: Shard | undefined): string {
  if (installs.length === 0) return `${emptyShardText(shard)}; a real run would request nothing`
  const [only] = installs
  if (installs.length === 1 && only?.preflight?.wouldDo) return `a real run would ${only.preflight.wouldDo}`
  const count = (action: RealRun['action']): number => installs.filter((entry) => entry.preflight?.plan?.action === action).length
  const backups = (n: number): string => (n === 1 ? '1 backup' : `${n} backups`)
  const parts = [
    count('request') > 0 && `request ${count('request') === 1 ? 'a new backup' : `${count('request')} new backups`}`,
    count('use') > 0 && `use ${backups(count('use'))} that exist already`,
    count('wait') > 0 && `wait for ${backups(count('wait'))} already requested or running`
  ].filter(Boolean)
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts.join('')
  return `all ${installs.length} installs found; a real run would ${list}`
}
