import { describe, expect, it } from '@jest/globals'
import type { RunContext } from '../../src/step/run-context.js'
import type { Simulator } from '../../sim/server.js'
import { INSTALL, RUN_CONTEXT, STAGING } from '../support/helpers.js'
import { requestsTo, type SimOptions } from '../support/sim-helpers.js'
import { useTurnBed } from '../support/turns.js'

// Several installs in one step, through run() against the simulator on a TurnClock: backups take
// minutes of simulated time and the tests milliseconds. Re-runs and reuse: reruns-and-reuse.test.ts.

const MINUTE = 60_000
const bed = useTurnBed({ requestedMs: 30_000, durationMs: 4 * MINUTE })

async function setup(options: SimOptions = {}) {
  const { sim: s, clock, backup } = await bed(options)
  const go = async (inputs: Record<string, string>, context: RunContext = RUN_CONTEXT) => {
    const { core } = await backup(inputs, { context })
    return { core, backups: JSON.parse(core.outputs.backups ?? '[]') as Record<string, unknown>[] }
  }
  return { sim: s, clock, go }
}

const posts = (s: Simulator) => requestsTo(s, 'POST')

describe('several installs in one step', () => {
  it('backs up three at once (one by name on a later page); an aborted one fails the step by name, the others are waited for and reported', async () => {
    const { sim: s, go } = await setup()
    const aborted = s.installs.find((i) => i.name === 'filler0002')
    if (aborted) aborted.outcome = 'aborted'
    const { core, backups } = await go({ install: `mysite, filler0002\n${STAGING.id}` })

    expect(posts(s)).toHaveLength(3)
    // Both names came from one pass through the list: two pages, not a pass per name.
    expect(s.requests.filter((r) => r.path === '/installs').map((r) => r.query.offset)).toEqual(['0', '100'])
    expect(backups.map((b) => [b['install-name'], b.status, b.reused])).toEqual([
      ['mysite', 'completed', false],
      ['filler0002', 'aborted', false],
      ['mysitestaging', 'completed', false]
    ])
    for (const b of backups) expect(b['backup-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(backups[0]?.['complete-time']).toMatch(/^\d{4}-/)
    expect(backups[1]?.['complete-time']).toBe('')
    // The failure line names the install and why in a few words; the summary row has the whole sentence.
    expect(core.failed).toBe(
      '1 of 3 installs have no fresh backup, so do not deploy to them: filler0002 (aborted by WP Engine). The job summary says why for each.'
    )
    expect(core.log.filter((l) => l.startsWith('::error::'))).toHaveLength(1)
    // The single-value outputs describe one install only.
    expect(core.outputs).toMatchObject({ 'backup-id': '', status: '', 'install-name': '', reused: 'false' })
    const summary = core.summaries[0] ?? ''
    expect(summary).toContain('## ❌ WP Engine backups: 1 of 3 installs without a fresh backup')
    expect(summary).toContain('| Install | Outcome | Backup | Details |')
    expect(summary.split('\n').filter((line) => /^\| (mysite|filler0002|mysitestaging) \|/.test(line))).toHaveLength(3)
    const abortedRow = summary.split('\n').find((line) => line.startsWith('| filler0002 |')) ?? ''
    expect(abortedRow).toMatch(
      /^\| filler0002 \| ❌\u00a0aborted \| `[0-9a-f]{8}` \| WP Engine aborted backup [0-9a-f-]{36} of install filler0002: there is no fresh restore point/
    )
    expect(core.log.find((l) => l.startsWith('[filler0002] ❌ '))).toMatch(
      /^\[filler0002\] ❌ WP Engine aborted backup [0-9a-f-]{36} of install filler0002/
    )
    expect(core.log.filter((l) => /^\[(mysite|mysitestaging)\] ✅ completed$/.test(l))).toHaveLength(2)
  })

  it('all completed: succeeds, one line for the step, and a heartbeat that names what is still running', async () => {
    const { go } = await setup({ durationMs: 3 * MINUTE })
    const { core, backups } = await go({ install: 'mysite mysitestaging' })
    expect(core.failed).toBeUndefined()
    expect(backups.map((b) => b.status)).toEqual(['completed', 'completed'])
    expect(core.log.at(-1)).toBe('✅ Backups of 2 installs completed. Their ids are in the backups output.')
    const beats = core.log.filter((l) => l.startsWith('Still waiting'))
    expect(beats.length).toBeGreaterThanOrEqual(2)
    expect(beats[0]).toMatch(/^Still waiting for 2 of 2 backups, 1m elapsed, 59m left: mysite in_progress, mysitestaging in_progress$/)
  })

  it('an install that is not found does not stop the others; the error names it', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE })
    const { core, backups } = await go({ install: 'mysite nosuchsite' })
    expect(posts(s)).toHaveLength(1)
    expect(backups.map((b) => [b['install-name'], b.status])).toEqual([
      ['mysite', 'completed'],
      ['nosuchsite', '']
    ])
    expect(core.failed).toBe(
      '1 of 2 installs have no fresh backup, so do not deploy to them: nosuchsite (not found). The job summary says why for each.'
    )
  })

  it('a misspelt install name suggests the closest names that exist, in the failure line and the summary', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE })
    const { core } = await go({ install: 'mysite mystie' })
    expect(posts(s)).toHaveLength(1)
    expect(core.failed).toBe(
      '1 of 2 installs have no fresh backup, so do not deploy to them: mystie (not found; did you mean mysite?). The job summary says why for each.'
    )
    expect(core.summaries[0]).toContain(
      "| mystie | ❌\u00a0failed | — | No install named 'mystie' is visible to this API user (122 installs searched). Did you mean mysite?"
    )
  })

  it('the same install by name and by ID is backed up once, with a warning', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE })
    const { core, backups } = await go({ install: `mysite ${INSTALL.id}` })
    expect(posts(s)).toHaveLength(1)
    expect(backups).toHaveLength(1)
    expect(core.warnings).toEqual([`install lists mysite twice (as mysite and ${INSTALL.id}); backing it up once.`])
    // One install is left, so the single-value outputs describe it.
    expect(core.outputs['install-name']).toBe('mysite')
  })

  // Counted where the step sends them (the TurnClock's transport): the simulator, answering one request
  // at a time on that clock, sees no overlap, and overlap in real time is a race the machine's load decides.
  it('keeps at most max-parallel requests in flight', async () => {
    const { sim: s, clock, go } = await setup({ durationMs: MINUTE })
    const names = s.installs
      .slice(0, 12)
      .map((i) => i.name)
      .join(',')
    const { core } = await go({ install: names, 'max-parallel': '3' })
    expect(core.failed).toBeUndefined()
    expect(posts(s)).toHaveLength(12)
    expect(clock.maxInFlight).toBe(3)
  })

  it('without the cap, the same run would have had more requests in flight (the observation above can fail)', async () => {
    const { sim: s, clock, go } = await setup({ durationMs: MINUTE })
    await go({
      install: s.installs
        .slice(0, 12)
        .map((i) => i.name)
        .join(','),
      'max-parallel': '12'
    })
    expect(clock.maxInFlight).toBeGreaterThan(3)
  })
})
