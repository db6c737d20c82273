import { afterAll, describe, expect, it } from '@jest/globals'
import type { RunContext } from '../../src/step/run-context.js'
import { createNodeSend } from '../../src/wpengine/http.js'
import type { Simulator } from '../../sim/server.js'
import { FakeClock, INSTALL, markerOf, RUN_CONTEXT, STAGING } from '../support/helpers.js'
import { requestsTo, useSimulators, type SimOptions } from '../support/sim-helpers.js'
import { backupStep } from '../support/step.js'

// Several installs in one step, and reuse, through run() against the simulator. The simulator's
// time is the fake clock's, so backups take minutes of simulated time and the tests milliseconds.

const MINUTE = 60_000
const transport = createNodeSend()
const freshSim = useSimulators({ requestedMs: 30_000, durationMs: 4 * MINUTE })

async function setup(options: SimOptions = {}) {
  const clock = new FakeClock()
  const s = await freshSim({ now: () => clock.now(), ...options })
  const go = async (inputs: Record<string, string>, context: RunContext = RUN_CONTEXT) => {
    const { core } = await backupStep(s, { clock, send: transport, inputs, context })
    return { core, backups: JSON.parse(core.outputs.backups ?? '[]') as Record<string, unknown>[] }
  }
  return { sim: s, clock, go }
}

const posts = (s: Simulator) => requestsTo(s, 'POST')
const rerun: RunContext = { ...RUN_CONTEXT, runAttempt: 2 }
/** The description of a backup requested by an earlier attempt of a step of this run. */
const descriptionOf = (attempt: number, step?: string) => `Pre-deploy backup ${markerOf({ attempt, step })}`

afterAll(() => transport.close())

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
    // The single-value outputs describe one install only.
    expect(core.outputs).toMatchObject({ 'backup-id': '', status: '', 'install-name': '', reused: 'false' })
    const summary = core.summaries[0] ?? ''
    expect(summary).toContain('## ❌ WP Engine backups: 1 of 3 installs without a fresh backup')
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

  it('keeps at most max-parallel requests in flight, as the simulator records', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE, latencyMs: 20 })
    const names = s.installs
      .slice(0, 12)
      .map((i) => i.name)
      .join(',')
    const { core } = await go({ install: names, 'max-parallel': '3' })
    expect(core.failed).toBeUndefined()
    expect(posts(s)).toHaveLength(12)
    expect(s.concurrency.max).toBe(3)
  })

  it('without the cap, the same run would have had more requests in flight (the observation above can fail)', async () => {
    const { sim: s, go } = await setup({ durationMs: MINUTE, latencyMs: 20 })
    await go({
      install: s.installs
        .slice(0, 12)
        .map((i) => i.name)
        .join(','),
      'max-parallel': '12'
    })
    expect(s.concurrency.max).toBeGreaterThan(3)
  })
})

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
