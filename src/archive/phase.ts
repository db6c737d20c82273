import { stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import type { Clock } from '../util/clock.js'
import { formatDuration } from '../util/duration.js'
import { failureMessage, group, type Core } from '../shared/harness.js'
import type { WpeClient } from '../wpengine/client.js'
import { CancelledError } from '../wpengine/errors.js'
import { normalizeStatus } from '../wpengine/status.js'
import type { Archive, Backup, BackupStatus, Install } from '../wpengine/types.js'
import { archiveBackup } from './archive.js'
import { downloadArchive } from './download.js'

/** The off-site copy: the archive of the backup, and the downloaded zip; kept current as the phase goes. */
export interface ArchiveReport {
  archive?: Archive
  state?: BackupStatus
  /** Set when the archive phase ended badly: aborted, timed out or failed. */
  error?: string
  file?: string
  bytes?: number
}

export interface ArchivePhaseOptions {
  core: Pick<Core, 'info' | 'warning' | 'setSecret' | 'startGroup' | 'endGroup'>
  client: Pick<WpeClient, 'createArchive' | 'listArchives'>
  clock: Clock
  install: Install
  backup: Backup
  notificationEmails: string[]
  /** Download the zip here: a file, or a directory (existing, or ending in a separator). */
  archivePath?: string
  timeoutMs: number
  deadline: number
  pollCeilingMs: number
  env: NodeJS.ProcessEnv
  signal: AbortSignal
  random?: () => number
}

/** Asks for an archive of the completed backup, waits for it, and with archive-path downloads its zip. */
export async function archiveCopy(entry: ArchiveReport, options: ArchivePhaseOptions): Promise<void> {
  const { core, client, clock, install, backup, deadline, signal } = options
  // The download link is a bearer URL: masked the moment it is seen, before anything could log it.
  const masked = new Set<string>()
  const see = (seen: Archive): void => {
    if (seen.download_uri && !masked.has(seen.download_uri)) {
      masked.add(seen.download_uri)
      core.setSecret(seen.download_uri)
    }
    entry.archive = seen.id ? seen : entry.archive
    entry.state = normalizeStatus(seen.state) ?? entry.state
  }
  try {
    const result = await group(core, `Archiving backup ${backup.id} (a downloadable zip)`, () =>
      archiveBackup({
        client,
        clock,
        install,
        backup,
        notificationEmails: options.notificationEmails,
        deadline,
        pollCeilingMs: options.pollCeilingMs,
        log: core,
        signal,
        random: options.random,
        onCheck: see
      })
    )
    see(result.item)
    if (result.outcome === 'aborted') {
      entry.error = `Backup ${backup.id} completed, but WP Engine aborted its archive${result.item.id ? ` ${result.item.id}` : ''}: there is no off-site copy. Re-run the job to request another archive.`
      return
    }
    if (result.outcome === 'timeout') {
      entry.error = `Backup ${backup.id} completed, but its archive was still ${result.status} when the timeout of ${formatDuration(options.timeoutMs)} ran out. Raise timeout; a re-run uses the same archive.`
      return
    }
    core.info(`Archive ${result.item.id} is completed; its download link is in the archive-url output (masked in logs).`)
    const link = result.item.download_uri
    if (!options.archivePath) return
    if (!link) {
      entry.error = `WP Engine reported archive ${result.item.id} completed but gave no download link. Re-run the job later.`
      return
    }
    const file = await zipPath(options.archivePath, install, backup)
    const downloaded = await group(core, `Downloading archive ${result.item.id} to ${file}`, () =>
      downloadArchive({ url: new URL(link), file, env: options.env, clock, deadline, signal, log: core })
    )
    entry.file = downloaded.file
    entry.bytes = downloaded.bytes
  } catch (error) {
    // A cancelled step is told as such by the step's verdict.
    if (!(error instanceof CancelledError || signal.aborted)) entry.error = failureMessage(error)
  }
}

/** A directory (existing, or named with a trailing separator) gets `<install>-<backup id>.zip`. */
async function zipPath(archivePath: string, install: Install, backup: Backup): Promise<string> {
  const isDirectory = archivePath.endsWith(sep) || ((await stat(archivePath).catch(() => undefined))?.isDirectory() ?? false)
  return isDirectory ? join(archivePath, `${install.name}-${backup.id}.zip`) : archivePath
}
