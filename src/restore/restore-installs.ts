import type { StepTools } from '../step/harness.js'
import { installLabel } from '../step/inputs.js'
import { group, prefixedScope, runnerScope, type Scope } from '../step/log-scope.js'
import { describeInstall, findInstalls } from '../workflows/find-installs.js'
import { CancelledError, WpeApiError, errorLine } from '../wpengine/errors.js'
import type { Install } from '../wpengine/types.js'
import type { RestoreSettings, RestoreTarget } from './inputs.js'
import { skippedLine } from './messages.js'
import { NoRestorePoint } from './request-restore.js'
import { shortReason } from '../workflows/short-reason.js'

/** What every restore step (the real one and the dry run) records of each install named. */
export interface TargetEntry {
  target: RestoreTarget
  install?: Install
  cancelled?: boolean
  ambiguous?: boolean
  error?: string
  reason?: string
}

/**
 * Every install with a restore point, found in one pass (names through one walk of the installs, IDs
 * one GET each), then `work` for each at once, each with its own log scope (prefixed lines when there
 * are several). One install's failure never stops the others: it is recorded in its entry. Returns
 * the entries without an install named twice (by name and by ID), which is restored once.
 */
export async function eachTarget<E extends TargetEntry>(
  entries: E[],
  tools: StepTools<RestoreSettings>,
  work: (entry: E, install: Install, scope: Scope) => Promise<void>,
  settled?: (entry: E, scope: Scope) => void
): Promise<E[]> {
  const { core, client, signal } = tools
  const several = entries.length > 1
  const restorable = entries.filter((entry) => entry.target.skip === undefined)
  // Not a problem to flag: the deploy recipes do not deploy to an install without a restore point either.
  for (const entry of entries) if (entry.target.skip !== undefined) core.info(skippedLine(entry))
  const find = async (): Promise<void> => {
    const found = await findInstalls(
      client,
      restorable.map((entry) => entry.target.ref)
    )
    found.forEach((resolution, index) => {
      const entry = restorable[index] as E
      if ('error' in resolution) settle(entry, resolution.error, signal)
      else if (entry.target.installId !== undefined && resolution.install.id !== entry.target.installId) {
        settle(entry, wrongInstall(resolution.install, entry.target.installId), signal)
      } else {
        entry.install = resolution.install
        core.info(describeInstall(resolution.install))
      }
      if (several && entry.error) core.info(`[${installLabel(entry.target.ref)}] ❌ ${entry.error}`)
    })
  }
  // One install is one line ("Install mysite (…), production"), not worth a group of its own.
  if (restorable.length > 1) await group(core, `Finding ${restorable.length} installs`, find)
  else if (restorable.length === 1) await find()
  const kept = withoutTwins(entries, tools)
  await Promise.all(
    kept.map(async (entry) => {
      const { install } = entry
      if (!install || entry.error !== undefined) return
      const scope = several ? prefixedScope(core, install.name) : runnerScope(core)
      await work(entry, install, scope).catch((error: unknown) => settle(entry, error, signal))
      settled?.(entry, scope)
    })
  )
  return kept
}

function wrongInstall(install: Install, expectedId: string): NoRestorePoint {
  return new NoRestorePoint(
    `Install ${install.name} is ${install.id}, not ${expectedId} as the backups input says: it is not the install that was backed up, so it was not restored.`,
    'another install of that name'
  )
}

/** The same install named twice (by name and by ID) is restored once: the later entry is dropped, with a warning. */
function withoutTwins<E extends TargetEntry>(entries: E[], { core }: StepTools<RestoreSettings>): E[] {
  const seen = new Map<string, E>()
  return entries.filter((entry) => {
    const id = entry.install?.id
    if (id === undefined) return true
    const twin = seen.get(id)
    if (!twin) {
      seen.set(id, entry)
      return true
    }
    core.warning(
      `install lists ${entry.install?.name} twice (as ${installLabel(twin.target.ref)} and ${installLabel(entry.target.ref)}); restoring it once.`
    )
    return false
  })
}

/** Records how an install's work ended when it threw: cancelled, or failed with one line and a few words. */
function settle(entry: TargetEntry, error: unknown, signal: AbortSignal): void {
  entry.cancelled = error instanceof CancelledError || signal.aborted
  if (entry.cancelled) return
  entry.ambiguous = error instanceof WpeApiError && error.detail.ambiguous
  entry.error = errorLine(error)
  entry.reason = error instanceof NoRestorePoint ? error.reason : shortReason(error)
}
