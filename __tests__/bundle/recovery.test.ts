import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/server.js'
import { RESTORE_ACTION, runAction } from '../../scripts/run-action.js'
import { testBed } from '../support/backup-runs.js'
import { INSTALL, STAGING, visible } from '../support/helpers.js'
import { actionAgainst, credentialsOf, expectNoCredentialsIn } from '../support/sim-helpers.js'

// The recovery kit: the bundled restore action, against the simulator.

const { freshSim } = testBed()

describe('restore: for a failed deploy', () => {
  async function restore(s: Simulator, inputs: Record<string, string>) {
    const result = await runAction({ script: RESTORE_ACTION, ...actionAgainst(s, inputs) })
    expectNoCredentialsIn([visible(result.stdout)], credentialsOf(s))
    return result
  }

  it.concurrent('restores from a completed backup of the install: accepted, with the options sent', async () => {
    const s = await freshSim()
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    const result = await restore(s, { 'backup-id': done.id, 'create-checkpoint': 'false' })
    expect(result.code).toBe(0)
    expect(s.restores()).toEqual([
      expect.objectContaining({
        installId: INSTALL.id,
        backupId: done.id,
        body: { notification_emails: ['ops@example.com'], restore_database: true, create_checkpoint: false }
      })
    ])
    expect(result.outputs).toMatchObject({ accepted: 'true', 'install-id': INSTALL.id, 'install-name': 'mysite', 'backup-id': done.id })
    expect(result.outputs['accepted-at']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(result.stdout).toContain(`✅ WP Engine accepted the restore of mysite from backup ${done.id}.`)
    // Accepted is what is known: the API gives no restore status, so nothing says "restored".
    expect(result.summary).toContain('## ✅ WP Engine accepted the restore of mysite')
    expect(result.summary).toContain('| Restores | files and database |')
    expect(result.summary).toContain('| Checkpoint first | no |')
    expect(result.summary).toMatch(/\| Accepted \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/)
    expect(result.summary).not.toMatch(/restored/i)
  })

  it.concurrent('refuses an aborted backup, sending no restore', async () => {
    const s = await freshSim()
    const aborted = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000, outcome: 'aborted' })
    const result = await restore(s, { 'backup-id': aborted.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error::Backup ${aborted.id} of install mysite was aborted, so it holds no restore point; nothing was restored.`
    )
    expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it.concurrent('refuses a backup that is not finished', async () => {
    const s = await freshSim({ durationMs: 60_000 })
    const running = s.seedBackup({ installId: INSTALL.id, ageMs: 1_000 })
    const result = await restore(s, { 'backup-id': running.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error::Backup ${running.id} of install mysite is in_progress, not completed; nothing was restored. Wait for it first`
    )
    expect(s.restores()).toHaveLength(0)
  })

  it.concurrent('refuses a backup of another install', async () => {
    const s = await freshSim()
    const staging = s.seedBackup({ installId: STAGING.id, ageMs: 60_000 })
    const result = await restore(s, { 'backup-id': staging.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error::Backup ${staging.id} was not found on install mysite. Check backup-id, and that the backup belongs to this install.`
    )
    expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it.concurrent('a lost answer is not resent: it says to check before restoring again', async () => {
    const s = await freshSim()
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    s.fault({ method: 'POST', path: /\/restore$/, type: '502' })
    const result = await restore(s, { 'backup-id': done.id })
    expect(result.code).toBe(1)
    expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(1)
    expect(result.stdout).toContain('a second request would restore it twice')
  })

  it.concurrent('bad input: every problem named, nothing sent', async () => {
    const s = await freshSim()
    const result = await restore(s, { install: 'mysite blog', 'backup-id': '', 'restore-database': 'maybe' })
    expect(result.stdout).toContain(
      '::error::Invalid input: install lists 2 installs (mysite, blog): a restore goes to exactly one; backup-id is required'
    )
    expect(result.stdout).toContain("restore-database 'maybe' is not true or false")
    expect(s.requests).toHaveLength(0)
  })
})
