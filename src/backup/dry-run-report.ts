import type { Backup } from '../wpengine/types.js'
import type { DurationEstimate } from './history.js'
import { installNameOutput, outputsOf, type InstallEntry } from './report.js'
import { ageOf } from '../workflows/list-backups.js'
import type { Reusable } from './reuse.js'
import type { Shard } from '../workflows/shard.js'
import type { Audit } from './freshness.js'

// What a dry run records: per install, what was found and what a real run would do. A real run's
// report (report.ts) has none of it.

/** An existing backup a real run would take instead of requesting one, and why. */
export type Existing = Omit<Reusable, 'reason'> & { reason: Reusable['reason'] | 'backup-id' }

/** What a real run would do for an install: request a backup, use an existing one as it is, or wait for one. */
export type RealRun = { action: 'request' } | ({ action: 'use' | 'wait' } & Existing)

/** What a dry run learned about one install's backups. */
export interface Preflight {
  /** The backups could not be read, where a real run would read them only for its history. */
  unread?: true
  /** When the backups were listed; ages count from here. */
  checkedAt: number
  newestCompleted?: Backup
  /** Backups still requested or in progress, newest first. */
  running: Backup[]
  /** How long this install's backups usually take; undefined with too few completed ones. */
  estimate?: DurationEstimate
  /** Unset when a real run would fail for this install (its entry's error says why). */
  plan?: RealRun
  /** The plan in words, finishing "A real run would …". */
  wouldDo?: string
  /** Advice on a backup already running that a real run would request another next to. */
  hint?: string
}

/** One install as a dry run found it. */
export interface DryRunInstall extends InstallEntry {
  /** The install's backups, and what a real run would do; unset until they are read. */
  preflight?: Preflight
}

export interface DryRunReport {
  installs: DryRunInstall[]
  credentialsWork: boolean
  /** This job's share of the installs chosen (the shard input). */
  shard?: Shard
  /** The max-age audit, once every install is read. */
  audit?: Audit
}

/**
 * The outputs of a dry run: no backup was made, so every output that describes one is empty and
 * `dry-run` is true; `backups` has, for each install, what was found and what a real run would do.
 */
export function dryRunOutputs(report: DryRunReport): Record<string, string> {
  const installs = report.installs.map(({ ref, install }) => ({ ref, install }))
  return { ...outputsOf({ installs, audit: report.audit }), 'dry-run': 'true', backups: JSON.stringify(report.installs.map(findings)) }
}

const seconds = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms / 1000))

function findings(entry: DryRunInstall) {
  const { install, ref, preflight } = entry
  const plan = preflight?.plan
  const now = preflight?.checkedAt ?? 0
  const newest = preflight?.newestCompleted
  const estimate = preflight?.estimate
  return {
    'install-id': install?.id ?? (ref.kind === 'id' ? ref.id : ''),
    'install-name': installNameOutput(entry),
    found: install !== undefined,
    problem: entry.error ?? '',
    'real-run': entry.error !== undefined || !plan ? 'fail' : plan.action,
    'real-run-backup-id': plan && plan.action !== 'request' ? plan.backup.id : '',
    'real-run-reason': plan && plan.action !== 'request' ? plan.reason : '',
    'newest-completed': newest
      ? {
          'backup-id': newest.id,
          'create-time': newest.create_time ?? '',
          'complete-time': newest.complete_time ?? '',
          'age-seconds': seconds(ageOf(newest, now))
        }
      : null,
    running: (preflight?.running ?? []).map((backup) => ({
      'backup-id': backup.id,
      status: backup.status,
      'create-time': backup.create_time ?? '',
      'age-seconds': seconds(ageOf(backup, now))
    })),
    'usual-duration': estimate
      ? {
          'typical-seconds': seconds(estimate.typicalMs),
          'low-seconds': seconds(estimate.lowMs),
          'high-seconds': seconds(estimate.highMs),
          samples: estimate.samples
        }
      : null
  }
}
