import type { Clock } from '../src/util/clock.js'
import { WpeApiError, type FailureDetail } from '../src/wpengine/errors.js'
import type { Backup, Page } from '../src/wpengine/types.js'

/** A backup as the client hands it on, from plain test values (fakes stand behind the client's decoding, so any id will do). */
export function backupOf(fields: {
  id: string
  status: string
  description?: string
  create_time?: string | null
  complete_time?: string | null
  wordpress_version?: string
}): Backup {
  return { ...fields, create_time: fields.create_time ?? undefined, complete_time: fields.complete_time ?? undefined } as Backup
}

/** One page of `items` as the client hands it on: `size` of them from `offset`. */
export function pageOf<T>(items: T[], offset: number, size: number): Page<T> {
  const results = items.slice(offset, offset + size)
  return {
    results,
    unusable: [],
    received: results.length,
    count: items.length,
    nextOffset: offset + size < items.length ? offset + size : undefined,
    operation: 'list'
  }
}

/** A WP Engine backup whose status moves on with the (fake) clock, as the real one does. */
export function timedBackup(
  clock: Clock,
  {
    requestedMs = 1_000,
    durationMs,
    outcome = 'completed' as string,
    id = 'e41fa98f-ea80-4654-b229-a9b765d0863a'
  }: { requestedMs?: number; durationMs: number; outcome?: string; id?: string }
) {
  const start = clock.now()
  let calls = 0
  const failures = new Map<number, WpeApiError>()
  return {
    get calls() {
      return calls
    },
    /** Makes the n-th status check (1-based) fail with this error. */
    failOn(n: number, error: WpeApiError) {
      failures.set(n, error)
    },
    initial: backupOf({ id, status: 'requested', description: 'd', create_time: new Date(start).toISOString() }),
    async getBackup(): Promise<Backup> {
      calls++
      const failure = failures.get(calls)
      if (failure) throw failure
      const age = clock.now() - start
      const status = age < requestedMs ? 'requested' : age < durationMs ? 'in_progress' : outcome
      const done = status === 'completed' || status === 'aborted'
      return backupOf({
        id,
        status,
        description: 'd',
        create_time: new Date(start).toISOString(),
        complete_time: done ? new Date(start + durationMs).toISOString() : null,
        wordpress_version: '6.8.1'
      })
    }
  }
}

export function apiError(status: number, overrides: Partial<FailureDetail> = {}): WpeApiError {
  const transient = status === 429 || status >= 500
  return new WpeApiError(`HTTP ${status} from the API`, {
    kind: 'http',
    operation: 'get backup',
    status,
    ambiguous: false,
    transient,
    attempts: 4,
    ...overrides
  })
}
