import { createBackupOnce } from './backup/create.js'
import { getBackupOf } from './backup/get-backup.js'
import { stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { archiveBackup } from './archive/archive.js'
import { downloadArchive } from './archive/download.js'
import { Heartbeat, type Waiting } from './backup/heartbeat.js'
import { describeInstall, resolveInstalls, type Resolution } from './backup/resolve-install.js'
import { findReusable, mayReuse, type Reusable } from './backup/reuse.js'
import { isFinal, normalizeStatus } from './backup/status.js'
import { waitForBackup } from './backup/wait.js'
import { systemClock, type Clock } from './clock.js'
import { describeBackup, stepMarker, type RunContext } from './description.js'
import { formatDuration } from './duration.js'
import { installLabel, parseInputs, type InstallRef, type Settings } from './inputs.js'
import { safeText } from './log-safety.js'
import { nameOf, outputsOf, recordBackup, succeeded, type ArchiveReport, type InstallReport, type Report } from './report.js'
import { renderSummary } from './summary.js'
import { WpeClient } from './wpengine/client.js'
import { CancelledError } from './wpengine/errors.js'
import { createNodeSend, type ClosableSend } from './wpengine/http.js'
import type { Archive, Backup, Install } from './wpengine/types.js'
import type { Runner } from './runner.js'
import { actionDependencies, failureMessage, group, readSettings, writeSummary, type Dependencies } from './step.js'

export type { Dependencies } from './step.js'

export async function run(deps: Dependencies = actionDependencies()): Promise<void> {
  const { runner } = deps
  const settings = readSettings(runner, () => parseInputs((name) => runner.getInput(name), deps.env))
  if (!settings) return

  const clock = deps.clock ?? systemClock
  const cancel = new AbortController()
  const onSignal = (): void => cancel.abort(new CancelledError())
  deps.signals?.once('SIGINT', onSignal)
  deps.signals?.once('SIGTERM', onSignal)

  const send = deps.send ?? createNodeSend(deps.env)
  const report: Report = { installs: settings.installs.map((ref) => ({ ref })) }
  const deadline = clock.now() + settings.timeoutMs
  const client = new WpeClient({
    apiUrl: settings.apiUrl,
    userId: settings.userId,
    password: settings.password,
    send,
    clock,
    deadline,
    signal: cancel.signal,
    random: deps.random,
    maxConcurrentRequests: settings.maxParallel,
    onRetry: (message) => runner.info(message)
  })
  try {
    const phase = { runner, client, clock, settings, report, deadline, context: deps.context, signal: cancel.signal, random: deps.random }
    await backUpAll(phase)
    const [only] = report.installs
    if (settings.archive && only?.install && only.backup && only.outcome === 'completed')
      await archive(phase, only.install, only.backup, deps.env)
  } finally {
    deps.signals?.off('SIGINT', onSignal)
    deps.signals?.off('SIGTERM', onSignal)
    if (!deps.send) (send as ClosableSend).close()
  }
  conclude(report, cancel.signal)

  for (const [name, value] of Object.entries(outputsOf(report))) runner.setOutput(name, value)
  if (report.outcome === 'cancelled') runner.warning(report.error ?? 'Cancelled')
  await writeSummary(runner, renderSummary(report))
  if (report.outcome === 'completed' || report.outcome === 'requested') {
    runner.info(successMessage(report))
  } else {
    runner.setFailed(report.error ?? 'The backup step failed')
  }
  if (report.outcome === 'cancelled') deps.onCancelled?.()
}

interface Phase {
  runner: Runner
  client: WpeClient
  clock: Clock
  settings: Settings
  report: Report
  deadline: number
  context: RunContext
  signal: AbortSignal
  random?: () => number
}

/** Where one install's work is logged: the runner itself for one install; prefixed lines, no groups, for several at once. */
interface Scope {
  log: { info(message: string): void; warning(message: string): void }
  group<T>(name: string, body: () => Promise<T>): Promise<T>
}

async function backUpAll(phase: Phase): Promise<void> {
  const { runner, client, clock, settings, report, deadline, signal } = phase
  const several = report.installs.length > 1
  const title = several
    ? `Finding ${report.installs.length} installs`
    : `Finding install ${installLabel(settings.installs[0] as InstallRef)}`
  const resolutions = await group(runner, title, () => resolveInstalls(client, settings.installs))
  const seen = new Map<string, InstallReport>()
  report.installs = report.installs.filter((entry, index) => {
    const resolution = resolutions[index] as Resolution
    if ('error' in resolution) {
      settle(entry, resolution.error, signal)
      if (several) runner.info(`[${nameOf(entry)}] ❌ ${entry.error}`)
      return true
    }
    const { install } = resolution
    const twin = seen.get(install.id)
    if (twin) {
      runner.warning(
        `install lists ${install.name} twice (as ${installLabel(twin.ref)} and ${installLabel(entry.ref)}); backing it up once.`
      )
      return false
    }
    seen.set(install.id, entry)
    entry.install = install
    runner.info(describeInstall(install))
    return true
  })

  const heartbeat = new Heartbeat(clock, clock.now(), deadline, runner)
  const onCheck = (): void => heartbeat.beat(report.installs.flatMap(waitingOf), report.installs.length)
  await Promise.all(
    report.installs.map(async (entry) => {
      if (!entry.install) return
      const scope = several
        ? prefixedScope(runner, entry.install.name)
        : { log: runner, group: <T>(name: string, body: () => Promise<T>) => group(runner, name, body) }
      try {
        await backUpInstall(phase, entry, entry.install, scope, onCheck)
      } catch (error) {
        settle(entry, error, signal)
      }
      if (several) scope.log.info(succeeded(entry) ? `✅ ${entry.status}` : `❌ ${entry.error ?? entry.outcome}`)
    })
  )
}

function prefixedScope(runner: Runner, name: string): Scope {
  const log = {
    info: (message: string) => runner.info(`[${name}] ${message}`),
    warning: (message: string) => runner.warning(`[${name}] ${message}`)
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

async function backUpInstall(phase: Phase, entry: InstallReport, install: Install, scope: Scope, onCheck: () => void): Promise<void> {
  const { client, clock, settings, deadline, signal } = phase
  const { log } = scope
  const backup = await scope.group(backupTitle(phase, install), () => obtainBackup(phase, entry, install, log))
  recordBackup(entry, backup)

  const status = normalizeStatus(backup.status)
  if (!settings.wait && !isFinal(status)) {
    entry.outcome = 'requested'
    return
  }
  const start = clock.now()
  const result = isFinal(status)
    ? { backup, status, outcome: status, waitedMs: 0 }
    : await scope.group(
        `Waiting for backup ${backup.id} (timeout ${formatDuration(deadline - start)}, checks at most ${formatDuration(settings.pollIntervalMs)} apart)`,
        () =>
          waitForBackup({
            client,
            clock,
            install,
            backup,
            deadline,
            pollCeilingMs: settings.pollIntervalMs,
            log,
            signal,
            random: phase.random,
            onCheck: (seen) => {
              recordBackup(entry, seen)
              entry.waitedMs = clock.now() - start
              onCheck()
            }
          })
      )
  recordBackup(entry, result.backup)
  entry.waitedMs = result.waitedMs
  entry.outcome = result.outcome
  if (result.outcome === 'aborted') {
    entry.error = `WP Engine aborted backup ${result.backup.id} of install ${install.name}: there is no fresh restore point, so do not deploy. Check the install in the WP Engine User Portal, then re-run the job.`
  } else if (result.outcome === 'timeout') {
    entry.error =
      `Backup ${result.backup.id} of install ${install.name} was still ${result.status} when the timeout of ${formatDuration(settings.timeoutMs)} ran out. ` +
      `It keeps running on WP Engine: to wait for it later, run this action with backup-id: ${result.backup.id}, or raise timeout.`
  }
}

/** The off-site copy: an archive of the completed backup, and with archive-path its zip on disk. */
async function archive(phase: Phase, install: Install, backup: Backup, env: NodeJS.ProcessEnv): Promise<void> {
  const { runner, client, clock, settings, deadline, signal } = phase
  const entry: ArchiveReport = {}
  phase.report.archive = entry
  // The download link is a bearer URL: masked the moment it is seen, before anything could log it.
  const masked = new Set<string>()
  const see = (seen: Archive): void => {
    if (seen.download_uri && !masked.has(seen.download_uri)) {
      masked.add(seen.download_uri)
      runner.setSecret(seen.download_uri)
    }
    entry.archive = seen.id ? seen : entry.archive
    entry.state = normalizeStatus(seen.state) ?? entry.state
  }
  try {
    const result = await group(runner, `Archiving backup ${backup.id} (a downloadable zip)`, () =>
      archiveBackup({
        client,
        clock,
        install,
        backup,
        notificationEmails: settings.notificationEmails,
        deadline,
        pollCeilingMs: settings.pollIntervalMs,
        log: runner,
        signal,
        random: phase.random,
        onCheck: see
      })
    )
    see(result.item)
    if (result.outcome === 'aborted') {
      entry.error = `Backup ${backup.id} completed, but WP Engine aborted its archive${result.item.id ? ` ${result.item.id}` : ''}: there is no off-site copy. Re-run the job to request another archive.`
      return
    }
    if (result.outcome === 'timeout') {
      entry.error = `Backup ${backup.id} completed, but its archive was still ${result.status} when the timeout of ${formatDuration(settings.timeoutMs)} ran out. Raise timeout; a re-run uses the same archive.`
      return
    }
    runner.info(`Archive ${result.item.id} is completed; its download link is in the archive-url output (masked in logs).`)
    const link = result.item.download_uri
    if (!settings.archivePath) return
    if (!link) {
      entry.error = `WP Engine reported archive ${result.item.id} completed but gave no download link. Re-run the job later.`
      return
    }
    const file =
      settings.archivePath.endsWith(sep) || (await isDirectory(settings.archivePath))
        ? join(settings.archivePath, `${install.name}-${backup.id}.zip`)
        : settings.archivePath
    const downloaded = await group(runner, `Downloading archive ${result.item.id} to ${file}`, () =>
      downloadArchive({ url: new URL(link), file, env, clock, deadline, signal, log: runner })
    )
    entry.file = downloaded.file
    entry.bytes = downloaded.bytes
  } catch (error) {
    // A cancelled step is reported as such by conclude().
    if (!(error instanceof CancelledError || signal.aborted)) entry.error = failureMessage(error)
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false
}

function reusePolicy(phase: Phase) {
  return { context: phase.context, reuseWithinMs: phase.settings.reuseWithinMs, now: phase.clock.now() }
}

function backupTitle(phase: Phase, install: Install): string {
  if (phase.settings.backupId) return `Checking backup ${phase.settings.backupId}`
  return mayReuse(reusePolicy(phase))
    ? `Looking for a backup of ${install.name} to reuse, or requesting one`
    : `Requesting a backup of ${install.name}`
}

/** The backup to wait for: the one named by backup-id, one to reuse, or a new one. */
async function obtainBackup(phase: Phase, entry: InstallReport, install: Install, log: Scope['log']): Promise<Backup> {
  const { client, clock, settings, signal } = phase
  if (settings.backupId) {
    const existing = await getBackupOf(client, install, settings.backupId)
    log.info(`Backup ${existing.id} is ${safeText(existing.status, 40)}: ${safeText(existing.description ?? '')}`)
    return existing
  }
  const reusable = await findReusable(client, install, reusePolicy(phase))
  if (reusable) {
    const { backup, ...reused } = reusable
    entry.reused = reused
    log.info(reuseMessage(reusable, install, settings))
    return backup
  }
  const marker = stepMarker(phase.context)
  const description = describeBackup(settings.description, phase.context, marker)
  log.info(`Description: ${safeText(description)}`)
  log.info(`Notification emails: ${settings.notificationEmails.join(', ')}`)
  const created = await createBackupOnce({
    client,
    clock,
    install,
    body: { description, notification_emails: settings.notificationEmails },
    marker,
    log,
    signal
  })
  log.info(`Backup ${created.backup.id} requested; its status is ${safeText(created.backup.status, 40)}`)
  return created.backup
}

function reuseMessage({ backup, reason, ageMs, attempt }: Reusable, install: Install, settings: Settings): string {
  const status = safeText(backup.status, 40)
  const age = ageMs === undefined ? 'of unknown age' : `${formatDuration(ageMs)} old`
  switch (reason) {
    case 'rerun':
      return `Backup ${backup.id} was requested by attempt ${attempt} of this run and is ${status} (${age}): using it instead of requesting another.`
    case 'in-flight':
      return `Backup ${backup.id} of ${install.name} is already ${status} (${age}): waiting for it instead of requesting a second one, as WP Engine advises.`
    case 'recent':
      return `Backup ${backup.id} of ${install.name} completed and is ${age}, within reuse-within (${formatDuration(settings.reuseWithinMs ?? 0)}): using it instead of requesting another.`
  }
}

/** Records how an install's work ended when it threw: cancelled, or failed with one line. */
function settle(entry: InstallReport, error: unknown, signal: AbortSignal): void {
  entry.outcome = error instanceof CancelledError || signal.aborted ? 'cancelled' : 'failed'
  entry.error = entry.outcome === 'cancelled' ? undefined : failureMessage(error)
}

/** The step's outcome and its one error line, from every install's. */
function conclude(report: Report, signal: AbortSignal): void {
  const { installs } = report
  const [only] = installs
  if (signal.aborted || installs.some((entry) => entry.outcome === 'cancelled')) {
    report.outcome = 'cancelled'
    report.error = cancelledMessage(report)
  } else if (installs.length === 1 && only) {
    report.outcome = only.outcome
    report.error = only.error
  } else if (installs.every(succeeded)) {
    report.outcome = installs.every((entry) => entry.outcome === 'completed') ? 'completed' : 'requested'
  } else {
    report.outcome = 'failed'
    report.error = severalFailedMessage(installs)
  }
  // A fresh backup without the off-site copy that was asked for still fails the step.
  if (report.outcome === 'completed' && report.archive?.error) {
    report.outcome = 'failed'
    report.error = report.archive.error
  }
}

function severalFailedMessage(installs: InstallReport[]): string {
  const failed = installs.filter((entry) => !succeeded(entry))
  const names = failed.map(nameOf).join(', ')
  const reasons = [...new Set(failed.map((entry) => entry.error ?? 'it failed'))]
  const lead = `${failed.length} of ${installs.length} installs have no fresh backup (${names}), so do not deploy.`
  if (reasons.length === 1) return `${lead} ${reasons[0]}`
  return `${lead} ${failed.map((entry) => `${nameOf(entry)}: ${entry.error ?? 'it failed'}`).join(' ')}`
}

function successMessage(report: Report): string {
  const [only] = report.installs
  if (report.installs.length === 1 && only) {
    if (only.outcome === 'requested') return `Backup ${only.backup?.id} is ${only.status}; not waiting for it (wait: false).`
    const waited = only.waitedMs ? ` after waiting ${formatDuration(only.waitedMs)}` : ''
    return `✅ Backup ${only.backup?.id} of install ${only.install?.name} completed${waited}.`
  }
  const reused = report.installs.filter((entry) => entry.reused).length
  const reusedNote = reused > 0 ? ` (${reused} reused)` : ''
  return report.outcome === 'requested'
    ? `Backups of ${report.installs.length} installs requested${reusedNote}; not waiting for them (wait: false). Their ids are in the backups output.`
    : `✅ Backups of ${report.installs.length} installs completed${reusedNote}. Their ids are in the backups output.`
}

function cancelledMessage(report: Report): string {
  const running = report.installs.filter((entry) => entry.backup && !isFinal(entry.status))
  const [only] = running
  if (running.length === 1 && only?.backup) {
    const id = only.backup.id
    return `The step was cancelled while waiting for backup ${id}${report.installs.length > 1 ? ` of ${nameOf(only)}` : ''}. The backup keeps running on WP Engine: to wait for it later, run this action with backup-id: ${id}.`
  }
  if (running.length > 1) {
    return `The step was cancelled while waiting for ${running.length} backups (${running.map((entry) => `${nameOf(entry)}: ${entry.backup?.id}`).join(', ')}). They keep running on WP Engine: to wait for one later, run this action with its install and backup-id.`
  }
  return "The step was cancelled before WP Engine confirmed a backup request. If the request had already reached WP Engine, the backup runs on; its description ends with this step's [ci …] tag."
}
