import type { SafeText } from '../text/safe-text.js'

// What the action reads of the API's answers (openapi.json, Swagger 2.0, v1.17.0), as the client's
// decoding hands it on: checked, with every piece of free text made log-safe and bounded (decode.ts).

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** WP Engine's rule for install names (Installation.name). */
export const INSTALL_NAME = /^[a-z][a-z0-9]{2,13}$/

/** The statuses the docs define; `initiated` is the deprecated name of `in_progress`. */
export const BACKUP_STATUSES = ['requested', 'in_progress', 'completed', 'aborted'] as const
export type BackupStatus = (typeof BACKUP_STATUSES)[number]

/**
 * A documented status (the deprecated `initiated` already read as `in_progress`), or one the docs do
 * not define, carried as a log-safe label so that the log can say what WP Engine reported.
 */
export type Status = BackupStatus | (SafeText & { readonly __unknownStatus: true })

export interface Backup {
  /** A UUID, in lower case. */
  id: string
  status: Status
  description?: SafeText
  /** ISO 8601, as WP Engine reports it; absent when the API gave none or something else. */
  create_time?: string
  complete_time?: string
  wordpress_version?: SafeText
}

export interface Install {
  /** A UUID, in lower case. */
  id: string
  /** Matches INSTALL_NAME, unless `unnamed`: then a placeholder no install name can be (`unnamed-294deacc`). */
  name: string
  /** The API gave no usable name for the install fetched by its id. */
  unnamed?: true
  environment?: SafeText
}

export interface User {
  id: SafeText
}

export interface Archive {
  /** A UUID, in lower case. */
  id: string
  /** The backup it is a zip of; absent when the API did not say (or not as a UUID). */
  backup: { id?: string }
  state: Status
  create_time?: string
  complete_time?: string
  /**
   * A bearer link, present once the archive is completed: anyone holding it can download the zip.
   * Only an absolute http(s) URL with nothing invisible in it is kept, in its parsed form.
   */
  download_uri?: string
}

/** A list item that does not match its shape, told by what could be read of it safely. */
export interface Unusable {
  /** What is wrong with it, e.g. `id 'x' is not a UUID`. */
  reason: SafeText
  id?: string
  name?: string
  backupId?: string
  description?: SafeText
}

/** One page of an offset-paginated list. */
export interface Page<T> {
  /** The items that match their shape. */
  results: T[]
  /** Malformed items the caller said it was asking for (see ListOptions); other malformed items are skipped with a warning. */
  unusable: Unusable[]
  /** How many items the page held, malformed ones included. */
  received: number
  /** The offset `next` points at; undefined on the last page. Its URL is never followed. */
  nextOffset?: number
  /** The total the API counts, when it says. */
  count?: number
  /** What the list is, for messages: `list installs`. */
  operation: string
}

export interface ListOptions {
  /** Says whether a malformed item is the very one the caller is looking for: then it is handed on in `unusable`, not skipped. */
  askedFor?: (item: Unusable) => boolean
  /** Ends this call early, as a cancel of the step would (CancelledError): for a list that is only worth reading for a while. */
  signal?: AbortSignal
  /** One attempt, never retried: for a list that is only worth reading when the API answers at once. */
  once?: boolean
}

export interface CreateBackupBody {
  description: string
  notification_emails: string[]
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

/** The caches WP Engine can purge for an install (`POST /installs/{id}/purge_cache`). */
export const CACHE_TYPES = ['all', 'page', 'object', 'cdn'] as const
export type CacheType = (typeof CACHE_TYPES)[number]
