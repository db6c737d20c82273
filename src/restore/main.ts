import { describeInstall, findInstalls } from '../workflows/find-installs.js'
import { getBackupOf } from '../workflows/get-backup.js'
import {
  actionDependencies,
  defineStep,
  runAction,
  type ActionDefinition,
  type Dependencies,
  type StepDefinition
} from '../step/harness.js'
import { parseRestoreInputs, type RestoreSettings } from './inputs.js'
import { conclude, type RestoreReport, type RestoreVerdict } from './conclude.js'
import { assertRestorable, requestRestore } from './request-restore.js'
import { renderRestoreSummary } from './summary.js'

// Finding the install, checking the backup and sending the request take seconds; this bounds a hung API.
const RESTORE_STEP_TIMEOUT_MS = 5 * 60_000

/**
 * The restore action, for a failed deploy: checks that the backup belongs to the install and is
 * completed, then asks WP Engine to restore from it. The API gives no status to follow, so success
 * means WP Engine accepted the restore.
 */
const restoreStep: StepDefinition<RestoreSettings, RestoreReport, RestoreVerdict> = {
  limits: () => ({ timeoutMs: RESTORE_STEP_TIMEOUT_MS }),
  start: (settings) => ({ settings, request: 'not-sent' }),
  async work(report, { core, client, clock, settings }) {
    const [found] = await findInstalls(client, [settings.install])
    if (!found || 'error' in found) throw found?.error
    const { install } = found
    core.info(describeInstall(install))
    report.install = install
    // A handful of lines: no groups to open.
    const backup = await getBackupOf(client, install, settings.backupId)
    report.backup = backup
    core.info(`Backup ${backup.id} is ${backup.status}: ${backup.description ?? ''}`)
    assertRestorable(backup, install)
    const options = `database ${settings.restoreDatabase ? 'included' : 'left as it is'}, ${settings.createCheckpoint ? 'a checkpoint backup first' : 'no checkpoint'}`
    core.info(`Asking WP Engine to restore ${install.name} from backup ${backup.id} (${options}).`)
    report.request = 'sending'
    await requestRestore(client, install, backup, {
      notification_emails: settings.notificationEmails,
      restore_database: settings.restoreDatabase,
      create_checkpoint: settings.createCheckpoint
    })
    report.request = 'accepted'
    report.acceptedAt = new Date(clock.now()).toISOString()
  },
  conclude,
  outputs: (report) => ({
    accepted: String(report.request === 'accepted'),
    'accepted-at': report.acceptedAt ?? '',
    'install-id': report.install?.id ?? '',
    'install-name': report.install?.name ?? '',
    'backup-id': report.request === 'not-sent' ? '' : report.settings.backupId
  }),
  summary: renderRestoreSummary
}

export const restoreAction: ActionDefinition<RestoreSettings> = {
  title: 'WP Engine restore',
  readInputs: parseRestoreInputs,
  stepFor: () => defineStep(restoreStep)
}

export function runRestore(deps: Dependencies = actionDependencies()): Promise<void> {
  return runAction(restoreAction, deps)
}
