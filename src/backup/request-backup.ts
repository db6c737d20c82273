import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import type { WpeClient } from '../wpengine/client.js'
import type { Backup, CreateBackupBody, Install, Unusable } from '../wpengine/types.js'
import { allItems } from '../wpengine/pages.js'
import { requestOnce } from '../workflows/lost-answer.js'

export interface CreateOptions {
  client: Pick<WpeClient, 'createBackup' | 'listBackups'>
  clock: Clock
  /** Absolute clock time when the step's timeout runs out: no look, and no second request, after it. */
  deadline: number
  install: Install
  body: CreateBackupBody
  /** The tag in body.description that only this step execution uses. */
  marker: string
  log: { info(message: string): void; warning(message: string): void }
  signal?: AbortSignal
  /** How long to look for a backup made by a lost request before asking again (a list can lag). */
  listLagWindowMs?: number
}

export interface CreateResult {
  backup: Backup
  /** True when the create answer was lost and the backup was found in the install's list instead. */
  recovered: boolean
  requests: number
}

/**
 * Requests one backup, exactly once. The API takes no idempotency key, so when the answer to the
 * POST is lost the backup may exist anyway: it is looked for in the install's list by this step's
 * marker before the POST is sent again, once (requestOnce).
 */
export async function createBackupOnce(options: CreateOptions): Promise<CreateResult> {
  const { client, clock, deadline, install, body, marker, log, signal, listLagWindowMs } = options
  const unknown = `WP Engine may still list a backup of this step (tagged ${marker}) later: check install ${install.name} in the WP Engine User Portal before running the job again.`
  const { made, recovered, requests } = await requestOnce<Backup, Backup>({
    clock,
    deadline,
    signal,
    windowMs: listLagWindowMs,
    send: () => client.createBackup(install, body),
    look: () => findByMarker(client, install, marker),
    log,
    say: {
      looking: (error) => `${error.message} Looking for it in the install's backups (a new backup may be listed late) before asking again.`,
      found: (backup) => `Found backup ${backup.id}, which this step requested; the lost answer changes nothing.`,
      askingAgain: (lookedForMs) =>
        `No backup of this step is listed ${formatDuration(lookedForMs)} after the answer was lost, longer than WP Engine's list lags; asking once more.`,
      tooLate: (error, lookedForMs) =>
        `${error.message} No backup of this step was listed in the ${formatDuration(lookedForMs)} before the step's timeout, too short to ask again safely. ${unknown}`,
      lostTwice: (error, lookedForMs) =>
        `${error.message} That was the second request: no backup of this step was listed ${formatDuration(lookedForMs)} after either. ${unknown}`,
      cannotLook: (error, missing) =>
        `${error.message} The API does not offer ${missing.detail.feature} to look for it in (${missing.detail.endpoint} answered 403 Missing Authentication Token), so the step does not ask again: the backup may have been requested. ${unknown}`
    }
  })
  return { backup: made, recovered, requests }
}

/**
 * The backup whose description carries this step's marker, if the install has one. A malformed entry
 * that carries it is this step's backup all the same: the step stops rather than request a second one.
 */
export async function findByMarker(client: Pick<WpeClient, 'listBackups'>, install: Install, marker: string): Promise<Backup | undefined> {
  const askedFor = (item: Unusable): boolean => item.description?.includes(marker) ?? false
  const backups = allItems(
    (offset) => client.listBackups(install, offset, { askedFor }),
    (item) => {
      throw new Error(
        `WP Engine lists a backup of install ${install.name} that carries this step's tag, but its entry does not match the API's description (${item.reason}); ` +
          'not requesting another backup. Check the install in the WP Engine User Portal, then re-run the job.'
      )
    }
  )
  for await (const backup of backups) {
    if (backup.description?.includes(marker)) return backup
  }
  return undefined
}
