import { resolve, sep } from 'node:path'
import { DEFAULT_API_URL } from './wpengine/client.js'
import { parseDuration } from './duration.js'
import { safeText } from './log-safety.js'
import { INSTALL_NAME, UUID } from './wpengine/types.js'

export type InstallRef = { kind: 'id'; id: string } | { kind: 'name'; name: string }

export interface Settings {
  /** Every install to back up, in the order given, without repeats. */
  installs: InstallRef[]
  /** The most requests to the API in flight at once. */
  maxParallel: number
  /** Reuse a completed backup younger than this, and attach to one in progress; undefined = off. */
  reuseWithinMs?: number
  notificationEmails: string[]
  /** A custom description, or undefined for the generated one. */
  description?: string
  wait: boolean
  timeoutMs: number
  pollIntervalMs: number
  /** Wait for this existing backup instead of requesting one. */
  backupId?: string
  /** Request a downloadable zip of the completed backup. */
  archive: boolean
  /** Download the zip here (absolute; relative inputs are resolved against the workspace). */
  archivePath?: string
  userId: string
  password: string
  apiUrl: URL
}

/** Every problem with the inputs, each naming the input and the bad value. */
export class InputError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(problems.join('; '))
    this.name = 'InputError'
    this.problems = problems
  }
}

// The HTML living standard's address syntax, with a dot required in the domain: WP Engine mails real mailboxes.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/
const LIST_SEPARATOR = /[\s,]+/

const MIN_POLL_MS = 1_000
const MAX_POLL_MS = 10 * 60_000
// A job may run for six hours at most on GitHub-hosted runners.
const MAX_TIMEOUT_MS = 6 * 3_600_000
// WP Engine publishes no rate limits; five requests in flight keeps well clear of them, twenty is plenty for hundreds of installs.
const DEFAULT_MAX_PARALLEL = 5
const MAX_PARALLEL = 20
// A restore point older than a week is not what anyone means by a fresh backup before a deploy.
const MAX_REUSE_WITHIN_MS = 7 * 24 * 3_600_000

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** Plain http is allowed to these hosts only (api-url, and a download link). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.test(hostname)
}

type GetInput = (name: string) => string

/** How an install is named in the log and in messages: as the user gave it. */
export function installLabel(ref: InstallRef): string {
  return ref.kind === 'id' ? ref.id : ref.name
}

/**
 * Reads inputs one by one, collecting every problem instead of stopping at the first; `done()`
 * throws them all at once. Shared by the backup and the restore action.
 */
export class InputReader {
  readonly problems: string[] = []

  constructor(
    private readonly getInput: GetInput,
    private readonly env: NodeJS.ProcessEnv
  ) {}

  quote(value: string): string {
    return `'${safeText(value, 80)}'`
  }

  text(name: string): string {
    return this.getInput(name).trim()
  }

  /** Install names or IDs, separated by commas, spaces or newlines; repeats dropped. */
  installs(): InstallRef[] {
    const installs: InstallRef[] = []
    const texts = this.getInput('install').split(LIST_SEPARATOR).filter(Boolean)
    if (texts.length === 0)
      this.problems.push(
        'install is required: the install name (e.g. mysite) or its ID (a UUID), or several separated by commas, spaces or newlines'
      )
    for (const text of texts) {
      const ref: InstallRef | undefined = UUID.test(text)
        ? { kind: 'id', id: text.toLowerCase() }
        : INSTALL_NAME.test(text)
          ? { kind: 'name', name: text }
          : undefined
      if (ref === undefined) {
        this.problems.push(
          `install ${this.quote(text)} is neither an install name (3 to 14 lowercase letters and digits, starting with a letter) nor an install ID (a UUID)`
        )
      } else if (!installs.some((known) => installLabel(known) === installLabel(ref))) {
        installs.push(ref)
      }
    }
    return installs
  }

  backupId(required: boolean): string | undefined {
    const text = this.text('backup-id')
    if (text === '' && required)
      this.problems.push("backup-id is required: the ID of the backup (a UUID), e.g. from the backup step's backup-id output")
    if (text !== '' && !UUID.test(text))
      this.problems.push(`backup-id ${this.quote(text)} is not a backup ID (a UUID such as e41fa98f-ea80-4654-b229-a9b765d0863a)`)
    return text === '' ? undefined : text.toLowerCase()
  }

  /** The addresses, without repeats; `requiredFor` says why they are needed, or undefined when they are not. */
  emails(requiredFor: string | undefined): string[] {
    const emails: string[] = []
    let bad = false
    for (const address of this.getInput('notification-emails').split(LIST_SEPARATOR).filter(Boolean)) {
      if (!EMAIL.test(address)) {
        bad = true
        this.problems.push(`notification-emails: ${this.quote(address)} is not an email address`)
      } else if (!emails.some((known) => known.toLowerCase() === address.toLowerCase())) {
        emails.push(address)
      }
    }
    if (requiredFor !== undefined && emails.length === 0 && !bad) this.problems.push(`notification-emails is required ${requiredFor}`)
    return emails
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.text(name) || String(fallback)
    if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
    this.problems.push(`${name} ${this.quote(text)} is not true or false`)
    return fallback
  }

  duration(name: string, fallback: string, minMs: number, maxMs: number): number {
    return readDuration(name, this.getInput(name), fallback, minMs, maxMs, this.problems, (value) => this.quote(value))
  }

  credentials(): { userId: string; password: string } {
    const userId = this.text('api-user-id') || this.env.WPENGINE_USER_ID?.trim() || ''
    const password = this.getInput('api-password') || this.env.WPENGINE_PASSWORD || ''
    const missing = [userId === '' && 'api-user-id (or WPENGINE_USER_ID)', password === '' && 'api-password (or WPENGINE_PASSWORD)'].filter(
      Boolean
    )
    if (missing.length > 0) {
      this.problems.push(`Missing WP Engine API credentials: set ${missing.join(' and ')}, from repository or organization secrets`)
    }
    return { userId, password }
  }

  apiUrl(): URL {
    return readApiUrl(this.text('api-url') || DEFAULT_API_URL, this.problems, (value) => this.quote(value)) ?? new URL(DEFAULT_API_URL)
  }

  /** Throws one InputError with every problem found, if there is any. */
  done(): void {
    if (this.problems.length > 0) throw new InputError(this.problems)
  }
}

/** Reads and checks every input before anything is sent; throws one InputError listing all problems. */
export function parseInputs(getInput: GetInput, env: NodeJS.ProcessEnv): Settings {
  const read = new InputReader(getInput, env)
  const { problems } = read
  const installs = read.installs()
  const backupId = read.backupId(false)
  if (backupId !== undefined && installs.length > 1) {
    problems.push(
      `backup-id names one backup of one install, but install lists ${installs.length} (${installs.map(installLabel).join(', ')}): give the one install the backup belongs to`
    )
  }
  const notificationEmails = read.emails(
    backupId === undefined ? 'to request a backup: WP Engine emails these addresses when the backup completes' : undefined
  )
  const description = read.text('description') || undefined
  const wait = read.boolean('wait', true)
  const timeoutMs = read.duration('timeout', '60m', 1_000, MAX_TIMEOUT_MS)
  const pollIntervalMs = read.duration('poll-interval', '15s', MIN_POLL_MS, MAX_POLL_MS)
  const reuseWithinMs = read.text('reuse-within') === '' ? undefined : read.duration('reuse-within', '', 1_000, MAX_REUSE_WITHIN_MS)

  const maxParallelText = read.text('max-parallel') || String(DEFAULT_MAX_PARALLEL)
  const maxParallel = /^\d+$/.test(maxParallelText) ? Number(maxParallelText) : NaN
  if (!(maxParallel >= 1 && maxParallel <= MAX_PARALLEL)) {
    problems.push(`max-parallel ${read.quote(maxParallelText)} is not a whole number from 1 to ${MAX_PARALLEL}`)
  }

  const archivePathText = read.text('archive-path')
  // A path to download to implies the archive.
  const archive = read.boolean('archive', false) || archivePathText !== ''
  if (archive && installs.length > 1) {
    problems.push(
      `archive works with one install per step, but install lists ${installs.length}: use one step (or a matrix job) per install to archive`
    )
  }
  if (archive && !wait) problems.push('archive needs wait: true: an archive can only be made of a completed backup')
  // A trailing slash says "a directory": keep it, as resolve() drops it.
  const archivePath =
    archivePathText === ''
      ? undefined
      : resolve(env.GITHUB_WORKSPACE || process.cwd(), archivePathText) + (/[\\/]$/.test(archivePathText) ? sep : '')

  const { userId, password } = read.credentials()
  const apiUrl = read.apiUrl()
  read.done()
  return {
    installs,
    maxParallel,
    reuseWithinMs,
    notificationEmails,
    description,
    wait,
    timeoutMs,
    pollIntervalMs,
    backupId,
    archive,
    archivePath,
    userId,
    password,
    apiUrl
  }
}

function readDuration(
  name: string,
  raw: string,
  fallback: string,
  minMs: number,
  maxMs: number,
  problems: string[],
  quote: (value: string) => string
): number {
  const text = raw.trim() || fallback
  const ms = parseDuration(text)
  if (ms === undefined) {
    problems.push(`${name} ${quote(text)} is not a duration: use e.g. 90s, 30m, 1h, 1h30m, or a number of seconds`)
  } else if (ms < minMs || ms > maxMs) {
    problems.push(`${name} ${quote(text)} is out of range: it must be between ${minMs / 1000}s and ${maxMs / 60_000}m`)
  }
  return ms ?? 0
}

function readApiUrl(text: string, problems: string[], quote: (value: string) => string): URL | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    problems.push(`api-url ${quote(text)} is not a URL`)
    return undefined
  }
  if (url.username !== '' || url.password !== '') {
    problems.push('api-url must not contain credentials: use api-user-id and api-password')
  } else if (url.search !== '' || url.hash !== '') {
    problems.push(`api-url ${quote(text)} must not have a query or a fragment`)
  } else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push(`api-url ${quote(text)} must use https: plain http is allowed only to a loopback address (127.0.0.1, localhost, [::1])`)
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`api-url ${quote(text)} must be an https URL`)
  }
  return url
}
