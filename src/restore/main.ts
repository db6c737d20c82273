import { getBackupOf } from '../backup/get-backup.js'
import { describeInstall, resolveInstalls } from '../backup/resolve-install.js'
import { normalizeStatus } from '../backup/status.js'
import { systemClock } from '../clock.js'
import { InputReader, installLabel, type InstallRef } from '../inputs.js'
import { safeText } from '../log-safety.js'
import { cell } from '../markdown.js'
import { actionDependencies, failureMessage, group, readSettings, writeSummary, type Dependencies } from '../step.js'
import { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import { createNodeSend, type ClosableSend } from '../wpengine/http.js'
import type { Install } from '../wpengine/types.js'

export interface RestoreSettings {
  install: InstallRef
  backupId: string
  notificationEmails: string[]
  restoreDatabase: boolean
  createCheckpoint: boolean
  userId: string
  password: string
  apiUrl: URL
}

// Finding the install, checking the backup and sending the request take seconds; this bounds a hung API.
const RESTORE_STEP_TIMEOUT_MS = 5 * 60_000

export function parseRestoreInputs(getInput: (name: string) => string, env: NodeJS.ProcessEnv): RestoreSettings {
  const read = new InputReader(getInput, env)
  const installs = read.installs()
  if (installs.length > 1)
    read.problems.push(
      `install lists ${installs.length} installs (${installs.map(installLabel).join(', ')}): a restore goes to exactly one`
    )
  const backupId = read.backupId(true)
  const notificationEmails = read.emails('to restore: WP Engine emails these addresses when the restore is done')
  const restoreDatabase = read.boolean('restore-database', true)
  const createCheckpoint = read.boolean('create-checkpoint', true)
  const { userId, password } = read.credentials()
  const apiUrl = read.apiUrl()
  read.done()
  return {
    install: installs[0] as InstallRef,
    backupId: backupId as string,
    notificationEmails,
    restoreDatabase,
    createCheckpoint,
    userId,
    password,
    apiUrl
  }
}

/**
 * Restores an install from a backup, for a failed deploy. Checks first that the backup belongs to
 * the install and is completed; the API gives no status to follow, so success means WP Engine
 * accepted the restore. A lost answer is never resent: a second restore would run again over the
 * first, so the step fails and says to look before trying again.
 */
export async function runRestore(deps: Dependencies = actionDependencies()): Promise<void> {
  const { runner } = deps
  const settings = readSettings(runner, () => parseRestoreInputs((name) => runner.getInput(name), deps.env))
  if (!settings) return
  const clock = deps.clock ?? systemClock
  const send = deps.send ?? createNodeSend(deps.env)
  const client = new WpeClient({
    ...settings,
    send,
    clock,
    deadline: clock.now() + RESTORE_STEP_TIMEOUT_MS,
    random: deps.random,
    onRetry: (message) => runner.info(message)
  })
  let install: Install | undefined
  try {
    install = await group(runner, `Finding install ${installLabel(settings.install)}`, async () => {
      const [found] = await resolveInstalls(client, [settings.install])
      if (!found || 'error' in found) throw found?.error
      runner.info(describeInstall(found.install))
      return found.install
    })
    const target = install
    await group(runner, `Restoring ${target.name} from backup ${settings.backupId}`, async () => {
      const backup = await getBackupOf(client, target, settings.backupId)
      const status = normalizeStatus(backup.status)
      runner.info(`Backup ${backup.id} is ${safeText(backup.status, 40)}: ${safeText(backup.description ?? '')}`)
      if (status === 'aborted') {
        throw new Error(
          `Backup ${backup.id} of install ${target.name} was aborted, so it holds no restore point; nothing was restored. Restore from a completed backup.`
        )
      }
      if (status !== 'completed') {
        throw new Error(
          `Backup ${backup.id} of install ${target.name} is ${safeText(backup.status, 40)}, not completed; nothing was restored. ` +
            `Wait for it first (the backup action with backup-id: ${backup.id}), then restore.`
        )
      }
      const options = `database ${settings.restoreDatabase ? 'included' : 'left as it is'}, ${settings.createCheckpoint ? 'a checkpoint backup first' : 'no checkpoint'}`
      runner.info(`Asking WP Engine to restore ${target.name} from backup ${backup.id} (${options}).`)
      try {
        await client.restoreBackup(target, backup.id, {
          notification_emails: settings.notificationEmails,
          restore_database: settings.restoreDatabase,
          create_checkpoint: settings.createCheckpoint
        })
      } catch (error) {
        if (error instanceof WpeApiError && error.detail.ambiguous) {
          throw new WpeApiError(
            `${error.message} Check install ${target.name} in the WP Engine User Portal before running the restore again: a second request would restore it twice.`,
            error.detail
          )
        }
        throw error
      }
    })
  } catch (error) {
    if (install) runner.setOutput('install-id', install.id)
    runner.setFailed(failureMessage(error))
    await writeSummary(runner, `## ❌ WP Engine restore not started\n\n> [!CAUTION]\n> ${cell(failureMessage(error))}\n`)
    return
  } finally {
    if (!deps.send) (send as ClosableSend).close()
  }

  const acceptedAt = new Date(clock.now()).toISOString()
  const outputs = {
    accepted: 'true',
    'accepted-at': acceptedAt,
    'install-id': install.id,
    'install-name': install.name,
    'backup-id': settings.backupId
  }
  for (const [name, value] of Object.entries(outputs)) runner.setOutput(name, value)
  await writeSummary(
    runner,
    [
      '## ✅ WP Engine restore accepted',
      '',
      '| | |',
      '| --- | --- |',
      `| Install | ${install.name} (${install.id}) |`,
      `| Backup ID | ${settings.backupId} |`,
      `| Database | ${settings.restoreDatabase ? 'restored' : 'left as it is'} |`,
      `| Checkpoint first | ${settings.createCheckpoint ? 'yes' : 'no'} |`,
      `| Accepted at | ${acceptedAt} |`,
      '',
      `WP Engine gives no restore status to follow; it emails ${settings.notificationEmails.join(', ')} when the restore is done.`,
      ''
    ].join('\n')
  )
  runner.info(
    `✅ WP Engine accepted the restore of ${install.name} from backup ${settings.backupId}. It runs on WP Engine now and emails ${settings.notificationEmails.join(', ')} when done; the API gives no status to wait on.`
  )
}
