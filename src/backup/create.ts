import type { Clock } from '../util/clock.js'
import { formatDuration } from '../util/duration.js'
import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Backup, CreateBackupBody, Install, Unusable } from '../wpengine/types.js'
import { allItems } from '../wpengine/pages.js'

export interface CreateOptions {
  client: Pick<WpeClient, 'createBackup' | 'listBackups'>
  clock: Clock
  install: Install
  body: CreateBackupBody
  /** The tag in body.description that only this step execution uses. */
  marker: string
  log: { info(message: string): void; warning(message: string): void }
  signal?: AbortSignal
  /** How long to give a backup created by a lost request to show up in the list before asking again. */
  recheckDelayMs?: number
  maxRequests?: number
}

export interface CreateResult {
  backup: Backup
  /** True when the create answer was lost and the backup was found in the install's list instead. */
  recovered: boolean
  requests: number
}

/**
 * Requests one backup, exactly once. The API takes no idempotency key, so when the answer to the
 * POST is lost (reset after sending, timeout, 5xx) the backup may exist anyway: list the install's
 * backups and adopt the one carrying this step's marker; only if it is not there after a short
 * re-check is the POST sent again.
 */
export async function createBackupOnce(options: CreateOptions): Promise<CreateResult> {
  const { client, clock, install, body, marker, log, signal, recheckDelayMs = 3_000, maxRequests = 3 } = options
  for (let requests = 1; ; requests++) {
    try {
      return { backup: await client.createBackup(install, body), recovered: false, requests }
    } catch (error) {
      if (!(error instanceof WpeApiError) || !error.detail.ambiguous) throw error
      log.info(`${error.message} Looking for it in the install's backups before asking again.`)
      const found =
        (await findByMarker(client, install, marker)) ??
        (await recheck(clock, recheckDelayMs, signal, () => findByMarker(client, install, marker)))
      if (found) {
        log.info(`Found backup ${found.id}, which this step requested; the lost answer changes nothing.`)
        return { backup: found, recovered: true, requests }
      }
      if (requests >= maxRequests) {
        throw new WpeApiError(
          `${error.message} It did not appear in the install's backups after ${requests} requests. Re-run the job later.`,
          error.detail
        )
      }
      log.info(
        `No backup of this step appeared after ${formatDuration(recheckDelayMs)}: WP Engine did not act on the request; asking again.`
      )
    }
  }
}

async function recheck(
  clock: Clock,
  delayMs: number,
  signal: AbortSignal | undefined,
  look: () => Promise<Backup | undefined>
): Promise<Backup | undefined> {
  await clock.sleep(delayMs, signal)
  return look()
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
