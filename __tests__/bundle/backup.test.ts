import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/server.js'
import { ACTION, runAction } from '../../scripts/run-action.js'
import { existsSync } from 'node:fs'
import { BACKUP_ID, INSTALL, markerOf, STAGING, visible } from '../support/helpers.js'
import { actionAgainst, count, credentialsOf, expectNoCredentialsIn, useSimulators } from '../support/sim-helpers.js'

// The bundled action, run as a child process exactly as the runner runs it, against the simulator.

let sim: Simulator
const freshSim = useSimulators({ requestedMs: 300, durationMs: 1_000 })

/** Runs the bundled action; whatever happens, neither the password nor the Basic token may be logged. */
async function run(s: Simulator, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  const result = await runAction(actionAgainst(s, inputs, env))
  expectNoCredentialsIn([visible(result.stdout), result.stderr, result.summary, JSON.stringify(result.outputs)], credentialsOf(s, env))
  return result
}

beforeAll(async () => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
  sim = await freshSim()
})

describe('bundled action: several installs and reuse', () => {
  const earlierAttempt = `Pre-deploy backup ${markerOf()}`
  const backupsOf = (result: { outputs: Record<string, string> }) => JSON.parse(result.outputs.backups ?? '[]') as Record<string, unknown>[]

  it.concurrent(
    'three installs at once, one by name on a later page, one aborted: the others are waited for and reported; the step fails naming it',
    async () => {
      const s = await freshSim({ durationMs: 1_500 })
      const doomed = s.installs.find((i) => i.name === 'filler0007')
      if (doomed) doomed.outcome = 'aborted'
      const result = await run(s, { install: `filler0007, mysite\n${STAGING.id}` })
      expect(result.code).toBe(1)
      expect(backupsOf(result).map((b) => [b['install-name'], b.status])).toEqual([
        ['filler0007', 'aborted'],
        ['mysite', 'completed'],
        ['mysitestaging', 'completed']
      ])
      expect(result.stdout).toMatch(
        /^::error::1 of 3 installs have no fresh backup, so do not deploy to them: filler0007 \(aborted by WP Engine\)\. The job summary says why for each\.$/m
      )
      expect(result.stdout.match(/^::error::/gm)).toHaveLength(1)
      expect(count(s, 'POST', /\/backups$/)).toBe(3)
      expect(result.summary).toContain('| Install | Outcome | Backup | Details |')
      expect(result.summary).toMatch(/\| filler0007 \| ❌\u00a0aborted \| `[0-9a-f]{8}` \| WP Engine aborted backup/)
    }
  )

  it.concurrent('max-parallel: the simulator never sees more requests at once', async () => {
    const s = await freshSim({ latencyMs: 25 })
    const installs = s.installs
      .slice(0, 10)
      .map((i) => i.name)
      .join(' ')
    const result = await run(s, { install: installs, 'max-parallel': '2' })
    expect(result.code).toBe(0)
    expect(backupsOf(result)).toHaveLength(10)
    expect(s.concurrency.max).toBe(2)
  })

  it.concurrent('a re-run attaches to the backup the first attempt requested, still in progress', async () => {
    const s = await freshSim({ durationMs: 3_000 })
    const earlier = s.seedBackup({ installId: INSTALL.id, description: earlierAttempt, ageMs: 500 })
    const result = await run(s, {}, { GITHUB_RUN_ATTEMPT: '2' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(0)
    expect(result.outputs).toMatchObject({ 'backup-id': earlier.id, status: 'completed', reused: 'true' })
    expect(result.stdout).toContain(`Backup ${earlier.id} was requested by attempt 1 of this run and is in_progress`)
  })

  it.concurrent('a re-run reuses the completed backup of the first attempt', async () => {
    const s = await freshSim()
    const earlier = s.seedBackup({ installId: INSTALL.id, description: earlierAttempt, ageMs: 600_000 })
    const result = await run(s, {}, { GITHUB_RUN_ATTEMPT: '2' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(0)
    expect(result.outputs).toMatchObject({ 'backup-id': earlier.id, status: 'completed', reused: 'true' })
    expect(result.summary).toMatch(/\| Reused \| yes: requested by attempt 1 of this run, 10m( 1s)? old \|/)
  })

  it.concurrent('reuse-within: reuses a completed backup inside the window, requests one outside it', async () => {
    const inside = await freshSim()
    const recent = inside.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 20 * 60_000 })
    const reused = await run(inside, { 'reuse-within': '30m' })
    expect(reused.outputs).toMatchObject({ 'backup-id': recent.id, reused: 'true' })
    expect(count(inside, 'POST', /\/backups$/)).toBe(0)

    const outside = await freshSim()
    outside.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 20 * 60_000 })
    const fresh = await run(outside, { 'reuse-within': '15m' })
    expect(fresh.code).toBe(0)
    expect(fresh.outputs.reused).toBe('false')
    expect(count(outside, 'POST', /\/backups$/)).toBe(1)
  })

  it.concurrent('backup-id with several installs: an input error that says why, nothing sent', async () => {
    const s = await freshSim()
    const result = await run(s, { install: 'mysite mysitestaging', 'backup-id': BACKUP_ID })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      '::error::Invalid input: backup-id names one backup of one install, but install lists 2 (mysite, mysitestaging)'
    )
    expect(s.requests).toHaveLength(0)
  })
})

describe('the shared simulator', () => {
  it('is reachable', () => expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/))
})

// Outages and lagging lists, played by the simulator in real time and kept to seconds: the 3-minute
// versions run on the fake clock in patience.test.ts. Here the bundle itself must ride them out.
describe('bundled action: bad API days', () => {
  it.concurrent.each([
    ['at the step’s start', { answer: 'reset' as const }],
    ['from the create request on', { startsWith: { method: 'POST', path: /\/backups$/ } }],
    ['from the first status check on', { startsWith: { method: 'GET', path: /\/backups\/[0-9a-f-]{36}$/ } }]
  ])('a 3-second outage of the whole API %s: ridden out, exactly one backup', async (_when, outage) => {
    const s = await freshSim()
    s.outage({ forMs: 3_000, ...outage })
    const result = await run(s, { install: INSTALL.id, timeout: '40s' })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('completed')
    expect(s.backups()).toHaveLength(1)
  })

  it.concurrent('an outage that never ends: the step ends by its timeout, in one line with the last answer', async () => {
    const s = await freshSim()
    s.outage({ forMs: 3_600_000 })
    const started = Date.now()
    const result = await run(s, { install: INSTALL.id, timeout: '6s' })
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(result.code).toBe(1)
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error::'))
    expect(errors).toEqual([expect.stringMatching(/timeout ran out while trying to get install .*last answer: HTTP 503\)/)])
    expect(s.backups()).toHaveLength(0)
  })

  it.concurrent('a list that shows the new backup 3 s late, after a lost create answer: adopted, one POST, one backup', async () => {
    const s = await freshSim({ backupListLagMs: 3_000 })
    s.fault({ method: 'POST', path: /\/backups$/, type: 'lost-answer' })
    const result = await run(s, { install: INSTALL.id, timeout: '30s' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(1)
    expect(s.backups()).toHaveLength(1)
  })

  it.concurrent('an archive list that lags 3 s, after a lost archive answer: one request, one archive', async () => {
    const s = await freshSim({ archiveListLagMs: 3_000, archiveMs: 1_000 })
    s.fault({ method: 'POST', path: /\/archives$/, type: 'lost-answer' })
    const result = await run(s, { install: INSTALL.id, archive: 'true', timeout: '30s' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/archives$/)).toBe(1)
    expect(s.archives()).toHaveLength(1)
    expect(s.backups()).toHaveLength(1)
  })
})
