import { markersIn, type MarkedBy } from '../step/step-marker.js'
import { ageOf, listBackups } from '../workflows/list-backups.js'
import type { RunContext } from '../step/run-context.js'
import { getBackupOf } from '../workflows/get-backup.js'
import type { WpeClient } from '../wpengine/client.js'
import { normalizeStatus } from '../wpengine/status.js'
import type { Backup, Install } from '../wpengine/types.js'
import type { BackupChoice } from './inputs.js'
import { NoRestorePoint } from './request-restore.js'
import { ageText } from '../time/time-text.js'

// Which backup an install goes back to, and why: the one named, the newest completed one (latest),
// or the one this workflow run's backup step made (this-run), found by the tag the backup action
// puts in every description it writes.

/** How the backup was chosen, with its age when it was chosen from the install's list. */
export type Chosen =
  { how: 'id' | 'backups' } | { how: 'latest'; ageMs?: number } | { how: 'this-run'; ageMs?: number; by: MarkedBy; others: number }

export async function chooseBackup(
  client: Pick<WpeClient, 'getBackup' | 'listBackups'>,
  install: Install,
  choice: BackupChoice,
  { context, now }: { context: RunContext; now: () => number }
): Promise<{ backup: Backup; chosen: Chosen }> {
  if (choice.kind === 'id' || choice.kind === 'backups') {
    return { backup: await getBackupOf(client, install, choice.id), chosen: { how: choice.kind } }
  }
  const backups = await listBackups(client, install)
  const at = now()
  if (choice.kind === 'latest') {
    const backup = newestCompleted(backups)
    if (!backup) {
      throw new NoRestorePoint(
        `Install ${install.name} has no completed backup to restore from (backup-id: latest; ${backups.length} listed, none completed); nothing was restored.`,
        'no completed backup'
      )
    }
    return { backup, chosen: { how: 'latest', ageMs: ageOf(backup, at) } }
  }
  const found = ofRun(backups, context.runId)
  if (!found) {
    throw new NoRestorePoint(
      `No backup of install ${install.name} was made by this workflow run (${context.runId}): none of its ${backups.length} backups carries the run's tag ([ci ${context.runId}-…]), so nothing was restored. ` +
        "backup-id this-run finds the backup this run's backup step requested, or reused from an earlier attempt; one reused through reuse-within carries another run's tag. Give that step's backup-id output instead.",
      'no backup of this run'
    )
  }
  return { backup: found.backup, chosen: { how: 'this-run', ageMs: ageOf(found.backup, at), by: found.by, others: found.others } }
}

const created = (backup: Backup): number => Date.parse(backup.create_time ?? '') || 0

/** The newest completed backup, by create_time: never one still running or aborted. */
export function newestCompleted(backups: Backup[]): Backup | undefined {
  return backups.filter((backup) => normalizeStatus(backup.status) === 'completed').sort((a, b) => created(b) - created(a))[0]
}

/**
 * The backup of this run to restore from: of those whose description carries a tag of run `runId`
 * (any attempt, job or step), the oldest completed one, which holds the site as it was before the
 * run changed anything; with none completed, the newest, so that its state says why it cannot be used.
 */
export function ofRun(backups: Backup[], runId: number | undefined): { backup: Backup; by: MarkedBy; others: number } | undefined {
  if (runId === undefined) return undefined
  const ours = backups.flatMap((backup) => {
    const by = markersIn(backup.description).find((marker) => marker.runId === runId)
    return by ? [{ backup, by }] : []
  })
  const completed = ours
    .filter(({ backup }) => normalizeStatus(backup.status) === 'completed')
    .sort((a, b) => created(a.backup) - created(b.backup))
  const chosen = completed[0] ?? [...ours].sort((a, b) => created(b.backup) - created(a.backup))[0]
  return chosen && { ...chosen, others: ours.length - 1 }
}

/** The log line that names the backup chosen, why, and its age. */
export function choiceLine(backup: Backup, chosen: Chosen, install: Install): string {
  switch (chosen.how) {
    case 'id':
      return `Backup ${backup.id} (backup-id) is ${backup.status}: ${backup.description ?? ''}`
    case 'backups':
      return `Backup ${backup.id} (from the backups input) is ${backup.status}: ${backup.description ?? ''}`
    case 'latest':
      return `backup-id latest: backup ${backup.id}, the newest completed backup of ${install.name} (${ageText(chosen.ageMs)}).`
    case 'this-run':
      return `backup-id this-run: backup ${backup.id} of ${install.name}, ${chosenText(chosen)} (${backup.status}).`
  }
}

/** Why this backup, in a few words with its age, for the summary: `requested by deploy/backup in attempt 1 of this run, 12m old`. */
export function chosenText(chosen: Chosen): string {
  switch (chosen.how) {
    case 'id':
      return 'named by backup-id'
    case 'backups':
      return "from the backup step's backups output"
    case 'latest':
      return `the newest completed backup, ${ageText(chosen.ageMs)}`
    case 'this-run': {
      const { by, others } = chosen
      const more = others > 0 ? `; this run made ${others + 1} backups of it` : ''
      return `requested by ${by.job}/${by.step} in attempt ${by.attempt} of this run, ${ageText(chosen.ageMs)}${more}`
    }
  }
}
