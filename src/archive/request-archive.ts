import { allItems } from '../wpengine/pages.js'
import { normalizeStatus } from '../wpengine/status.js'
import { requestOnce } from '../workflows/lost-answer.js'
import { pollUntilFinal, type PollResult, type WaitSettings } from '../workflows/poll-until-final.js'
import { formatDuration } from '../time/time-text.js'
import type { WpeClient } from '../wpengine/client.js'
import type { Archive, Backup, Install, Unusable } from '../wpengine/types.js'

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

/**
 * The install's archives of the backup. A malformed entry of this backup may be the very archive the
 * step requested: the step stops rather than wait for it without end, or request a second one.
 */
async function archivesOf(client: Pick<WpeClient, 'listArchives'>, install: Install, backupId: string): Promise<Archive[]> {
  const askedFor = (item: Unusable): boolean => item.backupId === backupId
  const found: Archive[] = []
  const archives = allItems(
    (offset) => client.listArchives(install, offset, { askedFor }),
    (item) => {
      throw new Error(
        `WP Engine lists an archive of backup ${backupId} of install ${install.name}, but its entry does not match the API's description (${item.reason}); ` +
          'not waiting for it nor requesting another. Check the install in the WP Engine User Portal, then re-run the job.'
      )
    }
  )
  for await (const archive of archives) {
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
 * the list before. A lost answer to the request is looked for in the list before it is sent again,
 * once (requestOnce).
 */
export async function archiveBackup(options: ArchiveOptions): Promise<PollResult<Archive>> {
  const { client, install, backup, log, clock } = options
  const before = await archivesOf(client, install, backup.id)
  const usable = newest(before.filter((a) => normalizeStatus(a.state) !== 'aborted' && !options.spoiled?.has(a.id)))
  const known = new Set(before.map((a) => a.id))
  // The archive of this backup that was not listed before the request.
  const newArchive = async (): Promise<Archive | undefined> =>
    newest((await archivesOf(client, install, backup.id)).filter((a) => !known.has(a.id)))
  let current: Archive | undefined = usable
  if (usable) {
    log.info(`Backup ${backup.id} already has archive ${usable.id} (${usable.state}); using it instead of requesting another.`)
  } else {
    const { made } = await requestOnce<Archive, undefined>({
      clock,
      deadline: options.deadline,
      signal: options.signal,
      send: async () => {
        await client.createArchive(install, { backup_id: backup.id, notification_emails: options.notificationEmails })
        log.info(`Archive of backup ${backup.id} requested.`)
        return undefined
      },
      look: newArchive,
      log,
      say: {
        looking: (error) => `${error.message} Looking for it in the install's archives (a new archive may be listed late).`,
        askingAgain: (lookedForMs) =>
          `No archive of backup ${backup.id} is listed ${formatDuration(lookedForMs)} after the answer was lost, longer than WP Engine's list lags; asking once more.`,
        tooLate: (error, lookedForMs) =>
          `${error.message} No archive of backup ${backup.id} was listed in the ${formatDuration(lookedForMs)} before the step's timeout, too short to ask again safely; WP Engine may still make one. Re-run the job later: it uses that archive if it appears.`,
        lostTwice: (_error, lookedForMs) =>
          `No archive of backup ${backup.id} is listed ${formatDuration(lookedForMs)} after the second request, whose answer was lost too; WP Engine may still make one. Re-run the job later: it uses that archive if it appears.`,
        cannotLook: (error, missing) =>
          `${error.message} The API does not offer ${missing.detail.feature} to look for it in (${missing.detail.endpoint} answered 403 Missing Authentication Token), so the step does not ask again: the archive may have been requested.`
      }
    })
    current = made
  }
  // Until the new archive is listed, it counts as requested.
  let seen: Archive = current ?? { id: '', backup: { id: backup.id }, state: 'requested' }
  options.onCheck?.(seen)
  return pollUntilFinal({
    ...options,
    subject: `the archive of backup ${backup.id}`,
    initial: seen,
    check: async () => {
      const listed = seen.id ? await findArchive(client, install, backup.id, seen.id) : await newArchive()
      if (listed) seen = listed
      return seen
    },
    state: (a) => a.state,
    onCheck: options.onCheck
  })
}
