import { archiveCopy } from '../archive/phase.js'
import { actionDependencies, runStep, type Dependencies, type StepDefinition } from '../shared/harness.js'
import { parseInputs, type Settings } from './inputs.js'
import { backUpAll } from './installs.js'
import { conclude, type BackupVerdict } from './outcome.js'
import { outputsOf, type Report } from './report.js'
import { renderSummary } from './summary.js'

export type { Dependencies } from '../shared/harness.js'

/**
 * The backup action: find every install, get each a fresh backup (requested exactly once, or reused)
 * and wait for it; then, for one install with archive, the off-site copy.
 */
export const backupStep: StepDefinition<Settings, Report, BackupVerdict> = {
  title: 'WP Engine backup',
  readInputs: parseInputs,
  limits: (settings) => ({ timeoutMs: settings.timeoutMs, maxConcurrentRequests: settings.maxParallel }),
  start: (settings) => ({ installs: settings.installs.map((ref) => ({ ref })) }),
  async work(report, tools) {
    await backUpAll(report, tools)
    const { settings } = tools
    const [only] = report.installs
    if (!settings.archive || !only?.install || !only.backup || only.outcome !== 'completed') return
    report.archive = {}
    await archiveCopy(report.archive, {
      ...tools,
      install: only.install,
      backup: only.backup,
      notificationEmails: settings.notificationEmails,
      archivePath: settings.archivePath,
      timeoutMs: settings.timeoutMs,
      pollCeilingMs: settings.pollIntervalMs
    })
  },
  conclude,
  outputs: outputsOf,
  summary: renderSummary
}

export function run(deps: Dependencies = actionDependencies()): Promise<void> {
  return runStep(backupStep, deps)
}
