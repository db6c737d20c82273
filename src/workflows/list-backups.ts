import type { WpeClient } from '../wpengine/client.js'
import { allItems } from '../wpengine/pages.js'
import type { Backup, Install, ListOptions } from '../wpengine/types.js'

// An install's backups, and how old each is: what reuse, the history, the dry run and the restore's
// choice of backup all read.

/** Every backup of the install, in one pass through its list. */
export async function listBackups(client: Pick<WpeClient, 'listBackups'>, install: Install, options?: ListOptions): Promise<Backup[]> {
  const backups: Backup[] = []
  for await (const backup of allItems((offset) => client.listBackups(install, offset, options))) backups.push(backup)
  return backups
}

// The API's clock and the runner's are reconciled (WpeClient.apiNow) to within the Date header's
// whole seconds: a create_time this little ahead is a fresh backup.
const FUTURE_TOLERANCE_MS = 5_000

/**
 * Since the backup was created, by its create_time against `now` (the API's clock); undefined when the
 * API gave none, or a time in the future: an unknown age, never 0.
 */
export function ageOf(backup: Backup, now: number): number | undefined {
  const created = Date.parse(backup.create_time ?? '')
  if (Number.isNaN(created) || created - now > FUTURE_TOLERANCE_MS) return undefined
  return Math.max(0, now - created)
}
