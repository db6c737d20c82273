import { archiveCopy, sharedDownloads } from '../archive/offsite-copy.js'
import { actionDependencies, runStep, type Dependencies, type StepDefinition } from '../step/harness.js'
import { concludeDryRun, dryRun, dryRunOutputs, type DryRunVerdict } from './dry-run.js'
import { renderDryRunSummary } from './dry-run-summary.js'
import { parseInputs, type Settings } from './inputs.js'
import { backUpAll, type AfterBackup } from './back-up-installs.js'
import { conclude, type BackupVerdict } from './conclude.js'
import { outputsOf, type Report } from './report.js'
import { renderSummary } from './summary.js'

export type { Dependencies } from '../step/harness.js'

/**
 * The backup action: find every install, get each a fresh backup (requested exactly once, or reused)
 * and wait for it; with archive, each install's off-site copy as soon as its backup is completed.
 * With dry-run, only check what a real run needs, and request nothing.
 */
export const backupStep: StepDefinition<Settings, Report, BackupVerdict | DryRunVerdict> = {
  title: 'WP Engine backup',
  readInputs: parseInputs,
  limits: (settings) => ({ timeoutMs: settings.timeoutMs, maxConcurrentRequests: settings.maxParallel, readOnly: settings.dryRun }),
  start: (settings) => ({
    installs: settings.installs.map((ref) => ({ ref })),
    archiving: settings.archive,
    dryRun: settings.dryRun ? { credentialsWork: false } : undefined
  }),
  async work(report, tools) {
    const { settings } = tools
    if (settings.dryRun) return dryRun(report, tools)
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
        linkOutput: settings.installs.length === 1,
        timeoutMs: settings.timeoutMs,
        pollCeilingMs: settings.pollIntervalMs,
        shared
      })
    }
    await backUpAll(report, tools, settings.archive ? offsiteCopy : undefined)
  },
  conclude: (report, ending) => (report.dryRun ? concludeDryRun(report, ending) : conclude(report, ending)),
  outputs: (report, verdict) => ('dryRun' in verdict ? dryRunOutputs(report) : outputsOf(report)),
  summary: (report, verdict) => ('dryRun' in verdict ? renderDryRunSummary(report, verdict) : renderSummary(report, verdict))
}

export function run(deps: Dependencies = actionDependencies()): Promise<void> {
  return runStep(backupStep, deps)
}
