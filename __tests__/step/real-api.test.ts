import { describe, expect, it } from '@jest/globals'
import { INSTALL } from '../support/helpers.js'
import { requestsTo } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// The WP Engine API as it really is, through the whole backup step against the simulator on a fake
// clock: answers that parse but do not fit their shape.

const SECOND = 1_000
const setup = useStepBed({ requestedMs: 5 * SECOND, durationMs: 40 * SECOND })
const STATUS_CHECK = /^\/installs\/[0-9a-f-]{36}\/backups\/[0-9a-f-]{36}$/

describe('an answer that parses but does not fit its shape', () => {
  it('a status that is a number: asked for once more, then one line naming the route and the field, within seconds', async () => {
    const bed = await setup({
      reshape: ({ method, path, body }) => (method === 'GET' && STATUS_CHECK.test(path) ? { ...(body as object), status: 3 } : body)
    })
    const { core, start } = await bed.backup()
    const [backup] = bed.sim.backups()
    expect(core.failed).toBe(
      `WP Engine's answer to GET /installs/{install_id}/backups/{backup_id} (to get backup ${backup?.id} of install mysite) does not fit the API's description, also when asked again: backup status is a number, not a status. The API answers this way every time, so the step stops rather than wait; if it persists, report it to WP Engine support.`
    )
    expect(requestsTo(bed.sim, 'GET', STATUS_CHECK)).toHaveLength(2)
    expect(bed.clock.now() - start).toBeLessThan(10 * SECOND)
    // The backup that was requested is still named, with its last known status.
    expect(core.outputs).toMatchObject({ 'backup-id': backup?.id, status: 'requested' })
  })

  it('an install fetched by id whose name is a number: carries on with a placeholder and one warning; install-name stays empty', async () => {
    const bed = await setup({
      reshape: ({ path, body }) => (path === `/installs/${INSTALL.id}` ? { ...(body as object), name: 42 } : body)
    })
    const { core } = await bed.backup({ install: INSTALL.id })
    expect(core.failed).toBeUndefined()
    expect(core.warnings).toEqual([
      "WP Engine's answer to GET /installs/{install_id} gives the install name as a number, which does not fit the API's description; carrying on showing unnamed-294deacc in its place."
    ])
    expect(core.log).toContain(`Install unnamed-294deacc (${INSTALL.id}), production`)
    expect(core.outputs).toMatchObject({ status: 'completed', 'install-id': INSTALL.id, 'install-name': '' })
  })
})

describe('a 500 that says why', () => {
  const FORBIDDEN = 'Forbidden: API access is disabled for this account'

  it("the create: the API's message in every lost-answer line and in the failure line; two POSTs, never a third", async () => {
    const bed = await setup()
    bed.sim.fault({ method: 'POST', path: /\/backups$/, type: '500', message: FORBIDDEN, times: 2 })
    const { core } = await bed.backup()
    const lost = `WP Engine's answer was lost while trying to request a backup of install mysite (HTTP 500 "${FORBIDDEN}")`
    // Both lost answers: looked for in the list, each line with what the API said.
    expect(core.log.filter((line) => line.startsWith(lost))).toHaveLength(2)
    expect(core.failed).toMatch(
      new RegExp(`^${lost.replace(/[()]/g, '\\$&')}; WP Engine may or may not have acted on it\\. That was the second request`)
    )
    expect(requestsTo(bed.sim, 'POST', /\/backups$/)).toHaveLength(2)
  })

  it("the restore: the API's message in its failure line, and no second restore", async () => {
    const bed = await setup()
    const backup = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 10 * 60 * SECOND })
    bed.sim.fault({ method: 'POST', path: /\/restore$/, type: '500', message: FORBIDDEN })
    const { core } = await bed.restore({ 'backup-id': backup.id, 'notification-emails': 'ops@example.com' })
    expect(core.failed).toContain(`(HTTP 500 "${FORBIDDEN}")`)
    expect(requestsTo(bed.sim, 'POST', /\/restore$/)).toHaveLength(1)
  })
})
