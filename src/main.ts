import { createBackupOnce } from './backup/create.js'
import { getBackupOf } from './backup/get-backup.js'
import { resolveInstall } from './backup/resolve-install.js'
import { isFinal, normalizeStatus } from './backup/status.js'
import { waitForBackup } from './backup/wait.js'
import { systemClock, type Clock } from './clock.js'
import { describeBackup, stepMarker, type RunContext } from './description.js'
import { formatDuration } from './duration.js'
import { InputError, parseInputs, type Settings } from './inputs.js'
import { safeText } from './log-safety.js'
import { outputsOf, recordBackup, type Report } from './report.js'
import { renderSummary } from './summary.js'
import { basicToken, WpeClient } from './wpengine/client.js'
import { CancelledError, WpeApiError } from './wpengine/errors.js'
import { createNodeSend, type ClosableSend, type Send } from './wpengine/http.js'
import { createRunner, runContextFromEnv, type Runner } from './runner.js'

/** Where the runner's cancellation signals arrive (process, in the action). */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
}

export interface Dependencies {
  runner: Runner
  env: NodeJS.ProcessEnv
  context: RunContext
  clock?: Clock
  send?: Send
  random?: () => number
  signals?: SignalSource
  /** Called on cancellation once outputs are written, to end the process promptly. */
  onCancelled?: () => void
}

/** The real collaborators: the runner protocol on stdout and files, the run context, process signals. */
function actionDependencies(): Dependencies {
  return {
    runner: createRunner(process.env),
    env: process.env,
    context: runContextFromEnv(process.env),
    signals: process,
    // In-flight requests are already aborted and the outputs written: end now, whatever else is pending.
    onCancelled: () => process.exit()
  }
}

export async function run(deps: Dependencies = actionDependencies()): Promise<void> {
  const { runner } = deps
  let settings: Settings
  try {
    settings = parseInputs((name) => runner.getInput(name), deps.env)
  } catch (error) {
    runner.setFailed(error instanceof InputError ? `Invalid input: ${error.message}` : String(error))
    return
  }
  // Masked before anything else is logged: the password and the header value derived from it.
  runner.setSecret(settings.password)
  runner.setSecret(basicToken(settings.userId, settings.password))

  const clock = deps.clock ?? systemClock
  const cancel = new AbortController()
  const onSignal = (): void => cancel.abort(new CancelledError())
  deps.signals?.once('SIGINT', onSignal)
  deps.signals?.once('SIGTERM', onSignal)

  const send = deps.send ?? createNodeSend(deps.env)
  const report: Report = {}
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
    onRetry: (message) => runner.info(message)
  })
  try {
    await backUp({ runner, client, clock, settings, report, deadline, context: deps.context, signal: cancel.signal, random: deps.random })
  } catch (error) {
    report.outcome = error instanceof CancelledError || cancel.signal.aborted ? 'cancelled' : 'failed'
    report.error = report.outcome === 'cancelled' ? cancelledMessage(report) : failureMessage(error)
  } finally {
    deps.signals?.off('SIGINT', onSignal)
    deps.signals?.off('SIGTERM', onSignal)
    if (!deps.send) (send as ClosableSend).close()
  }

  for (const [name, value] of Object.entries(outputsOf(report))) runner.setOutput(name, value)
  if (report.outcome === 'cancelled') runner.warning(report.error ?? 'Cancelled')
  try {
    await runner.writeSummary(renderSummary(report))
  } catch (error) {
    runner.warning(`Could not write the job summary: ${failureMessage(error)}`)
  }
  if (report.outcome === 'completed' || report.outcome === 'requested') {
    runner.info(report.outcome === 'completed' ? `✅ ${completedMessage(report)}` : `Backup ${report.backup?.id} is ${report.status}; not waiting for it (wait: false).`)
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

async function backUp(phase: Phase): Promise<void> {
  const { runner, client, clock, settings, report, deadline, signal } = phase
  const installLabel = settings.install.kind === 'id' ? settings.install.id : settings.install.name
  report.install = await group(runner, `Finding install ${installLabel}`, async () => {
    const install = await resolveInstall(client, settings.install)
    runner.info(`Install ${install.name} (${install.id})${install.environment ? `, ${safeText(install.environment, 40)}` : ''}`)
    return install
  })
  const install = report.install

  const backup = await group(runner, settings.backupId ? `Checking backup ${settings.backupId}` : `Requesting a backup of ${install.name}`, async () => {
    if (settings.backupId) {
      const existing = await getBackupOf(client, install, settings.backupId)
      runner.info(`Backup ${existing.id} is ${safeText(existing.status, 40)}: ${safeText(existing.description ?? '')}`)
      return existing
    }
    const marker = stepMarker(phase.context)
    const description = describeBackup(settings.description, phase.context, marker)
    runner.info(`Description: ${safeText(description)}`)
    runner.info(`Notification emails: ${settings.notificationEmails.join(', ')}`)
    const created = await createBackupOnce({
      client,
      clock,
      install,
      body: { description, notification_emails: settings.notificationEmails },
      marker,
      log: runner,
      signal
    })
    runner.info(`Backup ${created.backup.id} requested; its status is ${safeText(created.backup.status, 40)}`)
    return created.backup
  })
  recordBackup(report, backup)

  const status = normalizeStatus(backup.status)
  if (!settings.wait && !isFinal(status)) {
    report.outcome = 'requested'
    return
  }
  const start = clock.now()
  const result = isFinal(status)
    ? { backup, status, outcome: status, waitedMs: 0 }
    : await group(runner, `Waiting for backup ${backup.id} (timeout ${formatDuration(deadline - start)}, checks at most ${formatDuration(settings.pollIntervalMs)} apart)`, () =>
        waitForBackup({
          client,
          clock,
          install,
          backup,
          deadline,
          pollCeilingMs: settings.pollIntervalMs,
          log: runner,
          signal,
          random: phase.random,
          onUpdate: (seen) => {
            recordBackup(report, seen)
            report.waitedMs = clock.now() - start
          }
        })
      )
  recordBackup(report, result.backup)
  report.waitedMs = result.waitedMs
  report.outcome = result.outcome
  if (result.outcome === 'aborted') {
    report.error = `WP Engine aborted backup ${result.backup.id} of install ${install.name}: there is no fresh restore point, so do not deploy. Check the install in the WP Engine User Portal, then re-run the job.`
  } else if (result.outcome === 'timeout') {
    report.error =
      `Backup ${result.backup.id} of install ${install.name} was still ${result.status} when the timeout of ${formatDuration(settings.timeoutMs)} ran out. ` +
      `It keeps running on WP Engine: to wait for it later, run this action with backup-id: ${result.backup.id}, or raise timeout.`
  }
}

async function group<T>(runner: Runner, name: string, body: () => Promise<T>): Promise<T> {
  runner.startGroup(name)
  try {
    return await body()
  } finally {
    runner.endGroup()
  }
}

function completedMessage(report: Report): string {
  const waited = report.waitedMs ? ` after waiting ${formatDuration(report.waitedMs)}` : ''
  return `Backup ${report.backup?.id} of install ${report.install?.name} completed${waited}.`
}

function cancelledMessage(report: Report): string {
  const id = report.backup?.id
  return id
    ? `The step was cancelled while waiting for backup ${id}. The backup keeps running on WP Engine: to wait for it later, run this action with backup-id: ${id}.`
    : 'The step was cancelled before WP Engine confirmed a backup request. If the request had already reached WP Engine, the backup runs on; its description ends with this step\'s [ci …] tag.'
}

/** One line, never a stack trace: our own errors carry a finished message; anything else is unexpected. */
function failureMessage(error: unknown): string {
  if (error instanceof WpeApiError) return error.message
  if (error instanceof Error) return safeText(error.message)
  return safeText(String(error))
}
