import { formatDuration } from '../util/duration.js'
import { getBackupOf } from '../shared/get-backup.js'
import type { StepTools } from '../shared/harness.js'
import type { Scope } from '../shared/scope.js'
import { isFinal, normalizeStatus } from '../wpengine/status.js'
import type { Backup, Install } from '../wpengine/types.js'
import { createBackupOnce } from './create.js'
import { describeBackup, stepMarker } from './description.js'
import type { Settings } from './inputs.js'
import { abortedMessage, reuseMessage, timeoutMessage } from './messages.js'
import { recordBackup, type InstallReport } from './report.js'
import { findReusable, mayReuse } from './reuse.js'
import { waitForBackup } from './wait.js'

type Tools = StepTools<Settings>

/** One install: its backup (named, reused or requested exactly once), then the wait for it. */
export async function backUpInstall(
  tools: Tools,
  entry: InstallReport,
  install: Install,
  scope: Scope,
  onCheck: () => void
): Promise<void> {
  const { client, clock, settings, deadline, signal } = tools
  const backup = await scope.group(backupTitle(tools, install), () => obtainBackup(tools, entry, install, scope.log))
  recordBackup(entry, backup)

  const status = normalizeStatus(backup.status)
  if (!settings.wait && !isFinal(status)) {
    entry.outcome = 'requested'
    return
  }
  const start = clock.now()
  const result = isFinal(status)
    ? { backup, status, outcome: status, waitedMs: 0 }
    : await scope.group(
        `Waiting for backup ${backup.id} (timeout ${formatDuration(deadline - start)}, checks at most ${formatDuration(settings.pollIntervalMs)} apart)`,
        () =>
          waitForBackup({
            client,
            clock,
            install,
            backup,
            deadline,
            pollCeilingMs: settings.pollIntervalMs,
            log: scope.log,
            signal,
            random: tools.random,
            onCheck: (seen) => {
              recordBackup(entry, seen)
              entry.waitedMs = clock.now() - start
              onCheck()
            }
          })
      )
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

function reusePolicy({ context, settings, clock }: Tools) {
  return { context, reuseWithinMs: settings.reuseWithinMs, now: clock.now() }
}

function backupTitle(tools: Tools, install: Install): string {
  if (tools.settings.backupId) return `Checking backup ${tools.settings.backupId}`
  return mayReuse(reusePolicy(tools))
    ? `Looking for a backup of ${install.name} to reuse, or requesting one`
    : `Requesting a backup of ${install.name}`
}

/** The backup to wait for: the one named by backup-id, one to reuse, or a new one. */
async function obtainBackup(tools: Tools, entry: InstallReport, install: Install, log: Scope['log']): Promise<Backup> {
  const { client, clock, settings, signal, context, deadline } = tools
  if (settings.backupId) {
    const existing = await getBackupOf(client, install, settings.backupId)
    log.info(`Backup ${existing.id} is ${existing.status}: ${existing.description ?? ''}`)
    return existing
  }
  const reusable = await findReusable(client, install, reusePolicy(tools))
  if (reusable) {
    const { backup, ...reused } = reusable
    entry.reused = reused
    log.info(reuseMessage(reusable, install, settings.reuseWithinMs))
    return backup
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
  return created.backup
}
