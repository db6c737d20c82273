import { describe, expect, it } from '@jest/globals'
import type { RunContext } from '../../src/step/run-context.js'
import type { Simulator } from '../../sim/server.js'
import { INSTALL, markerOf, RUN_CONTEXT, STAGING } from '../support/helpers.js'
import { requestsTo, type SimOptions } from '../support/sim-helpers.js'
import { useTurnBed } from '../support/turns.js'

// Never a needless backup: a re-run uses the backup an earlier attempt of its step requested, and
// reuse-within a recent or running one, through run() against the simulator on a TurnClock. Which
// backups may be reused is the rule of unit/backup/reuse.test.ts; here, what the step does with them.

const MINUTE = 60_000
const bed = useTurnBed({ requestedMs: 30_000, durationMs: 4 * MINUTE })

async function setup(options: SimOptions = {}) {
  const { sim: s, backup } = await bed(options)
  const go = async (inputs: Record<string, string>, context: RunContext = RUN_CONTEXT) => {
    const { core } = await backup(inputs, { context })
    return { core, backups: JSON.parse(core.outputs.backups ?? '[]') as Record<string, unknown>[] }
  }
  return { sim: s, go }
}

const posts = (s: Simulator) => requestsTo(s, 'POST')
const rerun: RunContext = { ...RUN_CONTEXT, runAttempt: 2 }
/** The description of a backup requested by an earlier attempt of a step of this run. */
const descriptionOf = (attempt: number, step?: string) => `Pre-deploy backup ${markerOf({ attempt, step })}`

describe('never a needless backup: re-runs', () => {
  it('attaches to the backup an earlier attempt of this step requested while it is still running', async () => {
    const { sim: s, go } = await setup()
    const earlier = s.seedBackup({ installId: INSTALL.id, description: descriptionOf(1), ageMs: MINUTE })
    expect(earlier.status).toBe('in_progress')
    const { core, backups } = await go({ install: 'mysite' }, rerun)
    expect(posts(s)).toHaveLength(0)
    expect(core.failed).toBeUndefined()
    expect(core.outputs).toMatchObject({ 'backup-id': earlier.id, status: 'completed', reused: 'true' })
    expect(backups[0]).toMatchObject({ 'backup-id': earlier.id, reused: true })
    expect(core.log).toContain(
      `Backup ${earlier.id} was requested by attempt 1 of this run and is in_progress (1m old): using it instead of requesting another.`
    )
    expect(core.summaries[0]).toContain('| Reused | yes: requested by attempt 1 of this run, 1m old |')
  })

  it('reuses it at once when it completed, with no status checks', async () => {
    const { sim: s, go } = await setup()
    const earlier = s.seedBackup({ installId: INSTALL.id, description: descriptionOf(1), ageMs: 20 * MINUTE })
    const { core } = await go({ install: 'mysite' }, { ...RUN_CONTEXT, runAttempt: 3 })
    expect(posts(s)).toHaveLength(0)
    expect(s.requests.filter((r) => r.path === `/installs/${INSTALL.id}/backups/${earlier.id}`)).toHaveLength(0)
    expect(core.outputs).toMatchObject({ 'backup-id': earlier.id, status: 'completed', reused: 'true' })
    expect(core.summaries[0]).toContain('| Reused | yes: requested by attempt 1 of this run, 20m old |')
  })

  it('does not reuse an aborted one, nor one of another step, run or later attempt; it requests a new one', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE })
    s.seedBackup({ installId: INSTALL.id, description: descriptionOf(1), ageMs: 20 * MINUTE, outcome: 'aborted' })
    s.seedBackup({ installId: INSTALL.id, description: descriptionOf(1, 'other-step'), ageMs: 20 * MINUTE })
    s.seedBackup({ installId: INSTALL.id, description: descriptionOf(2), ageMs: 20 * MINUTE })
    s.seedBackup({ installId: INSTALL.id, description: 'Pre-deploy backup [ci 123-1 deploy/backup 0badc0de]', ageMs: 20 * MINUTE })
    const { core } = await go({ install: 'mysite' }, rerun)
    expect(posts(s)).toHaveLength(1)
    expect(core.outputs.reused).toBe('false')
    expect(core.outputs.status).toBe('completed')
  })

  it('a first attempt reuses nothing: it lists the backups only after its request, to learn how long they take', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE })
    s.seedBackup({ installId: INSTALL.id, description: descriptionOf(1), ageMs: MINUTE })
    const { core } = await go({ install: 'mysite' })
    expect(posts(s)).toHaveLength(1)
    const post = s.requests.findIndex((r) => r.method === 'POST')
    const lists = s.requests.flatMap((r, i) => (r.method === 'GET' && r.path === `/installs/${INSTALL.id}/backups` ? [i] : []))
    expect(lists).toHaveLength(1)
    expect(lists[0]).toBeGreaterThan(post)
    expect(core.outputs.reused).toBe('false')
  })
})

describe('never a needless backup: reuse-within', () => {
  it('reuses a completed backup inside the window', async () => {
    const { sim: s, go } = await setup()
    const recent = s.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 10 * MINUTE })
    const { core } = await go({ install: 'mysite', 'reuse-within': '30m' })
    expect(posts(s)).toHaveLength(0)
    expect(core.outputs).toMatchObject({ 'backup-id': recent.id, status: 'completed', reused: 'true' })
    expect(core.log).toContain(
      `Backup ${recent.id} of mysite completed and is 10m old, within reuse-within (30m): using it instead of requesting another.`
    )
  })

  it('requests a new one when the newest completed backup is outside the window', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE })
    s.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 40 * MINUTE })
    const { core } = await go({ install: 'mysite', 'reuse-within': '30m' })
    expect(posts(s)).toHaveLength(1)
    expect(core.outputs.reused).toBe('false')
  })

  it('waits for a backup already running rather than starting a second, whatever the window', async () => {
    const { sim: s, go } = await setup()
    const running = s.seedBackup({ installId: INSTALL.id, description: 'Started by hand in the User Portal', ageMs: 2 * MINUTE })
    const { core } = await go({ install: 'mysite', 'reuse-within': '1s' })
    expect(posts(s)).toHaveLength(0)
    expect(core.outputs).toMatchObject({ 'backup-id': running.id, status: 'completed', reused: 'true' })
    expect(core.summaries[0]).toContain('| Reused | yes: already running when this step started, 2m old |')
  })

  it('with several installs, reuses where it can and requests where it must; reused is true only when all were', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE })
    const recent = s.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 5 * MINUTE })
    const { core, backups } = await go({ install: 'mysite mysitestaging', 'reuse-within': '1h' })
    expect(posts(s).map((r) => r.path)).toEqual([`/installs/${STAGING.id}/backups`])
    expect(backups.map((b) => [b['backup-id'] === recent.id, b.reused])).toEqual([
      [true, true],
      [false, false]
    ])
    expect(core.outputs.reused).toBe('false')
    expect(core.log.at(-1)).toBe('✅ Backups of 2 installs completed (1 reused). Their ids are in the backups output.')
  })
})
