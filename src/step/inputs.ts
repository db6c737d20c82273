import { DEFAULT_API_URL } from '../wpengine/client.js'
import type { RunContext } from './run-context.js'
import { INSTALL_NAME, UUID } from '../wpengine/types.js'
import { formatDuration, parseDuration } from '../time/time-text.js'
import { isLoopbackHost } from '../wpengine/proxy.js'
import { safeText } from '../text/safe-text.js'
import { INSTALL_PATTERN, ruleText, type InstallRule } from '../workflows/install-rules.js'

export type InstallRef = { kind: 'id'; id: string } | { kind: 'name'; name: string }

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
// RFC 5321's limits on a forward path and its local part; a list no team needs more of.
const MAX_EMAIL = 254
const MAX_LOCAL_PART = 64
const MAX_EMAILS = 50
// WP Engine publishes no rate limits; five requests in flight keeps well clear of them, twenty is plenty for hundreds of installs.
const DEFAULT_MAX_PARALLEL = 5
const MAX_PARALLEL = 20

export type GetInput = (name: string) => string

/** The `if:` that runs a step for pushes and for pull requests from the repository itself, never for a fork's. */
export const SKIP_FORKS = "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository"

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
    private readonly env: NodeJS.ProcessEnv,
    private readonly context: RunContext = {}
  ) {}

  quote(value: string): string {
    return `'${safeText(value, 80)}'`
  }

  text(name: string): string {
    return this.getInput(name).trim()
  }

  /** Install names or IDs, separated by commas, spaces or newlines; repeats dropped. */
  installs(): InstallRef[] {
    return this.installList('install', { required: true, patterns: false }) as InstallRef[]
  }

  /** Install names, IDs and patterns of names (`shop*`, `*`), as the backup's install and exclude take them; repeats dropped. */
  installRules(name: 'install' | 'exclude', required: boolean): InstallRule[] {
    return this.installList(name, { required, patterns: true })
  }

  private installList(name: string, { required, patterns }: { required: boolean; patterns: boolean }): InstallRule[] {
    const rules: InstallRule[] = []
    const seen = new Set<string>()
    const texts = this.getInput(name).split(LIST_SEPARATOR).filter(Boolean)
    if (texts.length === 0 && required)
      this.problems.push(
        `${name} is required: the install name (e.g. mysite) or its ID (a UUID), or several separated by commas, spaces or newlines${patterns ? ', or a pattern of names (shop*, or * for every install)' : ''}`
      )
    for (const text of texts) {
      const rule: InstallRule | undefined = UUID.test(text)
        ? { kind: 'id', id: text.toLowerCase() }
        : INSTALL_NAME.test(text)
          ? { kind: 'name', name: text }
          : patterns && INSTALL_PATTERN.test(text)
            ? { kind: 'pattern', pattern: text }
            : undefined
      if (rule === undefined) {
        this.problems.push(
          patterns
            ? `${name} ${this.quote(text)} is neither an install name (3 to 14 lowercase letters and digits, starting with a letter), an install ID (a UUID), nor a pattern of names (lowercase letters, digits, * and ?, e.g. shop*)`
            : `${name} ${this.quote(text)} is neither an install name (3 to 14 lowercase letters and digits, starting with a letter) nor an install ID (a UUID)`
        )
      } else if (!seen.has(ruleText(rule))) {
        seen.add(ruleText(rule))
        rules.push(rule)
      }
    }
    return rules
  }

  /** `alternatives` names what else the input takes, for its messages (`latest or this-run`). */
  backupId(required: boolean, alternatives?: string): string | undefined {
    const text = this.text('backup-id')
    const or = alternatives ? `, or ${alternatives}` : ''
    if (text === '' && required)
      this.problems.push(`backup-id is required: the ID of the backup (a UUID), e.g. from the backup step's backup-id output${or}`)
    if (text !== '' && !UUID.test(text)) {
      // The backup step's table of several installs shows IDs shortened to 8 digits, as git shortens a SHA.
      const short = /^[0-9a-f]{8}$/i.test(text)
        ? ": it looks like the first 8 characters of one, as the backup step's table of several installs shows them. Copy the whole ID from under that table (Full backup IDs) or from the step's backups output"
        : ''
      this.problems.push(
        `backup-id ${this.quote(text)} is not a backup ID (a UUID such as e41fa98f-ea80-4654-b229-a9b765d0863a)${or}${short}`
      )
    }
    return text === '' ? undefined : text.toLowerCase()
  }

  /** The addresses, without repeats; `requiredFor` says why they are needed, or undefined when they are not. */
  emails(requiredFor: string | undefined): string[] {
    const emails: string[] = []
    let bad = false
    const addresses = this.getInput('notification-emails').split(LIST_SEPARATOR).filter(Boolean)
    if (addresses.length > MAX_EMAILS) {
      this.problems.push(`notification-emails lists ${addresses.length} addresses; at most ${MAX_EMAILS} are taken`)
      return []
    }
    for (const address of addresses) {
      if (address.length > MAX_EMAIL || address.indexOf('@') > MAX_LOCAL_PART) {
        bad = true
        this.problems.push(
          `notification-emails: ${this.quote(address)} is too long for an email address (at most ${MAX_EMAIL} characters, ${MAX_LOCAL_PART} before the @)`
        )
      } else if (!EMAIL.test(address)) {
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

  /** max-parallel: the most requests to the API in flight at once. */
  maxParallel(): number {
    const text = this.text('max-parallel') || String(DEFAULT_MAX_PARALLEL)
    const value = /^\d+$/.test(text) ? Number(text) : NaN
    if (!(value >= 1 && value <= MAX_PARALLEL))
      this.problems.push(`max-parallel ${this.quote(text)} is not a whole number from 1 to ${MAX_PARALLEL}`)
    return value
  }

  credentials(): { userId: string; password: string } {
    const userId = this.text('api-user-id') || this.env.WPENGINE_USER_ID?.trim() || ''
    const password = this.getInput('api-password') || this.env.WPENGINE_PASSWORD || ''
    const missing = [userId === '' && 'api-user-id (or WPENGINE_USER_ID)', password === '' && 'api-password (or WPENGINE_PASSWORD)'].filter(
      Boolean
    )
    if (missing.length > 0) {
      this.problems.push(
        this.context.forkPullRequest
          ? `Missing WP Engine API credentials: this run is for a pull request from a fork, and GitHub gives those no secrets. Skip this step for forks with if: ${SKIP_FORKS}`
          : `Missing WP Engine API credentials: set ${missing.join(' and ')}, from repository or organization secrets, or from environment secrets, which a job gets only when its environment: names that environment`
      )
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
  if (/^\d+$/.test(text)) {
    // A bare number is ambiguous (GitHub's timeout-minutes counts minutes): ask for the unit meant.
    problems.push(`${name} ${quote(text)} has no unit: write ${text}m for ${text} minutes or ${text}s for ${text} seconds`)
  } else if (ms === undefined) {
    problems.push(`${name} ${quote(text)} is not a duration: use e.g. 90s, 30m, 1h or 1h30m`)
  } else if (ms < minMs || ms > maxMs) {
    problems.push(`${name} ${quote(text)} is out of range: it must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`)
  }
  return ms ?? 0
}

function readApiUrl(text: string, problems: string[], quote: (value: string) => string): URL | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    problems.push(`api-url ${quote(redactUserinfo(text))} is not a URL`)
    return undefined
  }
  // Userinfo and a query may hold secrets: the message names the address without them.
  const shown = quote(`${url.protocol}//${url.host}${url.pathname}`)
  if (url.username !== '' || url.password !== '') {
    problems.push(`api-url ${shown} must not contain credentials: use api-user-id and api-password`)
  } else if (url.search !== '' || url.hash !== '') {
    problems.push(`api-url ${shown} must not have a query or a fragment`)
  } else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push(
      `api-url ${shown} must use https: plain http is allowed only to a loopback address (127.0.0.0/8, localhost, or the IPv6 loopback)`
    )
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`api-url ${shown} must be an https URL`)
  }
  return url
}

/** `scheme://user:secret@host` → `scheme://***@host`, for text that is not a URL and may still carry credentials. */
function redactUserinfo(text: string): string {
  return text.replace(/\/\/[^/?#]*@/g, '//***@')
}
