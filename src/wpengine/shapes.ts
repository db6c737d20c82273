import { INSTALL_NAME, UUID, type Archive, type Backup, type Install, type Page, type User } from './types.js'

// Answers are checked against the spec's shapes before anything uses them: an id that is not a UUID
// or a name outside WP Engine's rule is not an answer to trust, and would otherwise reach the log
// and later request paths. A failed check counts as a bad answer, like invalid JSON.

export type Shape<T> = (value: unknown) => value is T

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const optionalString = (value: unknown): boolean => value === undefined || value === null || typeof value === 'string'

export const isBackup: Shape<Backup> = (value): value is Backup =>
  isObject(value) &&
  typeof value.id === 'string' &&
  UUID.test(value.id) &&
  typeof value.status === 'string' &&
  ['description', 'create_time', 'complete_time', 'wordpress_version'].every((key) => optionalString(value[key]))

export const isInstall: Shape<Install> = (value): value is Install =>
  isObject(value) && typeof value.id === 'string' && UUID.test(value.id) && typeof value.name === 'string' && INSTALL_NAME.test(value.name)

export const isArchive: Shape<Archive> = (value): value is Archive =>
  isObject(value) &&
  typeof value.id === 'string' &&
  UUID.test(value.id) &&
  isObject(value.backup) &&
  optionalString(value.backup.id) &&
  typeof value.state === 'string' &&
  ['create_time', 'complete_time', 'download_uri'].every((key) => optionalString(value[key]))

/** For the calls documented to answer 202 with no body: whatever comes back is fine. */
export const isAnything: Shape<unknown> = (_value): _value is unknown => true

export const isUser: Shape<User> = (value): value is User => isObject(value) && typeof value.id === 'string'

function isPageOf<T>(isItem: Shape<T>): Shape<Page<T>> {
  return (value): value is Page<T> =>
    isObject(value) &&
    Array.isArray(value.results) &&
    value.results.every(isItem) &&
    optionalString(value.next) &&
    optionalString(value.previous)
}

export const isInstallPage = isPageOf(isInstall)
export const isBackupPage = isPageOf(isBackup)
export const isArchivePage = isPageOf(isArchive)
