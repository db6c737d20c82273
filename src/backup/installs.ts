import { findInstalls, describeInstall, type Resolution } from '../shared/find-installs.js'
import { failureMessage, group, type StepTools } from '../shared/harness.js'
import { installLabel } from '../shared/inputs.js'
import { CancelledError } from '../wpengine/errors.js'
import { isFinal } from '../wpengine/status.js'
import { Heartbeat, type Waiting } from './heartbeat.js'
import { shortReason } from './messages.js'
import type { Settings } from './inputs.js'
import { backUpInstall, type Scope } from './pipeline.js'
import { nameOf, succeeded, type InstallReport, type Report } from './report.js'

/**
 * Every install named: all found in one pass, each one's backup obtained and waited for at once. One
 * install's failure never stops the others; each install's ending is recorded in its report entry.
 */
export async function backUpAll(report: Report, tools: StepTools<Settings>): Promise<void> {
  const { core, client, clock, settings, deadline, signal } = tools
  const several = report.installs.length > 1
  const find = async (): Promise<void> => {
    report.installs = withoutTwins(report.installs, await findInstalls(client, settings.installs), tools)
  }
  // One install is one line ("Install mysite (…), production"), not worth a group of its own.
  if (several) await group(core, `Finding ${report.installs.length} installs`, find)
  else await find()

  const heartbeat = new Heartbeat(clock, clock.now(), deadline, core)
  const onCheck = (): void => heartbeat.beat(report.installs.flatMap(waitingOf), report.installs.length)
  await Promise.all(
    report.installs.map(async (entry) => {
      const { install } = entry
      if (!install) return
      const scope: Scope = several ? prefixedScope(tools, install.name) : { log: core, group: (name, body) => group(core, name, body) }
      try {
        await backUpInstall(tools, entry, install, scope, onCheck)
      } catch (error) {
        settle(entry, error, signal)
      }
      if (several) scope.log.info(succeeded(entry) ? `✅ ${entry.status}` : `❌ ${entry.error ?? entry.outcome}`)
    })
  )
}

/** Records what was found; the same install named twice (by name and by ID) is backed up once. */
function withoutTwins(installs: InstallReport[], resolutions: Resolution[], { core, signal }: StepTools<Settings>): InstallReport[] {
  const several = installs.length > 1
  const seen = new Map<string, InstallReport>()
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

/** Several installs at once: prefixed lines, no groups (groups cannot interleave). */
function prefixedScope({ core }: StepTools<Settings>, name: string): Scope {
  const log = {
    info: (message: string) => core.info(`[${name}] ${message}`),
    warning: (message: string) => core.warning(`[${name}] ${message}`)
  }
  return {
    log,
    group: (title, body) => {
      log.info(title)
      return body()
    }
  }
}

function waitingOf(entry: InstallReport): Waiting[] {
  return entry.backup && entry.outcome === undefined && !isFinal(entry.status)
    ? [{ name: nameOf(entry), backupId: entry.backup.id, status: entry.status ?? 'requested' }]
    : []
}

/** Records how an install's work ended when it threw: cancelled, or failed with one line. */
function settle(entry: InstallReport, error: unknown, signal: AbortSignal): void {
  entry.outcome = error instanceof CancelledError || signal.aborted ? 'cancelled' : 'failed'
  if (entry.outcome === 'cancelled') return
  entry.error = failureMessage(error)
  entry.reason = shortReason(error)
}
