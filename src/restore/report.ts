import { nameOf as nameOfInstall } from '../step/install-names.js'
import type { SiteAnswer } from '../workflows/check-site.js'
import type { Backup, CacheType, Install } from '../wpengine/types.js'
import type { Chosen } from './choose-backup.js'
import type { RestoreSettings, RestoreTarget } from './inputs.js'

// What a real run records of each install, kept current so that it can be told however the step
// ends, and the outputs read from it.

export interface PurgeReport {
  type: CacheType
  state: 'purging' | 'purged' | 'failed'
  /** How long a rate-limited purge waited before it was sent again. */
  waitedMs?: number
  error?: string
}

export interface SiteReport {
  /** The URL checked, as it may be shown (shownUrl). */
  url: string
  state: 'checking' | 'verified' | 'not-verified'
  last?: SiteAnswer
  checks: number
  tookMs: number
}

export interface RestoreEntry {
  target: RestoreTarget
  install?: Install
  backup?: Backup
  chosen?: Chosen
  /** How far the restore request got: not sent, on its way (answer not yet seen), or accepted. */
  request: 'not-sent' | 'sending' | 'accepted'
  acceptedAt?: string
  /** Set once the purge starts (purge-cache), after WP Engine accepted the restore. */
  purge?: PurgeReport
  /** Set once the site checks start (verify-url), after the restore was accepted and the cache purged. */
  site?: SiteReport
  /** The step was cancelled while this install's work went on. */
  cancelled?: boolean
  /** The request's answer was lost: WP Engine may or may not have started the restore. */
  ambiguous?: boolean
  /** Why this install was not restored as asked: the whole sentence, and a few words for a line that names many. */
  error?: string
  reason?: string
}

export interface RestoreReport {
  settings: RestoreSettings
  entries: RestoreEntry[]
}

/**
 * What is known of one install's restore: accepted; not started (refused, or failed before it was
 * sent); unknown (its answer was lost, or the step was cancelled while it was on its way); cancelled
 * before it was sent; or skipped (the backups input gave it no restore point).
 */
export type RestoreOutcome = 'accepted' | 'not-started' | 'unknown' | 'cancelled' | 'skipped'

export function outcomeOf(entry: RestoreEntry): RestoreOutcome {
  if (entry.target.skip !== undefined) return 'skipped'
  if (entry.request === 'accepted') return 'accepted'
  if (entry.request === 'sending' && (entry.cancelled || entry.ambiguous)) return 'unknown'
  return entry.cancelled ? 'cancelled' : 'not-started'
}

/** Everything asked for this install happened: the restore accepted, the cache purged, the site verified (each when asked). */
export function restoredAsAsked(entry: RestoreEntry): boolean {
  const outcome = outcomeOf(entry)
  if (outcome === 'skipped') return true
  return outcome === 'accepted' && entry.purge?.state !== 'failed' && (entry.site === undefined || entry.site.state === 'verified')
}

/** What the install is called in messages: its name once known, else what the user gave. */
export function nameOf(entry: Pick<RestoreEntry, 'target' | 'install'>): string {
  return nameOfInstall({ ref: entry.target.ref, install: entry.install })
}

/** The backup's ID once known, else the one the inputs named (empty for latest and this-run until resolved). */
export function backupIdOf({ backup, target }: RestoreEntry): string {
  return backup?.id ?? ('id' in target.choice ? target.choice.id : '')
}

/** One install's facts, from what the inputs gave until the API says more (a cancelled step still reports them). */
function facts(entry: RestoreEntry) {
  const { install, target } = entry
  return {
    'install-id': install?.id ?? target.installId ?? (target.ref.kind === 'id' ? target.ref.id : ''),
    'install-name': install?.name ?? (target.ref.kind === 'name' ? target.ref.name : ''),
    'backup-id': backupIdOf(entry),
    outcome: outcomeOf(entry),
    accepted: entry.request === 'accepted',
    'accepted-at': entry.acceptedAt ?? '',
    'cache-purged': entry.purge?.state === 'purged',
    verified: entry.site?.state === 'verified'
  }
}

/**
 * The action's outputs. `restores` has one object per install, always; the single-value outputs
 * describe the install when there is exactly one, and are empty when there are several. `accepted`
 * and `verified` are true only when they are true of every install that had a restore point.
 */
export function outputsOf({ entries }: { entries: RestoreEntry[] }): Record<string, string> {
  const all = entries.map(facts)
  const only = all.length === 1 ? all[0] : undefined
  const restorable = all.filter((entry) => entry.outcome !== 'skipped')
  const every = (key: 'accepted' | 'verified'): string => String(restorable.length > 0 && restorable.every((entry) => entry[key]))
  return {
    accepted: every('accepted'),
    'accepted-at': only?.['accepted-at'] ?? '',
    'install-id': only?.['install-id'] ?? '',
    'install-name': only?.['install-name'] ?? '',
    'backup-id': only?.['backup-id'] ?? '',
    verified: every('verified'),
    restores: JSON.stringify(all),
    'dry-run': 'false'
  }
}
