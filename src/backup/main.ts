import { archiveCopy, sharedDownloads } from '../archive/offsite-copy.js'
import {
  actionDependencies,
  defineStep,
  runAction,
  type ActionDefinition,
  type Dependencies,
  type StepDefinition
} from '../step/harness.js'
import { dryRunStep } from './dry-run.js'
import { parseInputs, type Settings } from './inputs.js'
import { backUpAll, namedInstalls, type AfterBackup } from './back-up-installs.js'
import { conclude, type BackupVerdict } from './conclude.js'
import { outputsOf, type Report } from './report.js'
import { auditFreshness } from './freshness.js'
import { renderSummary } from './summary.js'
import { nameOf } from '../step/install-names.js'

export type { Dependencies } from '../step/harness.js'

/**
 * A real run: find every install, get each a fresh backup (requested exactly once, or reused) and
 * wait for it; with archive, each install's off-site copy as soon as its backup is completed.
 */
const backupStep: StepDefinition<Settings, Report, BackupVerdict> = {
  limits: (settings) => ({ timeoutMs: settings.timeoutMs, maxConcurrentRequests: settings.maxParallel }),
  start: (settings) => ({ installs: namedInstalls(settings), archiving: settings.archive, shard: settings.shard }),
  async work(report, tools) {
    const { settings } = tools
    const shared = sharedDownloads()
    const offsiteCopy: AfterBackup = async (entry, install, scope) => {
      if (!entry.backup) return
      entry.archive = {}
      await archiveCopy(entry.archive, {
        ...tools,
        scope,
        install,
        backup: entry.backup,
        notificationEmails: settings.notificationEmails,
        archivePath: settings.archivePath,
        recipients: settings.archiveRecipients,
        plainHttp: settings.apiUrl.protocol === 'http:',
        linkOutput: report.installs.length === 1,
        timeoutMs: settings.timeoutMs,
        pollCeilingMs: settings.pollIntervalMs,
        shared
      })
    }
    await backUpAll(report, tools, settings.archive ? offsiteCopy : undefined)
    // A real run holds each install to the backup it made or reused, and only a completed one counts.
    if (settings.maxAgeMs !== undefined) {
      const candidates = report.installs.map((entry) => ({
        name: nameOf(entry),
        installId: entry.install?.id ?? '',
        backup: entry.status === 'completed' ? entry.backup : undefined,
        reason: entry.reason ?? (entry.status ? `${entry.status.replace('_', ' ')}` : undefined)
      }))
      report.audit = auditFreshness(candidates, settings.maxAgeMs, tools.client.apiNow())
    }
  },
  conclude,
  outputs: (report) => outputsOf(report),
  summary: renderSummary
}

/** The backup action: a real run, or with dry-run a step that only checks what a real run needs and requests nothing. */
export const backupAction: ActionDefinition<Settings> = {
  title: 'WP Engine backup',
  readInputs: parseInputs,
  stepFor: (settings) => (settings.dryRun ? defineStep(dryRunStep) : defineStep(backupStep))
}

export function run(deps: Dependencies = actionDependencies()): Promise<void> {
  return runAction(backupAction, deps)
}
