import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Backup, CreateBackupBody, Install, Unusable } from '../wpengine/types.js'
import { allItems } from '../wpengine/pages.js'
import { lookAcrossListLag } from '../workflows/lost-answer.js'

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

// The first request, and at most one more once the first was surely not listed.
const MAX_REQUESTS = 2

/**
 * Requests one backup, exactly once. The API takes no idempotency key, so when the answer to the
 * POST is lost (reset after sending, timeout, 5xx) the backup may exist anyway: list the install's
 * backups and adopt the one carrying this step's marker. A new backup can be listed late, so the
 * list is looked at with growing gaps across a window; only if the backup is not there by then is
 * the POST sent again, once.
 */
export async function createBackupOnce(options: CreateOptions): Promise<CreateResult> {
  const { client, clock, deadline, install, body, marker, log, signal, listLagWindowMs } = options
  for (let requests = 1; ; requests++) {
    try {
      return { backup: await client.createBackup(install, body), recovered: false, requests }
    } catch (error) {
      if (!(error instanceof WpeApiError) || !error.detail.ambiguous) throw error
      log.info(`${error.message} Looking for it in the install's backups (a new backup may be listed late) before asking again.`)
      const { found, lookedForMs, complete } = await lookAcrossListLag({
        clock,
        deadline,
        signal,
        windowMs: listLagWindowMs,
        look: () => findByMarker(client, install, marker)
      })
      if (found) {
        log.info(`Found backup ${found.id}, which this step requested; the lost answer changes nothing.`)
        return { backup: found, recovered: true, requests }
      }
      const unknown = `WP Engine may still list a backup of this step (tagged ${marker}) later: check install ${install.name} in the WP Engine User Portal before running the job again.`
      if (!complete) {
        throw new WpeApiError(
          `${error.message} No backup of this step was listed in the ${formatDuration(lookedForMs)} before the step's timeout, too short to ask again safely. ${unknown}`,
          { ...error.detail, kind: 'deadline' }
        )
      }
      if (requests >= MAX_REQUESTS) {
        throw new WpeApiError(
          `${error.message} That was the second request: no backup of this step was listed ${formatDuration(lookedForMs)} after either. ${unknown}`,
          error.detail
        )
      }
      log.info(
        `No backup of this step is listed ${formatDuration(lookedForMs)} after the answer was lost, longer than WP Engine's list lags; asking once more.`
      )
    }
  }
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
