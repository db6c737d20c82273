import { describe, expect, it } from '@jest/globals'
import { INSTALL, STAGING } from '../support/helpers.js'
import { credentialsOf, expectNoCredentialsIn, requestsTo } from '../support/sim-helpers.js'
import { useSites } from '../support/site.js'
import { useStepBed } from '../support/step.js'

// Many installs from the backup step's backups output, as it is: each install back to its own
// backup, each restore sent once, one install's failure never stopping the others.

const MINUTE = 60_000
const setup = useStepBed({ requestedMs: 30_000, durationMs: 4 * MINUTE })
const freshSite = useSites()
type Bed = Awaited<ReturnType<typeof setup>>

/** The backup step for these installs, then the restore step given its backups output. */
async function backUpThenRestore(bed: Bed, installs: string, inputs: Record<string, string> = {}) {
  const { core: backup } = await bed.backup({ install: installs })
  const backups = JSON.parse(backup.outputs.backups ?? '[]') as { 'install-name': string; 'backup-id': string }[]
  bed.clock.advance(10 * MINUTE)
  const { core } = await bed.restore({
    install: '',
    backups: backup.outputs.backups ?? '',
    'notification-emails': 'ops@example.com',
    ...inputs
  })
  expectNoCredentialsIn([core.visibleText, ...core.summaries, JSON.stringify(core.outputs)], credentialsOf(bed.sim))
  const restores = JSON.parse(core.outputs.restores ?? '[]') as Record<string, unknown>[]
  return { core, backups, restores }
}

const restorePosts = (bed: Bed) => requestsTo(bed.sim, 'POST', /\/restore$/).map((r) => r.path)

describe('restore: many installs from a backups output', () => {
  it('restores two installs, each from its own backup, once each: one row and one restores entry per install', async () => {
    const bed = await setup()
    const { core, backups, restores } = await backUpThenRestore(bed, 'mysite mysitestaging')
    const [mine, staging] = backups.map((b) => b['backup-id'])
    expect(core.failed).toBeUndefined()
    expect(bed.sim.restores().map((r) => [r.installId, r.backupId])).toEqual(
      expect.arrayContaining([
        [INSTALL.id, mine],
        [STAGING.id, staging]
      ])
    )
    expect(restorePosts(bed)).toHaveLength(2)
    expect(restores).toEqual([
      expect.objectContaining({
        'install-id': INSTALL.id,
        'install-name': 'mysite',
        'backup-id': mine,
        outcome: 'accepted',
        accepted: true
      }),
      expect.objectContaining({ 'install-id': STAGING.id, 'install-name': 'mysitestaging', 'backup-id': staging, outcome: 'accepted' })
    ])
    // The single-value outputs describe one install only; accepted is true of every install.
    expect(core.outputs).toMatchObject({ accepted: 'true', 'install-id': '', 'backup-id': '', 'accepted-at': '' })
    expect(core.log).toContain(`[mysite] Backup ${mine} (from the backups input) is completed: ${bed.sim.backups()[0]?.description}`)
    expect(core.log.at(-1)).toBe(
      '✅ WP Engine accepted the restores of 2 installs, each from its own backup. They run on WP Engine now and email ops@example.com when done.'
    )
    const summary = core.summaries[0] ?? ''
    expect(summary).toContain('## ✅ WP Engine restores of 2 installs: 2 accepted')
    expect(summary.split('\n').filter((line) => /^\| mysite(staging)? \| ✅\u00a0accepted \| `[0-9a-f]{8}` \|/.test(line))).toHaveLength(2)
    expect(summary).toContain(`- mysite: \`${mine}\`\n- mysitestaging: \`${staging}\``)
  })

  it('one install failing never stops the others; one without a restore point is skipped, saying why', async () => {
    const bed = await setup()
    const aborted = bed.sim.installs.find((i) => i.name === 'filler0002')
    if (aborted) aborted.outcome = 'aborted'
    bed.sim.fault({ method: 'POST', path: new RegExp(`^/installs/${STAGING.id}/backups/.*/restore$`), type: '403' })
    const { core, restores } = await backUpThenRestore(bed, 'mysite mysitestaging filler0002')
    expect(restorePosts(bed)).toHaveLength(2)
    expect(bed.sim.restores().map((r) => r.installId)).toEqual([INSTALL.id])
    expect(restores.map((r) => [r['install-name'], r.outcome])).toEqual([
      ['mysite', 'accepted'],
      ['mysitestaging', 'not-started'],
      ['filler0002', 'skipped']
    ])
    expect(core.failed).toBe(
      '1 of 3 installs were not restored as asked: mysitestaging (not allowed (403)). 1 other was accepted. The job summary says why for each.'
    )
    // Said in the log, not flagged: the deploy did not go to it either.
    expect(core.log).toContainEqual(
      expect.stringMatching(/^filler0002 is not restored: its backup [0-9a-f-]{36} was aborted, so there is no restore point\.$/)
    )
    expect(core.warnings).toEqual([])
    expect(core.outputs.accepted).toBe('false')
    const summary = core.summaries[0] ?? ''
    expect(summary).toContain('## ❌ WP Engine restores of 3 installs: 1 accepted, 1 not started, 1 skipped')
    expect(summary).toMatch(
      /\| mysitestaging \| ❌\u00a0not\u00a0started \| `[0-9a-f]{8}` \| The API user is not allowed to restore install mysitestaging/
    )
    expect(summary).toMatch(
      /\| filler0002 \| ⏭️\u00a0skipped \| — \| its backup [0-9a-f-]{36} was aborted, so there is no restore point \|/
    )
  })

  it("purges each install's cache and checks each one's own site, {install} standing for its name", async () => {
    const bed = await setup()
    const site = await freshSite((path) => ({ status: 200, body: `<h1>Welcome to ${path.split('/')[1]}</h1>` }))
    const { core, restores } = await backUpThenRestore(bed, 'mysite mysitestaging', {
      'purge-cache': 'page',
      'verify-url': `${site.url}{install}/`,
      'verify-text': 'Welcome to'
    })
    expect(core.failed).toBeUndefined()
    expect(bed.sim.purges().map((p) => [p.installId, p.type])).toEqual(
      expect.arrayContaining([
        [INSTALL.id, 'page'],
        [STAGING.id, 'page']
      ])
    )
    expect(site.requests.map((r) => r.path).sort()).toEqual(['/mysite/', '/mysitestaging/'])
    expect(restores.map((r) => [r['cache-purged'], r.verified])).toEqual([
      [true, true],
      [true, true]
    ])
    expect(core.outputs.verified).toBe('true')
    expect(core.log.at(-1)).toMatch(
      /^✅ WP Engine accepted the restores of 2 installs, each from its own backup; their caches purged, and every site answers as asked\./
    )
  })
})
