import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/server.js'
import { ACTION, runAction } from '../../scripts/run-action.js'
import { existsSync } from 'node:fs'
import { INSTALL, visible } from '../support/helpers.js'
import { actionAgainst, count, credentialsOf, expectNoCredentialsIn, useSimulators } from '../support/sim-helpers.js'

// The bundled action, run as a child process exactly as the runner runs it, against the simulator.

const freshSim = useSimulators({ requestedMs: 300, durationMs: 1_000 })

/** Runs the bundled action; whatever happens, neither the password nor the Basic token may be logged. */
async function run(s: Simulator, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  const result = await runAction(actionAgainst(s, inputs, env))
  expectNoCredentialsIn([visible(result.stdout), result.stderr, result.summary, JSON.stringify(result.outputs)], credentialsOf(s, env))
  return result
}

beforeAll(() => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
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
