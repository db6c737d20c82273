import { describe, expect, it } from '@jest/globals'
import { INSTALL, STAGING, type RecordingCore } from '../support/helpers.js'
import { credentialsOf, expectNoCredentialsIn } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// The restore action, for a failed deploy: runRestore in process against the simulator on a fake clock.

const setup = useStepBed()
type Bed = Awaited<ReturnType<typeof setup>>

/** The restore step for mysite, with one notification address; no credential shows in its log. */
async function restore(bed: Bed, inputs: Record<string, string>): Promise<RecordingCore> {
  const { core } = await bed.restore({ 'notification-emails': 'ops@example.com', ...inputs })
  expectNoCredentialsIn([core.visibleText], credentialsOf(bed.sim))
  return core
}

describe('restore: for a failed deploy', () => {
  it('restores from a completed backup of the install: accepted, with the options sent', async () => {
    const bed = await setup()
    const s = bed.sim
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    const core = await restore(bed, { 'backup-id': done.id, 'create-checkpoint': 'false' })
    expect(core.failed).toBeUndefined()
    expect(s.restores()).toEqual([
      expect.objectContaining({
        installId: INSTALL.id,
        backupId: done.id,
        body: { notification_emails: ['ops@example.com'], restore_database: true, create_checkpoint: false }
      })
    ])
    expect(core.outputs).toMatchObject({ accepted: 'true', 'install-id': INSTALL.id, 'install-name': 'mysite', 'backup-id': done.id })
    expect(core.outputs['accepted-at']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(core.text).toContain(`✅ WP Engine accepted the restore of mysite from backup ${done.id}.`)
    // Accepted is what is known: the API gives no restore status, so nothing says "restored".
    expect(core.summaries[0]).toContain('## ✅ WP Engine accepted the restore of mysite')
    expect(core.summaries[0]).toContain('| Restores | files and database |')
    expect(core.summaries[0]).toContain('| Checkpoint first | no |')
    expect(core.summaries[0]).toMatch(/\| Accepted \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/)
    expect(core.summaries[0]).not.toMatch(/restored/i)
  })

  it('refuses an aborted backup, sending no restore', async () => {
    const bed = await setup()
    const aborted = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 60_000, outcome: 'aborted' })
    const core = await restore(bed, { 'backup-id': aborted.id })
    expect(core.failed).toBeDefined()
    expect(core.text).toContain(
      `::error::Backup ${aborted.id} of install mysite was aborted, so it holds no restore point; nothing was restored.`
    )
    expect(bed.sim.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it('refuses a backup that is not finished', async () => {
    const bed = await setup({ durationMs: 60_000 })
    const running = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 1_000 })
    const core = await restore(bed, { 'backup-id': running.id })
    expect(core.failed).toBeDefined()
    expect(core.text).toContain(
      `::error::Backup ${running.id} of install mysite is in_progress, not completed; nothing was restored. Wait for it first`
    )
    expect(bed.sim.restores()).toHaveLength(0)
  })

  it('refuses a backup of another install', async () => {
    const bed = await setup()
    const staging = bed.sim.seedBackup({ installId: STAGING.id, ageMs: 60_000 })
    const core = await restore(bed, { 'backup-id': staging.id })
    expect(core.failed).toBeDefined()
    expect(core.text).toContain(
      `::error::Backup ${staging.id} was not found on install mysite. Check backup-id, and that the backup belongs to this install.`
    )
    expect(bed.sim.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it('a lost answer is not resent: it says to check before restoring again', async () => {
    const bed = await setup()
    const done = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    bed.sim.fault({ method: 'POST', path: /\/restore$/, type: '502' })
    const core = await restore(bed, { 'backup-id': done.id })
    expect(core.failed).toBeDefined()
    expect(bed.sim.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(1)
    expect(core.text).toContain('a second request would restore it twice')
  })

  it('bad input: every problem named, nothing sent', async () => {
    const bed = await setup()
    const core = await restore(bed, { install: 'mysite blog', 'backup-id': '', 'restore-database': 'maybe' })
    expect(core.text).toContain(
      '::error::Invalid input: install lists 2 installs (mysite, blog): a restore goes to exactly one; backup-id is required'
    )
    expect(core.text).toContain("restore-database 'maybe' is not true or false")
    expect(bed.sim.requests).toHaveLength(0)
  })
})
