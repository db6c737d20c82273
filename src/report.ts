import type { Backup, BackupStatus, Install } from './wpengine/types.js'
import { normalizeStatus } from './backup/status.js'

/** How the step ended, for the summary and the final log line. */
export type Outcome = 'completed' | 'aborted' | 'timeout' | 'requested' | 'failed' | 'cancelled'

/** Everything the step learned, kept current so that it can be reported however the step ends. */
export interface Report {
  install?: Install
  backup?: Backup
  status?: BackupStatus
  waitedMs?: number
  outcome?: Outcome
  error?: string
}

export function recordBackup(report: Report, backup: Backup): void {
  report.backup = backup
  report.status = normalizeStatus(backup.status) ?? report.status
}

/** The action's outputs; an output stays empty until its value is known. */
export function outputsOf(report: Report): Record<string, string> {
  const { install, backup } = report
  return {
    'backup-id': backup?.id ?? '',
    status: report.status ?? '',
    'install-id': install?.id ?? '',
    'install-name': install?.name ?? '',
    description: backup?.description ?? '',
    'create-time': backup?.create_time ?? '',
    'complete-time': report.status === 'completed' ? (backup?.complete_time ?? '') : '',
    'wordpress-version': backup?.wordpress_version ?? ''
  }
}
