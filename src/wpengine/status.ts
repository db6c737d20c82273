import { BACKUP_STATUSES, type BackupStatus } from './types.js'

/** The documented status, with the deprecated `initiated` read as `in_progress`; undefined for anything else. */
export function normalizeStatus(status: string): BackupStatus | undefined {
  if (status === 'initiated') return 'in_progress'
  return (BACKUP_STATUSES as readonly string[]).includes(status) ? (status as BackupStatus) : undefined
}

export function isFinal(status: BackupStatus | undefined): status is 'completed' | 'aborted' {
  return status === 'completed' || status === 'aborted'
}
