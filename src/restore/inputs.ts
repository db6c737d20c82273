import type { Credentials } from '../step/harness.js'
import type { RunContext } from '../step/run-context.js'
import { InputReader, installLabel, type GetInput, type InstallRef } from '../step/inputs.js'
import { CACHE_TYPES, type CacheType } from '../wpengine/types.js'
import { parseBackups } from './backups-input.js'

/**
 * Which backup an install goes back to: one named by its ID (backup-id, or the backups input), the
 * install's newest completed one, or the one this workflow run's backup step made.
 */
export type BackupChoice = { kind: 'id' | 'backups'; id: string } | { kind: 'latest' } | { kind: 'this-run' }

/** One install to restore, and from which backup. */
export interface RestoreTarget {
  ref: InstallRef
  choice: BackupChoice
  /** The install's ID as the backups input gives it beside its name: the install found by name must have it. */
  installId?: string
  /** Why there is nothing to restore it from (the backups input gave it no restore point); it is skipped. */
  skip?: string
}

/** verify-url and what goes with it. */
export interface SiteCheckSettings {
  /** The URL as given; `{install}` in it stands for each install's name. */
  url: string
  text?: string
  timeoutMs: number
}

export interface RestoreSettings extends Credentials {
  /** Every install to restore, in the order given, without repeats. */
  targets: RestoreTarget[]
  notificationEmails: string[]
  restoreDatabase: boolean
  createCheckpoint: boolean
  /** The cache to purge once WP Engine accepts a restore; undefined for none. */
  purgeCache?: CacheType
  /** Check each restored site until it answers; undefined for no check. */
  verify?: SiteCheckSettings
  /** The most requests to the API in flight at once. */
  maxParallel: number
  /** Read and judge everything a real run would, and send nothing but GET. */
  dryRun: boolean
}

export const BACKUP_WORDS = ['latest', 'this-run'] as const
/** What verify-url's `{install}` stands for. */
export const INSTALL_PLACEHOLDER = '{install}'
const MIN_VERIFY_MS = 10_000
const MAX_VERIFY_MS = 60 * 60_000
const MAX_VERIFY_TEXT = 500

/** The site to check for one install: verify-url with `{install}` replaced by its name. */
export function siteUrl(verify: SiteCheckSettings, installName: string): URL {
  return new URL(verify.url.replaceAll(INSTALL_PLACEHOLDER, installName))
}

/** The URL as the log and the summary show it: no query (it may carry a token) and no fragment. */
export function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`
}

/** Reads and checks every input before anything is sent; throws one InputError listing all problems. */
export function parseRestoreInputs(getInput: GetInput, env: NodeJS.ProcessEnv, context: RunContext = {}): RestoreSettings {
  const read = new InputReader(getInput, env, context)
  const targets = readTargets(read, context)
  const notificationEmails = read.emails('to restore: WP Engine emails these addresses when the restore is done')
  const restoreDatabase = read.boolean('restore-database', true)
  const createCheckpoint = read.boolean('create-checkpoint', true)
  const purgeCache = readPurgeCache(read)
  const verify = readVerify(read, targets)
  const maxParallel = read.maxParallel()
  const { userId, password } = read.credentials()
  const apiUrl = read.apiUrl()
  // The same checks as a real run: a dry run fails on every input a real run would refuse.
  const dryRun = read.boolean('dry-run', false)
  read.done()
  return {
    targets,
    notificationEmails,
    restoreDatabase,
    createCheckpoint,
    purgeCache,
    verify,
    maxParallel,
    userId,
    password,
    apiUrl,
    dryRun
  }
}

/** The installs and their backups: from the backups input, or from install and backup-id. */
function readTargets(read: InputReader, context: RunContext): RestoreTarget[] {
  const { problems } = read
  const backups = read.text('backups')
  const installText = read.text('install')
  const backupText = read.text('backup-id')
  if (backups !== '') {
    const given = [installText && 'install', backupText && 'backup-id'].filter(Boolean)
    if (given.length > 0)
      problems.push(
        `backups gives each install its own backup, so ${given.join(' and ')} must be left out (or backups, to restore one install)`
      )
    return parseBackups(read, backups)
  }
  if (installText === '') {
    problems.push(
      "install is required: the install's name (e.g. mysite) or its ID (a UUID), or several with backup-id latest or this-run; or backups, the backup step's backups output"
    )
    read.backupId(false, 'latest or this-run')
    return []
  }
  const installs = read.installs()
  const word = BACKUP_WORDS.find((known) => known === backupText.toLowerCase())
  if (word === 'this-run' && context.runId === undefined) {
    problems.push(
      "backup-id this-run needs the workflow run's ID (GITHUB_RUN_ID) to find the backup by the tag in its description, and this environment has none: it works in a GitHub Actions run"
    )
  }
  const id = word ? undefined : read.backupId(true, 'latest or this-run')
  if (id !== undefined && installs.length > 1) {
    problems.push(
      `backup-id names one backup of one install, but install lists ${installs.length} (${installs.map(installLabel).join(', ')}): give backup-id latest or this-run, or the backup step's backups output as backups, to restore several`
    )
  }
  const choice: BackupChoice = word ? { kind: word } : { kind: 'id', id: id ?? '' }
  return installs.map((ref) => ({ ref, choice }))
}

function readPurgeCache(read: InputReader): CacheType | undefined {
  const text = read.text('purge-cache').toLowerCase() || 'false'
  if (text === 'false') return undefined
  if (text === 'true') return 'all'
  const type = CACHE_TYPES.find((known) => known === text)
  if (!type) read.problems.push(`purge-cache ${read.quote(text)} is not true, false, or a cache to purge (${CACHE_TYPES.join(', ')})`)
  return type
}

function readVerify(read: InputReader, targets: RestoreTarget[]): SiteCheckSettings | undefined {
  const { problems } = read
  const url = read.text('verify-url')
  const text = read.text('verify-text')
  const timeoutMs = read.duration('verify-timeout', '10m', MIN_VERIFY_MS, MAX_VERIFY_MS)
  if (url === '') {
    if (text !== '') problems.push('verify-text needs verify-url: the address of the page that must hold it')
    return undefined
  }
  const problem = verifyUrlProblem(url, targets.length)
  if (problem) problems.push(`verify-url ${read.quote(url)} ${problem}`)
  if (text.length > MAX_VERIFY_TEXT) problems.push(`verify-text is ${text.length} characters long; at most ${MAX_VERIFY_TEXT} are taken`)
  return { url, text: text === '' ? undefined : text, timeoutMs }
}

/** What is wrong with verify-url, if anything; `{install}` is tried with a name in it. */
function verifyUrlProblem(text: string, installs: number): string | undefined {
  if (/[\s\p{C}]/u.test(text)) return 'contains a space, a line break or another invisible character'
  let url: URL
  try {
    url = new URL(text.replaceAll(INSTALL_PLACEHOLDER, 'mysite'))
  } catch {
    return 'is not a URL'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL'
  if (url.username !== '' || url.password !== '')
    return 'must not contain credentials: the site is checked as a visitor sees it, and no credentials are sent with it'
  if (installs > 1 && !text.includes(INSTALL_PLACEHOLDER))
    return `names one site, but ${installs} installs are restored: put ${INSTALL_PLACEHOLDER} where each install's name goes, e.g. https://${INSTALL_PLACEHOLDER}.wpengine.com/`
  return undefined
}
