import type { ArchiveReport } from '../archive/offsite-copy.js'
import type { InstallRef } from '../step/inputs.js'
import { normalizeStatus } from '../wpengine/status.js'
import type { Backup, BackupStatus, Install } from '../wpengine/types.js'
import type { DurationEstimate } from './history.js'
import type { Reusable } from './reuse.js'
import type { Shard } from '../workflows/shard.js'
import { staleOutput, type Audit } from './freshness.js'

/** How a backup (or the whole step) ended, for the summary and the final log line. */
export type Outcome = 'completed' | 'aborted' | 'timeout' | 'requested' | 'failed' | 'cancelled'

/** What every step that works install by install records of each install named. */
export interface InstallEntry {
  ref: InstallRef
  install?: Install
  outcome?: Outcome
  /** Why there is no fresh backup: the whole sentence, and a few words for a line that names many installs. */
  error?: string
  reason?: string
}

/** Everything the step learned about one install, kept current so that it can be reported however the step ends. */
export interface InstallReport extends InstallEntry {
  backup?: Backup
  status?: BackupStatus
  /** Set when an existing backup stands in for a new one. */
  reused?: Omit<Reusable, 'backup'>
  waitedMs?: number
  /** How long this install's backups usually take, once its history is read. */
  usual?: DurationEstimate
  /** When the backup began, by the runner's clock (a reused one before this step). */
  startedAt?: number
  /** The off-site copy, once it starts for this install. */
  archive?: ArchiveReport
}

export interface Report {
  installs: InstallReport[]
  /** The step makes off-site copies (the archive input). */
  archiving?: boolean
  /** This job's share of the installs chosen (the shard input). */
  shard?: Shard
  /** The max-age audit, once the work is done. */
  audit?: Audit
}

export function recordBackup(entry: InstallReport, backup: Backup): void {
  entry.backup = backup
  entry.status = normalizeStatus(backup.status) ?? entry.status
}

/**
 * The install's name as an output: the name found, or the one given. A placeholder for a name the API
 * did not give is for people reading the log, not for the steps that read outputs: empty.
 */
export function installNameOutput({ install, ref }: InstallEntry): string {
  if (install) return install.unnamed ? '' : install.name
  return ref.kind === 'name' ? ref.name : ''
}

/** The step succeeded for this install: a completed backup, or one requested with wait: false. */
export function succeeded(entry: InstallReport): boolean {
  return entry.outcome === 'completed' || entry.outcome === 'requested'
}

/** One install's facts, with `complete-time` empty until the backup is completed. */
function facts(entry: InstallReport, archiving: boolean) {
  const { install, backup, ref, archive } = entry
  // Never the download link: it is a bearer URL, and this output is made to travel between jobs.
  const copy = archiving
    ? {
        'archive-id': archive?.archive?.id ?? '',
        'archive-state': archive?.state ?? '',
        'archive-file': archive?.file ?? '',
        'archive-bytes': archive?.bytes ?? null,
        'archive-sha256': archive?.sha256 ?? '',
        'archive-zip-sha256': archive?.zipSha256 ?? ''
      }
    : {}
  return {
    'install-id': install?.id ?? (ref.kind === 'id' ? ref.id : ''),
    'install-name': installNameOutput(entry),
    'backup-id': backup?.id ?? '',
    status: entry.status ?? '',
    'create-time': backup?.create_time ?? '',
    'complete-time': entry.status === 'completed' ? (backup?.complete_time ?? '') : '',
    'wordpress-version': backup?.wordpress_version ?? '',
    reused: entry.reused !== undefined,
    ...copy
  }
}

/**
 * The action's outputs. `backups` has one object per install, always (with each one's archive when
 * archiving); the single-value outputs describe the install when there is exactly one, and are
 * empty when there are several. `reused` is true when no new backup was requested for any install.
 */
export function outputsOf(report: Report): Record<string, string> {
  const all = report.installs.map((entry) => facts(entry, report.archiving ?? false))
  const only = report.installs.length === 1 ? report.installs[0] : undefined
  const one = only ? facts(only, false) : undefined
  const archive = only?.archive
  return {
    'backup-id': one?.['backup-id'] ?? '',
    status: one?.status ?? '',
    'install-id': one?.['install-id'] ?? '',
    'install-name': one?.['install-name'] ?? '',
    description: only?.backup?.description ?? '',
    'create-time': one?.['create-time'] ?? '',
    'complete-time': one?.['complete-time'] ?? '',
    'wordpress-version': one?.['wordpress-version'] ?? '',
    reused: String(all.length > 0 && all.every((entry) => entry.reused)),
    'archive-id': archive?.archive?.id ?? '',
    'archive-state': archive?.state ?? '',
    'archive-url': archive?.state === 'completed' ? (archive.archive?.download_uri ?? '') : '',
    'archive-file': archive?.file ?? '',
    'archive-bytes': archive?.bytes === undefined ? '' : String(archive.bytes),
    'archive-sha256': archive?.sha256 ?? '',
    'archive-zip-sha256': archive?.zipSha256 ?? '',
    backups: JSON.stringify(all),
    'backups-file': '',
    stale: staleOutput(report.audit),
    'stale-file': '',
    'dry-run': 'false'
  }
}
