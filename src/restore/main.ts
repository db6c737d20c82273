import {
  actionDependencies,
  defineStep,
  runAction,
  type ActionDefinition,
  type Dependencies,
  type StepDefinition,
  type StepVerdict
} from '../step/harness.js'
import { createNodeSend } from '../wpengine/http.js'
import { conclude } from './conclude.js'
import { reasonOf } from './messages.js'
import { restoreDryRunStep } from './dry-run.js'
import { parseRestoreInputs, type RestoreSettings } from './inputs.js'
import { restoreLimits } from './limits.js'
import { outcomeOf, outputsOf, restoredAsAsked, type RestoreReport } from './report.js'
import { restoreInstall } from './restore-install.js'
import { eachTarget } from './restore-installs.js'
import { renderRestoreSummary } from './summary.js'

/**
 * The restore action, for a failed deploy: for every install, checks that its backup belongs to it
 * and is completed, asks WP Engine once to restore from it, then purges its cache and checks its site
 * when asked. The API gives no restore status to follow, so success means WP Engine accepted the
 * restore (and the site answered as asked, when it was checked).
 */
const restoreStep: StepDefinition<RestoreSettings, RestoreReport, StepVerdict> = {
  limits: (settings) => restoreLimits(settings),
  start: (settings) => ({ settings, entries: settings.targets.map((target) => ({ target, request: 'not-sent' })) }),
  async work(report, tools) {
    // The site is checked as a visitor sees it: through a transport of its own, never the API client's.
    const site = createNodeSend(tools.env)
    try {
      report.entries = await eachTarget(
        report.entries,
        tools,
        (entry, install, scope) => restoreInstall(entry, install, { tools, scope, site }),
        (entry, scope) => {
          if (report.entries.length > 1)
            scope.log.info(restoredAsAsked(entry) ? `✅ ${outcomeOf(entry)}` : `❌ ${entry.error ?? reasonOf(entry)}`)
        }
      )
    } finally {
      site.close()
    }
  },
  conclude,
  outputs: (report) => outputsOf(report),
  summary: renderRestoreSummary
}

export const restoreAction: ActionDefinition<RestoreSettings> = {
  title: 'WP Engine restore',
  readInputs: parseRestoreInputs,
  stepFor: (settings) => (settings.dryRun ? defineStep(restoreDryRunStep) : defineStep(restoreStep))
}

export function runRestore(deps: Dependencies = actionDependencies()): Promise<void> {
  return runAction(restoreAction, deps)
}
