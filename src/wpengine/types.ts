// Shapes from openapi.json (Swagger 2.0, v1.17.0), limited to the fields this action reads.

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** WP Engine's rule for install names (Installation.name). */
export const INSTALL_NAME = /^[a-z][a-z0-9]{2,13}$/

/** The statuses the docs define; `initiated` is the deprecated name of `in_progress`. */
export const BACKUP_STATUSES = ['requested', 'in_progress', 'completed', 'aborted'] as const
export type BackupStatus = (typeof BACKUP_STATUSES)[number]

export interface Backup {
  id: string
  /** Kept as a string: the API may send `initiated` or a status added after this was written. */
  status: string
  description?: string | null
  create_time?: string | null
  complete_time?: string | null
  wordpress_version?: string | null
}

export interface Install {
  id: string
  name: string
  account?: { id?: string }
  environment?: string | null
  primary_domain?: string | null
  wp_version?: string | null
}

export interface User {
  id: string
  email: string
}

export interface Page<T> {
  previous?: string | null
  next?: string | null
  count?: number
  results: T[]
}

export interface ResourceError {
  resource?: string
  field?: string
  type?: string
  code?: string
  message?: string
}

export interface ErrorBody {
  message?: string
  documentation_url?: string
  errors?: ResourceError[]
}

export interface CreateBackupBody {
  description: string
  notification_emails: string[]
}

/** The states the docs define for an archive (a downloadable zip of a backup). */
export const ARCHIVE_STATES = ['requested', 'in_progress', 'completed', 'aborted'] as const

export interface Archive {
  id: string
  backup: { id?: string }
  /** Kept as a string, like a backup's status. */
  state: string
  create_time?: string | null
  complete_time?: string | null
  /** A bearer link, present once the archive is completed: anyone holding it can download the zip. */
  download_uri?: string | null
}

export interface CreateArchiveBody {
  backup_id: string
  notification_emails: string[]
}

export interface RestoreBody {
  notification_emails: string[]
  restore_database: boolean
  create_checkpoint: boolean
}
