import { type StepVerdict } from '../step/harness.js'
import { isFinal } from '../wpengine/status.js'
import { cancelledMessage, noCopyMessage, severalFailedMessage, successMessage } from './messages.js'
import { succeeded, type Outcome, type Report } from './report.js'
import { errorLine } from '../wpengine/errors.js'
import { staleLine } from './freshness.js'

export interface BackupVerdict extends StepVerdict {
  outcome: Outcome
  /** Set when the step failed, timed out or was cancelled: the same sentence as `line`. */
  error?: string
}

/** The step's one decision, from every install's outcome and the archive's: read by outputs, summary and the last line. */
export function conclude(report: Report, { cancelled, error }: { cancelled: boolean; error?: unknown }): BackupVerdict {
  const { installs } = report
  const [only] = installs
  if (cancelled || installs.some((entry) => entry.outcome === 'cancelled')) {
    const running = installs.filter((entry) => entry.backup && !isFinal(entry.status))
    return failed('cancelled', cancelledMessage(report, running))
  }
  if (error !== undefined) return failed('failed', errorLine(error))
  let outcome: Outcome
  let reason: string | undefined
  const { audit } = report
  if (installs.length === 1 && only && !(succeeded(only) && audit?.stale.length)) {
    outcome = only.outcome ?? 'failed'
    reason = only.error
  } else if (audit && audit.stale.length > 0) {
    // Every install that failed has no completed backup either: the audit's line names them all, oldest first.
    outcome = 'failed'
    reason = `${staleLine(audit, installs.length)}${installs.length > 1 ? ' The job summary lists them first.' : ''}`
  } else if (installs.every(succeeded)) {
    outcome = installs.every((entry) => entry.outcome === 'completed') ? 'completed' : 'requested'
  } else {
    outcome = 'failed'
    // Every install whose copy failed is named too, beside those without a backup.
    reason = severalFailedMessage(
      installs,
      installs.filter((entry) => !succeeded(entry)),
      installs.filter((entry) => succeeded(entry) && entry.archive?.error)
    )
  }
  // A fresh backup without the off-site copy that was asked for still fails the step.
  const uncopied = installs.filter((entry) => entry.archive?.error)
  if (outcome === 'completed' && uncopied.length > 0) return failed('failed', noCopyMessage(installs, uncopied))
  if (outcome === 'completed' || outcome === 'requested')
    return { ok: true, cancelled: false, outcome, line: successMessage(report, outcome) }
  return failed(outcome, reason ?? 'The backup step failed')
}

function failed(outcome: Outcome, line: string): BackupVerdict {
  return { ok: false, cancelled: outcome === 'cancelled', outcome, line, error: line }
}
