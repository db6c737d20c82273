import { expect, it } from '@jest/globals'
import { RESTORE_ACTION, runAction } from '../../scripts/run-action.js'
import { INSTALL } from '../support/helpers.js'
import { actionAgainst, expectNoCredentials, useSimulators } from '../support/sim-helpers.js'

// A smoke run of the bundled restore action (dist/restore) as the runner runs it, against the
// simulator. What the restore step does and says is tested in step/restore.test.ts.

const freshSim = useSimulators()

it('the bundled restore action restores from a completed backup: accepted, outputs and summary written, credentials masked', async () => {
  const s = await freshSim()
  const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
  const result = await runAction({ script: RESTORE_ACTION, ...actionAgainst(s, { 'backup-id': done.id }) })
  expect(result.code).toBe(0)
  expectNoCredentials(result.stdout, s)
  expect(s.restores().map((r) => [r.installId, r.backupId])).toEqual([[INSTALL.id, done.id]])
  expect(result.outputs).toMatchObject({ accepted: 'true', 'install-id': INSTALL.id, 'install-name': 'mysite', 'backup-id': done.id })
  expect(result.stdout).toContain(`✅ WP Engine accepted the restore of mysite from backup ${done.id}.`)
  expect(result.summary).toContain('## ✅ WP Engine accepted the restore of mysite')
})
