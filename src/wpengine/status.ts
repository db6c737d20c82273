import { BACKUP_STATUSES, type BackupStatus, type Status } from './types.js'

/** The documented status, or undefined for one the docs do not define (the client decodes `initiated` as `in_progress`). */
export function normalizeStatus(status: Status | undefined): BackupStatus | undefined {
  return (BACKUP_STATUSES as readonly string[]).includes(status ?? '') ? (status as BackupStatus) : undefined
}

export function isFinal(status: BackupStatus | undefined): status is 'completed' | 'aborted' {
  return status === 'completed' || status === 'aborted'
}
