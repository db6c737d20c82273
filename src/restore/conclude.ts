import { type StepVerdict } from '../step/harness.js'
import { installLabel } from '../step/inputs.js'
import { WpeApiError, errorLine } from '../wpengine/errors.js'
import type { Backup, Install } from '../wpengine/types.js'
import type { RestoreSettings } from './inputs.js'

export interface RestoreReport {
  settings: RestoreSettings
  install?: Install
  backup?: Backup
  /** How far the restore request got: not sent, on its way (answer not yet seen), or accepted. */
  request: 'not-sent' | 'sending' | 'accepted'
  acceptedAt?: string
}

/** `unknown`: the request may have reached WP Engine, but no answer said so. */
export type RestoreOutcome = 'accepted' | 'not-started' | 'unknown' | 'cancelled'

export interface RestoreVerdict extends StepVerdict {
  outcome: RestoreOutcome
}

/** The restore's one decision: what is known of the request, read by outputs, summary and the last line. */
export function conclude(report: RestoreReport, { cancelled, error }: { cancelled: boolean; error?: unknown }): RestoreVerdict {
  const { settings, install, request } = report
  const name = install?.name ?? installLabel(settings.install)
  if (request === 'accepted') {
    const emails = settings.notificationEmails.join(', ')
    return {
      ok: true,
      cancelled: false,
      outcome: 'accepted',
      line: `✅ WP Engine accepted the restore of ${name} from backup ${settings.backupId}. It runs on WP Engine now and emails ${emails} when done; the API gives no status to wait on.`
    }
  }
  if (request === 'sending' && (cancelled || (error instanceof WpeApiError && error.detail.ambiguous))) {
    const why = cancelled
      ? `The step was cancelled while the request to restore ${name} from backup ${settings.backupId} was on its way; WP Engine may or may not have started the restore.`
      : errorLine(error)
    return {
      ok: false,
      cancelled,
      outcome: 'unknown',
      line: cancelled ? `${why} Check the install in the WP Engine User Portal before running the restore again.` : why
    }
  }
  if (cancelled) {
    return {
      ok: false,
      cancelled,
      outcome: 'cancelled',
      line: `The step was cancelled before the restore of ${name} was requested: nothing was restored.`
    }
  }
  return { ok: false, cancelled, outcome: 'not-started', line: errorLine(error ?? 'The restore step failed') }
}
