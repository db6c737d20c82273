import { getBackupOf } from '../workflows/get-backup.js'
import { type StepTools } from '../step/harness.js'
import type { Scope } from '../step/log-scope.js'
import { isFinal, normalizeStatus } from '../wpengine/status.js'
import type { Backup, Install } from '../wpengine/types.js'
import { createBackupOnce } from './request-backup.js'
import { stepMarker } from '../step/step-marker.js'
import { describeBackup } from './description.js'
import type { Settings } from './inputs.js'
import {
  abortedMessage,
  cannotLook,
  historyLine,
  missingRouteWarning,
  outdatedMessage,
  reuseMessage,
  staleMessage,
  stuckNamedMessage,
  timeoutMessage,
  waitTitle
} from './messages.js'
import { recordBackup, type InstallReport } from './report.js'
import { ageOf, listBackups } from '../workflows/list-backups.js'
import { findReusable, mayReuse, reuseLookups, stuckNamedBackup } from './reuse.js'
import { historyOf } from './history.js'
import { waitForBackup } from './wait-for-backup.js'
import { errorLine, isMissingRouteError } from '../wpengine/errors.js'

type Tools = StepTools<Settings>

/** One install: its backup (named, reused or requested exactly once), then the wait for it. */
export async function backUpInstall(
  tools: Tools,
  entry: InstallReport,
  install: Install,
  scope: Scope,
  obtaining: <T>(work: () => Promise<T>) => Promise<T> = (work) => work()
): Promise<void> {
  const { client, clock, settings, deadline, signal } = tools
  const obtainedFrom = clock.now()
  const { backup, listed, requested } = await obtaining(() =>
    scope.group(backupTitle(tools, install), () => obtainBackup(tools, entry, install, scope.log))
  )
  recordBackup(entry, backup)

  const status = normalizeStatus(backup.status)
  if (!settings.wait && !isFinal(status)) {
    entry.outcome = 'requested'
    return
  }
  const start = clock.now()
  const result = isFinal(status)
    ? { backup, status, outcome: status, waitedMs: 0 }
    : await scope.group(waitTitle(backup, deadline - start, settings.pollIntervalMs), async () => {
        // The backup's age by WP Engine's create_time against WP Engine's clock; one requested by this
        // step is no older than its request, whatever the two clocks say.
        const age = ageOf(backup, client.apiNow()) ?? 0
        const ageAtStartMs = requested ? Math.min(age, start - obtainedFrom) : age
        entry.startedAt = start - ageAtStartMs
        const history = learnHistory(tools, entry, install, listed, scope.log, entry.startedAt)
        try {
          return await waitForBackup({
            client,
            clock,
            install,
            backup,
            deadline,
            pollCeilingMs: settings.pollIntervalMs,
            expected: () => entry.usual,
            ageAtStartMs,
            log: scope.log,
            signal,
            random: tools.random,
            onCheck: (seen) => {
              recordBackup(entry, seen)
              entry.waitedMs = clock.now() - start
            }
          })
        } finally {
          history.abort()
        }
      })
  recordBackup(entry, result.backup)
  entry.waitedMs = result.waitedMs
  entry.outcome = result.outcome
  if (result.outcome === 'aborted') {
    entry.error = abortedMessage(result.backup, install)
    entry.reason = 'aborted by WP Engine'
  } else if (result.outcome === 'timeout') {
    entry.error = timeoutMessage(result.backup, install, result.status, settings.timeoutMs)
    entry.reason = `still ${result.status.replace('_', ' ')} at the timeout`
  }
}

function reusePolicy({ context, settings, client }: Tools) {
  return { context, reuseWithinMs: settings.reuseWithinMs, now: client.apiNow() }
}

function backupTitle(tools: Tools, install: Install): string {
  if (tools.settings.backupId) return `Checking backup ${tools.settings.backupId}`
  return mayReuse(reusePolicy(tools))
    ? `Looking for a backup of ${install.name} to reuse, or requesting one`
    : `Requesting a backup of ${install.name}`
}

/**
 * The install's history, read while the wait begins (from the list already read for reuse, or with
 * one more pass): the usual range paces the checks once it is known. It never delays or fails the
 * wait, and is abandoned when the wait ends first.
 */
function learnHistory(
  { client, signal, warnOnce }: Tools,
  entry: InstallReport,
  install: Install,
  listed: Backup[] | undefined,
  log: Scope['log'],
  createdAt: number
): AbortController {
  const done = new AbortController()
  const learn = async (): Promise<void> => {
    // One attempt: an API that is failing has the wait's own checks to retry, and the budget for them.
    const all = listed ?? (await listBackups(client, install, { signal: done.signal, once: true }))
    if (done.signal.aborted) return
    const { durations, estimate } = historyOf(all)
    entry.usual = estimate
    log.info(historyLine(install, durations.length, estimate, createdAt))
  }
  learn().catch((error: unknown) => {
    if (done.signal.aborted || signal.aborted) return
    if (isMissingRouteError(error)) return warnOnce(missingRouteWarning(error, cannotLook('history')))
    log.info(`Could not read the backup history of ${install.name} (${errorLine(error)}); checks keep the schedule that needs none.`)
  })
  return done
}

/**
 * The backup to wait for (the one named by backup-id, one to reuse, or a new one: `requested`), and
 * the install's backups when they were listed.
 */
async function obtainBackup(
  tools: Tools,
  entry: InstallReport,
  install: Install,
  log: Scope['log']
): Promise<{ backup: Backup; listed?: Backup[]; requested?: true }> {
  const { client, clock, settings, signal, context, deadline } = tools
  if (settings.backupId) {
    const existing = await getBackupOf(client, install, settings.backupId)
    log.info(`Backup ${existing.id} is ${existing.status}: ${existing.description ?? ''}`)
    const { stuck, backups } = await stuckNamedBackup(client, install, existing, client.apiNow())
    if (stuck) throw new Error(stuckNamedMessage(stuck, install))
    return { backup: existing, listed: backups }
  }
  const choice = await findReusable(client, install, reusePolicy(tools)).catch((error: unknown) => {
    // An API without the list of backups (an older version) still gets its backup: requested once, and said.
    if (!isMissingRouteError(error)) throw error
    for (const lookup of reuseLookups(reusePolicy(tools))) tools.warnOnce(missingRouteWarning(error, cannotLook(lookup)))
    return { reusable: undefined, backups: undefined, stale: [], outdated: undefined }
  })
  const { reusable, backups: listed } = choice
  for (const stale of choice.stale) log.warning(staleMessage(stale, install))
  if (choice.outdated) log.info(outdatedMessage(choice.outdated, settings.reuseWithinMs))
  if (reusable) {
    const { backup, ...reused } = reusable
    entry.reused = reused
    log.info(reuseMessage(reusable, install, settings.reuseWithinMs))
    return { backup, listed }
  }
  const marker = stepMarker(context)
  const description = describeBackup(settings.description, context, marker)
  log.info(`Description: ${description}`)
  log.info(`Notification emails: ${settings.notificationEmails.join(', ')}`)
  const created = await createBackupOnce({
    client,
    clock,
    deadline,
    install,
    body: { description, notification_emails: settings.notificationEmails },
    marker,
    log,
    signal
  })
  log.info(`Backup ${created.backup.id} requested; its status is ${created.backup.status}`)
  return { backup: created.backup, listed, requested: true }
}
