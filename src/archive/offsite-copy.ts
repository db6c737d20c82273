import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import type { Scope } from '../step/log-scope.js'
import type { WpeClient } from '../wpengine/client.js'
import { CancelledError, errorLine, isMissingRouteError } from '../wpengine/errors.js'
import { Semaphore } from '../wpengine/semaphore.js'
import { normalizeStatus } from '../wpengine/status.js'
import type { Archive, Backup, BackupStatus, Install } from '../wpengine/types.js'
import { archiveBackup, findArchive } from './request-archive.js'
import { encryptedSizeLimit } from './age-encrypt.js'
import { deviceOf, DiskClaims, type DiskClaim } from './disk-space.js'
import { downloadArchive, DownloadError } from './download.js'
import { storeCopy, type Stored } from './store-copy.js'
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
  /** Set when the off-site copy ended badly: aborted, timed out or failed; `reason` in a few words, for a line that names many installs. */
  error?: string
  reason?: string
  /** The off-site copy ended well: the archive is completed, and its zip downloaded when asked for. */
  copied?: boolean
  /** The archive completed without a download link (the API allows it), and none was fetched. */
  noLink?: boolean
  /** The file kept (the zip, or its age file), its size and SHA-256. */
  file?: string
  bytes?: number
  sha256?: string
  /** The zip's SHA-256: the file's own, or with archive-recipients the zip's inside the age file. */
  zipSha256?: string
  /** With archive-recipients: how many the copy is encrypted to. */
  recipients?: number
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
  /** age recipients: the copy kept is encrypted to them, and the zip is only ever in plaintext under RUNNER_TEMP. */
  recipients: string[]
  /** Follow plain-http download links (to loopback): api-url is plain http too, as with the simulator. */
  plainHttp: boolean
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
      entry.reason = 'archive aborted by WP Engine'
      return undefined
    }
    if (result.outcome === 'timeout') {
      entry.error = `Backup ${backup.id} completed, but its archive was still ${result.status} when the timeout of ${formatDuration(options.timeoutMs)} ran out. Raise timeout; a re-run uses the same archive.`
      entry.reason = `archive still ${result.status.replace('_', ' ')} at the timeout`
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

  /** The archive's zip downloaded, tested and kept at `file` (encrypted, with recipients). */
  const copy = async (archive: Archive, file: string): Promise<Stored> => {
    let url = archive.download_uri ? linkOf(archive.download_uri) : undefined
    if (!url) {
      const waited = await awaitLink(archive)
      if (!waited.url) throw noLink(archive, waited)
      url = waited.url
    }
    const { slots, disk } = options.shared
    const { recipients } = options
    await slots.acquire(signal)
    // With recipients the plaintext zip goes only under RUNNER_TEMP, never the workspace, and is gone however the copy ends.
    let staging: string | undefined
    let release = (): void => undefined
    try {
      if (recipients.length > 0) staging = await stagingDirectory(options.env.RUNNER_TEMP || tmpdir())
      let encryptedClaim: DiskClaim | undefined
      if (staging) {
        await mkdir(dirname(file), { recursive: true })
        encryptedClaim = { label: `${install.name}'s encrypted copy`, device: await deviceOf(dirname(file)), written: 0, owed: () => 0 }
      }
      const zip = staging ? join(staging, basename(file).replace(/\.age$/, '')) : file
      return await scope.group(`Downloading archive ${archive.id} to ${staging ? `${file} (encrypted)` : file}`, async () => {
        const { part } = await downloadArchive({
          url,
          file: zip,
          env: options.env,
          clock,
          deadline,
          signal,
          log,
          disk,
          label: install.name,
          plainHttp: options.plainHttp,
          stallMs: options.downloadStallMs,
          freshLink: () => freshLink(archive),
          // The encrypted copy takes about as much room as the zip, on its own disk.
          onClaim: (zipClaim) => {
            if (!encryptedClaim) return
            const claim = encryptedClaim
            claim.owed = () => encryptedSizeLimit(zipClaim.total ?? zipClaim.written, recipients.length) - claim.written
            release = disk.add(claim)
          }
        })
        return storeCopy({ part, file, recipients, clock, deadline, signal, log, disk, claim: encryptedClaim })
      })
    } finally {
      release()
      if (staging) await rm(staging, { recursive: true, force: true })
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
    const file = copyPath(options.archivePath, install, backup, options.recipients.length > 0)
    for (;;) {
      try {
        const stored = await copy(archive, file)
        entry.file = stored.file
        entry.bytes = stored.bytes
        entry.sha256 = stored.sha256
        entry.zipSha256 = stored.zipSha256
        if (options.recipients.length > 0) entry.recipients = options.recipients.length
        entry.copied = true
        return
      } catch (error) {
        if (!(error instanceof DownloadError) || error.kind === 'failed') throw error
        const [first] = spoiled
        if (first !== undefined) {
          entry.error = `${error.message} That was a new archive (${archive.id}), requested when archive ${first} failed too; re-run the job later.`
          entry.reason = error.kind === 'damaged' ? 'damaged zip' : 'no download link that works'
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
    entry.reason = error instanceof DownloadError ? 'download failed' : 'failed'
  }
}

/** A directory of its own under RUNNER_TEMP for the plaintext zip, or a clear failure naming the place. */
async function stagingDirectory(temp: string): Promise<string> {
  try {
    await mkdir(temp, { recursive: true })
    return await mkdtemp(join(temp, 'wpengine-backup-'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
    throw new DownloadError(
      `Could not make a place for the zip under RUNNER_TEMP (${temp}, ${code}), where it is tested and encrypted. Run the step on a runner whose RUNNER_TEMP is writable.`
    )
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

/** A directory gets `<install>-<backup id>.zip`, or its encrypted copy. */
function copyPath({ path, isDirectory }: ArchiveDestination, install: Install, backup: Backup, encrypted: boolean): string {
  const zip = isDirectory ? join(path, `${install.name}-${backup.id}.zip`) : path
  return encrypted ? encryptedName(zip) : zip
}

/** The encrypted copy of `zip` is `<zip>.age`, unless archive-path names the age file itself. */
export function encryptedName(zip: string): string {
  return zip.endsWith('.age') ? zip : `${zip}.age`
}
