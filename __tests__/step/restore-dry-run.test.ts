import { describe, expect, it } from '@jest/globals'
import { INSTALL, STAGING } from '../support/helpers.js'
import { credentialsOf, expectNoCredentialsIn } from '../support/sim-helpers.js'
import { useSites } from '../support/site.js'
import { useStepBed } from '../support/step.js'

// The restore's dry-run: which backup each install would be restored from, and why, by the rules a
// real run follows; nothing but GETs to the API, and nothing to the site.

const HOUR = 3_600_000
const setup = useStepBed()
const freshSite = useSites()
type Bed = Awaited<ReturnType<typeof setup>>

async function dryRun(bed: Bed, inputs: Record<string, string>) {
  const { core } = await bed.restore({ 'notification-emails': 'ops@example.com', 'dry-run': 'true', ...inputs })
  expect(bed.sim.requests.filter((r) => r.method !== 'GET')).toEqual([])
  expectNoCredentialsIn([core.visibleText, ...core.summaries, JSON.stringify(core.outputs)], credentialsOf(bed.sim))
  return { core, findings: JSON.parse(core.outputs.restores ?? '[]') as Record<string, unknown>[] }
}

describe('restore dry-run', () => {
  it('says which backup each install would be restored from and why, and what would follow; sends only GETs', async () => {
    const bed = await setup()
    const site = await freshSite(() => ({ status: 200 }))
    const mine = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 2 * HOUR }).id
    const staging = bed.sim.seedBackup({ installId: STAGING.id, ageMs: 3 * HOUR }).id
    const { core, findings } = await dryRun(bed, {
      install: 'mysite mysitestaging',
      'backup-id': 'latest',
      'purge-cache': 'true',
      'verify-url': `${site.url}{install}`,
      'verify-text': 'Welcome'
    })
    expect(core.failed).toBeUndefined()
    expect(bed.sim.requests.map((r) => r.path)).toContain('/user')
    expect(site.requests).toEqual([])
    expect(core.log).toContain(
      `[mysite] A real run would restore mysite from backup ${mine} (the newest completed backup, 2h old; database included, a checkpoint backup first), ` +
        `then purge its caches, then check ${site.url}mysite until it answers 2xx with 'Welcome', for up to 10m.`
    )
    expect(core.log.at(-1)).toBe('✅ Dry run passed: a real run would restore 2 installs, each from its own backup. Nothing was restored.')
    expect(findings).toEqual([
      expect.objectContaining({ 'install-name': 'mysite', 'backup-id': mine, 'chosen-by': 'latest', 'real-run': 'restore', problem: '' }),
      expect.objectContaining({ 'install-name': 'mysitestaging', 'backup-id': staging, 'real-run': 'restore' })
    ])
    expect(core.outputs).toMatchObject({ 'dry-run': 'true', accepted: 'false', verified: 'false' })
    expect(core.summaries[0]).toContain('## ✅ WP Engine restore dry run passed: nothing was restored')
    expect(core.summaries[0]).toContain('no restore was requested, no cache purged, no site checked. The API credentials work.')
  })

  it('fails where a real run would fail before its first request, saying why', async () => {
    const bed = await setup()
    const aborted = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: HOUR, outcome: 'aborted' }).id
    const { core, findings } = await dryRun(bed, { install: 'mysite', 'backup-id': aborted })
    expect(core.failed).toBe(
      `Dry run: Backup ${aborted} of install mysite was aborted, so it holds no restore point; nothing was restored. Restore from a completed backup.`
    )
    expect(findings).toEqual([expect.objectContaining({ 'backup-id': aborted, 'real-run': 'fail' })])
    expect(core.summaries[0]).toContain('## ❌ WP Engine restore dry run failed: nothing was restored')
  })
})
