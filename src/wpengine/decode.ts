import { safeText, type SafeText } from '../text/safe-text.js'
import {
  BACKUP_STATUSES,
  INSTALL_NAME,
  UUID,
  type Archive,
  type Backup,
  type BackupStatus,
  type Install,
  type ListOptions,
  type Page,
  type Status,
  type Unusable,
  type User
} from './types.js'

// Every answer is decoded here into checked values before any other code sees it. What the
// action needs is checked (ids are UUIDs and the ones asked for, names follow WP Engine's rule,
// statuses are known or labelled as unknown); every piece of free text is made log-safe and bounded
// once, here; a field the action does not need may be absent or odd without failing anything.

/**
 * Why an answer cannot be used; the reason is log-safe and names the field and, briefly, its value.
 * `misfit`: JSON that does not fit its shape; `not-json`: not JSON at all.
 */
export class BadAnswer extends Error {
  constructor(
    readonly reason: SafeText,
    readonly kind: 'misfit' | 'not-json' = 'misfit'
  ) {
    super(reason)
    this.name = 'BadAnswer'
  }
}

/** A field that is only shown, present but not in the API's shape: the answer is used without it (or with `placeholder`). */
export interface Misfit {
  /** `install name`, `backup description`. */
  field: string
  /** What was there, briefly and log-safe: `a number`, `'yesterday'`. */
  value: string
  placeholder?: string
}

/** Told about each shown-only field that does not fit, so that the caller can warn once. */
export type Note = (misfit: Misfit) => void
const unnoted: Note = () => undefined

const bad = (reason: string): never => {
  throw new BadAnswer(safeText(reason, 300))
}

// Bounds on free text: enough for what WP Engine writes, far below what would swamp a log or a summary.
const MAX_DESCRIPTION = 1_000
const MAX_SHORT = 40
const MAX_MESSAGE = 300
const MAX_FIELD_ERROR = 200
/** Field errors quoted in an error line; the rest are counted. */
const MAX_FIELD_ERRORS = 10

type Fields = Record<string, unknown>
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `'abc'`, `a number`, `null`, `missing`: a value named in a reason, briefly. */
function shown(value: unknown): string {
  if (typeof value === 'string') return `'${safeText(value, 60)}'`
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function uuidOf(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined
}

function requiredUuid(value: unknown, field: string): string {
  return uuidOf(value) ?? bad(`${field} ${shown(value)} is not a UUID`)
}

function sameId(id: string, askedId: string | undefined, what: string): string {
  if (askedId !== undefined && id !== askedId.toLowerCase()) bad(`${what} id is ${id}, not ${askedId}, which was asked for`)
  return id
}

/** Free text, log-safe and bounded; absent when it is missing, empty or not text. */
function text(value: unknown, max: number): SafeText | undefined {
  if (typeof value !== 'string') return undefined
  const safe = safeText(value, max)
  return safe === '' ? undefined : safe
}

/** Free text that is only shown: as `text`, and noted when it is there but not text (absent and null are allowed). */
function shownText(value: unknown, max: number, field: string, note: Note): SafeText | undefined {
  if (value !== undefined && value !== null && typeof value !== 'string') note({ field, value: shown(value) })
  return text(value, max)
}

// RFC 3339, as the API writes its date-times; anything else is dropped rather than shown (and noted).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i
function timestamp(value: unknown, field: string, note: Note): string | undefined {
  if (typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return value
  if (value !== undefined && value !== null) note({ field, value: shown(value) })
  return undefined
}

/**
 * A documented status, with the deprecated `initiated` read as `in_progress`; anything else becomes a
 * log-safe label that can never be mistaken for a documented status.
 */
function status(value: unknown, field: string): Status {
  if (typeof value !== 'string') return bad(`${field} is ${shown(value)}, not a status`)
  if (value === 'initiated') return 'in_progress'
  if ((BACKUP_STATUSES as readonly string[]).includes(value)) return value as BackupStatus
  let label = safeText(value, MAX_SHORT)
  // Text that only reads like a documented status once made safe (`completed\u200b`) is shown with its escapes.
  if (label === '' || label === 'initiated' || (BACKUP_STATUSES as readonly string[]).includes(label)) {
    label = safeText(JSON.stringify(value), MAX_SHORT)
  }
  return label as Status
}

/** A bearer download link: an absolute http(s) URL with nothing invisible in it, in its parsed form; absent otherwise. */
function link(value: unknown): string | undefined {
  if (typeof value !== 'string' || /[\s\p{C}]/u.test(value)) return undefined
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined
  } catch {
    return undefined
  }
}

function fieldsOf(value: unknown, what: string): Fields {
  return isObject(value) ? value : bad(`${what} is ${shown(value)}, not an object`)
}

/** A backup; with `askedId`, it must be that backup. */
export function decodeBackup(value: unknown, askedId?: string, note: Note = unnoted): Backup {
  const raw = fieldsOf(value, 'the backup')
  return {
    id: sameId(requiredUuid(raw.id, 'backup id'), askedId, 'backup'),
    status: status(raw.status, 'backup status'),
    description: shownText(raw.description, MAX_DESCRIPTION, 'backup description', note),
    create_time: timestamp(raw.create_time, 'backup create_time', note),
    complete_time: timestamp(raw.complete_time, 'backup complete_time', note),
    wordpress_version: shownText(raw.wordpress_version, MAX_SHORT, 'backup wordpress_version', note)
  }
}

/**
 * An install. Listed (no `askedId`), its name is what it is found by, so it must be an install name.
 * Fetched by its id, which must be `askedId`, the name is only shown: one that does not fit becomes
 * a placeholder that no install name can be (`unnamed-294deacc`).
 */
export function decodeInstall(value: unknown, askedId?: string, note: Note = unnoted): Install {
  const raw = fieldsOf(value, 'the install')
  const id = sameId(requiredUuid(raw.id, 'install id'), askedId, 'install')
  const environment = shownText(raw.environment, MAX_SHORT, 'install environment', note)
  if (typeof raw.name === 'string' && INSTALL_NAME.test(raw.name)) return { id, name: raw.name, environment }
  if (askedId === undefined) return bad(`install name ${shown(raw.name)} is not an install name`)
  const placeholder = `unnamed-${id.slice(0, 8)}`
  note({ field: 'install name', value: shown(raw.name), placeholder })
  return { id, name: placeholder, unnamed: true, environment }
}

export function decodeArchive(value: unknown, note: Note = unnoted): Archive {
  const raw = fieldsOf(value, 'the archive')
  return {
    id: requiredUuid(raw.id, 'archive id'),
    backup: { id: isObject(raw.backup) ? uuidOf(raw.backup.id) : undefined },
    state: status(raw.state, 'archive state'),
    create_time: timestamp(raw.create_time, 'archive create_time', note),
    complete_time: timestamp(raw.complete_time, 'archive complete_time', note),
    download_uri: link(raw.download_uri)
  }
}

export function decodeUser(value: unknown): User {
  const raw = fieldsOf(value, 'the user')
  return { id: text(raw.id, MAX_SHORT) ?? bad(`user id is ${shown(raw.id)}, not an id`) }
}

/** What can be read safely of a list item that does not match its shape, so that a caller can tell whether it was the one asked for. */
function identify(value: unknown): Omit<Unusable, 'reason'> {
  if (!isObject(value)) return {}
  return {
    id: uuidOf(value.id),
    name: typeof value.name === 'string' && INSTALL_NAME.test(value.name) ? value.name : undefined,
    backupId: isObject(value.backup) ? uuidOf(value.backup.id) : undefined,
    description: text(value.description, MAX_DESCRIPTION)
  }
}

/** A page, with every item decoded: a malformed one is skipped (returned in `skipped`) unless the caller asked for it. */
export function decodePage<T>(
  value: unknown,
  decodeItem: (item: unknown, note: Note) => T,
  operation: string,
  { askedFor }: ListOptions = {},
  note: Note = unnoted
): { page: Page<T>; skipped: Unusable[] } {
  const raw = fieldsOf(value, 'the page')
  // The spec does not mark `results` required: a page without it is an empty page.
  const items = raw.results ?? []
  if (!Array.isArray(items)) bad(`results is ${shown(items)}, not a list`)
  const page: Page<T> = { results: [], unusable: [], received: (items as unknown[]).length, operation }
  const skipped: Unusable[] = []
  for (const item of items as unknown[]) {
    // Only the items used are noted: a skipped one has its own warning.
    const noted: Misfit[] = []
    try {
      page.results.push(decodeItem(item, (misfit) => noted.push(misfit)))
      noted.forEach(note)
    } catch (error) {
      if (!(error instanceof BadAnswer)) throw error
      const unusable = { reason: error.reason, ...identify(item) }
      ;(askedFor?.(unusable) ? page.unusable : skipped).push(unusable)
    }
  }
  page.nextOffset = nextOffset(raw.next)
  if (typeof raw.count === 'number' && Number.isInteger(raw.count) && raw.count >= 0) page.count = raw.count
  return { page, skipped }
}

/** The offset that `next` points at. Its host and path are ignored: requests stay on api-url, whatever `next` names. */
function nextOffset(next: unknown): number | undefined {
  if (next === undefined || next === null || next === '') return undefined
  let offset: string | null = null
  try {
    offset = typeof next === 'string' ? new URL(next, 'https://placeholder.invalid').searchParams.get('offset') : null
  } catch {
    // Reported below.
  }
  return offset !== null && /^\d{1,15}$/.test(offset) ? Number(offset) : bad(`next ${shown(next)} names no offset to read on from`)
}

/** The API's `message` and field-level errors of an error answer, log-safe; a long list is cut, with a count. */
export function decodeErrorBody(body: string): { apiMessage?: SafeText; fieldErrors: SafeText[] } {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return { apiMessage: text(body, 200), fieldErrors: [] }
  }
  if (!isObject(value)) return { fieldErrors: [] }
  const errors = (Array.isArray(value.errors) ? (value.errors as unknown[]) : []).flatMap((error) => {
    if (!isObject(error)) return []
    const said = [error.field, error.message].filter((part) => typeof part === 'string' && part !== '').join(': ')
    return said === '' ? [] : [said]
  })
  const quoted = errors.slice(0, MAX_FIELD_ERRORS).map((error) => safeText(error, MAX_FIELD_ERROR))
  if (errors.length > MAX_FIELD_ERRORS) quoted.push(safeText(`and ${errors.length - MAX_FIELD_ERRORS} more field errors`))
  return { apiMessage: text(value.message, MAX_MESSAGE), fieldErrors: quoted }
}
