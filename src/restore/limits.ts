import { MAX_RATE_LIMIT_WAIT_MS } from '../workflows/purge-cache.js'
import type { RestoreSettings } from './inputs.js'

// Finding an install, choosing and checking its backup and sending the request take seconds: this
// bounds a hung API, with a second more for each further install, the purge's wait for WP Engine's
// rate limit, and the site checks' own time.
const API_BOUND_MS = 5 * 60_000
const PER_INSTALL_MS = 1_000

/** The restore step's limits, the real run's and the dry run's alike (which sends nothing but GET). */
export function restoreLimits(settings: RestoreSettings, readOnly = false) {
  const timeoutMs =
    API_BOUND_MS +
    PER_INSTALL_MS * Math.max(0, settings.targets.length - 1) +
    (settings.purgeCache ? MAX_RATE_LIMIT_WAIT_MS : 0) +
    (settings.verify?.timeoutMs ?? 0)
  return { timeoutMs, maxConcurrentRequests: settings.maxParallel, readOnly }
}
