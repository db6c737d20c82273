import { allItems } from '../wpengine/pages.js'
import { normalizeStatus } from '../wpengine/status.js'
import { listLagWindow } from '../workflows/lost-answer.js'
import { pollUntilFinal, type PollResult, type WaitSettings } from '../workflows/poll-until-final.js'
import { formatDuration } from '../time/time-text.js'
import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Archive, Backup, Install } from '../wpengine/types.js'

export interface ArchiveOptions extends WaitSettings {
  client: Pick<WpeClient, 'createArchive' | 'listArchives'>
  install: Install
  backup: Backup
  notificationEmails: string[]
  /** Told whenever the archive is seen, e.g. to mask its download link at once. */
  onCheck?: (archive: Archive) => void
  /** Archives of this backup not to use again: their zip could not be had. */
  spoiled?: ReadonlySet<string>
}

async function archivesOf(client: Pick<WpeClient, 'listArchives'>, install: Install, backupId: string): Promise<Archive[]> {
  const found: Archive[] = []
  for await (const archive of allItems((offset) => client.listArchives(install, offset))) {
    if (archive.backup.id === backupId) found.push(archive)
  }
  return found
}

/** The archive as WP Engine lists it now (with a fresh download link, if it has one); undefined once it is gone. */
export async function findArchive(
  client: Pick<WpeClient, 'listArchives'>,
  install: Install,
  backupId: string,
  archiveId: string
): Promise<Archive | undefined> {
  return (await archivesOf(client, install, backupId)).find((a) => a.id === archiveId)
}

const newest = (archives: Archive[]): Archive | undefined =>
  archives.reduce<Archive | undefined>(
    (best, a) => (best === undefined || Date.parse(a.create_time ?? '') > Date.parse(best.create_time ?? '') ? a : best),
    undefined
  )

/**
 * Gets a downloadable zip of the backup and waits until it is completed or aborted. The create
 * call answers 202 with no body and there is no GET for one archive, so the archive is found in the
 * install's list: an archive of this backup that is not aborted (nor spoiled) is used as it is (a
 * re-run asks for none); otherwise one is requested, and the new one is the archive of this backup that was not in
 * the list before. A lost answer to the request is harmless: the new archive shows up the same way;
 * if none is listed within the list-lag window, it is requested once more, and never a third time.
 */
export async function archiveBackup(options: ArchiveOptions): Promise<PollResult<Archive>> {
  const { client, install, backup, log, clock } = options
  const before = await archivesOf(client, install, backup.id)
  const usable = newest(before.filter((a) => normalizeStatus(a.state) !== 'aborted' && !options.spoiled?.has(a.id)))
  // When the last request's answer was lost, and how many requests were sent.
  let lostAt: number | undefined
  let windowMs = 0
  let requests = 0
  const request = async (): Promise<void> => {
    requests++
    try {
      await client.createArchive(install, { backup_id: backup.id, notification_emails: options.notificationEmails })
      lostAt = undefined
      log.info(`Archive of backup ${backup.id} requested.`)
    } catch (error) {
      if (!(error instanceof WpeApiError) || !error.detail.ambiguous) throw error
      lostAt = clock.now()
      windowMs = listLagWindow(lostAt, options.deadline)
      log.info(`${error.message} Looking for it in the install's archives (a new archive may be listed late).`)
    }
  }
  if (usable) {
    log.info(`Backup ${backup.id} already has archive ${usable.id} (${usable.state}); using it instead of requesting another.`)
  } else {
    await request()
  }
  const known = new Set(before.map((a) => a.id))
  let current: Archive = usable ?? { id: '', backup: { id: backup.id }, state: 'requested' }
  options.onCheck?.(current)
  return pollUntilFinal({
    ...options,
    subject: `the archive of backup ${backup.id}`,
    initial: current,
    // Until the new archive is listed, it counts as requested.
    check: async () => {
      const archives = await archivesOf(client, install, backup.id)
      const seen = current.id ? archives.find((a) => a.id === current.id) : newest(archives.filter((a) => !known.has(a.id)))
      if (seen) current = seen
      else if (lostAt !== undefined && clock.now() - lostAt >= windowMs) {
        const unlisted = formatDuration(clock.now() - lostAt)
        if (requests >= 2) {
          throw new Error(
            `No archive of backup ${backup.id} is listed ${unlisted} after the second request, whose answer was lost too; WP Engine may still make one. Re-run the job later: it uses that archive if it appears.`
          )
        }
        log.info(
          `No archive of backup ${backup.id} is listed ${unlisted} after the answer was lost, longer than WP Engine's list lags; asking once more.`
        )
        await request()
      }
      return current
    },
    state: (a) => a.state,
    onCheck: options.onCheck
  })
}
