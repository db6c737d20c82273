import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Backup, Install } from '../wpengine/types.js'

/** The backup, or an error that names it and its install when WP Engine does not know it there. */
export async function getBackupOf(client: Pick<WpeClient, 'getBackup'>, install: Install, backupId: string): Promise<Backup> {
  try {
    return await client.getBackup(install, backupId)
  } catch (error) {
    if (error instanceof WpeApiError && error.status === 404) {
      throw new WpeApiError(
        `Backup ${backupId} was not found on install ${install.name}. Check backup-id, and that the backup belongs to this install.`,
        error.detail
      )
    }
    throw error
  }
}
