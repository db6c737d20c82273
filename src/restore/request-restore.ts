import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import { normalizeStatus } from '../wpengine/status.js'
import type { Backup, Install, RestoreBody } from '../wpengine/types.js'

/** No backup the install can be restored from; `reason` is a few words for a line that names many installs. */
export class NoRestorePoint extends Error {
  constructor(
    message: string,
    readonly reason: string
  ) {
    super(message)
    this.name = 'NoRestorePoint'
  }
}

/**
 * Refuses a backup that cannot be restored from: it must be completed (one of another install was
 * never found, as WP Engine answers 404 for it). Nothing is sent when it is not.
 */
export function assertRestorable(backup: Backup, install: Install): void {
  const status = normalizeStatus(backup.status)
  if (status === 'aborted') {
    throw new NoRestorePoint(
      `Backup ${backup.id} of install ${install.name} was aborted, so it holds no restore point; nothing was restored. Restore from a completed backup.`,
      'backup aborted'
    )
  }
  if (status !== 'completed') {
    throw new NoRestorePoint(
      `Backup ${backup.id} of install ${install.name} is ${backup.status}, not completed; nothing was restored. ` +
        `Wait for it first (the backup action with backup-id: ${backup.id}), then restore.`,
      `backup ${backup.status}`
    )
  }
}

/**
 * Sends the restore request, once. A lost answer is never resent: a second restore would run again
 * over the first, so the error says to look at the install before trying again.
 */
export async function requestRestore(
  client: Pick<WpeClient, 'restoreBackup'>,
  install: Install,
  backup: Backup,
  body: RestoreBody
): Promise<void> {
  try {
    await client.restoreBackup(install, backup.id, body)
  } catch (error) {
    if (error instanceof WpeApiError && error.detail.ambiguous) {
      throw new WpeApiError(
        `${error.message} Check install ${install.name} in the WP Engine User Portal before running the restore again: a second request would restore it twice.`,
        error.detail
      )
    }
    throw error
  }
}
