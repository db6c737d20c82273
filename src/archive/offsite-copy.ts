import { join } from 'node:path'
import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import type { Scope } from '../step/log-scope.js'
import type { WpeClient } from '../wpengine/client.js'
import { CancelledError, errorLine, isMissingRouteError } from '../wpengine/errors.js'
import { Semaphore } from '../wpengine/semaphore.js'
import { normalizeStatus } from '../wpengine/status.js'
import type { Archive, Backup, BackupStatus, Install } from '../wpengine/types.js'
import { archiveBackup, findArchive } from './request-archive.js'
import { DiskClaims, downloadArchive, DownloadError, type Downloaded } from './download.js'
import type { Core } from '../step/core.js'

/** Where archive-path puts the zips (absolute), decided once when the inputs are read. */
export interface ArchiveDestination {
  path: string
  /** Each install's zip goes in it as `<install>-<backup id>.zip`; otherwise `path` is the zip. */
  isDirectory: boolean
}

/** The off-site copy of one install's backup: its archive, and the downloaded zip; kept current as it goes. */
export interface ArchiveReport {
  archive?: Archive
  state?: BackupStatus
  /** Set when the off-site copy ended badly: aborted, timed out or failed. */
  error?: string
  /** The off-site copy ended well: the archive is completed, and its zip downloaded when asked for. */
  copied?: boolean
  /** The archive completed without a download link (the API allows it), and none was fetched. */
  noLink?: boolean
  file?: string
  bytes?: number
  sha256?: string
}

// Downloads at once across installs: a storage that limits each connection still fills the runner's
// link, and the runner's disk and network are not swamped by twenty at once.
const MAX_PARALLEL_DOWNLOADS = 3
// A completed archive without a link may get one some time later (40 s has been seen): asked again at
// gaps growing by half from 5 s to 30 s, for up to LINK_PATIENCE_MS, before a new archive is requested;
// the last look comes LINK_LAST_LOOK_MS before the timeout, so that its answer still counts.
const LINK_FIRST_GAP_MS = 5_000
const LINK_GAP_GROWTH = 1.5
const LINK_MAX_GAP_MS = 30_000
const LINK_PATIENCE_MS = 5 * 60_000
const LINK_LAST_LOOK_MS = 2_000

/** What the copies of one step share: the cap on downloads at once, and the disk they write to. */
export interface SharedDownloads {
  slots: Semaphore
  disk: DiskClaims
}

export function sharedDownloads(): SharedDownloads {
  return { slots: new Semaphore(MAX_PARALLEL_DOWNLOADS), disk: new DiskClaims() }
}

export interface ArchivePhaseOptions {
  core: Pick<Core, 'setSecret'>
  /** Where this install's lines go. */
  scope: Scope
  client: Pick<WpeClient, 'createArchive' | 'listArchives'>
  clock: Clock
  install: Install
  backup: Backup
  notificationEmails: string[]
  /** Download the zip here. */
  archivePath?: ArchiveDestination
  /** The link goes to the archive-url output (one install); with several, it is not output. */
  linkOutput: boolean
  timeoutMs: number
  deadline: number
  pollCeilingMs?: number
  env: NodeJS.ProcessEnv
  signal: AbortSignal
  random?: () => number
  shared: SharedDownloads
  /** A download connection silent this long is dropped and resumed; DEFAULT_STALL_MS unless a test shortens it. */
  downloadStallMs?: number
}

/**
 * Asks for an archive of the completed backup, waits for it, and with archive-path downloads its
 * zip. A refused or missing link is fetched again from WP Engine; when the link stays dead, or the
 * zip is damaged, one new archive of the backup is requested in its place, all within the timeout.
 */
export async function archiveCopy(entry: ArchiveReport, options: ArchivePhaseOptions): Promise<void> {
  const { core, scope, client, clock, install, backup, deadline, signal } = options
  const { log } = scope
  // The download link is a bearer URL: masked the moment it is seen, before anything could log it.
  const masked = new Set<string>()
  const see = (seen: Archive): void => {
    if (seen.download_uri && !masked.has(seen.download_uri)) {
      masked.add(seen.download_uri)
      core.setSecret(seen.download_uri)
    }
    entry.archive = seen.id ? seen : entry.archive
    entry.state = normalizeStatus(seen.state) ?? entry.state
    entry.noLink = entry.state === 'completed' && !seen.download_uri
  }
  // Archives whose zip could not be had: a new one is requested in their place, once.
  const spoiled = new Set<string>()

  const completedArchive = async (): Promise<Archive | undefined> => {
    const result = await scope.group(`Archiving backup ${backup.id} (a downloadable zip)`, () =>
      archiveBackup({
        client,
        clock,
        install,
        backup,
        notificationEmails: options.notificationEmails,
        deadline,
        pollCeilingMs: options.pollCeilingMs,
        log,
        signal,
        random: options.random,
        onCheck: see,
        spoiled
      })
    )
    see(result.item)
    if (result.outcome === 'aborted') {
      entry.error = `Backup ${backup.id} completed, but WP Engine aborted its archive${result.item.id ? ` ${result.item.id}` : ''}: there is no off-site copy. Re-run the job to request another archive.`
      return undefined
    }
    if (result.outcome === 'timeout') {
      entry.error = `Backup ${backup.id} completed, but its archive was still ${result.status} when the timeout of ${formatDuration(options.timeoutMs)} ran out. Raise timeout; a re-run uses the same archive.`
      return undefined
    }
    return result.item
  }

  /** The archive's link as WP Engine lists it now: a fresh one, for a link that was refused or missing. */
  const freshLink = async (archive: Archive): Promise<URL | undefined> => {
    const seen = await findArchive(client, install, backup.id, archive.id)
    if (seen) see(seen)
    return seen?.download_uri ? linkOf(seen.download_uri) : undefined
  }

  /**
   * A completed archive's link, asked for again at growing gaps while WP Engine gives none, for up to
   * LINK_PATIENCE_MS; `timedOut` when the step's timeout came first (a new archive would not fit either).
   */
  const awaitLink = async (archive: Archive): Promise<{ url?: URL; askedForMs: number; timedOut?: true }> => {
    const since = clock.now()
    const lastLookAt = deadline - LINK_LAST_LOOK_MS
    const end = Math.min(since + LINK_PATIENCE_MS, lastLookAt)
    log.info(
      `Archive ${archive.id} is completed, but WP Engine gave no download link yet; asking again for up to ${formatDuration(end - since)}.`
    )
    for (let gap = LINK_FIRST_GAP_MS; clock.now() < end; gap = Math.min(Math.round(gap * LINK_GAP_GROWTH), LINK_MAX_GAP_MS)) {
      await clock.sleep(Math.min(gap, end - clock.now()), signal)
      const url = await freshLink(archive)
      if (url) {
        log.info(`Archive ${archive.id} has its download link, ${formatDuration(clock.now() - since)} after it was first seen without one.`)
        return { url, askedForMs: clock.now() - since }
      }
    }
    return { askedForMs: clock.now() - since, timedOut: end === lastLookAt ? true : undefined }
  }

  /** What to say, and do, when no link came: a new archive may have one; past the timeout, nothing more fits. */
  const noLink = (archive: Archive, { askedForMs, timedOut }: { askedForMs: number; timedOut?: true }): DownloadError =>
    timedOut
      ? new DownloadError(
          `Backup ${backup.id} completed, and WP Engine reported archive ${archive.id} completed, but gave no download link before the timeout of ${formatDuration(options.timeoutMs)} ran out (asked for ${formatDuration(askedForMs)}). Raise timeout; a re-run uses the same archive.`,
          'failed'
        )
      : new DownloadError(
          `WP Engine reported archive ${archive.id} completed, but gave no download link in ${formatDuration(askedForMs)} of asking.`,
          'link'
        )

  const download = async (archive: Archive, file: string): Promise<Downloaded> => {
    let url = archive.download_uri ? linkOf(archive.download_uri) : undefined
    if (!url) {
      const waited = await awaitLink(archive)
      if (!waited.url) throw noLink(archive, waited)
      url = waited.url
    }
    const { slots, disk } = options.shared
    await slots.acquire(signal)
    try {
      return await scope.group(`Downloading archive ${archive.id} to ${file}`, () =>
        downloadArchive({
          url,
          file,
          env: options.env,
          clock,
          deadline,
          signal,
          log,
          disk,
          stallMs: options.downloadStallMs,
          freshLink: () => freshLink(archive)
        })
      )
    } finally {
      slots.release()
    }
  }

  try {
    let archive = await completedArchive()
    if (!archive) return
    if (!options.archivePath) {
      // The link is what archive: true hands on (archive-url): worth the same wait as a download's.
      const waited = entry.noLink ? await awaitLink(archive) : undefined
      if (waited && !waited.url) {
        log.warning(
          `Archive ${archive.id} is completed, but WP Engine gave no download link in ${formatDuration(waited.askedForMs)} of asking, so there is none to hand on. A re-run uses the same archive, and its link once WP Engine gives one.`
        )
      } else {
        log.info(
          `Archive ${archive.id} is completed and has a download link${options.linkOutput ? ': it is in the archive-url output (masked in logs)' : ''}.`
        )
      }
      entry.copied = true
      return
    }
    const file = zipPath(options.archivePath, install, backup)
    for (;;) {
      try {
        const downloaded = await download(archive, file)
        entry.file = downloaded.file
        entry.bytes = downloaded.bytes
        entry.sha256 = downloaded.sha256
        entry.copied = true
        return
      } catch (error) {
        if (!(error instanceof DownloadError) || error.kind === 'failed') throw error
        const [first] = spoiled
        if (first !== undefined) {
          entry.error = `${error.message} That was a new archive (${archive.id}), requested when archive ${first} failed too; re-run the job later.`
          return
        }
        spoiled.add(archive.id)
        log.info(`${error.message} Requesting a new archive of backup ${backup.id} in place of ${archive.id}.`)
        archive = await completedArchive()
        if (!archive) return
      }
    }
  } catch (error) {
    // A cancelled step is told as such by the step's verdict.
    if (error instanceof CancelledError || signal.aborted) return
    // An older API without archives: the backup is still the restore point it completed as.
    entry.error = isMissingRouteError(error)
      ? `Backup ${backup.id} completed, but there is no off-site copy: ${error.message} Leave archive and archive-path out until the API offers archives.`
      : errorLine(error)
  }
}

/** The link WP Engine gave, or a clear failure that never quotes it. */
function linkOf(uri: string): URL {
  try {
    return new URL(uri)
  } catch {
    throw new DownloadError('WP Engine gave a download link that is not a URL.', 'link')
  }
}

/** A directory gets `<install>-<backup id>.zip`. */
function zipPath({ path, isDirectory }: ArchiveDestination, install: Install, backup: Backup): string {
  return isDirectory ? join(path, `${install.name}-${backup.id}.zip`) : path
}
