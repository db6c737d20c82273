import { afterAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Simulator } from '../../sim/server.js'
import { INSTALL, type RecordingCore } from '../support/helpers.js'
import {
  declaredInputs,
  expectSafe,
  hostileAnswers,
  hostileInput,
  hostileOptions,
  linkOf,
  secretsOf,
  type Seen
} from '../support/hostile.js'
import { useStepBed } from '../support/step.js'

// A hostile or broken API, and hostile inputs, against whole steps in process: whatever the text, what
// passes through the output sink (recorded by RecordingCore) starts no workflow command but the step's
// own, every secret and the download link stay masked, and the summary renders no link, image or HTML.
// bundle/hostile.test.ts runs the bundled action once, to see the same through @actions/core and a runner's files.

const workspace = mkdtempSync(join(tmpdir(), 'wpe-hostile-'))
afterAll(() => rmSync(workspace, { recursive: true, force: true }))
/** The runner's environment, with the credentials where a workflow puts them (an api-user-id input left blank falls back to them). */
const envOf = (sim: Simulator) => ({
  GITHUB_WORKSPACE: workspace,
  WPENGINE_USER_ID: sim.credentials.userId,
  WPENGINE_PASSWORD: sim.credentials.password
})
const setup = useStepBed()

/** What a runner would have got from the step, as the sink passed it on. */
const seen = (core: RecordingCore): Seen => ({
  log: core.text,
  visible: core.visibleText,
  other: [],
  summary: core.summaries.join(''),
  outputs: core.outputs,
  escaped: false
})

/** The step's failure line, if it failed: shown when a run that should succeed does not. */
const failureOf = (core: RecordingCore) => ({ failure: core.failed?.slice(0, 500) })

/** A step bed against a simulator whose every free-text field is the hostile text given. */
const hostileBed = (answers: Record<string, string>) => setup(hostileOptions(answers))

/**
 * Inputs that get a valid value instead of hostile text, and why. Every other input that action.yml or
 * restore/action.yml declares gets hostile text, so a new input is covered without a word here.
 */
const VALID: Record<string, { value: (sim: Simulator) => string; why: string }> = {
  'api-password': {
    value: (sim) => sim.credentials.password,
    why: 'the password is the secret the log masks: a password of hostile text is masked text, and one of a single letter would be masked everywhere'
  }
}
const hostileInputs = (file: 'action.yml' | 'restore/action.yml') => declaredInputs(file).filter((input) => !(input in VALID))
const BACKUP_INPUTS = hostileInputs('action.yml')
const RESTORE_INPUTS = hostileInputs('restore/action.yml')

describe('a hostile API and hostile inputs cannot reach the runner, the secrets or the summary', () => {
  it('backup, archive and download with hostile text in every answer and in the description', async () => {
    await fc.assert(
      fc.asyncProperty(hostileAnswers, hostileInput, async (answers, description) => {
        const { sim, backup } = await hostileBed(answers)
        // An answer the decoder refuses counts as lost: the step then looks for its backup for a quarter
        // of the time left, so a short timeout keeps each run short.
        const { core } = await backup({ timeout: '30s', description, 'archive-path': 'backups/' }, { env: envOf(sim) })
        const link = linkOf(sim)
        expectSafe(seen(core), [...secretsOf(sim), ...link.secrets])
        expect(failureOf(core)).toEqual({ failure: undefined })
        expect(core.outputs['archive-url']).toBe(link.href)
        await sim.close()
      }),
      { numRuns: 25 }
    )
  })

  it('a refused backup request whose message and field errors are hostile, however many', async () => {
    await fc.assert(
      fc.asyncProperty(hostileAnswers, fc.integer({ min: 0, max: 6_000 }), async (answers, errors) => {
        const { sim, backup } = await hostileBed(answers)
        sim.fault({ method: 'POST', path: /\/backups$/, type: 'hostile-error', errors })
        const { core } = await backup({ install: INSTALL.id, timeout: '30s' }, { env: envOf(sim) })
        expectSafe(seen(core), secretsOf(sim))
        expect(core.failed).toMatch(/^WP Engine refused to request a backup of install mysite \(400/)
        await sim.close()
      }),
      { numRuns: 40 }
    )
  })

  it('a redirect to a hostile location', async () => {
    await fc.assert(
      fc.asyncProperty(hostileAnswers, async (answers) => {
        const { sim, backup } = await hostileBed(answers)
        sim.fault({ method: 'GET', type: 'redirect' })
        const { core } = await backup({ timeout: '30s' }, { env: envOf(sim) })
        expectSafe(seen(core), secretsOf(sim))
        expect(core.failed).toMatch(/with a redirect \(302 to /)
        await sim.close()
      }),
      { numRuns: 30 }
    )
  })

  it('a dry run, with hostile text in every answer and backups completed and still running', async () => {
    await fc.assert(
      fc.asyncProperty(hostileAnswers, async (answers) => {
        const { sim, backup } = await hostileBed(answers)
        for (const hoursAgo of [30, 20, 10]) sim.seedBackup({ installId: INSTALL.id, ageMs: hoursAgo * 3_600_000, durationMs: 240_000 })
        sim.seedBackup({ installId: INSTALL.id, ageMs: 60_000, durationMs: 3_600_000 })
        const { core } = await backup({ 'dry-run': 'true' }, { env: envOf(sim) })
        expectSafe(seen(core), secretsOf(sim))
        expect(failureOf(core)).toEqual({ failure: undefined })
        expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([])
        await sim.close()
      }),
      { numRuns: 30 }
    )
  })

  it('restore, with hostile text in every answer', async () => {
    await fc.assert(
      fc.asyncProperty(hostileAnswers, async (answers) => {
        const { sim, restore } = await hostileBed(answers)
        const seeded = sim.seedBackup({ installId: INSTALL.id })
        const { core } = await restore({ 'backup-id': seeded.id, 'notification-emails': 'ops@example.com' }, { env: envOf(sim) })
        expectSafe(seen(core), secretsOf(sim))
        expect(failureOf(core)).toEqual({ failure: undefined })
        expect(sim.restores().map((r) => r.backupId)).toEqual([seeded.id])
        await sim.close()
      }),
      { numRuns: 30 }
    )
  })

  it('any input of either action holding hostile text', async () => {
    const { sim, backup, restore } = await hostileBed({})
    const seeded = sim.seedBackup({ installId: INSTALL.id })
    const valid = Object.fromEntries(Object.entries(VALID).map(([input, { value }]) => [input, value(sim)]))
    const input = fc.oneof(
      fc.constantFrom(...BACKUP_INPUTS).map((name) => ({ action: 'backup' as const, name })),
      fc.constantFrom(...RESTORE_INPUTS).map((name) => ({ action: 'restore' as const, name }))
    )
    await fc.assert(
      fc.asyncProperty(input, hostileInput, async ({ action, name }, value) => {
        const { core } =
          action === 'backup'
            ? await backup(
                {
                  ...valid,
                  // An answer the decoder refuses counts as lost: the step then looks for its backup for a quarter
                  // of the time left, so a short timeout keeps each run short.
                  timeout: '30s',
                  wait: 'false',
                  // A path with a line break in it is refused before anything is written.
                  [name]: name === 'archive-path' ? `\n${value}` : value
                },
                { env: envOf(sim) }
              )
            : await restore(
                { ...valid, 'backup-id': seeded.id, 'notification-emails': 'ops@example.com', [name]: value },
                { env: envOf(sim) }
              )
        expectSafe(seen(core), secretsOf(sim, name === 'api-user-id' ? value : ''))
      }),
      { numRuns: 100 }
    )
  })

  it('gives hostile text to every input action.yml and restore/action.yml declare, but those given a valid value here, each for a reason', () => {
    const declared = new Set([...declaredInputs('action.yml'), ...declaredInputs('restore/action.yml')])
    for (const [input, { why }] of Object.entries(VALID)) {
      expect(declared).toContain(input)
      expect(why.length).toBeGreaterThan(20)
    }
    expect(new Set([...BACKUP_INPUTS, ...RESTORE_INPUTS, ...Object.keys(VALID)])).toEqual(declared)
    expect(BACKUP_INPUTS).toContain('install')
    expect(RESTORE_INPUTS).toContain('restore-database')
  })
})
