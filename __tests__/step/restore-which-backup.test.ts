import { describe, expect, it } from '@jest/globals'
import { INSTALL, markerOf, RUN_CONTEXT } from '../support/helpers.js'
import { credentialsOf, expectNoCredentialsIn, requestsTo } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// backup-id latest and this-run: which backup a word resolves to, said with its age, against the
// simulator on a fake clock.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const setup = useStepBed()
type Bed = Awaited<ReturnType<typeof setup>>

async function restore(bed: Bed, inputs: Record<string, string>, context = RUN_CONTEXT) {
  const { core } = await bed.restore({ 'notification-emails': 'ops@example.com', ...inputs }, { context })
  expectNoCredentialsIn([core.visibleText, ...core.summaries], credentialsOf(bed.sim))
  return core
}
const restored = (bed: Bed) => bed.sim.restores().map((r) => r.backupId)

describe('backup-id: latest', () => {
  it('restores the newest completed backup, passing over newer ones that were aborted or are still running', async () => {
    const bed = await setup()
    const seed = (ageMs: number, more: { outcome?: 'aborted'; durationMs?: number } = {}) =>
      bed.sim.seedBackup({ installId: INSTALL.id, ageMs, ...more }).id
    seed(3 * HOUR)
    const newestCompleted = seed(2 * HOUR)
    seed(HOUR, { outcome: 'aborted' })
    seed(10 * MINUTE, { durationMs: HOUR })
    const core = await restore(bed, { 'backup-id': 'latest' })
    expect(core.failed).toBeUndefined()
    expect(restored(bed)).toEqual([newestCompleted])
    expect(core.log).toContain(`backup-id latest: backup ${newestCompleted}, the newest completed backup of mysite (2h old).`)
    expect(core.outputs['backup-id']).toBe(newestCompleted)
    expect(core.summaries[0]).toContain(`| Backup | \`${newestCompleted}\` (**completed**, created `)
    expect(core.summaries[0]).toContain('; the newest completed backup, 2h old) |')
  })

  it('with none completed, fails and restores nothing', async () => {
    const bed = await setup()
    bed.sim.seedBackup({ installId: INSTALL.id, ageMs: MINUTE, durationMs: HOUR })
    const core = await restore(bed, { 'backup-id': 'latest' })
    expect(core.failed).toBe(
      'Install mysite has no completed backup to restore from (backup-id: latest; 1 listed, none completed); nothing was restored.'
    )
    expect(requestsTo(bed.sim, 'POST')).toEqual([])
  })
})

describe('backup-id: this-run', () => {
  it("on a re-run, from another job: restores the backup attempt 1's backup step requested, not the newest", async () => {
    const bed = await setup({ requestedMs: 30_000, durationMs: 4 * MINUTE })
    const { core: backup } = await bed.backup()
    const ours = backup.outputs['backup-id']
    bed.clock.advance(20 * MINUTE)
    // A newer backup, from another run: latest would take it.
    bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 5 * MINUTE, description: 'Nightly [ci 123-1 nightly/backup 0a1b2c3d]' })
    const core = await restore(bed, { 'backup-id': 'this-run' }, { ...RUN_CONTEXT, runAttempt: 2, job: 'rollback', step: 'restore' })
    expect(core.failed).toBeUndefined()
    expect(restored(bed)).toEqual([ours])
    // Its age counts from its creation, before the backup step's wait (a few seconds of jitter).
    const line = new RegExp(
      `^backup-id this-run: backup ${ours} of mysite, requested by deploy/backup in attempt 1 of this run, 24m( \\d+s)? old \\(completed\\)\\.$`
    )
    expect(core.log.filter((l) => line.test(l))).toHaveLength(1)
    expect(core.summaries[0]).toMatch(/; requested by deploy\/backup in attempt 1 of this run, 24m( \d+s)? old\) \|/)
  })

  it('takes the oldest completed backup of the run: the site before the run changed it; an aborted one never', async () => {
    const bed = await setup()
    const seed = (ageMs: number, attempt: number, outcome?: 'aborted') =>
      bed.sim.seedBackup({ installId: INSTALL.id, ageMs, outcome, description: `Pre-deploy ${markerOf({ attempt })}` }).id
    seed(50 * MINUTE, 1, 'aborted')
    const first = seed(40 * MINUTE, 2)
    seed(10 * MINUTE, 3)
    const core = await restore(bed, { 'backup-id': 'this-run' }, { ...RUN_CONTEXT, runAttempt: 3 })
    expect(restored(bed)).toEqual([first])
    expect(core.log).toContain(
      `backup-id this-run: backup ${first} of mysite, requested by deploy/backup in attempt 2 of this run, 40m old; this run made 3 backups of it (completed).`
    )
  })

  it('a run that made no backup: fails and says so, restoring nothing', async () => {
    const bed = await setup()
    bed.sim.seedBackup({ installId: INSTALL.id, ageMs: HOUR, description: 'Pre-deploy [ci 123-1 deploy/backup 0a1b2c3d]' })
    bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 2 * HOUR, description: 'Manual backup' })
    const core = await restore(bed, { 'backup-id': 'this-run' })
    expect(core.failed).toBe(
      `No backup of install mysite was made by this workflow run (${RUN_CONTEXT.runId}): none of its 2 backups carries the run's tag ([ci ${RUN_CONTEXT.runId}-…]), so nothing was restored. ` +
        "backup-id this-run finds the backup this run's backup step requested, or reused from an earlier attempt; one reused through reuse-within carries another run's tag. Give that step's backup-id output instead."
    )
    expect(requestsTo(bed.sim, 'POST')).toEqual([])
    expect(core.outputs).toMatchObject({ accepted: 'false', 'backup-id': '', 'install-name': 'mysite' })
  })
})
