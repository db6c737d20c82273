import { getBackupOf } from '../workflows/get-backup.js'
import { pollUntilFinal, type PollResult, type WaitSettings } from '../workflows/poll-until-final.js'
import type { WpeClient } from '../wpengine/client.js'
import type { Backup, Install } from '../wpengine/types.js'

export interface WaitOptions extends WaitSettings {
  client: Pick<WpeClient, 'getBackup'>
  install: Install
  /** The backup as last seen (from the create answer, or a first GET). */
  backup: Backup
  onCheck?: (backup: Backup) => void
}

export interface WaitResult extends Omit<PollResult<Backup>, 'item'> {
  backup: Backup
}

/** Polls the backup until it is completed or aborted, or the deadline passes. */
export async function waitForBackup(options: WaitOptions): Promise<WaitResult> {
  const { client, install, backup, ...settings } = options
  const { item, ...rest } = await pollUntilFinal({
    ...settings,
    subject: `backup ${backup.id}`,
    initial: backup,
    check: () => getBackupOf(client, install, backup.id),
    state: (b) => b.status
  })
  return { backup: item, ...rest }
}
