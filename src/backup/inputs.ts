import { accessSync, constants, statSync } from 'node:fs'
import { dirname, resolve, sep } from 'node:path'
import { InputReader, installLabel, type GetInput, type InstallRef } from '../shared/inputs.js'

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

const MIN_POLL_MS = 1_000
const MAX_POLL_MS = 10 * 60_000
// A job may run for six hours at most on GitHub-hosted runners.
const MAX_TIMEOUT_MS = 6 * 3_600_000
// WP Engine publishes no rate limits; five requests in flight keeps well clear of them, twenty is plenty for hundreds of installs.
const DEFAULT_MAX_PARALLEL = 5
const MAX_PARALLEL = 20
// A restore point older than a week is not what anyone means by a fresh backup before a deploy.
const MAX_REUSE_WITHIN_MS = 7 * 24 * 3_600_000

/**
 * Why the zips cannot go to this path, found before any backup is requested rather than after it:
 * a file where several installs need a directory, or no writable directory to put it in.
 */
function archivePathProblem(path: string, installs: number): string | undefined {
  // ENOTDIR (a file on the way) counts as missing here: the walk up finds the file.
  const look = (p: string) => {
    try {
      return statSync(p)
    } catch {
      return undefined
    }
  }
  const bare = path.endsWith(sep) ? path.slice(0, -1) : path
  const existing = look(bare)
  if (installs > 1 && existing && !existing.isDirectory()) {
    return `is a file, but with ${installs} installs it must be a directory: each install's zip goes in it as <install>-<backup id>.zip`
  }
  let folder = path.endsWith(sep) || existing?.isDirectory() ? bare : dirname(bare)
  let found = look(folder)
  while (!found && dirname(folder) !== folder) {
    folder = dirname(folder)
    found = look(folder)
  }
  if (!found?.isDirectory()) return `cannot be made: ${folder} is a file, not a directory`
  try {
    accessSync(folder, constants.W_OK)
  } catch (error) {
    return `cannot be written: ${folder} is not writable for this job (${(error as NodeJS.ErrnoException).code})`
  }
  return undefined
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
  if (archive && !wait) problems.push('archive needs wait: true: an archive can only be made of a completed backup')
  // A trailing slash says "a directory": keep it, as resolve() drops it. Several installs' zips always go in a directory.
  const archivePath =
    archivePathText === ''
      ? undefined
      : resolve(env.GITHUB_WORKSPACE || process.cwd(), archivePathText) + (/[\\/]$/.test(archivePathText) || installs.length > 1 ? sep : '')
  if (archivePath) {
    const problem = archivePathProblem(archivePath, installs.length)
    if (problem) problems.push(`archive-path ${read.quote(archivePathText)} ${problem}`)
  }

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
