import { chooseInstalls, usesRules } from '../workflows/choose-installs.js'
import { describeInstall, type Resolution } from '../workflows/find-installs.js'
import { inShard } from '../workflows/shard.js'
import type { StepTools } from '../step/harness.js'
import { InputError, installLabel, type InstallRef } from '../step/inputs.js'
import { group, prefixedScope, runnerScope, type Scope } from '../step/log-scope.js'
import { CancelledError, errorLine } from '../wpengine/errors.js'
import { Semaphore } from '../wpengine/semaphore.js'
import { isFinal } from '../wpengine/status.js'
import type { Install } from '../wpengine/types.js'
import { Heartbeat, type Waiting } from './heartbeat.js'
import { apiClockLine, choiceText, chosenLine, shardLine } from './messages.js'
import type { Settings } from './inputs.js'
import { backUpInstall } from './back-up-install.js'
import { succeeded, type InstallEntry, type InstallReport, type Report } from './report.js'
import { shortReason } from '../workflows/short-reason.js'
import { nameOf } from '../step/install-names.js'

/** What follows a completed backup of one install in the same step (the off-site copy). */
export type AfterBackup = (entry: InstallReport, install: Install, scope: Scope) => Promise<void>

/**
 * Every install named: all found in one pass, each one's backup obtained and waited for at once, and
 * `after` run for each as soon as its backup is completed. One install's failure never stops the
 * others; each install's ending is recorded in its report entry.
 */
export async function backUpAll(report: Report, tools: StepTools<Settings>, after?: AfterBackup): Promise<void> {
  const { core, clock, deadline } = tools
  await findAllInstalls(report, tools)
  const several = report.installs.length > 1

  // Installs get their backups a few at a time, as the requests could go no faster anyway: thousands
  // of requests prepared and queued at once would only hold memory.
  const gate = new Semaphore(tools.settings.maxParallel * 2)
  const obtaining = async <T>(work: () => Promise<T>): Promise<T> => {
    await gate.acquire(tools.signal)
    try {
      return await work()
    } finally {
      gate.release()
    }
  }
  const heartbeat = new Heartbeat(clock, clock.now(), deadline, core)
  const stopHeartbeat = heartbeat.run(() => report.installs.flatMap((entry) => waitingOf(entry, clock.now())), report.installs.length)
  try {
    await eachInstall(
      report,
      tools,
      async (entry, install, scope) => {
        await backUpInstall(tools, entry, install, scope, obtaining)
        if (entry.outcome === 'completed') await after?.(entry, install, scope)
      },
      (entry, scope) => {
        const failure = entry.error ?? entry.archive?.error
        if (several) scope.log.info(succeeded(entry) && !failure ? `✅ ${entry.status}` : `❌ ${failure ?? entry.outcome}`)
      }
    )
  } finally {
    stopHeartbeat()
  }
}

/**
 * `work` for every install found, all at once, each with its own log scope (prefixed lines when there
 * are several), then `settled`. One install's failure never stops the others: it is recorded in its entry.
 */
export async function eachInstall<E extends InstallEntry>(
  report: { installs: E[] },
  { core, signal }: StepTools<Settings>,
  work: (entry: E, install: Install, scope: Scope) => Promise<void>,
  settled?: (entry: E, scope: Scope) => void
): Promise<void> {
  const several = report.installs.length > 1
  await Promise.all(
    report.installs.map(async (entry) => {
      const { install } = entry
      if (!install) return
      const scope = several ? prefixedScope(core, install.name) : runnerScope(core)
      await work(entry, install, scope).catch((error: unknown) => settle(entry, error, signal))
      settled?.(entry, scope)
    })
  )
}

/** The report's first entries, before anything is read: the installs named by name or ID (a pattern's come once the list is read). */
export function namedInstalls(settings: Settings): { ref: InstallRef }[] {
  return settings.installs.flatMap((rule) => (rule.kind === 'pattern' ? [] : [{ ref: rule }]))
}

/**
 * Every install chosen, found in one pass: each entry gets its install, or the error that says why there
 * is none. A rule that chooses nothing is bad input: an InputError, before anything is requested. With
 * shard, only this job's share stays. The installs chosen are logged before any request is sent.
 */
export async function findAllInstalls<E extends InstallEntry>(report: { installs: E[] }, tools: StepTools<Settings>): Promise<void> {
  const { core, client, settings } = tools
  const choice = { include: settings.installs, exclude: settings.exclude, environments: settings.environments }
  const ruled = usesRules(choice)
  const find = async (): Promise<void> => {
    const chosen = await chooseInstalls(client, choice)
    if (chosen.problems.length > 0) throw new InputError(chosen.problems)
    if (ruled) core.info(chosenLine(chosen))
    let { resolutions } = chosen
    if (settings.shard) {
      const { shard } = settings
      resolutions = resolutions.filter((resolution) =>
        inShard('install' in resolution ? resolution.install.id : installLabel(resolution.ref), shard)
      )
      core.info(shardLine(shard, resolutions.length, chosen.resolutions.length))
    }
    // Entries made afresh from what was chosen: a pattern becomes the installs it matches.
    report.installs = withoutTwins(
      resolutions.map((resolution) => ({ ref: resolution.ref }) as E),
      resolutions,
      tools
    )
  }
  // One install is one line ("Install mysite (…), production"), not worth a group of its own.
  if (ruled || settings.shard) await group(core, `Choosing installs: ${choiceText(settings)}`, find)
  else if (report.installs.length > 1) await group(core, `Finding ${report.installs.length} installs`, find)
  else await find()
  const clockLine = apiClockLine(client.apiClockOffsetMs())
  if (clockLine) core.info(clockLine)
}

/** Records what was found; the same install named twice (by name and by ID) is backed up once. */
function withoutTwins<E extends InstallEntry>(installs: E[], resolutions: Resolution[], { core, signal }: StepTools<Settings>): E[] {
  const several = installs.length > 1
  const seen = new Map<string, E>()
  return installs.filter((entry, index) => {
    const resolution = resolutions[index]!
    if ('error' in resolution) {
      settle(entry, resolution.error, signal)
      if (several) core.info(`[${nameOf(entry)}] ❌ ${entry.error}`)
      return true
    }
    const { install } = resolution
    const twin = seen.get(install.id)
    if (twin) {
      core.warning(`install lists ${install.name} twice (as ${installLabel(twin.ref)} and ${installLabel(entry.ref)}); backing it up once.`)
      return false
    }
    seen.set(install.id, entry)
    entry.install = install
    core.info(describeInstall(install))
    return true
  })
}

function waitingOf(entry: InstallReport, now: number): Waiting[] {
  const { backup, usual, startedAt } = entry
  return backup && entry.outcome === undefined && !isFinal(entry.status)
    ? [
        {
          name: nameOf(entry),
          backupId: backup.id,
          status: entry.status ?? 'requested',
          usual,
          runningMs: startedAt === undefined ? undefined : now - startedAt
        }
      ]
    : []
}

/** Records how an install's work ended when it threw: cancelled, or failed with one line. */
function settle(entry: InstallEntry, error: unknown, signal: AbortSignal): void {
  entry.outcome = error instanceof CancelledError || signal.aborted ? 'cancelled' : 'failed'
  if (entry.outcome === 'cancelled') return
  entry.error = errorLine(error)
  entry.reason = shortReason(error)
}
