import { InstallNotFoundError } from './find-installs.js'
import { WpeApiError } from '../wpengine/errors.js'

/**
 * A few words on why an install has no fresh backup, for the failure line of a step with several
 * installs; the job summary keeps the whole sentence.
 */
export function shortReason(error: unknown): string {
  if (error instanceof InstallNotFoundError) {
    return error.suggestions.length > 0 ? `not found; did you mean ${error.suggestions[0]}?` : 'not found'
  }
  if (!(error instanceof WpeApiError)) return 'failed'
  const { kind, status } = error.detail
  if (kind === 'http' && status !== undefined) {
    if (status === 401) return 'credentials refused (401)'
    if (status === 403) return 'not allowed (403)'
    if (status === 404) return 'not found (404)'
    if (status === 429) return 'rate-limited (429)'
    return status >= 500 ? `WP Engine error (${status})` : `refused (${status})`
  }
  const reasons: Record<string, string> = {
    network: 'API unreachable',
    timeout: 'API did not answer in time',
    deadline: 'timeout ran out',
    redirect: 'redirected',
    'bad-response': 'unexpected answer',
    misfit: 'answer does not fit',
    'no-route': 'API route missing'
  }
  return reasons[kind] ?? 'failed'
}
