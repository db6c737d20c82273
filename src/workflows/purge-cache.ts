import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import type { WpeClient } from '../wpengine/client.js'
import { CancelledError, WpeApiError } from '../wpengine/errors.js'
import type { CacheType, Install } from '../wpengine/types.js'

/** WP Engine allows one object-cache purge a minute per install: the wait when a 429 does not say how long. */
export const RATE_LIMIT_WAIT_MS = 60_000
/** A longer wait than this is asked of no rollback: the cache is better purged by hand then. */
export const MAX_RATE_LIMIT_WAIT_MS = 2 * 60_000

const BY_HAND = 'Purge the cache in the WP Engine User Portal.'

/**
 * Purges one of the install's caches. A rate-limited purge (429) is sent once more, after the time
 * WP Engine asks for (a minute when it does not say); any other failure is the purge's answer.
 * Resolves with how long it waited for the rate limit, if it did.
 */
export async function purgeCache(
  client: Pick<WpeClient, 'purgeCache'>,
  clock: Clock,
  install: Install,
  type: CacheType,
  { signal, onRateLimited }: { signal?: AbortSignal; onRateLimited?: (waitMs: number) => void } = {}
): Promise<{ waitedMs?: number }> {
  const caches = type === 'all' ? 'caches' : `${type} cache`
  try {
    await client.purgeCache(install, type)
    return {}
  } catch (error) {
    if (!rateLimited(error)) throw error
    const waitMs = error.detail.retryAfterMs ?? RATE_LIMIT_WAIT_MS
    if (waitMs > MAX_RATE_LIMIT_WAIT_MS) {
      throw new WpeApiError(
        `WP Engine is rate-limiting purges of the ${caches} of install ${install.name} (429) and asked to wait ${formatDuration(waitMs)}, longer than this step waits (${formatDuration(MAX_RATE_LIMIT_WAIT_MS)}). ${BY_HAND}`,
        error.detail
      )
    }
    onRateLimited?.(waitMs)
    try {
      await clock.sleep(waitMs, signal)
    } catch {
      throw new CancelledError()
    }
    try {
      await client.purgeCache(install, type)
    } catch (again) {
      if (!rateLimited(again)) throw again
      throw new WpeApiError(
        `WP Engine still refused to purge the ${caches} of install ${install.name} after waiting ${formatDuration(waitMs)} (429; it allows one object-cache purge a minute per install). ${BY_HAND}`,
        again.detail
      )
    }
    return { waitedMs: waitMs }
  }
}

function rateLimited(error: unknown): error is WpeApiError {
  return error instanceof WpeApiError && error.detail.kind === 'http' && error.status === 429
}
