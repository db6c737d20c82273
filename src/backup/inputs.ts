import { accessSync, constants, statSync, type Stats } from 'node:fs'
import { basename, dirname, resolve, sep } from 'node:path'
import { parseRecipients } from '../archive/age-encrypt.js'
import { encryptedName, type ArchiveDestination } from '../archive/offsite-copy.js'
import type { RunContext } from '../step/run-context.js'
import { InputReader, type GetInput } from '../step/inputs.js'
import { formatDuration } from '../time/time-text.js'
import { safeText } from '../text/safe-text.js'
import { ENVIRONMENTS, usesRules, type Environment } from '../workflows/choose-installs.js'
import { ruleText, type InstallRule } from '../workflows/install-rules.js'
import { MAX_SHARDS, type Shard } from '../workflows/shard.js'

export interface Settings {
  /** The installs to back up, in the order given, without repeats: names, IDs and patterns of names. */
  installs: InstallRule[]
  /** Installs left out of those: names, IDs and patterns. */
  exclude: InstallRule[]
  /** Keep only installs in these environments; empty keeps every one. */
  environments: Environment[]
  /** This job's share of the installs chosen, K of N. */
  shard?: Shard
  /** Every install must end the step with a completed backup no older than this; undefined = no audit. */
  maxAgeMs?: number
  /** The most requests to the API in flight at once. */
  maxParallel: number
  /** Reuse a completed backup younger than this, and attach to one in progress; undefined = off. */
  reuseWithinMs?: number
  notificationEmails: string[]
  /** A custom description, or undefined for the generated one. */
  description?: string
  wait: boolean
  timeoutMs: number
  /** The longest gap between status checks; undefined is `auto` (paced by the install's history). */
  pollIntervalMs?: number
  /** Wait for this existing backup instead of requesting one. */
  backupId?: string
  /** Request a downloadable zip of the completed backup. */
  archive: boolean
  /** Download the zip here (absolute; relative inputs are resolved against the workspace). */
  archivePath?: ArchiveDestination
  /** age recipients the copy is encrypted to; empty keeps the zip itself. */
  archiveRecipients: string[]
  userId: string
  password: string
  apiUrl: URL
  /** Check everything a real run needs, and send no POST. */
  dryRun: boolean
}

const MIN_POLL_MS = 1_000
const MAX_POLL_MS = 10 * 60_000
// A job may run for six hours at most on GitHub-hosted runners.
const MAX_TIMEOUT_MS = 6 * 3_600_000
// A restore point older than a week is not what anyone means by a fresh backup before a deploy.
const MAX_REUSE_WITHIN_MS = 7 * 24 * 3_600_000
// An audit asks for a recent restore point: a month covers weekly and monthly schedules too.
const MAX_AGE_MS = 31 * 24 * 3_600_000

/** Reads and checks every input before anything is sent; throws one InputError listing all problems. */
export function parseInputs(getInput: GetInput, env: NodeJS.ProcessEnv, context: RunContext = {}): Settings {
  const read = new InputReader(getInput, env, context)
  const { problems } = read
  const installs = read.installRules('install', true)
  const exclude = read.installRules('exclude', false)
  const environments = readEnvironments(read)
  const shard = readShard(read)
  const rules = rulesText(installs, exclude, environments, shard)
  const backupId = read.backupId(false)
  if (backupId !== undefined && installs.length > 1) {
    problems.push(
      `backup-id names one backup of one install, but install lists ${installs.length} (${installs.map(ruleText).join(', ')}): give the one install the backup belongs to`
    )
  } else if (backupId !== undefined && rules !== undefined) {
    problems.push(
      `backup-id names one backup of one install, so it cannot go with ${rules}: give the one install the backup belongs to, alone`
    )
  }
  const notificationEmails = read.emails(
    backupId === undefined ? 'to request a backup: WP Engine emails these addresses when the backup completes' : undefined
  )
  // Sent as one log-safe line: what the log shows is what WP Engine stores.
  const description = safeText(read.text('description')) || undefined
  const wait = read.boolean('wait', true)
  const timeoutMs = read.duration('timeout', '60m', 1_000, MAX_TIMEOUT_MS)
  const pollIntervalText = read.text('poll-interval')
  const pollIntervalMs = ['', 'auto'].includes(pollIntervalText.toLowerCase())
    ? undefined
    : read.duration('poll-interval', '', MIN_POLL_MS, MAX_POLL_MS)
  const reuseWithinMs = read.text('reuse-within') === '' ? undefined : read.duration('reuse-within', '', 1_000, MAX_REUSE_WITHIN_MS)
  const maxAgeMs = read.text('max-age') === '' ? undefined : read.duration('max-age', '', 60_000, MAX_AGE_MS)
  if (maxAgeMs !== undefined && !wait)
    problems.push('max-age needs wait: true: a backup that is not waited for is not completed when the step ends')
  if (maxAgeMs !== undefined && reuseWithinMs !== undefined && reuseWithinMs > maxAgeMs)
    problems.push(
      `reuse-within (${formatDuration(reuseWithinMs)}) is longer than max-age (${formatDuration(maxAgeMs)}): a backup it reuses could already be older than max-age allows. Make reuse-within shorter, leaving time for the step itself (e.g. reuse-within: 20h with max-age: 26h)`
    )

  const maxParallel = read.maxParallel()

  const archivePathText = read.text('archive-path')
  // A path to download to implies the archive.
  const archive = read.boolean('archive', false) || archivePathText !== ''
  if (archive && !wait) problems.push('archive needs wait: true: an archive can only be made of a completed backup')
  // Rules may choose several installs: their zips go in a directory, as for a list.
  const several =
    rules !== undefined ? `installs chosen by rule (${rules})` : installs.length > 1 ? `${installs.length} installs` : undefined
  const archivePath = archivePathText === '' ? undefined : archiveDestination(archivePathText, env, several)
  const recipients = parseRecipients(read.text('archive-recipients'), (value) => read.quote(value))
  problems.push(...recipients.problems.map((problem) => `archive-recipients: ${problem}`))
  if (recipients.recipients.length > 0 && archivePath === undefined)
    problems.push('archive-recipients needs archive-path: the encrypted copy is written there (with archive alone, nothing is downloaded)')
  const encrypted = recipients.recipients.length > 0
  const archiveProblem = archivePath === undefined ? undefined : archivePathProblem(archivePathText, archivePath, several, encrypted)
  if (archiveProblem) problems.push(`archive-path ${read.quote(archivePathText)} ${archiveProblem}`)

  const { userId, password } = read.credentials()
  const apiUrl = read.apiUrl()
  // The same checks as a real run: a dry run fails on every input a real run would refuse.
  const dryRun = read.boolean('dry-run', false)
  read.done()
  return {
    installs,
    exclude,
    environments,
    shard,
    maxAgeMs,
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
    archiveRecipients: recipients.recipients,
    userId,
    password,
    apiUrl,
    dryRun
  }
}

/** The environment input: any of production, staging and development; empty keeps every install. */
function readEnvironments(read: InputReader): Environment[] {
  const environments: Environment[] = []
  for (const text of read
    .text('environment')
    .split(/[\s,]+/)
    .filter(Boolean)) {
    const environment = text.toLowerCase() as Environment
    if (!ENVIRONMENTS.includes(environment)) read.problems.push(`environment ${read.quote(text)} is not one of ${ENVIRONMENTS.join(', ')}`)
    else if (!environments.includes(environment)) environments.push(environment)
  }
  return environments
}

/** The shard input, `K/N`: this job's share when N jobs of a matrix split the installs. */
function readShard(read: InputReader): Shard | undefined {
  const text = read.text('shard')
  if (text === '') return undefined
  const match = /^(\d{1,4}) *\/ *(\d{1,4})$/.exec(text)
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN]
  if (!match) {
    read.problems.push(`shard ${read.quote(text)} is not K/N: write e.g. 2/4 for the second of four jobs (\${{ matrix.shard }}/4)`)
  } else if (!(count >= 1 && count <= MAX_SHARDS && index >= 1 && index <= count)) {
    read.problems.push(
      `shard ${read.quote(text)} is out of range: N must be from 1 to ${MAX_SHARDS} (a matrix's most jobs), and K from 1 to N`
    )
  } else {
    return { index, count }
  }
  return undefined
}

/** `a pattern in install (shop*), exclude and shard`: what may make install choose more than the installs it names; undefined when nothing does. */
function rulesText(
  installs: InstallRule[],
  exclude: InstallRule[],
  environments: Environment[],
  shard: Shard | undefined
): string | undefined {
  if (!usesRules({ include: installs, exclude, environments }) && shard === undefined) return undefined
  const patterns = installs.filter((rule) => rule.kind === 'pattern').map(ruleText)
  const rules = [
    patterns.length > 0 && `a pattern in install (${patterns.join(', ')})`,
    exclude.length > 0 && 'exclude',
    environments.length > 0 && 'environment',
    shard && 'shard'
  ].filter((rule): rule is string => typeof rule === 'string')
  return rules.length > 1 ? `${rules.slice(0, -1).join(', ')} and ${rules.at(-1)}` : rules.join('')
}

/**
 * Where archive-path puts the zips, decided once: a directory when the path ends in a separator,
 * names an existing directory, or must hold several installs' zips; a file otherwise.
 */
function archiveDestination(text: string, env: NodeJS.ProcessEnv, several: string | undefined): ArchiveDestination {
  const resolved = resolve(env.GITHUB_WORKSPACE || process.cwd(), text)
  // A trailing separator says "a directory": keep it, as resolve() drops it.
  const named = /[\\/]$/.test(text) || several !== undefined
  const path = named ? resolved + sep : resolved
  return { path, isDirectory: named || (statOf(resolved)?.isDirectory() ?? false) }
}

// Linux and macOS take file names of at most 255 bytes; `.part` is added while downloading.
const MAX_NAME_BYTES = 255 - '.part'.length

/** What is at `path`; undefined when nothing is, or when it cannot be looked at (a file on the way, no permission). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

/**
 * What stands in the way of downloading to `path`, found before anything is sent: invisible characters,
 * a file where a directory must be, a name too long, or a directory where `<file>.part` goes.
 */
function archivePathProblem(
  text: string,
  { path: given, isDirectory }: ArchiveDestination,
  several: string | undefined,
  encrypted: boolean
): string | undefined {
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text)) return 'contains a line break or another invisible character'
  // An encrypted copy is written to `<path>.age`: that name is the one that must work.
  const path = encrypted && !isDirectory ? encryptedName(given) : given
  const target = statOf(path.endsWith(sep) ? path.slice(0, -1) : path)
  if (several !== undefined && target && !target.isDirectory())
    return `is a file, but with ${several} it must be a directory: each install's zip goes in it as <install>-<backup id>.zip`
  if (!isDirectory && target !== undefined && !target.isFile()) return 'is neither a file nor a directory'
  if (!isDirectory && Buffer.byteLength(basename(path)) > MAX_NAME_BYTES)
    return `has a file name longer than ${MAX_NAME_BYTES} bytes, too long to download to`
  if (!isDirectory && statOf(`${path}.part`)?.isDirectory())
    return `cannot be downloaded to: ${basename(path)}.part, where the download goes first, is a directory`
  // The nearest part of the path that exists must be a directory this job can write to, so that the rest can be made.
  for (let parent = isDirectory ? path : dirname(path); ; parent = dirname(parent)) {
    const found = statOf(parent)
    if (found) {
      if (!found.isDirectory()) return `cannot be made: ${parent} is a file, not a directory`
      try {
        accessSync(parent, constants.W_OK)
      } catch (error) {
        return `cannot be written: ${parent} is not writable for this job (${(error as NodeJS.ErrnoException).code})`
      }
      return undefined
    }
    if (dirname(parent) === parent) return undefined
  }
}
